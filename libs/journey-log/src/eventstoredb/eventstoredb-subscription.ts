import { BackboneError } from '#errors';
import type { BatchHandler, InvalidRecord, LogSubscription, StoredEvent, SubscribeOptions } from '../journey-log.port';
import { toBackboneError } from './eventstoredb-record';

/** The part of an EventStoreDB `$all` subscription the batching uses (a stream of resolved events). */
export interface ResolvedEventStream<R> {
  on(event: 'data', listener: (resolved: R) => void): unknown;
  on(event: 'error', listener: (error: unknown) => void): unknown;
  on(event: 'close', listener: () => void): unknown;
  pause(): unknown;
  resume(): unknown;
  unsubscribe(): Promise<unknown>;
}

/** A decoded record: the event to deliver (null when it is not one to deliver), or why it is not a journey event. */
export interface DecodedRecord {
  stored: StoredEvent | null;
  invalid?: InvalidRecord | null;
}

/**
 * Turns a stream of resolved events into the port's batches: records are buffered and handed over in batches of up to
 * `batchSize`, the stream paused while a batch is handled (so a slow projector holds the server back, not memory);
 * invalid records go to `onInvalid` in order with the others, or fail the subscription when there is none. A server
 * error or close fails `done` (retriable); `stop` ends it after the batch under way. `onEnd` is told once, either way.
 */
export function batchedSubscription<R>(
  stream: ResolvedEventStream<R>,
  decode: (resolved: R) => DecodedRecord,
  handler: BatchHandler,
  options: SubscribeOptions & { onEnd: () => void },
): LogSubscription {
  const batchSize = options.batchSize ?? 1000;
  let fail: (error: unknown) => void = () => undefined;
  let finish: () => void = () => undefined;
  const done = new Promise<void>((resolve, reject) => {
    fail = reject;
    finish = resolve;
  });
  let stopped = false;
  let buffer: StoredEvent[] = [];
  let invalid: InvalidRecord[] = [];
  let flushing: Promise<void> | null = null;

  const stopWith = (error: unknown) => {
    if (stopped) return;
    stopped = true;
    options.onEnd();
    void stream.unsubscribe().catch(() => undefined);
    fail(error);
  };
  const flush = async () => {
    while (!stopped && (buffer.length > 0 || invalid.length > 0)) {
      const batch = buffer.splice(0, batchSize);
      const bad = invalid.splice(0);
      if (bad.length > 0) {
        if (!options.onInvalid)
          throw new BackboneError(
            'validation_failed',
            `invalid record on the log at ${bad[0].position}: ${bad[0].error}`,
          );
        await options.onInvalid(bad);
      }
      if (batch.length > 0) await handler(batch, batch[batch.length - 1].position);
    }
  };
  const schedule = () => {
    if (flushing || stopped) return;
    stream.pause();
    flushing = flush().then(
      () => {
        flushing = null;
        if (!stopped) stream.resume();
      },
      (error: unknown) => {
        flushing = null;
        stopWith(error);
      },
    );
  };

  stream.on('data', (resolved) => {
    if (stopped) return;
    const { stored, invalid: bad } = decode(resolved);
    if (stored) buffer.push(stored);
    if (bad) invalid.push(bad);
    if (buffer.length >= batchSize) schedule();
    else setImmediate(schedule);
  });
  stream.on('error', (error) => stopWith(toBackboneError(error, '', 0)));
  stream.on('close', () =>
    stopWith(
      new BackboneError('log_unavailable', 'the EventStoreDB subscription was closed by the server', {
        retriable: true,
      }),
    ),
  );
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    options.onEnd();
    await stream.unsubscribe().catch(() => undefined);
    await flushing?.catch(() => undefined);
    buffer = [];
    invalid = [];
    finish();
  };
  return { done, stop };
}
