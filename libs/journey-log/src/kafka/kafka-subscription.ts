import { randomUUID } from 'node:crypto';
import { BackboneError } from '#errors';
import type { BatchHandler, InvalidRecord, LogSubscription, SubscribeOptions } from '../journey-log.port';
import { BatchCoalescer } from './batch-coalescer';
import { KafkaFetchThread } from './kafka-fetch-thread';
import type { FetchedRecord } from './kafka-fetch-worker';
import { kafkaToken, parseKafkaToken } from './kafka-position';
import { unavailable } from './kafka-unavailable';
import type { IndexedEvent } from './postgres-event-index';
import { storedFromIndex } from './stored-from-index';

/** What a subscription needs from the log it reads. */
export interface SubscriptionSource {
  brokers: string[];
  clientId: string;
  topic: string;
  /** Connects (once); the topic exists after it. */
  start(): Promise<void>;
  partitionCount(): number;
  /** Which fetched records to deliver, and which are not journey events (see `admitFetchedRecords`). */
  admit(records: IndexedEvent[]): Promise<{ delivered: IndexedEvent[]; invalid: InvalidRecord[] }>;
  /** Subscriptions open on the log, stopped when it closes. */
  readers: Set<{ stop(): Promise<void> }>;
}

/**
 * A Kafka consumer from `after`, in a fetch thread of its own: each partition resumes after its offset in the token
 * (from the start when absent). Records are admitted on the way (indexed when an appender could not, and a record
 * whose id the index holds at another offset, a retried append's copy, is not delivered again).
 */
export function subscribeToJourneyTopic(
  source: SubscriptionSource,
  after: string | null,
  handler: BatchHandler,
  options: SubscribeOptions = {},
): LogSubscription {
  const group = options.group;
  const batchSize = options.batchSize ?? 1000;
  const resume = parseKafkaToken(after);
  let fail: (error: unknown) => void = () => undefined;
  let finish: () => void = () => undefined;
  const done = new Promise<void>((resolve, reject) => {
    fail = reject;
    finish = resolve;
  });
  let stopping = false;
  const stop = async () => {
    stopping = true;
    coalescer.discard();
    await (await started.catch(() => null))?.stop();
    // A flush already under way finishes (its commit is whole) before the reader counts as stopped.
    await coalescer.idle();
    source.readers.delete(reader);
    finish();
  };
  const reader = { stop };
  source.readers.add(reader);
  const failWith = (error: unknown) => {
    if (stopping) return;
    stopping = true;
    fail(error);
    void stop();
  };
  // kafkajs hands over one partition at a time; the handler gets what several partitions
  // brought (up to batchSize), so each read-store commit carries as much as is there, and
  // the next fetch runs while the previous records are being projected.
  // Records that could not even be decoded travel with the others, so every record is parked
  // or delivered in one place, in order.
  const coalescer = new BatchCoalescer<FetchedRecord>(
    batchSize,
    async (items) => {
      const records = items.filter((item): item is IndexedEvent => 'envelope' in item);
      const undecodable = items.filter((item): item is InvalidRecord => !('envelope' in item));
      const { delivered, invalid: unchecked } = await source.admit(records);
      const invalid = [...undecodable, ...unchecked];
      if (invalid.length > 0) {
        if (!options.onInvalid)
          throw new BackboneError(
            'validation_failed',
            `invalid record on the log at ${invalid[0].position}: ${invalid[0].error}`,
          );
        await options.onInvalid(invalid);
      }
      if (delivered.length === 0) return;
      const upTo = new Map<number, number>();
      for (const r of delivered) upTo.set(r.partition, Math.max(r.offset, upTo.get(r.partition) ?? -1));
      await handler(delivered.map(storedFromIndex), kafkaToken(upTo));
    },
    failWith,
  );
  // The consumer runs in a thread of its own, which fetches and decodes while this one projects.
  const started = (async () => {
    await source.start();
    if (stopping) return null;
    const fetching: KafkaFetchThread = new KafkaFetchThread(
      {
        brokers: source.brokers,
        clientId: source.clientId,
        topic: source.topic,
        groupId: group?.id ?? `journey-reader-${randomUUID()}`,
        maxUntaken: 2 * batchSize,
      },
      {
        assigned: (partitions) => {
          // Records fetched before the reassignment are read again from the checkpoints below.
          coalescer.discard();
          group?.onAssign?.(partitions, partitions.length === source.partitionCount());
          void (async () => {
            const from = group ? parseKafkaToken(await group.resumeFrom()) : resume;
            fetching.seek(new Map(partitions.map((partition) => [partition, (from.get(partition) ?? -1) + 1])));
          })().catch((error: unknown) => failWith(unavailable(error)));
        },
        records: async (records) => {
          if (stopping) return;
          try {
            await coalescer.add(records);
          } catch (error) {
            failWith(error);
          }
        },
        failed: (error) => failWith(unavailable(error)),
      },
    );
    return fetching;
  })();
  started.catch((error: unknown) => failWith(unavailable(error)));
  return { done, stop };
}
