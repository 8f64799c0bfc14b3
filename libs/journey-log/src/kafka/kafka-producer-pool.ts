import { randomUUID } from 'node:crypto';
import { Partitioners, type Kafka, type Producer } from 'kafkajs';
import type { toKafkaRecord } from './cloudevent-kafka-binding';
import type { GroupedCalls } from '#grouped-calls';
import { groupedSender } from './grouped-sender';
import { unavailable } from './kafka-unavailable';

export type OutgoingRecord = ReturnType<typeof toKafkaRecord> & { partition: number };

/** Sends of several groups through one producer, merged while it is busy (see `groupedSender`). */
type Sender = GroupedCalls<OutgoingRecord[], number[]>;

/**
 * The appender's producers: transactional ones for groups spanning partitions, idempotent (not transactional) ones
 * for groups whose every append lands on one partition, `perKind` of each. A producer sends one request (or runs one
 * transaction) at a time, so its sequence numbers stay in order; with several, the sends of different groups overlap
 * on separate connections. Order within a journey does not depend on it: the journey's lock is held until its group's
 * send has returned.
 */
export class KafkaProducerPool {
  private producers: { transactional: Producer[]; plain: Producer[] } = { transactional: [], plain: [] };
  /** Which producer of its kind the next group sends through. */
  private nextSender = 0;
  private readonly senders: { transactional: Sender[]; plain: Sender[] };

  constructor(
    private readonly topic: string,
    private readonly perKind: number,
  ) {
    const indexes = Array.from({ length: perKind }, (_, i) => i);
    this.senders = {
      transactional: indexes.map((i) =>
        groupedSender<OutgoingRecord>(async (messages) => {
          const transaction = await this.producers.transactional[i].transaction();
          try {
            const sent = await transaction.send({ topic: this.topic, acks: -1, messages });
            await transaction.commit();
            return sent;
          } catch (error) {
            await transaction.abort().catch(() => undefined);
            throw error;
          }
        }, unavailable),
      ),
      plain: indexes.map((i) =>
        groupedSender<OutgoingRecord>(
          (messages) => this.producers.plain[i].send({ topic: this.topic, acks: -1, messages }),
          unavailable,
        ),
      ),
    };
  }

  /** Connects every producer together; if any fails, the others are closed again (connect may be retried). */
  async connect(kafka: Kafka): Promise<void> {
    const kinds = Array.from({ length: 2 * this.perKind }, (_, i) => i < this.perKind);
    const producers = kinds.map((transactional) =>
      kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        ...(transactional ? { transactionalId: `journey-log-${randomUUID()}` } : {}),
        createPartitioner: Partitioners.DefaultPartitioner,
      }),
    );
    const connecting = await Promise.allSettled(producers.map((producer) => producer.connect()));
    const failure = connecting.find((c): c is PromiseRejectedResult => c.status === 'rejected');
    if (failure) {
      await Promise.all(producers.map((producer) => producer.disconnect().catch(() => undefined)));
      throw failure.reason;
    }
    this.producers = { transactional: producers.slice(0, this.perKind), plain: producers.slice(this.perKind) };
  }

  /**
   * Sends one group's records and answers their offsets. An append on one partition is one record batch, written whole
   * or not at all: only a group holding an append across partitions needs a transaction (and its extra round trips).
   */
  send(records: OutgoingRecord[], spansPartitions: boolean): Promise<number[]> {
    const senders = spansPartitions ? this.senders.transactional : this.senders.plain;
    return senders[this.nextSender++ % senders.length].call(records);
  }

  async disconnect(): Promise<void> {
    for (const producer of [...this.producers.transactional, ...this.producers.plain])
      await producer.disconnect().catch(() => undefined);
    this.producers = { transactional: [], plain: [] };
  }
}
