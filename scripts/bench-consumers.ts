import { rmSync, mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { SqliteJourneyLog } from '#journey-log';
import { appendInBatches, syntheticEvents } from '#journey-simulator';
import {
  defineProjection,
  defineReactor,
  ProjectionRunner,
  ReactorRunner,
  reactorStoreNames,
} from '#projection-runtime';
import { SqliteReadStore } from '#read-store';
import { EVENT_TYPES } from '#schemas';
import { ROOT, fmt, httpRequest, percentile, postEvents, startBenchApp } from './bench-app';
import { DATABASE_URL, dropSchema, kafkaBroker } from './bench-kafka';

type Line = (label: string, value: string, baseline?: string, ratio?: number, target?: string) => void;

const WORK = join(ROOT, '.bench');
const EVENTS = Number(process.env.BENCH_CONSUMER_EVENTS ?? 200_000);
const WEBHOOK_RATE = 200;
const WEBHOOK_SECONDS = Number(process.env.BENCH_WEBHOOK_SECONDS ?? 20);
const VIEWS_SECONDS = Number(process.env.BENCH_VIEWS_SECONDS ?? 15);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Events per second of one consumer from the start of the log to its head, on a read store of its own. */
async function consumerRate(logFile: string, kind: 'projection' | 'reactor', round: number): Promise<number> {
  const log = new SqliteJourneyLog({ file: logFile });
  const storeFile = join(WORK, `consumers-${kind}-${round}.db`);
  for (const suffix of ['', '-wal', '-shm']) rmSync(storeFile + suffix, { force: true });
  const store = new SqliteReadStore({ file: storeFile });
  const head = (await log.head())!;
  const t = performance.now();
  if (kind === 'projection') {
    // The cheapest projection: one small document per customer, every event counted.
    const projection = defineProjection({
      name: 'bench-count',
      version: 1,
      canHandle: EVENT_TYPES,
      documentId: (event) => event.subject,
      initialState: () => ({ n: 0 }),
      evolve: (state) => ({ n: state.n + 1 }),
    });
    const runner = new ProjectionRunner({ log, store, projections: [projection] });
    await runner.start();
    while (!log.positions.reached(runner.position('bench-count'), head)) await sleep(5);
    await runner.stop();
  } else {
    const reactor = defineReactor({
      name: 'bench-noop',
      canHandle: EVENT_TYPES,
      startFrom: 'beginning',
      handle: async () => {},
    });
    const runner = new ReactorRunner({ log, store, reactor });
    await runner.start();
    const checkpoint = reactorStoreNames('bench-noop').checkpoint;
    while (!log.positions.reached((await store.checkpoint(checkpoint))?.position ?? null, head)) await sleep(5);
    await runner.stop();
  }
  const rate = EVENTS / ((performance.now() - t) / 1000);
  await store.close();
  await log.close();
  return rate;
}

/** A no-op reactor against a projection, on the same log: alternated, best of two each. */
async function benchReactorThroughput(line: Line): Promise<void> {
  const logFile = join(WORK, 'consumers-log.db');
  for (const suffix of ['', '-wal', '-shm']) rmSync(logFile + suffix, { force: true });
  const log = new SqliteJourneyLog({ file: logFile });
  await appendInBatches(log, syntheticEvents({ events: EVENTS, seed: 41, customerPrefix: 'rc' }), 1000);
  await log.close();
  const projection: number[] = [];
  const reactor: number[] = [];
  for (let round = 0; round < 2; round++) {
    projection.push(await consumerRate(logFile, 'projection', round));
    reactor.push(await consumerRate(logFile, 'reactor', round));
  }
  const best = (rates: number[]) => Math.max(...rates);
  line(
    `reactor (no-op handler) catch-up, ${fmt(EVENTS)} events (events/s)`,
    fmt(best(reactor)),
    `${fmt(best(projection))} projection`,
    best(reactor) / best(projection),
    '>= 80%',
  );
}

/** A receiver that notes when each delivery (by its event id) arrives. */
async function receiver(onDelivery: (eventId: string) => void): Promise<Server> {
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (c: Buffer) => chunks.push(c));
    request.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString() || '{}') as { data?: { id?: string } };
      if (body.data?.id) onDelivery(body.data.id);
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

