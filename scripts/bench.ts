import { cpus } from 'node:os';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import type { JourneyEvent } from '#schemas';
import { createKey } from '#auth';
import { SqliteJourneyLog } from '#journey-log';
import { appendInBatches, syntheticEvents } from '#journey-simulator';
import {
  ROOT,
  cpuSeconds,
  fmt,
  httpRequest,
  percentile,
  postEvents,
  producerStreams,
  startBenchApp,
} from './bench-app';
import { benchKafka } from './bench-kafka';
import { benchPersonalData } from './bench-personal-data';
import { benchConsumers } from './bench-consumers';
import { benchMetrics as benchPromClient } from './bench-metrics';

/**
 * `npm run bench`: figures, each beside a raw baseline measured in the same run on this machine;
 * then the Kafka section (BENCH_KAFKA=false skips it), on a broker started by scripts/kafka.sh.
 * Sizes can be lowered for a quick look: BENCH_INGEST_EVENTS, BENCH_CATCHUP_EVENTS, BENCH_LAG_WRITES,
 * BENCH_READ_SECONDS.
 */
const WORK = join(ROOT, '.bench');
const INGEST_EVENTS = Number(process.env.BENCH_INGEST_EVENTS ?? 100_000);
const CATCHUP_EVENTS = Number(process.env.BENCH_CATCHUP_EVENTS ?? 1_000_000);
const LAG_WRITES = Number(process.env.BENCH_LAG_WRITES ?? 10_000);
const READ_SECONDS = Number(process.env.BENCH_READ_SECONDS ?? 10);
const READ_RATE = 500;
const AUTH_EVENTS = Number(process.env.BENCH_AUTH_EVENTS ?? 20_000);
const POLICIES = Number(process.env.BENCH_POLICIES ?? 4000);
const SSE_STREAMS = Number(process.env.BENCH_SSE_STREAMS ?? 2000);
const SSE_IDLE_SECONDS = Number(process.env.BENCH_SSE_IDLE_SECONDS ?? 30);

const line = (label: string, value: string, baseline?: string, ratio?: number, target?: string) =>
  console.log(
    `${label.padEnd(44)} ${value.padStart(18)}` +
      (baseline ? `   baseline ${baseline.padStart(16)}` : '') +
      (ratio !== undefined ? `   ratio ${fmt(ratio * 100, 1)}%` : '') +
      (target ? `   target ${target}` : ''),
  );

async function benchIngest(): Promise<void> {
  const events = [...syntheticEvents({ events: INGEST_EVENTS, seed: 11, customerPrefix: 'ing' })];
  const batches: JourneyEvent[][] = [];
  for (let i = 0; i < events.length; i += 100) batches.push(events.slice(i, i + 100));
  // A batch of 100 per POST; the raw baseline inserts the same rows in the same batches.

  // Raw baseline: the same rows, batched 100 per transaction, straight into a table like the log's.
  const rawFile = join(WORK, 'raw-insert.db');
  for (const suffix of ['', '-wal', '-shm']) rmSync(rawFile + suffix, { force: true });
  const db = new Database(rawFile);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec(`CREATE TABLE events (position INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, journey_id
    TEXT NOT NULL,
    journey_version INTEGER NOT NULL, type TEXT NOT NULL, time TEXT NOT NULL, recorded_at TEXT NOT NULL, envelope
      TEXT NOT NULL,
    UNIQUE (journey_id, journey_version))`);
  const insert = db.prepare(
    'INSERT INTO events (id, journey_id, journey_version, type, time, recorded_at, envelope) VALUES (?, ?, ?, ' +
      '?, ?, ?, ?)',
  );
  const versions = new Map<string, number>();
  const insertBatch = db.transaction((batch: JourneyEvent[]) => {
    const now = new Date().toISOString();
    for (const e of batch) {
      const v = (versions.get(e.subject) ?? 0) + 1;
      versions.set(e.subject, v);
      insert.run(e.id, e.subject, v, e.type, e.time, now, JSON.stringify(e));
    }
  });
  let t = performance.now();
  for (const batch of batches) insertBatch(batch);
  const rawRate = events.length / ((performance.now() - t) / 1000);
  db.close();

  const dataDir = join(WORK, 'ingest');
  rmSync(dataDir, { recursive: true, force: true });
  // The projector is off here: this measures the write path (parse, validate, rules, append).
  const server = await startBenchApp({ DATA_DIR: dataDir, RUN_PROJECTOR: 'false' });
  // Four producers in parallel (see producerStreams), the policies first.
  const split = producerStreams(events);
  const policies = split.policies;
  const streams = split.streams.map((batches) => batches.map((batch) => JSON.stringify(batch)));
  t = performance.now();
  await postEvents(server.url, JSON.stringify(policies));
  await Promise.all(
    streams.map(async (bodies) => {
      for (const body of bodies) await postEvents(server.url, body);
    }),
  );
  const httpRate = events.length / ((performance.now() - t) / 1000);
  await server.stop();
  line('ingest, POST /v1/events x100 (events/s)', fmt(httpRate), `${fmt(rawRate)} raw`, httpRate / rawRate, '>= 25%');
}

