import { join } from 'node:path';
import { KafkaJourneyLog, PostgresEventIndex } from '#journey-log';
import { PROJECTIONS } from '#journey-projections';
import { appendInBatches, syntheticEvents } from '#journey-simulator';
import { PersonalData } from '#personal-data';
import { ProjectionRunner } from '#projection-runtime';
import { PostgresReadStore, SqliteReadStore } from '#read-store';
import { TEST_DATABASE_URL, readModelHash, startBackbone, tempDataDir, waitFor } from '#testing';
import { dropKafkaEnv, kafkaEnv } from './kafka-env';

const EVENTS = 100_000;

/**
 * Failover: two projectors share the partitions; one is SIGKILLed in the middle of 100,000
 * events; the survivor takes its partitions over from the committed checkpoints, and the read
 * models end identical to a clean rebuild.
 */
describe('projector failover on Kafka', () => {
  const env = kafkaEnv('e2e_failover', 4);
  afterAll(async () => {
    await dropKafkaEnv(env);
  });

  it(
    `ends identical to a clean rebuild after one of two projectors is killed mid-way through ${EVENTS} ` + `events`,
    async () => {
      const log = new KafkaJourneyLog({
        brokers: env.KAFKA_BROKERS.split(','),
        topic: env.KAFKA_TOPIC,
        partitions: 4,
        index: new PostgresEventIndex({ connectionString: TEST_DATABASE_URL, schema: env.DATABASE_SCHEMA }),
      });
      await log.start();
      await appendInBatches(log, syntheticEvents({ events: EVENTS, seed: 21, customerPrefix: 'fo' }), 2000);
      const head = (await log.head())!;

      const store = new PostgresReadStore({
        connectionString: TEST_DATABASE_URL,
        schema: env.DATABASE_SCHEMA,
        poolSize: 2,
      });
      const behind = async () =>
        log.positions.distance((await store.checkpoint('journey-view'))?.position ?? null, head);
      const total = await behind();
      const victim = await startBackbone({ app: 'projector', env: { ...env, PROJECTOR_BATCH_SIZE: '500' } });
      const survivor = await startBackbone({ app: 'projector', env: { ...env, PROJECTOR_BATCH_SIZE: '500' } });
      await waitFor(async () => (await behind()) < total * 0.7, { timeoutMs: 120_000, what: '30% projected' });
      await victim.kill();
      const atKill = await behind();
      expect(atKill).toBeGreaterThan(0);
      await waitFor(async () => (await behind()) === 0, {
        timeoutMs: 180_000,
        intervalMs: 200,
        what: 'the survivor to finish',
      });
      await survivor.stop();
      expect(survivor.output()).not.toMatch(/parked event/);
      const afterFailover = await readModelHash(store, PROJECTIONS);

      // The clean rebuild looks identities up under the projectors' keyed hash (their key store, their master key).
      const master = PersonalData.masterKeyFile(env.PERSONAL_DATA_MASTER_KEY_FILE);
      const personalData = await PersonalData.open(store.keyStore(), master);
      const clean = new SqliteReadStore({ file: join(tempDataDir(), 'clean.db') });
      const runner = new ProjectionRunner({ log: personalData.log(log), store: clean, projections: PROJECTIONS });
      await runner.start();
      await waitFor(
        async () => log.positions.reached((await clean.checkpoint('journey-view'))?.position ?? null, head),
        {
          timeoutMs: 180_000,
          intervalMs: 200,
          what: 'clean rebuild',
        },
      );
      await runner.stop();
      const rebuilt = await readModelHash(clean, PROJECTIONS);
      expect(afterFailover.documents).toBeGreaterThan(10_000);
      expect(afterFailover).toEqual(rebuilt);
      await Promise.all([store.close(), clean.close(), log.close()]);
    },
  );
});
