import { Kafka, logLevel } from 'kafkajs';
import { TEST_DATABASE_URL, dropSchema, journeyEvent, uniqueSchemaName } from '../../../testing/src';
import { journeyLogContract } from '../testing/journey-log.contract';
import { KafkaJourneyLog } from './kafka-journey-log';
import { PostgresEventIndex } from './postgres-event-index';

/** The journey-log contract on a real Kafka broker (KAFKA_BROKERS; jest's global setup starts one). */
const brokers = (process.env.KAFKA_BROKERS ?? '').split(',').filter(Boolean);

journeyLogContract('kafka', async () => {
  if (brokers.length === 0) throw new Error('KAFKA_BROKERS is not set: the global setup starts a broker when it is missing');
  const topic = `journey-test-${process.pid}-${Math.floor(Math.random() * 1e9)}`;
  const schema = uniqueSchemaName('kafka_log');
  const open = () => new KafkaJourneyLog({ brokers, topic, partitions: 3, index: new PostgresEventIndex({ connectionString: TEST_DATABASE_URL, schema }) });
  let log = open();
  await log.start();
  return {
    log,
    reopen: async () => {
      await log.close();
      log = open();
      return log;
    },
    cleanup: async () => {
      await log.close();
      const admin = new Kafka({ brokers, logLevel: logLevel.NOTHING }).admin();
      await admin.connect();
      await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
      await admin.disconnect();
      await dropSchema(schema);
    },
  };
});

describe('KafkaJourneyLog consumer group', () => {
  it('given one member, when a second joins, then the first is told it held every partition and then that it holds only some', async () => {
    if (brokers.length === 0) throw new Error('KAFKA_BROKERS is not set: the global setup starts a broker when it is missing');
    const topic = `journey-group-${process.pid}-${Math.floor(Math.random() * 1e9)}`;
    const schema = uniqueSchemaName('kafka_group');
    const logs = [0, 1].map(() => new KafkaJourneyLog({ brokers, topic, partitions: 3, index: new PostgresEventIndex({ connectionString: TEST_DATABASE_URL, schema }) }));
    const assignments: Array<Array<{ partitions: number[]; all: boolean }>> = [[], []];
    const member = (i: number) =>
      logs[i].subscribe(null, async () => undefined, {
        group: { id: `${topic}-projectors`, onAssign: (partitions, all) => assignments[i].push({ partitions: [...partitions].sort(), all }), resumeFrom: async () => null },
      });
    const until = async (done: () => boolean) => {
      for (const t = Date.now(); !done(); await new Promise((r) => setTimeout(r, 50))) if (Date.now() - t > 30_000) throw new Error(`not reached: ${JSON.stringify(assignments)}`);
    };
    const subscriptions = [];
    try {
      await logs[0].start();
      subscriptions.push(member(0));
      await until(() => assignments[0].length > 0);
      expect(assignments[0][0]).toEqual({ partitions: [0, 1, 2], all: true });
      await logs[1].start();
      subscriptions.push(member(1));
      await until(() => assignments[1].length > 0 && assignments[0].length > 1);
      const [first, second] = [assignments[0].at(-1)!, assignments[1].at(-1)!];
      expect([first.all, second.all]).toEqual([false, false]);
      expect([...first.partitions, ...second.partitions].sort()).toEqual([0, 1, 2]);
    } finally {
      for (const s of subscriptions) await s.stop();
      for (const log of logs) await log.close();
      const admin = new Kafka({ brokers, logLevel: logLevel.NOTHING }).admin();
      await admin.connect();
      await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
      await admin.disconnect();
      await dropSchema(schema);
    }
  }, 60_000);
});

describe('KafkaJourneyLog reading what this process appended', () => {
  it('given events appended here and events appended by another process, when read here, then only the others are looked up in the index', async () => {
    if (brokers.length === 0) throw new Error('KAFKA_BROKERS is not set: the global setup starts a broker when it is missing');
    const topic = `journey-own-${process.pid}-${Math.floor(Math.random() * 1e9)}`;
    const schema = uniqueSchemaName('kafka_own');
    const indexes = [0, 1].map(() => new PostgresEventIndex({ connectionString: TEST_DATABASE_URL, schema }));
    const [here, elsewhere] = indexes.map((index) => new KafkaJourneyLog({ brokers, topic, partitions: 3, index }));
    const lookedUp: number[] = [];
    const placed = indexes[0].placed.bind(indexes[0]);
    indexes[0].placed = (partitions, offsets) => {
      lookedUp.push(partitions.length);
      return placed(partitions, offsets);
    };
    const delivered: string[] = [];
    let subscription: ReturnType<KafkaJourneyLog['subscribe']> | undefined;
    try {
      await here.start();
      await elsewhere.start();
      await here.append([journeyEvent('feedback.received', { score: 1 }, { id: 'own-1', subject: 'cust-own' })]);
      subscription = here.subscribe(null, async (batch) => void delivered.push(...batch.map((e) => e.event.id)));
      for (const t = Date.now(); delivered.length < 1; await new Promise((r) => setTimeout(r, 20))) if (Date.now() - t > 20_000) throw new Error('own event not delivered');
      expect(lookedUp).toEqual([]);
      await elsewhere.append([journeyEvent('feedback.received', { score: 2 }, { id: 'other-1', subject: 'cust-other' })]);
      for (const t = Date.now(); delivered.length < 2; await new Promise((r) => setTimeout(r, 20))) if (Date.now() - t > 20_000) throw new Error('other event not delivered');
      expect(delivered).toEqual(['own-1', 'other-1']);
      expect(lookedUp).toEqual([1]);
    } finally {
      await subscription?.stop();
      await here.close();
      await elsewhere.close();
      const admin = new Kafka({ brokers, logLevel: logLevel.NOTHING }).admin();
      await admin.connect();
      await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
      await admin.disconnect();
      await dropSchema(schema);
    }
  }, 60_000);
});
