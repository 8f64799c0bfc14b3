import { summariseEvent } from '#journey-projections';
import { openLog } from '../analysis-log';
import { redact } from '#journey-read';
import { positiveInt } from '../cli-values';

export interface TailArgs {
  fromStart?: boolean;
  customer?: string;
  type?: string;
  count?: string;
  json?: boolean;
  includePii?: boolean;
}

/** `journey tail`: events as they are appended (or from the start), one line each, until Ctrl-C or --count. */
export async function tailCommand(args: TailArgs, signal: AbortSignal): Promise<number> {
  const limit = positiveInt('count', args.count, Number.POSITIVE_INFINITY);
  const { log } = await openLog({ mustExist: true });
  let shown = 0;
  try {
    const from = args.fromStart ? null : await log.head();
    await new Promise<void>((resolve, reject) => {
      const subscription = log.subscribe(from, async (batch) => {
        for (const stored of batch) {
          const event = stored.event;
          if ((args.customer && event.subject !== args.customer) || (args.type && event.type !== args.type)) continue;
          const visible = args.includePii ? event : redact(event);
          process.stdout.write(
            args.json
              ? `${JSON.stringify({ position: stored.position, event: visible })}\n`
              : `${stored.position}  ${event.time}  ${event.subject} ` +
                  ` ${event.type.padEnd(22)} ${summariseEvent(visible)}\n`,
          );
          if (++shown >= limit) {
            void subscription.stop().then(resolve);
            return;
          }
        }
      });
      subscription.done.then(resolve, reject);
      signal.addEventListener('abort', () => void subscription.stop().then(resolve), { once: true });
    });
    return signal.aborted ? 130 : 0;
  } finally {
    await log.close();
  }
}
