import { sqlitePositions, sqliteToken, type JourneyLog } from '#journey-log';
import { SqliteReadStore, type ReadStore } from '#read-store';
import { ProjectionProgress } from './projection-progress';

/** Only the positions of a log matter to the progress. */
const log = { positions: sqlitePositions } as JourneyLog;

/** The real store, counting its checkpoint reads. */
function countingStore(): { store: ReadStore; reads: () => number } {
  const store = new SqliteReadStore({ file: ':memory:' });
  let reads = 0;
  const checkpoint = store.checkpoint.bind(store);
  store.checkpoint = (projection) => {
    reads++;
    return checkpoint(projection);
  };
  return { store, reads: () => reads };
}

const commit = (store: ReadStore, sequence: number) =>
  store.commit({
    documents: [],
    checkpoints: [{ projection: 'view', version: 1, position: sqliteToken(sequence) }],
    parked: [],
  });

describe('ProjectionProgress', () => {
  it(
    'given a projector in this process past the target, when waiting, then it answers from memory without ' +
      'reading the store',
    async () => {
      const { store, reads } = countingStore();
      const progress = new ProjectionProgress(log, store);
      progress.followLocalProjector((projection) => (projection === 'view' ? sqliteToken(7) : null), {
        alone: () => false,
      });
      expect(await progress.waitFor('view', sqliteToken(5), 1000)).toBe(sqliteToken(7));
      expect(reads()).toBe(0);
      await store.close();
    },
  );

  it(
    'given a projector in this process behind the target, when it commits and notifies, then the waiter is ' +
      'answered before the next poll',
    async () => {
      const { store } = countingStore();
      const progress = new ProjectionProgress(log, store, { pollMs: 60_000 });
      let committed = 3;
      progress.followLocalProjector(() => sqliteToken(committed), { alone: () => false });
      const t = performance.now();
      const waiting = progress.waitFor('view', sqliteToken(5), 10_000);
      setTimeout(() => {
        // Committed here and in the store, as the runner does before it notifies.
        committed = 5;
        void commit(store, 5).then(() => progress.notify());
      }, 20);
      expect(await waiting).toBe(sqliteToken(5));
      expect(performance.now() - t).toBeLessThan(5_000);
      await store.close();
    },
  );

  it('given the only projector runs in this process, when it commits, then waiting never reads the store', async () => {
    const { store, reads } = countingStore();
    const progress = new ProjectionProgress(log, store, { pollMs: 5 });
    let committed = 0;
    progress.followLocalProjector(() => sqliteToken(committed), { alone: () => true });
    const waiting = progress.waitFor('view', sqliteToken(4), 10_000);
    await new Promise((r) => setTimeout(r, 50));
    committed = 4;
    progress.notify();
    expect(await waiting).toBe(sqliteToken(4));
    expect(reads()).toBe(0);
    await store.close();
  });

  it(
    'given a projector here that comes to hold every partition, when waiting, then the store is read before ' +
      'and not after',
    async () => {
      const { store, reads } = countingStore();
      const progress = new ProjectionProgress(log, store, { pollMs: 5, sharedPollMs: 5 });
      let alone = false;
      let committed = 1;
      progress.followLocalProjector(() => sqliteToken(committed), { alone: () => alone });
      const shared = progress.waitFor('view', sqliteToken(2), 10_000);
      await new Promise((r) => setTimeout(r, 50));
      committed = 2;
      progress.notify();
      expect(await shared).toBe(sqliteToken(2));
      expect(reads()).toBeGreaterThan(0);
      alone = true;
      const before = reads();
      const held = progress.waitFor('view', sqliteToken(3), 10_000);
      await new Promise((r) => setTimeout(r, 50));
      committed = 3;
      progress.notify();
      expect(await held).toBe(sqliteToken(3));
      expect(reads()).toBe(before);
      await store.close();
    },
  );

  it(
    'given a projector here shares its projections with others, when another process commits, then the poll ' +
      'finds it in the store',
    async () => {
      const { store } = countingStore();
      const progress = new ProjectionProgress(log, store, { pollMs: 5 });
      progress.followLocalProjector(() => sqliteToken(1), { alone: () => false });
      const waiting = progress.waitFor('view', sqliteToken(3), 10_000);
      setTimeout(() => void commit(store, 3), 30);
      expect(await waiting).toBe(sqliteToken(3));
      await store.close();
    },
  );

  it(
    'given no projector in this process, when another process commits the checkpoint, then the poll finds ' + 'it',
    async () => {
      const { store, reads } = countingStore();
      const progress = new ProjectionProgress(log, store, { pollMs: 5 });
      const waiting = progress.waitFor('view', sqliteToken(2), 10_000);
      setTimeout(() => void commit(store, 2), 30);
      expect(await waiting).toBe(sqliteToken(2));
      expect(reads()).toBeGreaterThan(1);
      await store.close();
    },
  );

  it(
    'given nothing reaches the target, when the time is up, then it fails with not_caught_up and the ' + 'target',
    async () => {
      const { store } = countingStore();
      const progress = new ProjectionProgress(log, store, { pollMs: 5 });
      progress.followLocalProjector(() => sqliteToken(1), { alone: () => true });
      await expect(progress.waitFor('view', sqliteToken(9), 50)).rejects.toMatchObject({
        code: 'not_caught_up',
        details: { target: sqliteToken(9) },
      });
      await store.close();
    },
  );
});
