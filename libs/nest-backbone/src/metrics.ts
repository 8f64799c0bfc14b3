import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { CommittedBatch, ReactorDelivery } from '#projection-runtime';

/** Latencies from a millisecond to a minute: requests, appends, batches, deliveries. */
const SECONDS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/** What the lag gauges count on each log (EventStoreDB cannot count events between two positions). */
const LAG_UNIT: Record<string, string> = {
  sqlite: 'events',
  kafka: 'offsets, transaction markers included',
  eventstoredb: 'bytes of the transaction file',
};

/**
 * The app's Prometheus metrics, on `prom-client` (one registry per app, so what an app exposes is its own): request,
 * append, batch and delivery latencies as histograms, counters, the process's default metrics, and the lag and parked
 * gauges, which `/metrics` sets from the checkpoints as it is scraped.
 */
export class Metrics {
  readonly registry = new Registry();
  private readonly registers = [this.registry];

  readonly httpRequests = new Counter({
    name: 'journey_http_requests_total',
    help: 'HTTP requests by method, route and status code',
    labelNames: ['method', 'route', 'status'] as const,
    registers: this.registers,
  });
  readonly httpDuration = new Histogram({
    name: 'journey_http_request_duration_seconds',
    help: 'HTTP request duration by method, route and status code (streams not included: they last)',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: SECONDS,
    registers: this.registers,
  });
  readonly eventsAppended = new Counter({
    name: 'journey_events_appended_total',
    help: 'Events appended to the journey log',
    registers: this.registers,
  });
  readonly eventsRejected = new Counter({
    name: 'journey_events_rejected_total',
    help: 'Write requests rejected, by error code',
    labelNames: ['code'] as const,
    registers: this.registers,
  });
  readonly appendDuration = new Histogram({
    name: 'journey_append_duration_seconds',
    help: 'POST /v1/events from its body read to its answer: validation, rules and the append to the log',
    labelNames: ['outcome'] as const,
    buckets: SECONDS,
    registers: this.registers,
  });
  readonly sseDropped = new Counter({
    name: 'journey_sse_streams_dropped_total',
    help: 'SSE streams closed because the client could not keep up',
    registers: this.registers,
  });
  readonly projectionBatchDuration = new Histogram({
    name: 'journey_projection_batch_duration_seconds',
    help: 'A batch of the projector, from its events reaching it to their commit to the read store',
    buckets: SECONDS,
    registers: this.registers,
  });
  readonly appendToVisible = new Histogram({
    name: 'journey_append_to_visible_seconds',
    help: 'From the log recording an event to the read models showing it (where the log gives its record time)',
    buckets: SECONDS,
    registers: this.registers,
  });
  readonly reactorHandleDuration = new Histogram({
    name: 'journey_reactor_handle_duration_seconds',
    help: 'Handling one event (or a batch), retries included, by reactor (webhooks are reactors webhook.<id>)',
    labelNames: ['reactor', 'outcome'] as const,
    buckets: SECONDS,
    registers: this.registers,
  });
  readonly reactorAppendToHandled = new Histogram({
    name: 'journey_reactor_append_to_handled_seconds',
    help: 'From the log recording an event to a reactor having handled it (a webhook: delivered), by reactor',
    labelNames: ['reactor'] as const,
    buckets: SECONDS,
    registers: this.registers,
  });

  readonly projectionLag: Gauge<'projection'>;
  readonly projectionPartitionLag: Gauge<'projection' | 'partition'>;
  readonly projectionParked = new Gauge({
    name: 'journey_projection_parked_events',
    help: 'Events a projection could not apply and parked with their error',
    labelNames: ['projection'] as const,
    registers: this.registers,
  });
  readonly reactorLag = new Gauge({
    name: 'journey_reactor_lag_events',
    help: 'Distance from a reactor checkpoint to the head of the log (as journey_projection_lag_events)',
    labelNames: ['reactor'] as const,
    registers: this.registers,
  });
  readonly reactorParked = new Gauge({
    name: 'journey_reactor_parked_events',
    help: 'Events a reactor failed on until its limit and parked with their error',
    labelNames: ['reactor'] as const,
    registers: this.registers,
  });

  constructor(logKind: string) {
    const unit = LAG_UNIT[logKind] ?? 'events';
    this.projectionLag = new Gauge({
      name: 'journey_projection_lag_events',
      help: `Distance from a projection checkpoint to the head of the log (${unit})`,
      labelNames: ['projection'] as const,
      registers: this.registers,
    });
    this.projectionPartitionLag = new Gauge({
      name: 'journey_projection_partition_lag_events',
      help: `Per log partition: distance from a projection checkpoint to the head (${unit})`,
      labelNames: ['projection', 'partition'] as const,
      registers: this.registers,
    });
    // Process CPU, memory, event loop lag, GC, handles: read when scraped, nothing in between.
    collectDefaultMetrics({ register: this.registry });
  }

  /** A committed projector batch: its duration, and each event's time from the log to the read models. */
  observeBatch(batch: CommittedBatch): void {
    if (batch.events.length === 0) return;
    this.projectionBatchDuration.observe(batch.seconds);
    const now = Date.now();
    for (const stored of batch.events)
      if (stored.recordedAt !== undefined) this.appendToVisible.observe(Math.max(0, now - stored.recordedAt) / 1000);
  }

  /** An event a reactor handled (or parked). */
  observeDelivery(delivery: ReactorDelivery): void {
    const outcome = delivery.parked ? 'parked' : delivery.attempts > 1 ? 'retried' : 'done';
    this.reactorHandleDuration.observe({ reactor: delivery.reactor, outcome }, delivery.seconds);
    if (!delivery.parked && !delivery.replayed && delivery.recordedAt !== undefined)
      this.reactorAppendToHandled.observe(
        { reactor: delivery.reactor },
        Math.max(0, Date.now() - delivery.recordedAt) / 1000,
      );
  }

  /** The text exposition of every metric of the app. */
  render(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
