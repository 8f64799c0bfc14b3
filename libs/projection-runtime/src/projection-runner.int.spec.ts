import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { SqliteJourneyLog } from '#journey-log';
import { BackboneError } from '#errors';
import { SqliteReadStore, type ProjectionCommit } from '#read-store';
import { journeyEvent, tempDataDir, waitFor } from '#testing';
import { defineProjection, ProjectionRunner, projectionStatus, type Projection } from './index';

const contact = (subject: string, reason: string) =>
  journeyEvent(
    'contact.opened',
    { caseId: `case-${subject}`, contactId: 'c', channel: 'chat', reason, tags: [] },
    { subject },
  );

/** Counts contacts per customer: double-applying an event would show as a wrong count. */
const counting = (version = 1, name = 'contact-count') =>
  defineProjection({
    name,
    version,
    canHandle: ['contact.opened'],
    documentId: (event) => event.subject,
    initialState: (): { n: number; reasons: string[] } => ({ n: 0, reasons: [] }),
    evolve: (state, event) => {
      if (event.data.reason === 'poison') throw new Error('cannot handle poison');
      return { n: state.n + 1, reasons: [...state.reasons, event.data.reason] };
    },
  });

describe('projection runner', () => {
  let dir: string;
  let log: SqliteJourneyLog;
  let store: SqliteReadStore;
  const runners: ProjectionRunner[] = [];
  const runner = (projections: Projection[], batchSize = 3) => {
    const r = new ProjectionRunner({ log, store, projections, batchSize });
    runners.push(r);
    return r;
  };

  beforeEach(() => {
    dir = tempDataDir();
    log = new SqliteJourneyLog({ file: join(dir, 'log.db'), pollIntervalMs: 10 });
    store = new SqliteReadStore({ file: join(dir, 'read.db') });
  });
  afterEach(async () => {
    for (const r of runners.splice(0)) await r.stop();
    await log.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('catches up from the start, follows new events, and commits checkpoints with the documents', async () => {
    await log.append([contact('a', 'r1'), contact('b', 'r2'), contact('a', 'r3'), contact('a', 'r4')]);
    const r = runner([counting()]);
    await r.start();
    await waitFor(async () => (await store.get<{ n: number }>('contact-count', 'a'))?.value.n === 3, {
      what: 'catch-up',
    });
    const { position } = await log.append([contact('b', 'r5')]);
    await waitFor(async () => (await store.checkpoint('contact-count'))?.position === position, { what: 'live event' });
    expect((await store.get('contact-count', 'b'))?.value).toEqual({ n: 2, reasons: ['r2', 'r5'] });
    expect(await projectionStatus(log, store, [counting()])).toEqual([
      { projection: 'contact-count', version: 1, position, lag: 0, parked: 0, updatedAt: expect.any(String) },
    ]);
  });

  it('resumes from its checkpoint after a stop without applying anything twice', async () => {
    await log.append(Array.from({ length: 10 }, (_, i) => contact('a', `r${i}`)));
    const first = runner([counting()]);
    await first.start();
    await waitFor(async () => (await store.get<{ n: number }>('contact-count', 'a'))?.value.n === 10);
    await first.stop();
    await log.append([contact('a', 'r10')]);
    const second = runner([counting()]);
    await second.start();
    await waitFor(async () => (await store.get<{ n: number }>('contact-count', 'a'))?.value.n === 11);
    expect((await store.get<{ reasons: string[] }>('contact-count', 'a'))?.value.reasons).toEqual(
      Array.from({ length: 11 }, (_, i) => `r${i}`),
    );
  });

  it('parks an event that throws with its error, and the projection and its neighbours go on', async () => {
    const other = counting(1, 'other-count');
    const { position } = await log.append([contact('a', 'r1'), contact('a', 'poison'), contact('a', 'r2')]);
    const r = runner([counting(), other]);
    await r.start();
    await waitFor(async () => (await store.checkpoint('other-count'))?.position === position);
    expect((await store.get('contact-count', 'a'))?.value).toEqual({ n: 2, reasons: ['r1', 'r2'] });
    expect(await store.parked()).toEqual([
      expect.objectContaining({
        projection: 'contact-count',
        type: 'contact.opened',
        error: 'Error: cannot handle poison',
      }),
      expect.objectContaining({ projection: 'other-count', type: 'contact.opened' }),
    ]);
    const status = await projectionStatus(log, store, [counting(), other]);
    expect(status.map((s) => s.parked)).toEqual([1, 1]);
  });

  it('rebuilds a projection from position zero when its version changes', async () => {
    await log.append([contact('a', 'r1'), contact('a', 'r2')]);
    const v1 = runner([counting(1)]);
    await v1.start();
    await waitFor(async () => (await store.get<{ n: number }>('contact-count', 'a'))?.value.n === 2);
    await v1.stop();
    // A stale document that a rebuild must drop.
    await store.commit({
      documents: [{ projection: 'contact-count', id: 'stale', value: { n: 99 }, position: 's1' }],
      checkpoints: [],
      parked: [],
    });
    const v2 = runner([counting(2)]);
    await v2.start();
    await waitFor(
      async () =>
        (await store.checkpoint('contact-count'))?.version === 2 &&
        (await store.get<{ n: number }>('contact-count', 'a'))?.value.n === 2,
    );
    expect(await store.get('contact-count', 'stale')).toBeUndefined();
  });

  it('loses no event when a commit fails while the next batch is being read', async () => {
    // A projection that has run before (not a rebuild): documents are read from the store.
    const first = runner([counting()]);
    await first.start();
    await first.stop();
    // Fault injection around the real store: the second commit fails once (the store unreachable
    // for a moment), while the batch after it is still reading its documents.
    let commits = 0;
    const realCommit = store.commit.bind(store);
    const realGetMany = store.getMany.bind(store);
    store.commit = async (change: ProjectionCommit) => {
      if (++commits === 2) {
        await new Promise((r) => setTimeout(r, 5));
        throw new BackboneError('store_unavailable', 'injected: the store is away for a moment', { retriable: true });
      }
      return realCommit(change);
    };
    store.getMany = async (projection: string, ids: readonly string[]) => {
      await new Promise((r) => setTimeout(r, 20));
      return realGetMany(projection, ids);
    };
    const events = Array.from({ length: 60 }, (_, i) => contact(`c${i}`, `r${i}`));
    const { position } = await log.append(events);
    const r = new ProjectionRunner({ log, store, projections: [counting()], batchSize: 10, retryDelayMs: 10 });
    runners.push(r);
    await r.start();
    await waitFor(async () => (await store.checkpoint('contact-count'))?.position === position, {
      what: 'every batch committed',
    });
    for (let i = 0; i < 60; i++)
      expect({ customer: i, doc: (await store.get('contact-count', `c${i}`))?.value }).toEqual({
        customer: i,
        doc: { n: 1, reasons: [`r${i}`] },
      });
  });

  it('refuses a projection that reads one registered after it', () => {
    const reader = defineProjection({
      ...counting(),
      name: 'reader',
      reads: [{ projection: 'contact-count', documentIds: () => [] }],
    });
    expect(() => runner([reader, counting()])).toThrow(/must be registered before it/);
  });
});
