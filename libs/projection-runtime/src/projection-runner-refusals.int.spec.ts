import { createServer, Socket, type Server } from 'node:net';
import { Writable } from 'node:stream';
import pino from 'pino';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { JourneyEvent } from '#schemas';
import { SqliteJourneyLog } from '#journey-log';
import { PROJECTIONS } from '#journey-projections';
import { PostgresReadStore } from '#read-store';
import { TEST_DATABASE_URL, dropSchema, journeyEvent, tempDataDir, uniqueSchemaName, waitFor } from '#testing';
import { ProjectionRunner, projectionStatus } from './index';

const contact = (subject: string, reason: string, caseId = `case-${subject}-${reason}`) =>
  journeyEvent('contact.opened', { caseId, contactId: 'c', channel: 'chat', reason, tags: [] }, { subject });

/** What the ingestion now refuses, as an older log may still hold it: the log port itself does not validate. */
const unstorable = (subject: string, text: string): JourneyEvent =>
  ({
    ...contact(subject, 'ok'),
    data: { caseId: `case-bad-${subject}`, contactId: 'c', channel: 'chat', reason: text, tags: [] },
  }) as JourneyEvent;

/** A TCP relay to the real PostgreSQL server that can be cut and restored: the store going down and coming back. */
async function relay(
  target: URL,
): Promise<{ port: number; cut(): Promise<void>; restore(): Promise<void>; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  let server: Server | null = null;
  let port = 0;
  const listen = () =>
    new Promise<void>((resolve) => {
      server = createServer((client) => {
        const upstream = new Socket();
        upstream.connect(Number(target.port || 5432), target.hostname);
        for (const s of [client, upstream]) {
          sockets.add(s);
          s.on('close', () => sockets.delete(s));
          s.on('error', () => s.destroy());
        }
        client.pipe(upstream).pipe(client);
      });
      server.listen(port, '127.0.0.1', () => {
        port = (server!.address() as { port: number }).port;
        resolve();
      });
    });
  const cut = async () => {
    // Connections first: close waits for every one of them to end.
    const closed = new Promise<void>((resolve) => server!.close(() => resolve()));
    for (const s of sockets) s.destroy();
    await closed;
  };
  await listen();
  return { port, cut, restore: listen, close: cut };
}

