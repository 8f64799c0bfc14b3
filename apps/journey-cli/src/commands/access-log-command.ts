import { loadConfig, openReadStore } from '#config';
import { optionalIsoTime } from '../cli-values';
import { UsageError } from '../usage-error';

export interface AccessLogArgs {
  customer?: string;
  from?: string;
  to?: string;
  json: boolean;
}

/** The most records printed (newest first): the same page as the HTTP answer. */
const PAGE = 1000;

/** `journey access-log --customer ID [--from TIME] [--to TIME] [--json]`: who read a customer's data, newest first. */
export async function accessLogCommand(args: AccessLogArgs): Promise<number> {
  if (!args.customer) throw new UsageError('access-log needs --customer ID');
  const range = { from: optionalIsoTime('from', args.from), to: optionalIsoTime('to', args.to), limit: PAGE };
  const store = await openReadStore(loadConfig().readStore);
  try {
    const entries = await store.accessLog(args.customer, range);
    if (args.json) process.stdout.write(JSON.stringify({ customerId: args.customer, entries }, null, 2) + '\n');
    else
      for (const e of entries)
        process.stdout.write(
          `${e.at}  ${e.credential}  ${e.route}${e.channel ? `  channel=${e.channel}` : ''}` +
            `${e.purpose ? `  purpose=${JSON.stringify(e.purpose)}` : ''}\n`,
        );
    return 0;
  } finally {
    await store.close();
  }
}