async function benchCatchUp(): Promise<{ logFile: string; rawRate: number }> {
  const logFile = join(WORK, 'catch-up', 'journey-log.db');
  rmSync(join(WORK, 'catch-up'), { recursive: true, force: true });
  mkdirSync(join(WORK, 'catch-up'), { recursive: true });
  const log = new SqliteJourneyLog({ file: logFile });
  await appendInBatches(log, syntheticEvents({ events: CATCHUP_EVENTS, seed: 5, customerPrefix: 'cu' }), 10_000);
  await log.close();
  const child = join(ROOT, 'dist/scripts/bench-catch-up-child.js');
  const run = (mode: string) =>
    JSON.parse(
      execFileSync(process.execPath, [child, mode, logFile, join(WORK, 'catch-up', `read-store-${mode}.db`)], {
        encoding: 'utf8',
      }),
    ) as { events: number; ms: number; peakRssMb: number };
  const raw = run('raw');
  const projected = run('project');
  const rawRate = raw.events / (raw.ms / 1000);
  const rate = projected.events / (projected.ms / 1000);
  line(
    `catch-up, all projections, ${fmt(projected.events)} events (events/s)`,
    fmt(rate),
    `${fmt(rawRate)} raw read+parse`,
    rate / rawRate,
    '>= 50,000/s and >= 30%',
  );
  line('catch-up peak RSS (MB)', fmt(projected.peakRssMb, 1), `${fmt(raw.peakRssMb, 1)} raw`, undefined, '< 400 MB');
  return { logFile, rawRate };
}

