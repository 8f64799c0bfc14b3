import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { SqliteJourneyLog } from '#journey-log';
import { SqliteReadStore } from '#read-store';
import { journeyEvent, tempDataDir, waitFor } from '#testing';
import { defineReactor, ReactorRunner, reactorStoreNames, type Reactor, type ReactorDelivery } from './index';

const refund = (subject: string, refundId: string) =>
  journeyEvent('refund.issued', { refundId, orderId: `o-${subject}`, amount: 100, currency: 'EUR' }, { subject });
const delivered = (subject: string) =>
  journeyEvent('shipment.delivered', { orderId: `o-${subject}`, shipmentId: 's' }, { subject });

describe('reactor runner (SQLite log and read store)', () => {
  let dir: string;
  let log: SqliteJourneyLog;
  let store: SqliteReadStore;
  const runners: ReactorRunner[] = [];
  const run = async (reactor: Reactor, options: { commitEveryMs?: number } = {}) => {
    const r = new ReactorRunner({ log, store, reactor, batchSize: 3, replayPollMs: 50, ...options });
    runners.push(r);
    await r.start();
    return r;
  };
  const deliveries = (r: ReactorRunner) => {
    const seen: ReactorDelivery[] = [];
    r.on('handled', (d: ReactorDelivery) => seen.push(d));
    return seen;
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

  it('given events before its first start, when it starts from the end, then it handles what comes after', async () => {
    await log.append([refund('a', 'r1')]);
    const got: string[] = [];
    await run(
      defineReactor({
        name: 'late',
        canHandle: ['refund.issued'],
        handle: async (event) => {
          got.push(event.data.refundId);
        },
      }),
    );
    await log.append([refund('a', 'r2'), delivered('a'), refund('b', 'r3')]);
    await waitFor(async () => got.length === 2, { what: 'two refunds' });
    expect(got).toEqual(['r2', 'r3']);
  });

  it('given it starts from the beginning, when stopped and started again, then it goes on, no repeats', async () => {
    await log.append([refund('a', 'r1'), refund('b', 'r2'), delivered('a'), refund('c', 'r3')]);
    const got: string[] = [];
    const reactor = defineReactor({
      name: 'all',
      canHandle: ['refund.issued'],
      startFrom: 'beginning',
      handle: async (event, context) => {
        expect(context.idempotencyKey).toMatch(/^[A-Za-z0-9_-]{32}$/);
        got.push(event.data.refundId);
      },
    });
    const first = await run(reactor);
    await waitFor(async () => got.length === 3, { what: 'catch-up' });
    const { position } = await log.append([refund('d', 'r4')]);
    await waitFor(async () => (await store.checkpoint('reactor:all'))?.position === position, { what: 'checkpoint' });
    await first.stop();
    await log.append([refund('e', 'r5')]);
    await run(reactor);
    await waitFor(async () => got.length === 5, { what: 'the event appended while stopped' });
    expect(got).toEqual(['r1', 'r2', 'r3', 'r4', 'r5']);
  });

  it(
    'given a handler that fails twice, when retried with backoff, then the third attempt succeeds and the ' +
      '`once` effect ran once',
    async () => {
      let attempts = 0;
      let effects = 0;
      const r = await run(
        defineReactor({
          name: 'flaky',
          canHandle: ['refund.issued'],
          retryDelayMs: 20,
          handle: async (_event, context) => {
            attempts++;
            expect(context.attempt).toBe(attempts);
            await context.once('send', async () => {
              effects++;
            });
            if (attempts < 3) throw new Error(`down (${attempts})`);
          },
        }),
      );
      const seen = deliveries(r);
      await log.append([refund('a', 'r1')]);
      await waitFor(async () => seen.length === 1, { what: 'delivery' });
      expect(seen[0]).toMatchObject({ parked: false, attempts: 3 });
      expect(effects).toBe(1);
      // The ledger record is dropped once the checkpoint has passed its event.
      await waitFor(async () => (await store.list(reactorStoreNames('flaky').ledger, null, 10)).length === 0, {
        what: 'ledger emptied',
      });
    },
  );

  it(
    'given a poison event and one that hangs, when handled, then both are parked after their limits and the ' +
      'events after them go on',
    async () => {
      const got: string[] = [];
      const r = await run(
        defineReactor({
          name: 'picky',
          canHandle: ['refund.issued'],
          maxAttempts: 3,
          retryDelayMs: 10,
          timeoutMs: 100,
          handle: async (event, context) => {
            if (event.data.refundId === 'poison') throw new Error('cannot take poison');
            if (event.data.refundId === 'hang') {
              await new Promise((resolve) => context.signal.addEventListener('abort', resolve));
              return;
            }
            got.push(event.data.refundId);
          },
        }),
      );
      const seen = deliveries(r);
      await log.append([refund('a', 'r1'), refund('a', 'poison'), refund('b', 'hang'), refund('a', 'r2')]);
      await waitFor(async () => seen.length === 4, { what: 'four deliveries' });
      expect(got).toEqual(['r1', 'r2']);
      await waitFor(async () => (await store.parked('reactor:picky')).length === 2, { what: 'parked' });
      const parked = await store.parked('reactor:picky');
      expect(parked.map((p) => p.error)).toEqual([
        'after 3 attempt(s): cannot take poison',
        'after 3 attempt(s): timed out after 100 ms',
      ]);
      expect(await store.parkedCounts()).toEqual({ 'reactor:picky': 2 });
    },
  );

  it('given a parked event, when an operator asks for its replay, then it is handled again and unparked', async () => {
    let healthy = false;
    const got: string[] = [];
    const r = await run(
      defineReactor({
        name: 'replayable',
        canHandle: ['refund.issued'],
        maxAttempts: 1,
        handle: async (event) => {
          if (!healthy) throw new Error('partner down');
          got.push(event.data.refundId);
        },
      }),
    );
    const seen = deliveries(r);
    await log.append([refund('a', 'r1')]);
    await waitFor(async () => (await store.parked('reactor:replayable')).length === 1, { what: 'parked' });
    const [parked] = await store.parked('reactor:replayable');
    healthy = true;
    await store.commit({
      documents: [
        { projection: reactorStoreNames('replayable').replays, id: parked.eventId, value: {}, position: null },
      ],
      checkpoints: [],
      parked: [],
    });
    await waitFor(async () => (await store.parked('reactor:replayable')).length === 0, { what: 'unparked' });
    expect(got).toEqual(['r1']);
    expect(seen.map((d) => d.parked)).toEqual([true, false]);
    expect(await store.list(reactorStoreNames('replayable').replays, null, 10)).toEqual([]);
  });

  it('given a slow reactor, when another runs beside it, then the other is not held up', async () => {
    const fast: string[] = [];
    await run(
      defineReactor({
        name: 'slow',
        canHandle: ['refund.issued'],
        handle: (_event, context) =>
          new Promise((resolve) => {
            const timer = setTimeout(resolve, 10_000);
            context.signal.addEventListener('abort', () => resolve(clearTimeout(timer)));
          }),
        timeoutMs: 20_000,
      }),
    );
    await run(
      defineReactor({
        name: 'fast',
        canHandle: ['refund.issued'],
        handle: async (event) => {
          fast.push(event.data.refundId);
        },
      }),
    );
    await log.append([refund('a', 'r1'), refund('b', 'r2')]);
    await waitFor(async () => fast.length === 2, { what: 'fast reactor', timeoutMs: 3000 });
  });

  it(
    'given a reactor taking batches, when a batch holds an event it fails on, then the batch goes event by ' +
      'event and only that one is parked',
    async () => {
      const batches: string[][] = [];
      const single: string[] = [];
      const r = await run(
        defineReactor({
          name: 'bulk',
          canHandle: ['refund.issued'],
          maxAttempts: 2,
          retryDelayMs: 10,
          handleBatch: async (events) => {
            const ids = events.map((e) => e.event.data.refundId);
            batches.push(ids);
            if (ids.includes('poison')) throw new Error('bulk write refused');
          },
          handle: async (event) => {
            if (event.data.refundId === 'poison') throw new Error('cannot take poison');
            single.push(event.data.refundId);
          },
        }),
      );
      const seen = deliveries(r);
      // Batches of three: [r1, r2, delivered] then [poison, r3, r4].
      await log.append([refund('a', 'r1'), refund('b', 'r2'), delivered('a')]);
      await waitFor(async () => seen.length === 2, { what: 'the first batch' });
      await log.append([refund('a', 'poison'), refund('b', 'r3'), refund('c', 'r4')]);
      await waitFor(async () => seen.length === 5, { what: 'the second batch' });
      expect(batches[0]).toEqual(['r1', 'r2']);
      expect(batches.slice(1)).toEqual([
        ['poison', 'r3', 'r4'],
        ['poison', 'r3', 'r4'],
      ]);
      expect(single).toEqual(['r3', 'r4']);
      await waitFor(async () => (await store.parked('reactor:bulk')).length === 1, { what: 'parked' });
      expect((await store.parked('reactor:bulk'))[0].error).toBe('after 2 attempt(s): cannot take poison');
    },
  );

  it('refuses a reactor name that cannot name a consumer group', () => {
    expect(
      () =>
        new ReactorRunner({
          log,
          store,
          reactor: { name: 'Bad Name!', canHandle: [], handle: async () => {} },
        }),
    ).toThrow(/lower-case letters/);
  });
});
