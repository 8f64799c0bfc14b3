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
});
