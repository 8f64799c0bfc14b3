import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { tempDataDir } from '../../testing/src';
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
