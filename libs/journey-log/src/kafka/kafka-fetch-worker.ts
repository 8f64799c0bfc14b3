import { isMainThread, parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { Kafka, type Consumer, type EachBatchPayload } from 'kafkajs';
import type { InvalidRecord } from '../journey-log.port';
import { fromKafkaRecord } from './cloudevent-kafka-binding';
import { consumerConfig, kafkaClientConfig } from './kafka-client-config';
import { kafkaRecordToken } from './kafka-position';
import type { IndexedEvent } from './postgres-event-index';

/**
 * The fetching half of a Kafka reader, in a worker thread: the kafkajs consumer, and the decoding
 * of its records into journey events. kafkajs decodes every fetch on the thread that runs it (about
 * a third of a projector's CPU per event); here that runs beside the reader's own work (indexing,
 * projecting, committing) instead of before it.
 */
export interface FetchWorkerData {
  brokers: string[];
  clientId: string;
  topic: string;
  groupId: string;
  /** Records posted and not yet taken by the reader past which fetching waits (backpressure). */
  maxUntaken: number;
}

export type FetchedRecord = IndexedEvent | InvalidRecord;

export type ToFetchWorker =
  /** Where assigned partitions resume (the next offset to read). */
  | { type: 'seek'; offsets: Array<[partition: number, offset: number]> }
  /** The reader took this many records. */
  | { type: 'taken'; records: number }
  | { type: 'stop' };

export type FromFetchWorker =
  /** The group assigned these partitions: records fetched before belong to the old assignment. */
  | { type: 'assigned'; partitions: number[] }
  | { type: 'records'; records: FetchedRecord[] }
  /** The consumer could not start (connect, subscribe). */
  | { type: 'failed'; message: string };

/** One batch of a partition, decoded; a record that is not a CloudEvent travels as an invalid record, in its place. */
function decodeBatch({ partition, messages }: EachBatchPayload['batch']): FetchedRecord[] {
  const records: FetchedRecord[] = [];
  for (const m of messages) {
    const offset = Number(m.offset);
    const headers = m.headers as Record<string, Buffer>;
    try {
      const { event, journeyVersion, sequence } = fromKafkaRecord(headers, m.value);
      // Validated by the reader, unless the appender indexed it (it validated it then).
      records.push({
        id: event.id,
        journeyId: event.subject,
        journeyVersion,
        partition,
        offset,
        time: event.time,
        envelope: event,
        sequence,
        recordedAt: Number(m.timestamp),
      });
    } catch (error) {
      const position = kafkaRecordToken(partition, offset);
      records.push({
        position,
        id: headers.ce_id?.toString() ?? position,
        type: headers.ce_type?.toString() ?? 'unknown',
        error: `invalid record: ${(error as Error).message}`,
      });
    }
  }
  return records;
}

function fetchRecords(port: MessagePort, data: FetchWorkerData): void {
  const post = (message: FromFetchWorker) => port.postMessage(message);
  const consumer: Consumer = new Kafka(kafkaClientConfig(data.brokers, data.clientId)).consumer(
    consumerConfig(data.groupId),
  );
  let untaken = 0;
  let stopping = false;
  let resume: (() => void) | null = null;
  const stop = async () => {
    stopping = true;
    resume?.();
    await consumer.disconnect().catch(() => undefined);
    process.exit(0);
  };
  port.on('message', (message: ToFetchWorker) => {
    if (message.type === 'taken') {
      untaken -= message.records;
      if (untaken < data.maxUntaken) resume?.();
    } else if (message.type === 'seek') {
      try {
        for (const [partition, offset] of message.offsets)
          consumer.seek({ topic: data.topic, partition, offset: String(offset) });
      } catch (error) {
        // Not running any more: stopping, or the consumer failed and the reader will start over.
        if (!stopping) post({ type: 'failed', message: `cannot seek: ${(error as Error).message}` });
      }
    } else {
      void stop();
    }
  });
  void (async () => {
    await consumer.connect();
    await consumer.subscribe({ topic: data.topic, fromBeginning: true });
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) =>
      post({ type: 'assigned', partitions: payload.memberAssignment[data.topic] ?? [] }),
    );
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: true,
      eachBatch: async ({ batch }) => {
        if (stopping) return;
        const records = decodeBatch(batch);
        untaken += records.length;
        post({ type: 'records', records });
        // The next fetch waits while the reader has enough in hand.
        if (untaken >= data.maxUntaken && !stopping) await new Promise<void>((resolve) => (resume = resolve));
        resume = null;
      },
    });
  })().catch((error: unknown) => {
    post({ type: 'failed', message: (error as Error)?.message ?? String(error) });
    void stop();
  });
}

if (!isMainThread && parentPort && (workerData as { kafkaFetchWorker?: FetchWorkerData } | null)?.kafkaFetchWorker) {
  fetchRecords(parentPort, (workerData as { kafkaFetchWorker: FetchWorkerData }).kafkaFetchWorker);
}
