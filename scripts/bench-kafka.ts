import { execFileSync } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';
import type { JourneyEvent } from '#schemas';
import { KafkaJourneyLog, PostgresEventIndex } from '#journey-log';
import { CONSUMER_FETCH, toKafkaRecord } from '#journey-log/kafka';
import { PROJECTIONS } from '#journey-projections';
import { appendInBatches, syntheticEvents } from '#journey-simulator';
import { createLogger } from '#logging';
import { ProjectionRunner } from '#projection-runtime';
import { PostgresReadStore } from '#read-store';
import { ROOT, fmt, httpRequest, percentile, postEvents, startBenchApp } from './bench-app';

/**
 * The Kafka section of `npm run bench`: each figure beside a bare kafkajs baseline in the same run.
 * Sizes: BENCH_KAFKA_INGEST_EVENTS (100,000), BENCH_KAFKA_PROJECT_EVENTS (1,000,000),
 * BENCH_KAFKA_LAG_SECONDS (10), BENCH_KAFKA_LAG_RATE (1000), BENCH_KAFKA_LAG_WARMUP_SECONDS (10, at the full rate,
 * after a
 * second at a fifth of it; its figures are printed apart). BENCH_LAG_TRACE=FILE writes each measured request's due
 * time, lag and POST time (ms).
 */
const INGEST = Number(process.env.BENCH_KAFKA_INGEST_EVENTS ?? 100_000);
const PROJECT = Number(process.env.BENCH_KAFKA_PROJECT_EVENTS ?? 1_000_000);
const LAG_SECONDS = Number(process.env.BENCH_KAFKA_LAG_SECONDS ?? 10);
const LAG_RATE = Number(process.env.BENCH_KAFKA_LAG_RATE ?? 1000);
const LAG_WARMUP_SECONDS = Number(process.env.BENCH_KAFKA_LAG_WARMUP_SECONDS ?? 10);
const TRACE = process.env.BENCH_LAG_TRACE;
export const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

type Line = (label: string, value: string, baseline?: string, ratio?: number, target?: string) => void;

async function sql(statement: string): Promise<void> {
  const client = new Client({ connectionString: DATABASE_URL });
  await client.connect();
  await client.query(statement);
  await client.end();
}

export const dropSchema = (schema: string) => sql(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);

/** Four producers in parallel, each owning a quarter of the customers (journeys stay in order). */
function streams(events: JourneyEvent[], size: number): JourneyEvent[][][] {
  const rest = events.filter((e) => e.type !== 'policy.published');
  const byStream: JourneyEvent[][] = [[], [], [], []];
  for (const e of rest) byStream[Number(e.subject.split('-').pop()) % 4].push(e);
  return byStream.map((list) => {
    const batches: JourneyEvent[][] = [];
    for (let i = 0; i < list.length; i += size) batches.push(list.slice(i, i + size));
    return batches;
  });
}

/** KAFKA_BROKERS, or the local broker (started by scripts/kafka.sh when not running: `release` stops it again). */
export function kafkaBroker(): { brokers: string; release: () => void } {
  const given = process.env.KAFKA_BROKERS;
  if (given) return { brokers: given, release: () => undefined };
  let started = false;
  try {
    execFileSync(join(ROOT, 'scripts/kafka.sh'), ['status'], { stdio: 'ignore' });
  } catch {
    execFileSync(join(ROOT, 'scripts/kafka.sh'), ['up'], { stdio: 'inherit' });
    started = true;
  }
  return {
    brokers: '127.0.0.1:19092',
    release: () => {
      if (started) execFileSync(join(ROOT, 'scripts/kafka.sh'), ['down'], { stdio: 'inherit' });
    },
  };
}

