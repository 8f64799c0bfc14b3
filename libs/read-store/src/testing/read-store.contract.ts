import { spawn } from 'node:child_process';
import { isBackboneError } from '#errors';
import type { ReadStore } from '../read-store.port';

export interface StoreUnderTest {
  store: ReadStore;
  /** Closes and opens the same store again (durability). */
  reopen: () => Promise<ReadStore>;
  /** Another client of the same store, open at the same time (a second runner); the caller closes it. */
  another: () => ReadStore;
  /** A JavaScript expression that opens the same store in another process (from the built code in dist). */
  inAnotherProcess: string;
  cleanup?: () => Promise<void>;
}

/**
 * The behaviour every read-store adapter must have (SQLite now; PostgreSQL runs the same suite).
 * Tokens here are opaque strings: the store never interprets positions.
 */
export function readStoreContract(adapter: string, open: () => Promise<StoreUnderTest>): void {
  describe(`ReadStore contract: ${adapter}`, () => {
    let subject: StoreUnderTest;
    let store: ReadStore;
    beforeEach(async () => {
      subject = await open();
      store = subject.store;
    });
    afterEach(async () => {
      await store.close();
      await subject.cleanup?.();
    });

    it('commits documents and checkpoints together and reads them back', async () => {
      expect(await store.checkpoint('p')).toBeUndefined();
      await store.commit({
        documents: [
          { projection: 'p', id: 'a', value: { n: 1, nested: { list: [1, 2] } }, position: 's1' },
          { projection: 'p', id: 'b', value: { n: 2 }, position: 's2' },
          { projection: 'q', id: 'a', value: { other: true }, position: 's2' },
        ],
        checkpoints: [
          { projection: 'p', version: 1, position: 's2' },
          { projection: 'q', version: 3, position: 's2' },
        ],
        parked: [],
      });
      expect(await store.get('p', 'a')).toEqual({ value: { n: 1, nested: { list: [1, 2] } }, position: 's1' });
      expect(await store.get('p', 'missing')).toBeUndefined();
      const many = await store.getMany('p', ['a', 'b', 'c']);
      expect([...many.keys()].sort()).toEqual(['a', 'b']);
      expect(await store.documentPositions('p', ['b', 'a', 'c'])).toEqual(
        new Map([
          ['a', 's1'],
          ['b', 's2'],
        ]),
      );
      expect(await store.documentPositions('p', [])).toEqual(new Map());
      expect(await store.checkpoint('q')).toEqual({
        projection: 'q',
        version: 3,
        position: 's2',
        updatedAt: expect.any(String),
      });
      expect((await store.checkpoints()).map((c) => c.projection)).toEqual(['p', 'q']);
    });

    it('records when each checkpoint last moved, and moves it again on every write', async () => {
      const before = Date.now();
      await store.commit({ documents: [], checkpoints: [{ projection: 'p', version: 1, position: 's1' }], parked: [] });
      const first = (await store.checkpoint('p'))!.updatedAt!;
      expect(Date.parse(first)).toBeGreaterThanOrEqual(before - 5000);
      expect(Date.parse(first)).toBeLessThanOrEqual(Date.now() + 5000);
      expect(first).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
      await new Promise((r) => setTimeout(r, 20));
      await store.commit({ documents: [], checkpoints: [{ projection: 'p', version: 1, position: 's2' }], parked: [] });
      expect(Date.parse((await store.checkpoint('p'))!.updatedAt!)).toBeGreaterThan(Date.parse(first));
      expect((await store.checkpoints())[0].updatedAt).toEqual((await store.checkpoint('p'))!.updatedAt);
    });

    it('lists documents by id both ways, in code point order, a page at a time', async () => {
      const ids = [
        'returns/2026-03-01/2/b',
        'returns/2026-03-01/10/a',
        'returns/2026-01-01/1/a',
        'pricing/x',
        'returns/2026-03-01/2/a',
        'Zeta',
        'é',
        'z-',
      ];
      await store.commit({
        documents: ids.map((id) => ({ projection: 'p', id, value: { id }, position: 's1' })),
        checkpoints: [],
        parked: [],
      });
      await store.commit({
        documents: [{ projection: 'q', id: 'returns/zzz', value: {}, position: 's1' }],
        checkpoints: [],
        parked: [],
      });
      const ascending = [...ids].sort();
      expect((await store.list('p', null, 100)).map((d) => d.id)).toEqual(ascending);
      expect((await store.list('p', 'returns/2026-03-01/10/a', 2)).map((d) => d.id)).toEqual(
        ascending.slice(ascending.indexOf('returns/2026-03-01/10/a') + 1).slice(0, 2),
      );
      expect((await store.listBefore('p', 'returns/2026-03-01/\uffff', 3)).map((d) => d.id)).toEqual([
        'returns/2026-03-01/2/b',
        'returns/2026-03-01/2/a',
        'returns/2026-03-01/10/a',
      ]);
      expect((await store.listBefore('p', 'returns/2026-03-01/10/a', 10)).map((d) => d.id)).toEqual([
        'returns/2026-01-01/1/a',
        'pricing/x',
        'Zeta',
      ]);
      expect((await store.listBefore<{ id: string }>('p', '\uffff', 1))[0].value).toEqual({ id: 'é' });
      expect(await store.listBefore('p', 'A', 10)).toEqual([]);
    });

    it('updates and deletes documents', async () => {
      await store.commit({
        documents: [{ projection: 'p', id: 'a', value: { n: 1 }, position: 's1' }],
        checkpoints: [],
        parked: [],
      });
      await store.commit({
        documents: [{ projection: 'p', id: 'a', value: { n: 2 }, position: 's2' }],
        checkpoints: [],
        parked: [],
      });
      expect(await store.get('p', 'a')).toEqual({ value: { n: 2 }, position: 's2' });
      await store.commit({
        documents: [{ projection: 'p', id: 'a', value: null, position: 's3' }],
        checkpoints: [],
        parked: [],
      });
      expect(await store.get('p', 'a')).toBeUndefined();
    });

    it('applies a commit that writes the same document twice as the last write', async () => {
      await store.commit({
        documents: [
          { projection: 'p', id: 'a', value: { n: 1 }, position: 's1' },
          { projection: 'p', id: 'a', value: { n: 2 }, position: 's2' },
          { projection: 'p', id: 'b', value: { n: 1 }, position: 's1' },
          { projection: 'p', id: 'b', value: null, position: 's2' },
        ],
        checkpoints: [],
        parked: [],
      });
      expect(await store.get('p', 'a')).toEqual({ value: { n: 2 }, position: 's2' });
      expect(await store.get('p', 'b')).toBeUndefined();
    });

    it('merges checkpoints inside the transaction when asked (runners sharing a projection)', async () => {
      // Toy positions: a set of partition letters; merging is their union.
      const union = (stored: string | null, next: string) =>
        [...new Set([...(stored ?? '').split(''), ...next.split('')])].sort().join('');
      await store.commit({
        documents: [],
        checkpoints: [{ projection: 'p', version: 1, position: 'a' }],
        parked: [],
        mergePositions: union,
      });
      await store.commit({
        documents: [],
        checkpoints: [{ projection: 'p', version: 1, position: 'c' }],
        parked: [],
        mergePositions: union,
      });
      expect((await store.checkpoint('p'))?.position).toBe('ac');
      await store.commit({ documents: [], checkpoints: [{ projection: 'p', version: 1, position: 'b' }], parked: [] });
      expect((await store.checkpoint('p'))?.position).toBe('b');
      // A new version starts over: nothing of the old version's position is kept.
      await store.commit({
        documents: [],
        checkpoints: [{ projection: 'p', version: 2, position: 'd' }],
        parked: [],
        mergePositions: union,
      });
      expect(await store.checkpoint('p')).toEqual({
        projection: 'p',
        version: 2,
        position: 'd',
        updatedAt: expect.any(String),
      });
    });

    it('merges checkpoints written by several clients in turn, whoever wrote last (runners of one group)', async () => {
      const other = subject.another();
      const union = (stored: string | null, next: string) =>
        [...new Set([...(stored ?? '').split(''), ...next.split('')])].sort().join('');
      const doc = (n: number) => ({ projection: 'p', id: `d${n}`, value: { n }, position: `s${n}` });
      const writers = [store, other, store, store, other, store];
      const letters = 'abcdef';
      for (let i = 0; i < writers.length; i++) {
        await writers[i].commit({
          documents: [doc(i)],
          checkpoints: [{ projection: 'p', version: 1, position: letters[i] }],
          parked: [],
          mergePositions: union,
        });
      }
      expect((await store.checkpoint('p'))?.position).toBe('abcdef');
      expect(
        (
          await store.getMany(
            'p',
            letters.split('').map((_, i) => `d${i}`),
          )
        ).size,
      ).toBe(6);
      // Concurrent commits from both clients: every position merged, every document written once.
      await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          (i % 2 ? other : store).commit({
            documents: [doc(10 + i)],
            checkpoints: [{ projection: 'p', version: 1, position: 'ghijklmnop'[i] }],
            parked: [],
            mergePositions: union,
          }),
        ),
      );
      expect((await other.checkpoint('p'))?.position).toBe('abcdefghijklmnop');
      expect(
        (
          await store.getMany(
            'p',
            Array.from({ length: 10 }, (_, i) => `d${10 + i}`),
          )
        ).size,
      ).toBe(10);
      // A reset by one client: the other's next merge starts from the reset checkpoint, not from what it wrote before.
      await other.reset('p', 1);
      await store.commit({
        documents: [],
        checkpoints: [{ projection: 'p', version: 1, position: 'z' }],
        parked: [],
        mergePositions: union,
      });
      expect((await store.checkpoint('p'))?.position).toBe('z');
      await other.close();
    });

    it('writes nothing of a commit that fails part-way', async () => {
      await store.commit({ documents: [], checkpoints: [{ projection: 'p', version: 1, position: 's1' }], parked: [] });
      const circular: Record<string, unknown> = {};
      circular.self = circular;
      await expect(
        store.commit({
          documents: [
            { projection: 'p', id: 'good', value: { ok: true }, position: 's2' },
            { projection: 'p', id: 'bad', value: circular, position: 's2' },
          ],
          checkpoints: [{ projection: 'p', version: 1, position: 's2' }],
          parked: [],
        }),
      ).rejects.toThrow();
      expect(await store.get('p', 'good')).toBeUndefined();
      expect((await store.checkpoint('p'))?.position).toBe('s1');
    });

    it('keeps parked events with their error, counts them, and drops them on reset', async () => {
      await store.commit({
        documents: [{ projection: 'p', id: 'a', value: { n: 1 }, position: 's1' }],
        checkpoints: [{ projection: 'p', version: 1, position: 's2' }],
        parked: [{ projection: 'p', position: 's2', eventId: 'e2', type: 'order.placed', error: 'Error: boom' }],
      });
      expect(await store.parked('p')).toEqual([
        { projection: 'p', position: 's2', eventId: 'e2', type: 'order.placed', error: 'Error: boom' },
      ]);
      expect(await store.parkedCounts()).toEqual({ p: 1 });
      await store.reset('p', 2);
      expect(await store.get('p', 'a')).toBeUndefined();
      expect(await store.parkedCounts()).toEqual({});
      expect(await store.checkpoint('p')).toEqual({
        projection: 'p',
        version: 2,
        position: null,
        updatedAt: expect.any(String),
      });
    });

    it('forgets parked events named in `unparked`, in the commit that writes the rest, and parks again', async () => {
      const parked = (eventId: string, error: string) => ({
        projection: 'r',
        position: `s-${eventId}`,
        eventId,
        type: 'refund.issued',
        error,
      });
      await store.commit({
        documents: [],
        checkpoints: [],
        parked: [parked('e1', 'first'), parked('e2', 'first'), parked('e3', 'first')],
      });
      await store.commit({
        documents: [{ projection: 'r-ledger', id: 'x', value: { done: true }, position: null }],
        checkpoints: [],
        parked: [parked('e2', 'again')],
        unparked: [
          { projection: 'r', eventId: 'e1' },
          { projection: 'r', eventId: 'e2' },
          { projection: 'other', eventId: 'e3' },
        ],
      });
      const left = (await store.parked('r')).map((p) => [p.eventId, p.error]);
      expect(left.sort()).toEqual([
        ['e2', 'again'],
        ['e3', 'first'],
      ]);
      expect(await store.get('r-ledger', 'x')).toBeDefined();
    });

    it(
      'gives documents back exactly as written: key order, escapes, unicode, numbers, many in one ' + 'commit',
      async () => {
        const awkward = {
          z: 'last key first',
          quote: 'she said "hi" \\ then left',
          lines: 'a\nb\tc\u2028d',
          unicode: 'café ☕ 𝄞',
          numbers: [0, -1.5, 1e21, 12855],
          nested: { b: [true, null, { a: '' }], a: {} },
        };
        const documents = Array.from({ length: 300 }, (_, i) => ({
          projection: 'p',
          id: `doc-${i}`,
          value: { ...awkward, i },
          position: `s${i}`,
        }));
        await store.commit({ documents, checkpoints: [], parked: [] });
        const back = await store.getMany<typeof awkward>(
          'p',
          documents.map((d) => d.id),
        );
        for (const d of documents) {
          expect(JSON.stringify(back.get(d.id)?.value)).toBe(JSON.stringify(d.value));
          expect(back.get(d.id)?.position).toBe(d.position);
        }
      },
    );

    it(
      'reads documents of several projections with a checkpoint, in the order asked, missing ones ' + 'undefined',
      async () => {
        expect(await store.getAtCheckpoint('p', [{ projection: 'p', id: 'a' }])).toEqual({
          checkpoint: undefined,
          documents: [undefined],
        });
        await store.commit({
          documents: [
            { projection: 'p', id: 'a', value: { n: 1 }, position: 's1' },
            { projection: 'q', id: 'a', value: { other: true }, position: 's2' },
          ],
          checkpoints: [{ projection: 'p', version: 2, position: 's2' }],
          parked: [],
        });
        const read = await store.getAtCheckpoint('p', [
          { projection: 'q', id: 'a' },
          { projection: 'p', id: 'missing' },
          { projection: 'p', id: 'a' },
        ]);
        expect(read).toMatchObject({
          checkpoint: { projection: 'p', version: 2, position: 's2' },
          documents: [{ value: { other: true }, position: 's2' }, undefined, { value: { n: 1 }, position: 's1' }],
        });
        expect(await store.getAtCheckpoint('p', [])).toMatchObject({
          checkpoint: { projection: 'p', version: 2, position: 's2' },
          documents: [],
        });
      },
    );

    it('answers reads made at the same time each with its own documents and checkpoint', async () => {
      await store.commit({
        documents: Array.from({ length: 20 }, (_, i) => ({
          projection: i % 2 ? 'p' : 'q',
          id: `d${i}`,
          value: { i },
          position: `s${i}`,
        })),
        checkpoints: [
          { projection: 'p', version: 1, position: 'sp' },
          { projection: 'q', version: 1, position: 'sq' },
        ],
        parked: [],
      });
      const reads = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          store.getAtCheckpoint(i % 2 ? 'p' : 'q', [
            { projection: i % 2 ? 'p' : 'q', id: `d${i}` },
            { projection: 'p', id: 'd1' },
            { projection: 'p', id: `none${i}` },
          ]),
        ),
      );
      reads.forEach((read, i) => {
        expect(read.checkpoint?.position).toBe(i % 2 ? 'sp' : 'sq');
        expect(read.documents).toEqual([
          { value: { i }, position: `s${i}` },
          { value: { i: 1 }, position: 's1' },
          undefined,
        ]);
      });
    });

    it('reads documents and checkpoint as of one commit while commits go on', async () => {
      // Every commit writes the document and the checkpoint with the same n: a read that mixed
      // two commits would see them differ.
      let writing = true;
      const writer = (async () => {
        for (let n = 1; writing && n < 2000; n++) {
          await store.commit({
            documents: [{ projection: 'p', id: 'a', value: { n }, position: `s${n}` }],
            checkpoints: [{ projection: 'p', version: 1, position: `s${n}` }],
            parked: [],
          });
        }
      })();
      const mixed: string[] = [];
      for (let i = 0; i < 300; i++) {
        const { checkpoint, documents } = await store.getAtCheckpoint('p', [{ projection: 'p', id: 'a' }]);
        if (checkpoint && documents[0]?.position !== checkpoint.position)
          mixed.push(`${documents[0]?.position} at ${checkpoint.position}`);
        await new Promise((r) => setImmediate(r));
      }
      writing = false;
      await writer;
      expect(mixed).toEqual([]);
    });

    it('lists a projection in id order, page by page', async () => {
      const ids = ['d', 'a', 'c', 'b', 'e'];
      await store.commit({
        documents: ids.map((id) => ({ projection: 'p', id, value: { id }, position: 's1' })),
        checkpoints: [],
        parked: [],
      });
      const first = await store.list('p', null, 2);
      const rest = await store.list('p', first[first.length - 1].id, 10);
      expect([...first, ...rest].map((d) => d.id)).toEqual(['a', 'b', 'c', 'd', 'e']);
    });

    it(
      'given projectors holding the projections lock, a rebuild gets it only once the last has let go, and ' +
        'projectors are refused it while a rebuild holds it',
      async () => {
        const other = subject.another();
        try {
          const projectors = [await store.lockProjections('shared'), await other.lockProjections('shared')];
          const refused = await other.lockProjections('exclusive').catch((error: unknown) => error);
          expect(isBackboneError(refused, 'projections_locked') && refused.message).toMatch(
            /projectors are running on the read store .*stop them first/,
          );
          await projectors[0].release();
          await expect(other.lockProjections('exclusive')).rejects.toMatchObject({ code: 'projections_locked' });
          await projectors[1].release();
          const rebuild = await other.lockProjections('exclusive');
          const projector = await store.lockProjections('shared').catch((error: unknown) => error);
          expect(isBackboneError(projector, 'projections_locked') && projector.message).toMatch(
            /a rebuild is running on the read store/,
          );
          await expect(store.lockProjections('exclusive')).rejects.toMatchObject({ code: 'projections_locked' });
          await rebuild.release();
          await rebuild.release();
          await (await store.lockProjections('shared')).release();
        } finally {
          await other.close();
        }
      },
    );

    it('a projector that dies holding the projections lock lets go of it with its process', async () => {
      // The holder stays alive until killed (nothing else would keep its process running).
      const script =
        `const store = ${subject.inAnotherProcess}; setInterval(() => undefined, 1000); ` +
        `store.lockProjections('shared').then(() => console.log('held'), (e) => { console.error(e); ` +
        `process.exit(1); });`;
      const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
      try {
        await new Promise<void>((resolve, reject) => {
          child.stdout.on('data', (d: Buffer) => d.toString().includes('held') && resolve());
          child.once('exit', (code) => reject(new Error(`the holder exited (${code}) before taking the lock`)));
        });
        await expect(store.lockProjections('exclusive')).rejects.toMatchObject({ code: 'projections_locked' });
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGKILL');
        await exited;
        const deadline = Date.now() + 10_000;
        // PostgreSQL notices the closed connection a moment after the process is gone.
        for (;;) {
          const taken = await store.lockProjections('exclusive').catch((error: Error) => error);
          if (!(taken instanceof Error)) {
            await taken.release();
            break;
          }
          if (Date.now() > deadline) throw taken;
          await new Promise((r) => setTimeout(r, 50));
        }
      } finally {
        child.kill('SIGKILL');
      }
    });

    it('keeps access records per customer, newest first, in a range, across a restart; prunes old ones', async () => {
      const record = (customerId: string, at: string, route = '/v1/customers/{customerId}/journey') => ({
        at,
        credential: 'k1',
        customerId,
        route,
        channel: at.endsWith('1.000Z') ? 'phone' : null,
        purpose: 'support call',
        position: 's9',
      });
      await store.recordAccess([
        record('c1', '2026-03-01T10:00:01.000Z'),
        record('c2', '2026-03-01T10:00:02.000Z'),
        record('c1', '2026-03-02T10:00:03.000Z', '/v1/orders/{orderId}'),
      ]);
      await store.recordAccess([record('c1', '2026-03-03T10:00:04.000Z')]);
      store = await subject.reopen();
      expect(await store.accessLog('c1', { limit: 10 })).toEqual([
        record('c1', '2026-03-03T10:00:04.000Z'),
        record('c1', '2026-03-02T10:00:03.000Z', '/v1/orders/{orderId}'),
        record('c1', '2026-03-01T10:00:01.000Z'),
      ]);
      const range = { from: '2026-03-02T00:00:00.000Z', to: '2026-03-03T00:00:00.000Z', limit: 10 };
      expect((await store.accessLog('c1', range)).map((r) => r.at)).toEqual(['2026-03-02T10:00:03.000Z']);
      expect(await store.accessLog('c1', { limit: 1 })).toHaveLength(1);
      expect(await store.pruneAccessLog('2026-03-02T00:00:00.000Z')).toBe(2);
      expect((await store.accessLog('c1', { limit: 10 })).map((r) => r.at)).toEqual([
        '2026-03-03T10:00:04.000Z',
        '2026-03-02T10:00:03.000Z',
      ]);
      expect(await store.accessLog('c2', { limit: 10 })).toEqual([]);
    });

    it('keeps committed state across a restart', async () => {
      await store.commit({
        documents: [{ projection: 'p', id: 'a', value: { n: 1 }, position: 's1' }],
        checkpoints: [{ projection: 'p', version: 1, position: 's1' }],
        parked: [],
      });
      store = await subject.reopen();
      expect(await store.get('p', 'a')).toEqual({ value: { n: 1 }, position: 's1' });
      expect((await store.checkpoint('p'))?.position).toBe('s1');
    });

    describe('its key store', () => {
      const key = (subject: string, keyId = `k-${subject}`) => ({
        keyId,
        subject,
        wrapped: `wrapped-${keyId}`,
        masterKeyId: 'mk-1',
      });

      it('keeps the first key of a subject: a second writer gets the one stored', async () => {
        const made = await store.keyStore().createKeys([key('c1'), key('c2')]);
        expect([...made.values()].map((k) => k.keyId).sort()).toEqual(['k-c1', 'k-c2']);
        const again = await subject
          .another()
          .keyStore()
          .createKeys([key('c1', 'k-other')]);
        expect(again.get('c1')).toEqual(key('c1'));
        expect((await store.keyStore().keysById(['k-c2', 'k-none'])).get('k-c2')).toEqual(key('c2'));
        store = await subject.reopen();
        expect((await store.keyStore().keysOfSubjects(['c1'])).get('c1')).toEqual(key('c1'));
      });

      it('keeps the first secret of a name', async () => {
        const first = await store.keyStore().secret('s', async () => ({ name: 's', wrapped: 'w1', masterKeyId: 'm' }));
        const second = await store.keyStore().secret('s', async () => ({ name: 's', wrapped: 'w2', masterKeyId: 'm' }));
        expect([first.wrapped, second.wrapped]).toEqual(['w1', 'w1']);
      });

      it('erases in one transaction: destroys the keys, drops the documents, records it once', async () => {
        await store.keyStore().createKeys([key('c1'), key('c2')]);
        await store.commit({
          documents: [
            { projection: 'view', id: 'c1', value: { customerId: 'c1', said: 'secret words' }, position: 's1' },
            { projection: 'view', id: 'c2', value: { customerId: 'c2' }, position: 's1' },
            { projection: 'ids', id: 'email/#h1', value: { customerId: 'c1' }, position: 's1' },
            { projection: 'ids', id: 'email/#h2', value: { customerId: 'c2' }, position: 's1' },
          ],
          checkpoints: [],
          parked: [],
        });
        const documents = { byId: [{ projection: 'view', id: 'c1' }], naming: ['ids'] };
        expect(await store.keyStore().remainingDocuments('c1', documents)).toEqual(['view/c1', 'ids/email/#h1']);
        expect(await store.keyStore().findText('secret words')).toEqual(['documents view/c1']);
        const record = { customerId: 'c1', erasedAt: '2026-03-01T10:00:00.000Z', reason: 'art. 17', requestedBy: 'k1' };
        expect(await store.keyStore().erase(record, documents)).toEqual(record);
        const later = { ...record, erasedAt: '2026-03-02T10:00:00.000Z', reason: 'again' };
        expect(await store.keyStore().erase(later, documents)).toEqual(record);
        expect(await store.keyStore().erasure('c1')).toEqual(record);
        expect(await store.keyStore().erasure('c2')).toBeUndefined();
        expect((await store.keyStore().keysOfSubjects(['c1'])).get('c1')).toMatchObject({
          keyId: 'k-c1',
          wrapped: null,
        });
        expect((await store.keyStore().keysOfSubjects(['c2'])).get('c2')).toEqual(key('c2'));
        expect(await store.keyStore().remainingDocuments('c1', documents)).toEqual([]);
        expect(await store.keyStore().findText('secret words')).toEqual([]);
        expect(await store.get('view', 'c2')).toBeDefined();
        expect(await store.get('ids', 'email/#h2')).toBeDefined();
        // No key can be made for an erased customer, and one erased without a key has a destroyed one.
        expect((await store.keyStore().createKeys([key('c1', 'k-new')])).get('c1')?.wrapped).toBeNull();
        await store.keyStore().erase({ ...record, customerId: 'c3' }, { byId: [], naming: [] });
        expect((await store.keyStore().keysOfSubjects(['c3'])).get('c3')?.wrapped).toBeNull();
      });

      it('re-wraps for a master key rotation, leaving destroyed keys destroyed', async () => {
        await store.keyStore().createKeys([key('c1'), key('c2')]);
        await store.keyStore().secret('s', async () => ({ name: 's', wrapped: 'w', masterKeyId: 'mk-1' }));
        await store
          .keyStore()
          .erase(
            { customerId: 'c2', erasedAt: '2026-03-01T10:00:00.000Z', reason: 'r', requestedBy: 'k' },
            { byId: [], naming: [] },
          );
        const under = await store.keyStore().wrappedUnder('mk-2', 10);
        expect(under.map((item) => ('keyId' in item ? item.keyId : item.name)).sort()).toEqual(['k-c1', 's']);
        await store
          .keyStore()
          .rewrap(under.map((item) => ({ ...item, wrapped: `${item.wrapped}-2`, masterKeyId: 'mk-2' })));
        expect(await store.keyStore().wrappedUnder('mk-2', 10)).toEqual([]);
        expect(await store.keyStore().masterKeysInUse()).toEqual(['mk-2']);
        expect((await store.keyStore().keysById(['k-c1'])).get('k-c1')?.wrapped).toBe('wrapped-k-c1-2');
        await store.keyStore().rewrap([{ ...key('c2'), wrapped: 'resurrected' }]);
        expect((await store.keyStore().keysById(['k-c2'])).get('k-c2')?.wrapped).toBeNull();
      });
    });
  });
}
