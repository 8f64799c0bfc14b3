import { join } from 'node:path';
import { rmSync } from 'node:fs';
import { EventIngestion } from '#ingestion';
import { SqliteJourneyLog } from '#journey-log';
import { syntheticEvents } from '#journey-simulator';
import { tempDataDir } from '#testing';

describe('synthetic journeys', () => {
  it('pass every validation and domain rule of the real ingestion path, in batches of 100', async () => {
    const dir = tempDataDir();
    const log = new SqliteJourneyLog({ file: join(dir, 'log.db') });
    const ingestion = new EventIngestion(log);
    const events = [...syntheticEvents({ events: 3000, seed: 7 })];
    for (let i = 0; i < events.length; i += 100) {
      const result = await ingestion.ingest(events.slice(i, i + 100), { owner: null });
      expect(result.accepted).toBe(Math.min(100, events.length - i));
    }
    expect(await log.head()).toBe('s3000');
    expect(new Set(events.map((e) => e.type)).size).toBeGreaterThan(15);
    await log.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is reproducible from its seed', () => {
    const a = [...syntheticEvents({ events: 200, seed: 3 })];
    const b = [...syntheticEvents({ events: 200, seed: 3 })];
    expect(b).toEqual(a);
    expect([...syntheticEvents({ events: 200, seed: 4 })]).not.toEqual(a);
  });
});
