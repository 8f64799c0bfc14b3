import { Kafka, logLevel } from 'kafkajs';
import { waitFor } from '#testing';
import { KafkaFetchThread } from './kafka-fetch-thread';
import type { FetchedRecord } from './kafka-fetch-worker';
import { toKafkaRecord } from './cloudevent-kafka-binding';
import { journeyEvent } from '#testing';

/** The fetch thread on a real broker (KAFKA_BROKERS; jest's global setup starts one). */
const brokers = (process.env.KAFKA_BROKERS ?? '').split(',').filter(Boolean);

describe('KafkaFetchThread', () => {
  it(
    'given a reader that does not take what it is given, when the topic holds more, then the thread stops ' +
      'fetching ahead; once taken, every record comes, in order',
    async () => {
      if (brokers.length === 0)
        throw new Error('KAFKA_BROKERS is not set: the global setup starts a broker when it is missing');
      const topic = `journey-fetch-${process.pid}-${Math.floor(Math.random() * 1e9)}`;
      const admin = new Kafka({ brokers, logLevel: logLevel.NOTHING }).admin();
      const producer = new Kafka({ brokers, logLevel: logLevel.NOTHING }).producer();
      await admin.connect();
      await producer.connect();
      let thread: KafkaFetchThread | undefined;
      try {
        await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
        // About 1 KB a record: a fetch (256 KB a partition) brings about 250 of the 2,000.
        const padding = 'x'.repeat(1000);
        const events = Array.from({ length: 2000 }, (_, i) =>
          journeyEvent('feedback.received', { score: 1, verbatim: `${i} ${padding}` }, { subject: 'cust-fetch' }),
        );
        for (let i = 0; i < events.length; i += 500) {
          await producer.send({
            topic,
            acks: -1,
            messages: events.slice(i, i + 500).map((e, j) => toKafkaRecord(e, i + j + 1)),
          });
        }
        const received: FetchedRecord[] = [];
        let release: () => void = () => undefined;
        const held = new Promise<void>((resolve) => (release = resolve));
        const failures: Error[] = [];
        thread = new KafkaFetchThread(
          { brokers, clientId: 'fetch-test', topic, groupId: `${topic}-reader`, maxUntaken: 10 },
          {
            assigned: (partitions) => thread!.seek(new Map(partitions.map((p) => [p, 0]))),
            records: async (records) => {
              received.push(...records);
              await held;
            },
            failed: (error) => void failures.push(error),
          },
        );
        await waitFor(() => received.length > 0, { timeoutMs: 30_000, what: 'the first records' });
        // Given time to read the whole topic, it has not: it waits for the reader.
        await new Promise((resolve) => setTimeout(resolve, 1500));
        expect(thread.untaken).toBeGreaterThan(0);
        expect(thread.untaken).toBeLessThan(1000);
        release();
        await waitFor(() => received.length === events.length, { timeoutMs: 30_000, what: 'every record' });
        expect(received.map((r) => r.id)).toEqual(events.map((e) => e.id));
        expect(thread.untaken).toBe(0);
        expect(failures).toEqual([]);
      } finally {
        await thread?.stop();
        await producer.disconnect();
        await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
        await admin.disconnect();
      }
    },
    90_000,
  );
});

describe('KafkaFetchThread without a broker', () => {
  it('given no broker at the address, when the thread starts, then it reports one failure and ends', async () => {
    const failures: Error[] = [];
    const thread = new KafkaFetchThread(
      {
        brokers: ['127.0.0.1:1'],
        clientId: 'fetch-test',
        topic: 'journey-nowhere',
        groupId: 'nowhere-reader',
        maxUntaken: 10,
      },
      { assigned: () => undefined, records: async () => undefined, failed: (error) => void failures.push(error) },
    );
    await waitFor(() => failures.length > 0, { timeoutMs: 60_000, what: 'the failure' });
    await thread.stop();
    expect(failures).toHaveLength(1);
    expect(failures[0].message).toMatch(/connect/i);
  }, 90_000);
});