/** Open loop: `send(n)` starts on schedule, whatever the answers; resolves when all have answered. */
async function drive(rate: number, seconds: number, send: (n: number, due: number) => Promise<void>): Promise<void> {
  const total = Math.round(rate * seconds);
  const begin = performance.now();
  const inFlight: Array<Promise<void>> = [];
  for (let n = 0; n < total; n++) {
    const due = begin + (n * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    inFlight.push(send(n, due));
  }
  await Promise.all(inFlight);
}

const feedback = (id: string, customer: string) =>
  JSON.stringify({
    specversion: '1.0',
    id,
    source: '/bench',
    type: 'feedback.received',
    subject: customer,
    time: new Date().toISOString(),
    data: { score: 4 },
  });

/**
 * Webhook delivery on the embedded default at 200 events/s: from the start of `POST /v1/events` to the receipt of
 * the signed delivery. Baseline: the same receiver posted to directly by this process at the same rate.
 */
async function benchWebhookLatency(line: Line): Promise<void> {
  const dataDir = join(WORK, 'webhooks');
  rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(dataDir, { recursive: true });
  const due = new Map<string, number>();
  const latencies: number[] = [];
  const server = await receiver((id) => {
    const start = due.get(id);
    if (start !== undefined) latencies.push(performance.now() - start);
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;

  const direct: number[] = [];
  await drive(WEBHOOK_RATE, Math.min(WEBHOOK_SECONDS, 10), async (n) => {
    const t = performance.now();
    await httpRequest(url, { method: 'POST', body: JSON.stringify({ data: { id: `direct-${n}` } }) });
    direct.push(performance.now() - t);
  });

  const app = await startBenchApp({ DATA_DIR: dataDir });
  const made = await httpRequest(`${app.url}/v1/webhooks`, {
    method: 'POST',
    body: JSON.stringify({ url, events: ['feedback.received'], retryDelayMs: 100 }),
  });
  if (made.status !== 201) throw new Error(`POST /v1/webhooks answered ${made.status}: ${made.body}`);
  // The deliverer starts within its poll (a second).
  await sleep(1500);
  let failed = 0;
  await drive(WEBHOOK_RATE, WEBHOOK_SECONDS, async (n, start) => {
    const id = `wh-bench-${n}`;
    due.set(id, start);
    await postEvents(app.url, feedback(id, `whb-${n % 500}`)).catch(() => failed++);
  });
  const total = Math.round(WEBHOOK_RATE * WEBHOOK_SECONDS);
  const deadline = Date.now() + 30_000;
  while (latencies.length < total - failed && Date.now() < deadline) await sleep(50);
  await app.stop();
  await new Promise((resolve) => server.close(resolve));
  latencies.sort((a, b) => a - b);
  direct.sort((a, b) => a - b);
  line(
    `webhook append-to-receipt at ${WEBHOOK_RATE}/s, p50 / p99 (ms)`,
    `${fmt(percentile(latencies, 50), 1)} / ${fmt(percentile(latencies, 99), 1)}`,
    `${fmt(percentile(direct, 99), 1)} direct p99`,
    undefined,
    '< 250 ms',
  );
  line('webhook deliveries received / events appended', `${fmt(latencies.length)} / ${fmt(total - failed)}`);
}

/**
 * The journey views topic on Kafka at 200 events/s: from the start of the append to the customer's new view on the
 * topic, and the reactor's lag (events) at the end, from /metrics.
 */
async function benchViewsTopic(line: Line): Promise<void> {
  const { brokers, release } = kafkaBroker();
  const run = `bench_views_${Date.now()}`;
  const topic = `${run}-log`;
  const viewsTopic = `${run}-views`;
  const kafka = new Kafka({ brokers: brokers.split(','), logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: `${run}-reader`, maxWaitTimeInMs: 20 });
  const app = await startBenchApp({
    DATA_DIR: join(WORK, 'views-topic'),
    JOURNEY_LOG: 'kafka',
    KAFKA_BROKERS: brokers,
    KAFKA_TOPIC: topic,
    KAFKA_PARTITIONS: '6',
    READ_STORE: 'postgres',
    DATABASE_URL,
    DATABASE_SCHEMA: run,
    VIEWS_TOPIC: viewsTopic,
  });
  try {
    const waiting = new Map<string, number[]>();
    const latencies: number[] = [];
    // The views topic is made when the projector starts; wait for it before reading.
    const admin = kafka.admin();
    await admin.connect();
    while (!(await admin.listTopics()).includes(viewsTopic)) await sleep(100);
    await consumer.connect();
    await consumer.subscribe({ topic: viewsTopic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        const key = message.key!.toString();
        const now = performance.now();
        for (const start of waiting.get(key) ?? []) latencies.push(now - start);
        waiting.delete(key);
      },
    });
    await sleep(2000);
    // A warm-up of 5 s at the rate (JIT, the consumer groups settling), not measured, then the measured run.
    const warmUp = 5 * WEBHOOK_RATE;
    await drive(WEBHOOK_RATE, 5 + VIEWS_SECONDS, async (n, start) => {
      const customer = `vtb-${n % 500}`;
      await postEvents(app.url, feedback(`vt-bench-${n}`, customer));
      if (n >= warmUp) waiting.set(customer, [...(waiting.get(customer) ?? []), start]);
    });
    const deadline = Date.now() + 30_000;
    while (waiting.size > 0 && Date.now() < deadline) await sleep(50);
    const metrics = (await httpRequest(`${app.url}/metrics`)).body;
    const lag = /journey_reactor_lag_events\{reactor="journey-views-topic"\} (\d+)/.exec(metrics)?.[1] ?? '?';
    latencies.sort((a, b) => a - b);
    line(
      `kafka views topic append-to-record at ${WEBHOOK_RATE}/s (after 5 s), p50 / p99 (ms)`,
      `${fmt(percentile(latencies, 50), 1)} / ${fmt(percentile(latencies, 99), 1)}`,
      `${waiting.size} customers not seen`,
    );
    line('kafka views topic lag after the run (events)', lag);
    await admin.deleteTopics({ topics: [topic, viewsTopic] }).catch(() => undefined);
    await admin.disconnect();
  } finally {
    await consumer.disconnect();
    await app.stop();
    await dropSchema(run).catch(() => undefined);
    release();
  }
}

/** `BENCH_ONLY=consumers`: reactors, webhooks and (unless BENCH_KAFKA=false) the views topic. */
export async function benchConsumers(line: Line): Promise<void> {
  mkdirSync(WORK, { recursive: true });
  await benchReactorThroughput(line);
  await benchWebhookLatency(line);
  if (process.env.BENCH_KAFKA !== 'false') await benchViewsTopic(line);
}