export async function benchKafka(line: Line): Promise<void> {
  const { brokers, release } = kafkaBroker();
  const kafka = new Kafka({ brokers: brokers.split(','), logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const run = `bench_${Date.now()}`;
  const topics: string[] = [];
  const schemas: string[] = [];
  try {
    // 1. Ingest: bare kafkajs producer vs POST /v1/events, the same events, batches of 100.
    const events = [...syntheticEvents({ events: INGEST, seed: 31, customerPrefix: 'ki' })];
    // The customers' events, sent by four producers in the same batches on both sides (the policies go first, apart).
    const streamed = events.filter((e) => e.type !== 'policy.published').length;
    // The bare producer sends before and after the API's run, each time to a new topic; the faster run is the baseline.
    const bareTopics: string[] = [];
    const bareProduce = async () => {
      const topic = `${run}-bare-${bareTopics.length + 1}`;
      bareTopics.push(topic);
      topics.push(topic);
      await admin.createTopics({ topics: [{ topic, numPartitions: 6 }], waitForLeaders: true });
      const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
      await producer.connect();
      const start = performance.now();
      await Promise.all(
        streams(events, 100).map(async (batches) => {
          for (const batch of batches)
            await producer.send({ topic, acks: -1, messages: batch.map((e, i) => toKafkaRecord(e, i + 1)) });
        }),
      );
      const rate = streamed / ((performance.now() - start) / 1000);
      await producer.disconnect();
      return rate;
    };
    const producedBefore = await bareProduce();

    const ingestSchema = `${run}_ingest`;
    schemas.push(ingestSchema);
    const ingestTopic = `${run}-ingest`;
    topics.push(ingestTopic);
    const env = {
      JOURNEY_LOG: 'kafka',
      KAFKA_BROKERS: brokers,
      KAFKA_TOPIC: ingestTopic,
      KAFKA_PARTITIONS: '6',
      READ_STORE: 'postgres',
      DATABASE_URL,
      DATABASE_SCHEMA: ingestSchema,
    };
    const writer = await startBenchApp({ ...env, RUN_PROJECTOR: 'false' });
    await postEvents(writer.url, JSON.stringify(events.filter((e) => e.type === 'policy.published')));
    let t = performance.now();
    await Promise.all(
      streams(events, 100).map(async (batches) => {
        for (const batch of batches) await postEvents(writer.url, JSON.stringify(batch));
      }),
    );
    const httpRate = streamed / ((performance.now() - t) / 1000);
    await writer.stop();
    const producedAfter = await bareProduce();
    const bareRate = Math.max(producedBefore, producedAfter);
    line(
      'kafka ingest, POST /v1/events x100 (events/s)',
      fmt(httpRate),
      `${fmt(bareRate)} bare kafkajs`,
      httpRate / bareRate,
      '>= 30%',
    );
    line('  the bare producer before / after the API (events/s)', `${fmt(producedBefore)} / ${fmt(producedAfter)}`);

    // 2. Projector throughput on PostgreSQL vs a bare kafkajs consumer (eachBatch doing nothing).
    const projectSchema = `${run}_project`;
    schemas.push(projectSchema);
    const projectTopic = `${run}-project`;
    topics.push(projectTopic);
    const log = new KafkaJourneyLog({
      brokers: brokers.split(','),
      topic: projectTopic,
      partitions: 6,
      index: new PostgresEventIndex({ connectionString: DATABASE_URL, schema: projectSchema }),
    });
    await log.start();
    await appendInBatches(log, syntheticEvents({ events: PROJECT, seed: 37, customerPrefix: 'kp' }), 5000);
    const head = (await log.head())!;
    // A million fresh index rows are due for autovacuum, which could start under either
    // measurement (runs put the bare consumer anywhere from 55,000 to 125,000 events/s):
    // vacuumed now, as an older log's would be.
    await sql(`VACUUM ANALYZE ${projectSchema}.journey_events, ${projectSchema}.journey_heads`);

    // The bare consumer reads the topic before and after the projector, with the projector's fetch
    // sizes (it is faster with them too); the faster of its two runs is the baseline.
    const bareConsume = async (attempt: number) => {
      const consumer = kafka.consumer({ groupId: `${run}-bare-consumer-${attempt}`, ...CONSUMER_FETCH });
      await consumer.connect();
      await consumer.subscribe({ topic: projectTopic, fromBeginning: true });
      let seen = 0;
      const start = performance.now();
      await new Promise<void>((done) => {
        void consumer.run({
          autoCommit: false,
          eachBatch: async ({ batch: b }) => {
            seen += b.messages.length;
            if (seen >= PROJECT) done();
          },
        });
      });
      const rate = PROJECT / ((performance.now() - start) / 1000);
      await consumer.disconnect();
      return rate;
    };
    const consumedBefore = await bareConsume(1);

    const store = new PostgresReadStore({ connectionString: DATABASE_URL, schema: projectSchema, poolSize: 4 });
    await store.migrate();
    const runner = new ProjectionRunner({
      log,
      store,
      projections: PROJECTIONS,
      logger: createLogger('bench', 'error', 'stderr'),
    });
    t = performance.now();
    await new Promise<void>((done) => {
      runner.on('committed', () => {
        const position = runner.position('journey-view');
        if (log.positions.reached(position, head)) done();
      });
      void runner.start();
    });
    const projectRate = PROJECT / ((performance.now() - t) / 1000);
    await runner.stop();
    await store.close();
    await log.close();
    const consumedAfter = await bareConsume(2);
    const bareConsumeRate = Math.max(consumedBefore, consumedAfter);
    line(
      `kafka projector on PostgreSQL, ${fmt(PROJECT)} events (events/s)`,
      fmt(projectRate),
      `${fmt(bareConsumeRate)} bare consumer`,
      projectRate / bareConsumeRate,
      '>= 40%',
    );
    line(
      '  the bare consumer before / after the projector (events/s)',
      `${fmt(consumedBefore)} / ${fmt(consumedAfter)}`,
    );
    // The million events' tables and topic go now, so that vacuum and log cleaning on them do not
    // run under the next measurement.
    await dropSchema(projectSchema);
    await admin.deleteTopics({ topics: [projectTopic, ...bareTopics] });
    schemas.splice(schemas.indexOf(projectSchema), 1);
    topics.splice(topics.indexOf(projectTopic), 1);
    for (const topic of bareTopics) topics.splice(topics.indexOf(topic), 1);

    // 3. Append-to-visible lag at a steady 1,000 events/s (one process: producers, projector, API).
    const lagSchema = `${run}_lag`;
    schemas.push(lagSchema);
    const lagTopic = `${run}-lag`;
    topics.push(lagTopic);
    const app = await startBenchApp({ ...env, KAFKA_TOPIC: lagTopic, DATABASE_SCHEMA: lagSchema });
    const lags: number[] = [];
    /** Of the warm-up at the full rate: a fresh process (JIT, pools, heap growing) catching up with the step up. */
    const warmLags: number[] = [];
    let notVisible = 0;
    let failed = 0;
    let sent = 0;
    /**
     * Open loop: requests start on schedule whatever the answers, so queueing shows in the latency.
     * One continuous stream at `rate`; requests due in the first `unmeasuredSeconds` are not measured
     * (their lags go to `unmeasured`, if given).
     */
    const drive = async (rate: number, seconds: number, unmeasuredSeconds: number, unmeasured?: number[]) => {
      const total = Math.round(seconds * rate);
      const begin = performance.now();
      const measureFrom = begin + unmeasuredSeconds * 1000;
      const inFlight: Array<Promise<void>> = [];
      for (let i = 0; i < total; i++) {
        const due = begin + (i * 1000) / rate;
        const wait = due - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        const n = sent++;
        const customer = `lag-${n % 500}`;
        const measured = due >= measureFrom;
        inFlight.push(
          (async () => {
            const body = JSON.stringify({
              specversion: '1.0',
              id: `${run}-lag-${n}`,
              source: '/bench',
              type: 'feedback.received',
              subject: customer,
              time: new Date().toISOString(),
              data: { score: 1 + (n % 5) },
            });
            try {
              const position = await postEvents(app.url, body);
              const posted = performance.now();
              const read = await httpRequest(
                `${app.url}/v1/customers/${customer}/journey?minPosition=${position}&waitMs=10000`,
              );
              if (!measured) {
                unmeasured?.push(performance.now() - due);
                return;
              }
              // 503: not visible within 10 s; counted, and its lag taken as at least that.
              if (read.status !== 200) notVisible++;
              lags.push(performance.now() - due);
              if (TRACE)
                appendFileSync(
                  TRACE,
                  [due - measureFrom, performance.now() - due, posted - due].map(Math.round).join(' ') + '\n',
                );
            } catch {
              // Refused or reset under overload: counted apart, no latency recorded.
              if (measured) failed++;
            }
          })(),
        );
      }
      await Promise.all(inFlight);
      return (total - Math.round(unmeasuredSeconds * rate)) / ((performance.now() - measureFrom) / 1000);
    };
    // Warm-up, not measured: a fifth of the rate for a second (JIT, connections, the consumer group
    // joining), then the full rate for LAG_WARMUP_SECONDS, continuing without a break into the
    // measured LAG_SECONDS: the figures are of the steady state, not of the step up to it.
    await drive(LAG_RATE / 5, 1, 1);
    const achieved = await drive(LAG_RATE, LAG_WARMUP_SECONDS + LAG_SECONDS, LAG_WARMUP_SECONDS, warmLags);
    await app.stop();
    lags.sort((a, b) => a - b);
    warmLags.sort((a, b) => a - b);
    line(
      `kafka append-to-visible during the ${LAG_WARMUP_SECONDS} s warm-up at ${fmt(LAG_RATE)}/s (not the ` +
        `figure), p50 / p99 (ms)`,
      `${fmt(percentile(warmLags, 50), 1)} / ${fmt(percentile(warmLags, 99), 1)}`,
    );
    line(
      `kafka append-to-visible at ${fmt(LAG_RATE)}/s (achieved ${fmt(achieved)}/s, after ${LAG_WARMUP_SECONDS} ` +
        `s at that rate), p50 (ms)`,
      fmt(percentile(lags, 50), 1),
    );
    line(
      'kafka append-to-visible p99 (ms)',
      fmt(percentile(lags, 99), 1),
      `${notVisible} not visible in 10 s, ${failed} failed`,
      undefined,
      '< 250 ms',
    );
  } finally {
    await admin.deleteTopics({ topics }).catch(() => undefined);
    await admin.disconnect();
    for (const schema of schemas) await dropSchema(schema).catch(() => undefined);
    release();
  }
}
