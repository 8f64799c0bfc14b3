import { Kafka, logLevel } from 'kafkajs';
import { TEST_DATABASE_URL, dropSchema, journeyEvent, uniqueSchemaName, waitFor } from '#testing';
import type { LogSubscription } from '../journey-log.port';
import { journeyLogContract } from '../testing/journey-log.contract';
import { KafkaJourneyLog } from './kafka-journey-log';
import { PostgresEventIndex } from './postgres-event-index';

/** The journey-log contract on a real Kafka broker (KAFKA_BROKERS; jest's global setup starts one). */
const brokers = (process.env.KAFKA_BROKERS ?? '').split(',').filter(Boolean);

/**
 * A topic and an index schema of the test's own, and logs on them (each a process of its own, as far as the log knows).
 */
function scratch(name: string) {
  if (brokers.length === 0)
    throw new Error('KAFKA_BROKERS is not set: the global setup starts a broker when it is missing');
  const topic = `journey-${name}-${process.pid}-${Math.floor(Math.random() * 1e9)}`;
  const schema = uniqueSchemaName(`kafka_${name}`);
  return {
    open: (index = new PostgresEventIndex({ connectionString: TEST_DATABASE_URL, schema })) =>
      new KafkaJourneyLog({ brokers, topic, partitions: 3, index }),
    cleanup: async () => {
      const admin = new Kafka({ brokers, logLevel: logLevel.NOTHING }).admin();
      await admin.connect();
      await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
      await admin.disconnect();
      await dropSchema(schema);
    },
    topic,
    schema,
  };
}

journeyLogContract('kafka', async () => {
  const { open, cleanup } = scratch('test');
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
      await cleanup();
    },
  };
});

describe('KafkaJourneyLog consumer group', () => {
  it(
    'given one member, when a second joins, then the first is told it held every partition and then that it ' +
      'holds only some',
    async () => {
      const { open, cleanup, topic } = scratch('group');
      const logs = [open(), open()];
      const assignments: Array<Array<{ partitions: number[]; all: boolean }>> = [[], []];
      const member = (i: number) =>
        logs[i].subscribe(null, async () => undefined, {
          group: {
            id: `${topic}-projectors`,
            onAssign: (partitions, all) => assignments[i].push({ partitions: [...partitions].sort(), all }),
            resumeFrom: async () => null,
          },
        });
      const subscriptions: LogSubscription[] = [];
      try {
        await logs[0].start();
        subscriptions.push(member(0));
        await waitFor(() => assignments[0].length > 0, { timeoutMs: 30_000, what: 'the first assignment' });
        expect(assignments[0][0]).toEqual({ partitions: [0, 1, 2], all: true });
        await logs[1].start();
        subscriptions.push(member(1));
        await waitFor(() => assignments[1].length > 0 && assignments[0].length > 1, {
          timeoutMs: 30_000,
          what: 'the reassignment',
        });
        const [first, second] = [assignments[0].at(-1)!, assignments[1].at(-1)!];
        expect([first.all, second.all]).toEqual([false, false]);
        expect([...first.partitions, ...second.partitions].sort()).toEqual([0, 1, 2]);
      } finally {
        for (const s of subscriptions) await s.stop();
        for (const log of logs) await log.close();
        await cleanup();
      }
    },
    60_000,
  );
});

describe('KafkaJourneyLog reading what this process appended', () => {
  it(
    'given events appended here and events appended by another process, when read here, then only the others ' +
      'are looked up in the index',
    async () => {
      const { open, cleanup, schema } = scratch('own');
      const indexHere = new PostgresEventIndex({ connectionString: TEST_DATABASE_URL, schema });
      // Watched, not replaced: the real index answers.
      const placed = jest.spyOn(indexHere, 'placed');
      const lookedUp = () => placed.mock.calls.map(([partitions]) => partitions.length);
      const [here, elsewhere] = [open(indexHere), open()];
      const delivered: string[] = [];
      let subscription: LogSubscription | undefined;
      try {
        await here.start();
        await elsewhere.start();
        await here.append([journeyEvent('feedback.received', { score: 1 }, { id: 'own-1', subject: 'cust-own' })]);
        subscription = here.subscribe(null, async (batch) => void delivered.push(...batch.map((e) => e.event.id)));
        await waitFor(() => delivered.length === 1, { timeoutMs: 20_000, what: 'the event appended here' });
        expect(lookedUp()).toEqual([]);
        await elsewhere.append([
          journeyEvent('feedback.received', { score: 2 }, { id: 'other-1', subject: 'cust-other' }),
        ]);
        await waitFor(() => delivered.length === 2, { timeoutMs: 20_000, what: 'the event appended elsewhere' });
        expect(delivered).toEqual(['own-1', 'other-1']);
        expect(lookedUp()).toEqual([1]);
      } finally {
        await subscription?.stop();
        await here.close();
        await elsewhere.close();
        await cleanup();
      }
    },
    60_000,
  );
});

describe('KafkaJourneyLog journey versions', () => {
  it(
    'given many journeys asked for at once, when their versions are read, then they share one or two ' +
      'statements and each gets its own',
    async () => {
      const { open, cleanup, schema } = scratch('versions');
      const index = new PostgresEventIndex({ connectionString: TEST_DATABASE_URL, schema });
      // Watched, not replaced: the real index answers.
      const lookup = jest.spyOn(index, 'versions');
      const log = open(index);
      try {
        await log.start();
        const journeys = Array.from({ length: 20 }, (_, i) => `cust-version-${i}`);
        // Journey i holds i % 3 events.
        for (const [i, journeyId] of journeys.entries()) {
          for (let n = 0; n < i % 3; n++)
            await log.append([journeyEvent('feedback.received', { score: n + 1 }, { subject: journeyId })]);
        }
        lookup.mockClear();
        const versions = await Promise.all(journeys.map((journeyId) => log.journeyVersion(journeyId)));
        expect(versions).toEqual(journeys.map((_, i) => i % 3));
        expect(lookup.mock.calls.length).toBeLessThanOrEqual(2);
        expect(lookup.mock.calls.reduce((sum, [journeyIds]) => sum + journeyIds.length, 0)).toBe(20);
      } finally {
        await log.close();
        await cleanup();
      }
    },
    60_000,
  );
});
