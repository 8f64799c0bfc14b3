import Database from 'better-sqlite3';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { journeyEvent, tempDataDir, waitFor } from '#testing';
import type { JourneyEvent } from '#schemas';
import { SqliteJourneyLog } from './sqlite-journey-log';
import { journeyLogContract } from './testing/journey-log.contract';

journeyLogContract('sqlite', async () => {
  const dir = tempDataDir();
  const file = join(dir, 'log.db');
  let log = new SqliteJourneyLog({ file, pollIntervalMs: 10 });
  return {
    log,
    reopen: async () => {
      await log.close();
      log = new SqliteJourneyLog({ file, pollIntervalMs: 10 });
      return log;
    },
    cleanup: async () => {
      await log.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

/**
 * Runs `use` with a log file in a folder of its own; every log `open` gave is closed, and the folder removed, after it.
 */
async function withLogFile(use: (file: string, open: () => SqliteJourneyLog) => Promise<void>): Promise<void> {
  const dir = tempDataDir();
  const opened: SqliteJourneyLog[] = [];
  const file = join(dir, 'log.db');
  try {
    await use(file, () => {
      const log = new SqliteJourneyLog({ file });
      opened.push(log);
      return log;
    });
  } finally {
    for (const log of opened) await log.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('SQLite journey log: beyond the contract', () => {
  it('keeps one total order across journeys', () =>
    withLogFile(async (_, open) => {
      const log = open();
      const events = Array.from({ length: 12 }, (_, i) =>
        journeyEvent('feedback.received', { score: 3 }, { subject: `c${i % 3}` }),
      );
      await log.append(events.slice(0, 5));
      await log.append(events.slice(5));
      const all = await log.readAll(null, 100);
      expect(all.map((s) => s.event.id)).toEqual(events.map((e) => e.id));
      for (let i = 1; i < all.length; i++)
        expect(log.positions.compare(all[i - 1].position, all[i].position)).toBeLessThan(0);
    }));

  it(
    'brings a file written before events were keyed by source to the current layout, with the claims of what ' +
      'it holds',
    () =>
      withLogFile(async (file, open) => {
        const legacy = new Database(file);
        legacy.exec(`CREATE TABLE events (position INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE,
          journey_id TEXT NOT NULL, journey_version INTEGER NOT NULL,
        type TEXT NOT NULL, time TEXT NOT NULL, recorded_at TEXT NOT NULL, envelope TEXT NOT NULL, UNIQUE
          (journey_id, journey_version))`);
        const first = journeyEvent(
          'identity.linked',
          { kind: 'email', value: 'x@example.com' },
          { subject: 'cust-first' },
        );
        // A hijack from before claims existed: the first customer keeps the email.
        const second = journeyEvent(
          'identity.linked',
          { kind: 'email', value: 'X@Example.com' },
          { subject: 'cust-second' },
        );
        for (const e of [first, second])
          legacy
            .prepare(
              'INSERT INTO events (id, journey_id, journey_version, type, time, recorded_at, envelope) VALUES ' +
                '(?, ?, 1, ?, ?, ?, ?)',
            )
            .run(e.id, e.subject, e.type, e.time, e.time, JSON.stringify(e));
        legacy.close();
        const log = open();
        expect((await log.readAll(null, 10)).map((s) => [s.event.id, s.sequence])).toEqual([
          [first.id, 1],
          [second.id, 2],
        ]);
        await expect(
          log.append([
            journeyEvent('identity.linked', { kind: 'email', value: 'x@example.com' }, { subject: 'cust-third' }),
          ]),
        ).rejects.toMatchObject({ code: 'already_claimed' });
        expect((await log.append([{ ...first, source: '/other' }])).accepted).toBe(1);
        expect((await log.append([first])).accepted).toBe(0);
      }),
  );

  it('commits appends made together in one transaction, where one refused leaves the others', () =>
    withLogFile(async (_, open) => {
      const log = open();
      const held = journeyEvent('identity.linked', { kind: 'email', value: 'held@example.com' }, { subject: 'cust-a' });
      const taken = journeyEvent('feedback.received', { score: 1 }, { subject: 'cust-a' });
      await log.append([held, taken]);
      const before = await log.head();
      const delivered: string[] = [];
      const subscription = log.subscribe(before, async (batch) => void delivered.push(...batch.map((s) => s.event.id)));
      const first = journeyEvent('feedback.received', { score: 2 }, { subject: 'cust-b' });
      const last = journeyEvent('feedback.received', { score: 3 }, { subject: 'cust-c' });
      // Not awaited one by one: all five queue in the same turn of the event loop.
      const outcomes = await Promise.allSettled([
        log.append([first]),
        log.append([
          journeyEvent('feedback.received', { score: 4 }, { subject: 'cust-d' }),
          { ...taken, data: { score: 5 } } as JourneyEvent,
        ]),
        log.append([
          journeyEvent('identity.linked', { kind: 'email', value: 'HELD@example.com' }, { subject: 'cust-e' }),
        ]),
        log.append([journeyEvent('feedback.received', { score: 4 }, { subject: 'cust-a' })], {
          expectedVersions: { 'cust-a': 1 },
        }),
        log.append([last]),
      ]);
      expect(
        outcomes.map((o) => (o.status === 'fulfilled' ? o.value.accepted : (o.reason as { code: string }).code)),
      ).toEqual([1, 'duplicate_id', 'already_claimed', 'version_conflict', 1]);
      const [a, e] = [outcomes[0], outcomes[4]] as Array<PromiseFulfilledResult<{ sequences: number[] }>>;
      expect(e.value.sequences[0]).toBe(a.value.sequences[0] + 1);
      const after = await log.readAll(before, 10);
      expect(after.map((s) => s.event.id)).toEqual([first.id, last.id]);
      await waitFor(() => delivered.length === 2, { what: 'the subscriber to see the group' });
      expect(delivered).toEqual([first.id, last.id]);
      await subscription.stop();
    }));

  it('commits the appends still queued when it is closed', () =>
    withLogFile(async (_, open) => {
      const log = open();
      const event = journeyEvent('feedback.received', { score: 2 }, { subject: 'cust-q' });
      const appended = log.append([event]);
      await log.close();
      await expect(appended).resolves.toMatchObject({ accepted: 1 });
      expect((await open().readAll(null, 10)).map((s) => s.event.id)).toEqual([event.id]);
    }));
});
