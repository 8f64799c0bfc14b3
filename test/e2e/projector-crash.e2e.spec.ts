import { join } from 'node:path';
import { SqliteJourneyLog, sqliteSequence } from '#journey-log';
import { PROJECTIONS } from '#journey-projections';
import { appendInBatches, seededRandom, syntheticEvents } from '#journey-simulator';
import { PersonalData } from '#personal-data';
import { ProjectionRunner } from '#projection-runtime';
import { PostgresReadStore, SqliteReadStore, type ReadStore } from '#read-store';
import {
  TEST_DATABASE_URL,
  dropSchema,
  postgresReadStoreEnv,
  readModelHash,
  startBackbone,
  tempDataDir,
  uniqueSchemaName,
  waitFor,
} from '#testing';

const EVENTS = 50_000;
const KILLS = 6;

/**
 * Crash safety: a projector process SIGKILLed at random points while catching up ends, after a
 * restart, in exactly the state of a clean rebuild (same hash of every read model).
 */
const pgSchema = uniqueSchemaName('e2e_crash');

describe.each([
  ['SQLite', {}],
  ['PostgreSQL', postgresReadStoreEnv(pgSchema)],
])('projector on a %s read store killed while catching up', (_store, env: Record<string, string>) => {
  afterAll(async () => {
    if (env.DATABASE_SCHEMA) await dropSchema(env.DATABASE_SCHEMA);
  });

  it(`ends identical to a clean rebuild after ${KILLS} SIGKILLs over ${EVENTS} events`, async () => {
    const dataDir = tempDataDir('journey-crash-');
    const log = new SqliteJourneyLog({ file: join(dataDir, 'journey-log.db') });
    await appendInBatches(log, syntheticEvents({ events: EVENTS, seed: 42 }), 1000);
    const head = (await log.head())!;
    expect(sqliteSequence(head)).toBe(EVENTS);

    const observer: ReadStore = env.DATABASE_SCHEMA
      ? new PostgresReadStore({ connectionString: TEST_DATABASE_URL, schema: env.DATABASE_SCHEMA, poolSize: 2 })
      : new SqliteReadStore({ file: join(dataDir, 'read-store.db') });
    const progress = async () => sqliteSequence((await observer.checkpoint('journey-view'))?.position ?? null);
    const random = seededRandom(Date.now() % 100_000);
    const kills: number[] = [];
    for (let i = 0; i < KILLS; i++) {
      const before = await progress();
      // Somewhere in the next stretch of the log, so that every kill lands mid catch-up.
      const target = before + Math.floor(((EVENTS - before) / (KILLS - i + 1)) * (0.3 + random() * 0.7));
      const projector = await startBackbone({
        app: 'projector',
        dataDir,
        env: { ...env, PROJECTOR_BATCH_SIZE: '100' },
        noWait: true,
      });
      await waitFor(async () => (await progress()) >= target, {
        timeoutMs: 60_000,
        intervalMs: 2,
        what: `checkpoint ${target}`,
      });
      await projector.kill();
      kills.push(await progress());
    }
    console.log(`checkpoints at the kills: ${kills.join(', ')}`);
    expect(kills[kills.length - 1]).toBeLessThan(EVENTS);
    for (let i = 1; i < kills.length; i++) expect(kills[i]).toBeGreaterThanOrEqual(kills[i - 1]);

    const survivor = await startBackbone({ app: 'projector', dataDir, env });
    await waitFor(async () => (await progress()) === EVENTS, { timeoutMs: 120_000, what: 'final catch-up' });
    await survivor.stop();
    const afterCrashes = await readModelHash(observer, PROJECTIONS);

    // The clean rebuild is always on SQLite: equal hashes also show the adapters keep identical documents. It looks
    // identities up under the projector's keyed hash (the key store beside the projector's read store).
    const masterKeyFile = env.PERSONAL_DATA_MASTER_KEY_FILE ?? join(dataDir, 'personal-data-master.key');
    const personalData = await PersonalData.open(observer.keyStore(), PersonalData.masterKeyFile(masterKeyFile));
    const cleanStore = new SqliteReadStore({ file: join(dataDir, 'clean-rebuild.db') });
    const runner = new ProjectionRunner({ log: personalData.log(log), store: cleanStore, projections: PROJECTIONS });
    await runner.start();
    await waitFor(async () => (await cleanStore.checkpoint('journey-view'))?.position === head, {
      timeoutMs: 120_000,
      what: 'clean rebuild',
    });
    await runner.stop();
    const clean = await readModelHash(cleanStore, PROJECTIONS);

    expect(afterCrashes.documents).toBeGreaterThan(4000);
    expect(afterCrashes).toEqual(clean);
    await Promise.all([observer.close(), cleanStore.close(), log.close()]);
  });
});
