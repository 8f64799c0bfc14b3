import Database from 'better-sqlite3';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { journeyEvent, tempDataDir } from '../../testing/src';
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

describe('SQLite journey log: beyond the contract', () => {
  it('keeps one total order across journeys', async () => {
    const dir = tempDataDir();
    const log = new SqliteJourneyLog({ file: join(dir, 'log.db') });
    const events = Array.from({ length: 12 }, (_, i) => journeyEvent('feedback.received', { score: 3 }, { subject: `c${i % 3}` }));
    await log.append(events.slice(0, 5));
    await log.append(events.slice(5));
    const all = await log.readAll(null, 100);
    expect(all.map((s) => s.event.id)).toEqual(events.map((e) => e.id));
    for (let i = 1; i < all.length; i++) expect(log.positions.compare(all[i - 1].position, all[i].position)).toBeLessThan(0);
    await log.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('brings a file written before events were keyed by source to the current layout, with the claims of what it holds', async () => {
    const dir = tempDataDir();
    const file = join(dir, 'log.db');
    const legacy = new Database(file);
    legacy.exec(`CREATE TABLE events (position INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, journey_id TEXT NOT NULL, journey_version INTEGER NOT NULL,
      type TEXT NOT NULL, time TEXT NOT NULL, recorded_at TEXT NOT NULL, envelope TEXT NOT NULL, UNIQUE (journey_id, journey_version))`);
    const first = journeyEvent('identity.linked', { kind: 'email', value: 'x@example.com' }, { subject: 'cust-first' });
    // A hijack from before claims existed: the first customer keeps the email.
    const second = journeyEvent('identity.linked', { kind: 'email', value: 'X@Example.com' }, { subject: 'cust-second' });
    for (const e of [first, second]) legacy.prepare('INSERT INTO events (id, journey_id, journey_version, type, time, recorded_at, envelope) VALUES (?, ?, 1, ?, ?, ?, ?)').run(e.id, e.subject, e.type, e.time, e.time, JSON.stringify(e));
    legacy.close();
    const log = new SqliteJourneyLog({ file });
    try {
      expect((await log.readAll(null, 10)).map((s) => [s.event.id, s.sequence])).toEqual([[first.id, 1], [second.id, 2]]);
      await expect(log.append([journeyEvent('identity.linked', { kind: 'email', value: 'x@example.com' }, { subject: 'cust-third' })])).rejects.toMatchObject({ code: 'already_claimed' });
      expect((await log.append([{ ...first, source: '/other' }])).accepted).toBe(1);
      expect((await log.append([first])).accepted).toBe(0);
    } finally {
      await log.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
