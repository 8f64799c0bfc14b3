import { readFileSync } from 'node:fs';
import { SqliteJourneyLog, type JourneyLog } from '#journey-log';
import { PersonalData } from '#personal-data';
import { PROJECTIONS } from '#journey-projections';
import { createLogger } from '#logging';
import { ProjectionRunner } from '#projection-runtime';
import { SqliteReadStore } from '#read-store';

/** Peak resident set size of this process so far (VmHWM), in MB. */
function peakRssMb(): number {
  const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  return match ? Number(match[1]) / 1024 : process.memoryUsage().rss / 1048576;
}

/**
 * One measurement in a fresh process, so peak RSS is its own: `raw` reads and JSON-parses the
 * whole log; `project` runs every projection from position zero until caught up; `project-sealed` does the same
 * through the personal-data layer, with the keys of the read store `keysFile` under the master key `masterKeyFile`.
 */
async function main(): Promise<void> {
  const [mode, logFile, storeFile, keysFile, masterKeyFile] = process.argv.slice(2);
  const bare = new SqliteJourneyLog({ file: logFile });
  let log: JourneyLog = bare;
  let keys: SqliteReadStore | undefined;
  if (mode === 'project-sealed') {
    keys = new SqliteReadStore({ file: keysFile });
    log = (await PersonalData.open(keys.keyStore(), PersonalData.masterKeyFile(masterKeyFile))).log(bare);
  }
  const head = await log.head();
  const started = process.hrtime.bigint();
  let events = 0;
  if (mode === 'raw') {
    let after = 0;
    for (;;) {
      const rows = bare.readAllRaw(after, 5000);
      if (rows.length === 0) break;
      for (const row of rows) JSON.parse(row.envelope);
      events += rows.length;
      after = rows[rows.length - 1].position;
    }
  } else {
    const store = new SqliteReadStore({ file: storeFile });
    const runner = new ProjectionRunner({
      log,
      store,
      projections: PROJECTIONS,
      logger: createLogger('bench', 'error', 'stderr'),
    });
    await new Promise<void>((resolve) => {
      runner.on('committed', (batch: { position: string }) => {
        if (batch.position === head) resolve();
      });
      void runner.start();
    });
    await runner.stop();
    events = Number(head?.slice(1) ?? 0);
    await store.close();
  }
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  process.stdout.write(JSON.stringify({ mode, events, ms, peakRssMb: peakRssMb() }) + '\n');
  await log.close();
  await keys?.close();
}

void main();
