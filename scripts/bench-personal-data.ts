import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { useIdentityLookupHash, type JourneyEvent } from '#schemas';
import { EventIngestion } from '#ingestion';
import { SqliteJourneyLog, type JourneyLog } from '#journey-log';
import { syntheticEvents } from '#journey-simulator';
import { PersonalData } from '#personal-data';
import { SqliteReadStore } from '#read-store';
import { ROOT, fmt, producerStreams } from './bench-app';

type Line = (label: string, value: string, baseline?: string, ratio?: number, target?: string) => void;

const EVENTS = Number(process.env.BENCH_PRIVACY_EVENTS ?? 100_000);
const ROUNDS = 2;

interface Run {
  dir: string;
  logFile: string;
  sealed: boolean;
  ingestRate: number;
}

/**
 * The write path (validation, rules, append) as every producer app runs it, without HTTP: four producers in
 * parallel, 100 events per batch, on a fresh log, with the personal-data layer (sealed) or without it (clear).
 */
async function ingest(events: JourneyEvent[], dir: string, sealed: boolean): Promise<Run> {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const logFile = join(dir, 'journey-log.db');
  const bare = new SqliteJourneyLog({ file: logFile });
  let log: JourneyLog = bare;
  let store: SqliteReadStore | undefined;
  useIdentityLookupHash(undefined);
  if (sealed) {
    store = new SqliteReadStore({ file: join(dir, 'read-store.db') });
    const master = PersonalData.masterKeyFile(join(dir, 'personal-data-master.key'));
    log = (await PersonalData.open(store.keyStore(), master)).log(bare);
  }
  const ingestion = new EventIngestion(log, { maxBatchEvents: 500 });
  const { policies, streams } = producerStreams(events);
  const t = performance.now();
  await ingestion.ingest(policies, { owner: null });
  await Promise.all(
    streams.map(async (batches) => {
      for (const batch of batches) await ingestion.ingest(batch, { owner: null });
    }),
  );
  const ingestRate = events.length / ((performance.now() - t) / 1000);
  await log.close();
  await store?.close();
  useIdentityLookupHash(undefined);
  return { dir, logFile, sealed, ingestRate };
}

/** Every projection from zero to the head, in a process of its own (see bench-catch-up-child). */
function catchUp(run: Run, round: number): number {
  const child = join(ROOT, 'dist/scripts/bench-catch-up-child.js');
  const store = join(run.dir, `catch-up-${round}.db`);
  const args = run.sealed
    ? ['project-sealed', run.logFile, store, join(run.dir, 'read-store.db'), join(run.dir, 'personal-data-master.key')]
    : ['project', run.logFile, store];
  const result = JSON.parse(execFileSync(process.execPath, [child, ...args], { encoding: 'utf8' })) as {
    events: number;
    ms: number;
  };
  for (const suffix of ['', '-wal', '-shm', '-projectors.lock']) rmSync(store + suffix, { force: true });
  return result.events / (result.ms / 1000);
}

/** `journey metrics` over the whole log, as an analyst runs it (the sealed log's keys under its DATA_DIR). */
function metrics(run: Run): number {
  const cli = join(ROOT, 'dist/apps/journey-cli/src/main.js');
  const t = performance.now();
  const result = spawnSync(
    process.execPath,
    [cli, 'metrics', '--from', '2020-01-01', '--to', '2030-01-01', '--by', 'reason', '--format', 'json'],
    {
      env: { ...process.env, JOURNEY_LOG_FILE: run.logFile, DATA_DIR: run.dir },
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  if (result.status !== 0) throw new Error(`journey metrics failed: ${result.stderr}`);
  const events = (JSON.parse(result.stdout) as { events: number }).events;
  return events / ((performance.now() - t) / 1000);
}

const best = (values: number[]) => Math.max(...values);

/**
 * Personal data encrypted against in clear, in the same run, alternated (off, on, off, on: a noisy machine slows both
 * alike): the write path, the catch-up of every projection, and `journey metrics --by reason` (which opens the
 * reasons). Each figure is the best of its rounds.
 */
export async function benchPersonalData(line: Line): Promise<void> {
  const events = [...syntheticEvents({ events: EVENTS, seed: 23, customerPrefix: 'pd' })];
  const work = join(ROOT, '.bench', 'personal-data');
  const rates = { off: { ingest: [] as number[], catchUp: [] as number[], metrics: [] as number[] } };
  const on = { ingest: [] as number[], catchUp: [] as number[], metrics: [] as number[] };
  for (let round = 0; round < ROUNDS; round++) {
    for (const sealed of [false, true]) {
      const run = await ingest(events, join(work, sealed ? 'on' : 'off'), sealed);
      const into = sealed ? on : rates.off;
      into.ingest.push(run.ingestRate);
      into.catchUp.push(catchUp(run, round));
      into.metrics.push(metrics(run));
    }
  }
  const off = rates.off;
  const show = (what: string, a: number[], b: number[], target: string) =>
    line(`${what}, encrypted (events/s)`, fmt(best(b)), `${fmt(best(a))} clear`, best(b) / best(a), target);
  show(`ingest, write path x100, ${fmt(EVENTS)} events`, off.ingest, on.ingest, '>= 85%');
  show('catch-up, all projections', off.catchUp, on.catchUp, '>= 85%');
  show('journey metrics --by reason', off.metrics, on.metrics, '>= 90%');
}