/** `journey metrics` as an analyst runs it (its own process, whole range) on the catch-up log. */
function benchMetrics(logFile: string, rawRate: number): void {
  const cli = join(ROOT, 'dist/apps/journey-cli/src/main.js');
  const t = performance.now();
  // GNU time reports the process's peak RSS (kB) on stderr.
  const run = spawnSync(
    '/usr/bin/time',
    [
      '-f',
      'peak-rss-kb %M',
      process.execPath,
      cli,
      'metrics',
      '--from',
      '2020-01-01',
      '--to',
      '2030-01-01',
      '--format',
      'json',
    ],
    {
      env: { ...process.env, JOURNEY_LOG_FILE: logFile, DATA_DIR: dirname(logFile) },
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  const seconds = (performance.now() - t) / 1000;
  if (run.status !== 0) throw new Error(`journey metrics failed: ${run.stderr}`);
  const events = (JSON.parse(run.stdout) as { events: number }).events;
  const peakMb = Number(/peak-rss-kb (\d+)/.exec(run.stderr)?.[1] ?? Number.NaN) / 1024;
  const rate = events / seconds;
  line(
    `journey metrics, ${fmt(events)} events (events/s)`,
    fmt(rate),
    `${fmt(rawRate)} raw read+parse`,
    rate / rawRate,
    '>= 100,000/s and >= 40%',
  );
  line('journey metrics peak RSS (MB)', fmt(peakMb, 1), undefined, undefined, '< 400 MB');
}

async function benchLagAndReads(): Promise<void> {
  const dataDir = join(WORK, 'lag');
  rmSync(dataDir, { recursive: true, force: true });
  const server = await startBenchApp({ DATA_DIR: dataDir });
  const seed = [...syntheticEvents({ events: 20_000, seed: 9, customerPrefix: 'lag' })];
  for (let i = 0; i < seed.length; i += 100) await postEvents(server.url, JSON.stringify(seed.slice(i, i + 100)));
  const customers = [...new Set(seed.filter((e) => !e.subject.startsWith('policy/')).map((e) => e.subject))];

  const lags: number[] = [];
  const writes: number[] = [];
  for (let i = 0; i < LAG_WRITES; i++) {
    const customer = customers[i % customers.length];
    const body = JSON.stringify({
      specversion: '1.0',
      id: `lag-w-${i}`,
      source: '/bench',
      type: 'feedback.received',
      subject: customer,
      time: new Date().toISOString(),
      data: { score: 1 + (i % 5) },
    });
    const t0 = performance.now();
    const position = await postEvents(server.url, body);
    const t1 = performance.now();
    const read = await httpRequest(
      `${server.url}/v1/customers/${encodeURIComponent(customer)}/journey?minPosition=${position}`,
    );
    if (read.status !== 200) throw new Error(`read answered ${read.status}`);
    lags.push(performance.now() - t0);
    writes.push(t1 - t0);
  }
  lags.sort((a, b) => a - b);
  writes.sort((a, b) => a - b);
  line(
    `append-to-visible, ${fmt(LAG_WRITES)} writes, p50 (ms)`,
    fmt(percentile(lags, 50), 2),
    `${fmt(percentile(writes, 50), 2)} write only`,
  );
  line(
    `append-to-visible, p99 (ms)`,
    fmt(percentile(lags, 99), 2),
    `${fmt(percentile(writes, 99), 2)} write only`,
    undefined,
    '< 50 ms',
  );

  const reads = await measureReads(server.url, customers);
  line(`journey read at ${READ_RATE}/s (achieved ${fmt(reads.achieved)}/s), p50 (ms)`, fmt(reads.p50, 2));
  line(`journey read p99 (ms)`, fmt(reads.p99, 2), `${reads.lateStarts} late starts`);
  await server.stop();
}

/**
 * Journey reads at READ_RATE a second, open loop: requests start on schedule whatever the
 * answers, so queueing shows in the latency.
 */
async function measureReads(
  url: string,
  customers: readonly string[],
  headers?: Record<string, string>,
): Promise<{ p50: number; p99: number; achieved: number; lateStarts: number }> {
  const latencies: number[] = [];
  const total = READ_SECONDS * READ_RATE;
  const start = performance.now();
  const pending: Array<Promise<void>> = [];
  let lateStarts = 0;
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / READ_RATE;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    else if (wait < -5) lateStarts++;
    const customer = customers[(i * 7919) % customers.length];
    pending.push(
      (async () => {
        const t0 = performance.now();
        const read = await httpRequest(`${url}/v1/customers/${encodeURIComponent(customer)}/journey`, { headers });
        if (read.status !== 200) throw new Error(`read answered ${read.status}`);
        latencies.push(performance.now() - (due > t0 ? t0 : due));
      })(),
    );
  }
  await Promise.all(pending);
  const achieved = total / ((performance.now() - start) / 1000);
  latencies.sort((a, b) => a - b);
  return { p50: percentile(latencies, 50), p99: percentile(latencies, 99), achieved, lateStarts };
}

/**
 * Journey reads with the simulator's policies (one returns policy, two versions), then on a fresh
 * backbone with POLICIES more returns versions published first (the history of another policy,
 * in force before the simulator's): a read should cost the same, since it reads the registry
 * documents near each order's placement, not the registry.
 */
async function benchReadsUnderPolicies(): Promise<void> {
  const seedEvents = [...syntheticEvents({ events: 20_000, seed: 9, customerPrefix: 'pol' })];
  const customers = [...new Set(seedEvents.filter((e) => !e.subject.startsWith('policy/')).map((e) => e.subject))];
  const run = async (published: number) => {
    const dataDir = join(WORK, `policies-${published}`);
    rmSync(dataDir, { recursive: true, force: true });
    const server = await startBenchApp({ DATA_DIR: dataDir });
    const from = Date.parse('2024-01-01T00:00:00Z');
    const span = Date.parse('2025-12-01T00:00:00Z') - from;
    const policies = Array.from({ length: published }, (_, i) => ({
      specversion: '1.0',
      id: `bench-policy-${i}`,
      source: '/bench',
      type: 'policy.published',
      subject: 'policy/bench-history',
      time: '2023-12-01T00:00:00Z',
      data: {
        policyId: 'bench-history',
        version: i + 1,
        kind: 'returns',
        wording: `v${i + 1}`,
        rules: { returnWindowDays: 30 },
        effectiveFrom: new Date(from + Math.floor((span * i) / Math.max(1, published))).toISOString(),
      },
    }));
    for (let i = 0; i < policies.length; i += 100)
      await postEvents(server.url, JSON.stringify(policies.slice(i, i + 100)));
    let position = '';
    for (let i = 0; i < seedEvents.length; i += 100)
      position = await postEvents(server.url, JSON.stringify(seedEvents.slice(i, i + 100)));
    await httpRequest(
      `${server.url}/v1/customers/${encodeURIComponent(customers[0])}/journey?minPosition=${position}&waitMs=10000`,
    );
    const reads = await measureReads(server.url, customers);
    await server.stop();
    return reads;
  };
  // Alternated, so neither figure is always the one measured second: the p99 of each is the lower of its two runs.
  const first = { one: await run(0), many: await run(POLICIES) };
  const second = { many: await run(POLICIES), one: await run(0) };
  const better = (a: typeof first.one, b: typeof first.one) => (a.p99 <= b.p99 ? a : b);
  const one = better(first.one, second.one);
  const many = better(first.many, second.many);
  line(`journey read at ${READ_RATE}/s, 1 returns policy, p50 / p99 (ms)`, `${fmt(one.p50, 2)} / ${fmt(one.p99, 2)}`);
  line(
    `  with ${fmt(POLICIES)} more versions, p50 / p99 (ms)`,
    `${fmt(many.p50, 2)} / ${fmt(many.p99, 2)}`,
    undefined,
    many.p99 / one.p99,
    'p99 ratio near 100%',
  );
}

/**
 * Ingest and journey reads at READ_RATE/s of a backbone with a setting on against off, on the same data, alternated
 * (off, on, on, off), each figure the better of its two runs. `prepare` makes a run's environment and request headers
 * in its fresh data directory.
 */
async function ingestAndReadsOnAgainstOff(
  name: string,
  seed: number,
  prepare: (
    on: boolean,
    dataDir: string,
  ) => Promise<{ env?: Record<string, string>; headers?: Record<string, string> }>,
) {
  const events = [...syntheticEvents({ events: AUTH_EVENTS, seed, customerPrefix: name })];
  const customers = [...new Set(events.filter((e) => !e.subject.startsWith('policy/')).map((e) => e.subject))];
  const split = producerStreams(events);
  const policies = split.policies;
  const streams = split.streams.map((batches) => batches.map((batch) => JSON.stringify(batch)));
  const run = async (on: boolean) => {
    const dataDir = join(WORK, `${name}-${on ? 'on' : 'off'}`);
    rmSync(dataDir, { recursive: true, force: true });
    mkdirSync(dataDir, { recursive: true });
    const { env, headers } = await prepare(on, dataDir);
    const server = await startBenchApp({ DATA_DIR: dataDir, ...env });
    const t = performance.now();
    await postEvents(server.url, JSON.stringify(policies), headers);
    const positions = await Promise.all(
      streams.map(async (bodies) => {
        let position = '';
        for (const body of bodies) position = await postEvents(server.url, body, headers);
        return position;
      }),
    );
    const ingest = events.length / ((performance.now() - t) / 1000);
    for (const position of positions)
      await httpRequest(`${server.url}/v1/customers/${customers[0]}/journey?minPosition=${position}&waitMs=10000`, {
        headers,
      });
    const reads = await measureReads(server.url, customers, headers);
    await server.stop();
    return { ingest, ...reads };
  };
  const first = { off: await run(false), on: await run(true) };
  const second = { on: await run(true), off: await run(false) };
  const reads = (a: typeof first.on, b: typeof first.on) => (a.p99 <= b.p99 ? a : b);
  return {
    off: { ...reads(first.off, second.off), ingest: Math.max(first.off.ingest, second.off.ingest) },
    on: { ...reads(first.on, second.on), ingest: Math.max(first.on.ingest, second.on.ingest) },
  };
}

/**
 * The cost of the trust boundary: journey reads and the ingest with auth on (an API key with `admin`, so `pii:read`
 * too, and the access log recording every read) against auth off.
 */
async function benchAuth(): Promise<void> {
  const { on, off } = await ingestAndReadsOnAgainstOff('auth', 13, async (auth, dataDir) => {
    if (!auth) return {};
    const { token } = await createKey(join(dataDir, 'auth-keys.json'), { name: 'bench', scopes: ['admin'] });
    return { headers: { authorization: `Bearer ${token}` } };
  });
  line(`journey read at ${READ_RATE}/s, auth off, p50 / p99 (ms)`, `${fmt(off.p50, 2)} / ${fmt(off.p99, 2)}`);
  line(
    '  auth on (API key, pii:read, access log), p50 / p99 (ms)',
    `${fmt(on.p50, 2)} / ${fmt(on.p99, 2)}`,
    undefined,
    on.p99 / off.p99,
    'p99 ratio <= 110%',
  );
  line('ingest with auth on (events/s)', fmt(on.ingest), `${fmt(off.ingest)} off`, on.ingest / off.ingest, '>= 95%');
}

/**
 * Tracing on (every span made, batched and handed to an exporter that drops it: OTEL_TRACES_EXPORTER=noop) against off
 * (the default: no provider), for ingest and journey reads.
 */
async function benchTracing(): Promise<void> {
  const { on, off } = await ingestAndReadsOnAgainstOff('tracing', 19, async (tracing) =>
    tracing ? { env: { OTEL_TRACES_EXPORTER: 'noop' } } : {},
  );
  line(`journey read at ${READ_RATE}/s, tracing off, p50 / p99 (ms)`, `${fmt(off.p50, 2)} / ${fmt(off.p99, 2)}`);
  line(
    '  tracing on (no-op exporter), p50 / p99 (ms)',
    `${fmt(on.p50, 2)} / ${fmt(on.p99, 2)}`,
    undefined,
    on.p99 / off.p99,
    'p99 ratio <= 110%',
  );
  line('ingest with tracing on (events/s)', fmt(on.ingest), `${fmt(off.ingest)} off`, on.ingest / off.ingest, '>= 90%');
}

/** CPU of one backbone process holding SSE_STREAMS open, idle streams (heartbeats only), over SSE_IDLE_SECONDS. */
async function benchIdleStreams(): Promise<void> {
  const dataDir = join(WORK, 'sse');
  rmSync(dataDir, { recursive: true, force: true });
  const server = await startBenchApp({ DATA_DIR: dataDir });
  const customers = Array.from({ length: 50 }, (_, i) => `sse-${i}`);
  for (const customer of customers) {
    await postEvents(
      server.url,
      JSON.stringify({
        specversion: '1.0',
        id: `sse-seed-${customer}`,
        source: '/bench',
        type: 'feedback.received',
        subject: customer,
        time: new Date().toISOString(),
        data: { score: 5 },
      }),
    );
  }
  const { hostname, port } = new URL(server.url);
  const sockets: Socket[] = [];
  let firstViews = 0;
  for (let i = 0; i < SSE_STREAMS; i++) {
    const socket = connect(Number(port), hostname);
    socket.on('error', () => undefined);
    socket.once('data', () => firstViews++);
    socket.on('data', () => undefined);
    socket.write(
      `GET /v1/customers/${customers[i % customers.length]}/journey/stream ` +
        `HTTP/1.1\r\nHost: ${hostname}:${port}\r\n\r\n`,
    );
    sockets.push(socket);
    if (i % 200 === 199) await new Promise((r) => setTimeout(r, 50));
  }
  while (firstViews < SSE_STREAMS) await new Promise((r) => setTimeout(r, 100));
  await new Promise((r) => setTimeout(r, 2000));
  const before = cpuSeconds(server.pid);
  await new Promise((r) => setTimeout(r, SSE_IDLE_SECONDS * 1000));
  const share = (cpuSeconds(server.pid) - before) / SSE_IDLE_SECONDS;
  line(
    `CPU with ${fmt(SSE_STREAMS)} idle SSE streams (% of a core)`,
    fmt(share * 100, 2),
    undefined,
    undefined,
    '< 5%',
  );
  for (const socket of sockets) socket.destroy();
  await server.stop();
}

async function main(): Promise<void> {
  mkdirSync(WORK, { recursive: true });
  console.log(`journey-backbone bench on ${cpus().length} cores, node ${process.version}\n`);
  // BENCH_ONLY=kafka runs the Kafka section alone; =ingest the embedded ingest; =reads the policy reads and idle
  // streams; =privacy personal data encrypted against in clear; =auth auth on against off; =consumers reactors,
  // webhooks and the views topic; =metrics prom-client against the registry it replaced; =tracing on against off.
  if (process.env.BENCH_ONLY === 'consumers') {
    await benchConsumers(line);
  } else if (process.env.BENCH_ONLY === 'metrics') {
    await benchPromClient(line);
  } else if (process.env.BENCH_ONLY === 'tracing') {
    await benchTracing();
  } else if (process.env.BENCH_ONLY === 'auth') {
    await benchAuth();
  } else if (process.env.BENCH_ONLY === 'privacy') {
    await benchPersonalData(line);
  } else if (process.env.BENCH_ONLY === 'ingest') {
    await benchIngest();
  } else if (process.env.BENCH_ONLY === 'reads') {
    await benchReadsUnderPolicies();
    await benchIdleStreams();
    await benchAuth();
  } else if (process.env.BENCH_ONLY !== 'kafka') {
    await benchIngest();
    const catchUp = await benchCatchUp();
    benchMetrics(catchUp.logFile, catchUp.rawRate);
    await benchLagAndReads();
    await benchReadsUnderPolicies();
    await benchIdleStreams();
    await benchPersonalData(line);
    await benchConsumers(line);
    await benchPromClient(line);
    await benchTracing();
  }
  if (process.env.BENCH_KAFKA !== 'false' && process.env.BENCH_ONLY !== 'consumers') {
    console.log('');
    await benchKafka(line);
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
