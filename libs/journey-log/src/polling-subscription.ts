import { WakeableSleep } from '#wakeable-sleep';
import type { BatchHandler, JourneyLog, LogSubscription, SubscribeOptions } from './journey-log.port';

export interface PollingSubscriptionOptions extends SubscribeOptions {
  /** How long to sleep when caught up, unless woken earlier by `wake`. @defaultValue 100 */
  idleMs?: number;
  /** Registers a callback the log calls after each append in this process (instant wake-up). */
  onAppend?: (wake: () => void) => () => void;
}

/**
 * Catch-up then live subscription on top of `readAll`: reads batches until caught up, then waits
 * for an in-process append notification or the idle timer (appends by other processes).
 * Each batch is handled before the next read, so a slow handler applies back-pressure.
 */
export function pollingSubscription(
  log: Pick<JourneyLog, 'readAll' | 'positions'>,
  after: string | null,
  handler: BatchHandler,
  options: PollingSubscriptionOptions = {},
): LogSubscription {
  const batchSize = options.batchSize ?? 1000;
  const idleMs = options.idleMs ?? 100;
  let stopped = false;
  // An append that lands while a read is in flight wakes the next sleep at once: the loop re-reads.
  const nap = new WakeableSleep();
  const wake = () => nap.wake();
  const unregister = options.onAppend?.(wake) ?? (() => undefined);

  const loop = async () => {
    let cursor = after;
    try {
      while (!stopped) {
        const batch = await log.readAll(cursor, batchSize);
        if (stopped) break;
        if (batch.length > 0) {
          let upTo = cursor;
          for (const stored of batch) upTo = log.positions.merge(upTo, stored.position);
          await handler(batch, upTo!);
          cursor = upTo;
          if (batch.length === batchSize) continue;
        }
        await nap.sleep(idleMs);
      }
    } finally {
      unregister();
    }
  };
  const done = loop();
  return {
    done,
    async stop() {
      stopped = true;
      wake();
      await done.catch(() => undefined);
    },
  };
}