describe('projection runner: a commit the store refuses, and a store that is down', () => {
  let dir: string;
  let schema: string;
  let log: SqliteJourneyLog;
  const closers: Array<() => Promise<void>> = [];

  beforeEach(() => {
    dir = tempDataDir();
    schema = uniqueSchemaName('refusals');
    log = new SqliteJourneyLog({ file: join(dir, 'log.db'), pollIntervalMs: 10 });
  });
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
    await log.close();
    await dropSchema(schema);
    rmSync(dir, { recursive: true, force: true });
  });

  /** The runner's log lines, as JSON. */
  let lines: Array<Record<string, unknown>> = [];
  const logger = () =>
    pino(
      { level: 'info' },
      new Writable({ write: (chunk: Buffer, _encoding, done) => (lines.push(JSON.parse(chunk.toString())), done()) }),
    );
  const start = async (connectionString = TEST_DATABASE_URL) => {
    const store = new PostgresReadStore({ connectionString, schema });
    await store.migrate();
    lines = [];
    const runner = new ProjectionRunner({
      log,
      store,
      projections: PROJECTIONS,
      batchSize: 50,
      retryDelayMs: 20,
      logger: logger(),
    });
    closers.push(
      () => store.close(),
      () => runner.stop(),
    );
    await runner.start();
    return { store, runner };
  };

  it.each([
    ['a NUL character', 'a\u0000b'],
    ['an unpaired surrogate', 'x\ud800y'],
  ])(
    'given an event holding %s among good ones, parks it where the store refuses it and projects the rest',
    async (_case, text) => {
      const before = Array.from({ length: 30 }, (_, i) => contact(`c${i % 5}`, `before ${i}`));
      const after = Array.from({ length: 30 }, (_, i) => contact(`c${i % 5}`, `after ${i}`));
      const bad = unstorable('c2', text);
      await log.append([...before, bad, ...after]);
      const { store } = await start();
      const head = (await log.head())!;
      await waitFor(async () => (await store.checkpoint('journey-view'))?.position === head, {
        what: 'the projection past the unstorable event',
        timeoutMs: 30_000,
      });
      const parked = await store.parked();
      // The journey view keeps the text in its document: PostgreSQL refused that change, and only that one.
      expect(parked).toEqual([
        expect.objectContaining({
          projection: 'journey-view',
          eventId: bad.id,
          type: 'contact.opened',
          error: expect.stringMatching(/read store refused/),
        }),
      ]);
      // The case index holds no text of the event: it took it.
      expect((await store.get('case-index', 'case-bad-c2'))?.value).toMatchObject({ customerId: 'c2' });
      const c2 = await store.get<{ cases: Array<{ lastReason: string }> }>('journey-view', 'c2');
      expect(c2?.value.cases.map((c) => c.lastReason)).toEqual(
        [...before, ...after].filter((e) => e.subject === 'c2').map((e) => (e.data as { reason: string }).reason),
      );
      // Later events are projected as they come.
      const later = await log.append([contact('c2', 'later')]);
      await waitFor(async () => (await store.checkpoint('journey-view'))?.position === later.position, {
        what: 'a later event',
      });
      expect(
        (await projectionStatus(log, store, PROJECTIONS)).find((s) => s.projection === 'journey-view'),
      ).toMatchObject({ lag: 0, parked: 1 });
      // Logged: the refused batch with its code, and the parked event by place and type; never its text.
      expect(lines).toContainEqual(
        expect.objectContaining({
          msg: 'projection batch failed; resuming from the last checkpoint',
          careful: true,
          error: expect.objectContaining({ code: expect.stringMatching(/^22/) }),
        }),
      );
      expect(lines).toContainEqual(
        expect.objectContaining({
          msg: 'parked an event the projection could not apply',
          projection: 'journey-view',
          type: 'contact.opened',
        }),
      );
      expect(JSON.stringify(lines)).not.toContain(JSON.stringify(text).slice(1, -1));
      expect(JSON.stringify(lines)).not.toContain(bad.id);
    },
  );

  it('retries while the store is down, parks nothing, and catches up once it is back', async () => {
    const url = new URL(TEST_DATABASE_URL);
    const pg = await relay(url);
    closers.push(() => pg.close());
    const viaRelay = new URL(TEST_DATABASE_URL);
    viaRelay.hostname = '127.0.0.1';
    viaRelay.port = String(pg.port);
    const { store } = await start(viaRelay.toString());
    const first = await log.append([contact('a', 'one')]);
    await waitFor(async () => (await store.checkpoint('journey-view'))?.position === first.position, {
      what: 'the first event',
    });
    await pg.cut();
    const during = await log.append(Array.from({ length: 20 }, (_, i) => contact('a', `while down ${i}`)));
    await new Promise((r) => setTimeout(r, 500));
    await pg.restore();
    await waitFor(async () => (await store.checkpoint('journey-view'))?.position === during.position, {
      what: 'catching up after the store came back',
      timeoutMs: 30_000,
    });
    expect(await store.parked()).toEqual([]);
    expect((await store.get<{ cases: unknown[] }>('journey-view', 'a'))?.value.cases).toHaveLength(21);
    expect(
      lines.some(
        (l) =>
          l.code === 'store_unavailable' || (l.error as { code?: string } | undefined)?.code === 'store_unavailable',
      ),
    ).toBe(true);
    expect(lines.every((l) => l.careful !== true)).toBe(true);
  });

  it('loses no event when the store goes away while the next batch is being applied', async () => {
    const pg = await relay(new URL(TEST_DATABASE_URL));
    closers.push(() => pg.close());
    const viaRelay = new URL(TEST_DATABASE_URL);
    viaRelay.hostname = '127.0.0.1';
    viaRelay.port = String(pg.port);
    const events = Array.from({ length: 3000 }, (_, i) => contact(`c${i % 20}`, `r${i}`));
    await log.append(events);
    const { store } = await start(viaRelay.toString());
    // Cut while batches are being applied and committed one behind the other, then come back.
    await waitFor(async () => ((await store.checkpoint('journey-view'))?.position ?? null) !== null, {
      what: 'a first commit',
      intervalMs: 1,
    });
    await pg.cut();
    await new Promise((r) => setTimeout(r, 200));
    await pg.restore();
    const head = (await log.head())!;
    await waitFor(async () => (await store.checkpoint('journey-view'))?.position === head, {
      what: 'the whole log projected',
      timeoutMs: 60_000,
    });
    for (let c = 0; c < 20; c++) {
      const doc = await store.get<{ cases: unknown[] }>('journey-view', `c${c}`);
      expect({ customer: c, cases: doc?.value.cases.length }).toEqual({ customer: c, cases: 150 });
    }
    expect(await store.parked()).toEqual([]);
  });
});
