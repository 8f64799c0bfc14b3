import { join } from 'node:path';
import { rmSync } from 'node:fs';
import { Kafka, logLevel } from 'kafkajs';
import { SpanKind, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { EventIngestion } from '#ingestion';
import { KafkaJourneyLog, PostgresEventIndex, SqliteJourneyLog, type JourneyLog } from '#journey-log';
import { PROJECTIONS } from '#journey-projections';
import { ProjectionRunner, ReactorRunner, defineReactor, type CommittedBatch } from '#projection-runtime';
import { SqliteReadStore } from '#read-store';
import {
  TEST_DATABASE_URL,
  dropSchema,
  journeyEvent,
  orderPlacedData,
  tempDataDir,
  uniqueSchemaName,
  waitFor,
} from '#testing';
import { startTracing, traceCommit, traceReactorDelivery, type Tracing } from './index';

/**
 * One trace from a request to every view it changed, with the SDK's in-memory exporter: the request's span (made here
 * as the HTTP hook makes it), the append, the projector's commit and a reactor's handling, on the embedded log and on
 * Kafka, each in its own process as far as the log knows.
 */
const brokers = (process.env.KAFKA_BROKERS ?? '').split(',').filter(Boolean);

describe.each([
  ['SQLite', 'sqlite'],
  ['Kafka', 'kafka'],
])('tracing on the %s log', (_name, kind) => {
  const exporter = new InMemorySpanExporter();
  let tracing: Tracing;
  let dir: string;
  let log: JourneyLog;
  let cleanup: () => Promise<void> = async () => undefined;
  beforeAll(async () => {
    tracing = startTracing('test', {}, { exporter });
    dir = tempDataDir('tracing-');
    if (kind === 'sqlite') log = new SqliteJourneyLog({ file: join(dir, 'log.db'), pollIntervalMs: 10 });
    else {
      const topic = `journey-tracing-${process.pid}-${Math.floor(Math.random() * 1e9)}`;
      const schema = uniqueSchemaName('kafka_tracing');
      const kafkaLog = new KafkaJourneyLog({
        brokers,
        topic,
        partitions: 3,
        index: new PostgresEventIndex({ connectionString: TEST_DATABASE_URL, schema }),
      });
      await kafkaLog.start();
      log = kafkaLog;
      cleanup = async () => {
        const admin = new Kafka({ brokers, logLevel: logLevel.NOTHING }).admin();
        await admin.connect();
        await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
        await admin.disconnect();
        await dropSchema(schema);
      };
    }
  });
  afterAll(async () => {
    await log.close();
    await tracing.shutdown();
    await cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  it('given an append in a request, then its span, the commit of the view and a reactor are in its trace', async () => {
    const store = new SqliteReadStore({ file: join(dir, 'read.db') });
    const runner = new ProjectionRunner({ log, store, projections: PROJECTIONS, batchSize: 100 });
    const committed: CommittedBatch[] = [];
    runner.on('committed', (batch: CommittedBatch) =>
      traceCommit(batch, { 'journey.log': log.kind }, () => committed.push(batch)),
    );
    const reactor = new ReactorRunner({
      log,
      store,
      reactor: defineReactor({
        name: 'tracing-test',
        canHandle: ['order.placed'],
        startFrom: 'beginning',
        handle: async () => undefined,
      }),
    });
    reactor.on('handled', traceReactorDelivery);
    await runner.start();
    await reactor.start();
    const events = [
      journeyEvent('order.placed', orderPlacedData('ord-t1'), { subject: 'cust-t1' }),
      journeyEvent('order.placed', orderPlacedData('ord-t2'), { subject: 'cust-t1' }),
    ];
    const ingestion = new EventIngestion(log);
    // The request's span, as the HTTP hook makes it (a server span, the request running in its context).
    const request = await trace
      .getTracer('test')
      .startActiveSpan('POST /v1/events', { kind: SpanKind.SERVER }, async (span) => {
        await ingestion.ingest(events, { owner: null });
        span.end();
        return span.spanContext();
      });
    await waitFor(() => committed.some((b) => b.events.length > 0), { what: 'the commit', timeoutMs: 30_000 });
    const spans = () => exporter.getFinishedSpans();
    await waitFor(() => spans().some((s) => s.name === 'journey.reactor.handle'), { what: 'the reactor span' });
    await reactor.stop();
    await runner.stop();
    await store.close();

    const byName = (name: string) => spans().filter((s) => s.name === name);
    const parentOf = (s: ReadableSpan) => s.parentSpanContext?.spanId;
    const [append] = byName('journey.append');
    expect(append.spanContext().traceId).toBe(request.traceId);
    expect(parentOf(append)).toBe(request.spanId);
    expect(append.attributes).toMatchObject({ 'journey.events': 2, 'journey.log': kind });
    // The events carry the append's context (traceparent): read back from the log, they continue the trace.
    const stored = await log.readJourney('cust-t1');
    expect(stored.map((s) => (s.event as { traceparent?: string }).traceparent)).toEqual([
      `00-${request.traceId}-${append.spanContext().spanId}-01`,
      `00-${request.traceId}-${append.spanContext().spanId}-01`,
    ]);
    const commits = byName('journey.projection.commit');
    expect(commits.length).toBeGreaterThan(0);
    for (const commit of commits) {
      expect(commit.spanContext().traceId).toBe(request.traceId);
      expect(parentOf(commit)).toBe(append.spanContext().spanId);
      expect(commit.links.map((l) => l.context.spanId)).toContain(append.spanContext().spanId);
    }
    const handled = byName('journey.reactor.handle');
    expect(handled).toHaveLength(2);
    for (const h of handled) {
      expect(h.spanContext().traceId).toBe(request.traceId);
      expect(h.attributes).toMatchObject({ 'journey.reactor': 'tracing-test', 'journey.event.type': 'order.placed' });
    }
  });

  it('given a producer that sent its own traceparent, then the event keeps it', async () => {
    exporter.reset();
    const producerTrace = '4bf92f3577b34da6a3ce929d0e0e4736';
    const sent = {
      ...journeyEvent('order.placed', orderPlacedData('ord-t3'), { subject: 'cust-t3' }),
      traceparent: `00-${producerTrace}-00f067aa0ba902b7-01`,
    };
    await new EventIngestion(log).ingest(sent, { owner: null });
    const [stored] = await log.readJourney('cust-t3');
    expect((stored.event as { traceparent?: string }).traceparent).toBe(sent.traceparent);
    const [append] = exporter.getFinishedSpans().filter((s) => s.name === 'journey.append');
    // No request around it: the append is a trace of its own, and the event keeps the producer's context.
    expect(append.spanContext().traceId).not.toBe(producerTrace);
  });
});
