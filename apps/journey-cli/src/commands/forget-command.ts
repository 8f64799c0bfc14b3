import { userInfo } from 'node:os';
import { loadConfig, openLogAndStore } from '#config';
import { CustomerErasure } from '#journey-read';
import { UsageError } from '../usage-error';

export interface ForgetArgs {
  customer?: string;
  reason?: string;
}

/**
 * `journey forget --customer ID --reason TEXT`: the erasure `POST /v1/customers/{id}/erasure` does, from the operator's
 * shell (recorded as requested by `cli:<user>`). Prints the answer as the API gives it.
 */
export async function forgetCommand(args: ForgetArgs): Promise<number> {
  if (!args.customer) throw new UsageError('forget needs --customer ID');
  if (!args.reason) throw new UsageError("forget needs --reason TEXT (a law, a ticket id: never the person's data)");
  const { log, store, personalData } = await openLogAndStore(loadConfig());
  try {
    const answer = await new CustomerErasure(log, store, personalData.keys).erase({
      customerId: args.customer,
      reason: args.reason,
      requestedBy: `cli:${userInfo().username}`,
    });
    process.stdout.write(JSON.stringify(answer) + '\n');
    return 0;
  } finally {
    await log.close();
  }
}
