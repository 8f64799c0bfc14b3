import { Controller, Get, Header, Inject } from '@nestjs/common';
import type { JourneyLog } from '../../journey-log/src';
import { PROJECTIONS } from '../../journey-projections/src';
import { INVALID_RECORDS, projectionStatus } from '../../projection-runtime/src';
import type { ReadStore } from '../../read-store/src';
import { Metrics } from './metrics';
import { JOURNEY_LOG, READ_STORE } from './tokens';

/** `/health` and `/metrics`, served by every app. */
@Controller()
export class HealthController {
  constructor(
    @Inject(JOURNEY_LOG) private readonly log: JourneyLog,
    @Inject(READ_STORE) private readonly store: ReadStore,
    private readonly metrics: Metrics,
  ) {}

  @Get('health')
  async health() {
    const projections = await projectionStatus(this.log, this.store, PROJECTIONS);
    // Every parked event counts, including records on the log that were not journey events.
    const parkedCounts = await this.store.parkedCounts();
    const parked = Object.values(parkedCounts).reduce((sum, n) => sum + n, 0);
    return {
      // Parked events do not stop the backbone, but someone should look at them.
      status: parked > 0 ? 'degraded' : 'ok',
      journeyLog: { kind: this.log.kind, head: await this.log.head() },
      readStore: { kind: this.store.kind },
      parkedEvents: parked,
      invalidRecords: parkedCounts[INVALID_RECORDS] ?? 0,
      projections,
    };
  }

  @Get('metrics')
  @Header('Content-Type', 'text/plain; version=0.0.4')
  async prometheus(): Promise<string> {
    const projections = await projectionStatus(this.log, this.store, PROJECTIONS);
    const head = await this.log.head();
    return this.metrics.render([
      {
        name: 'journey_projection_lag_events',
        // EventStoreDB cannot count events between two positions: there it is transaction-file bytes.
        help: `Distance from a projection checkpoint to the head of the log (${this.log.kind === 'eventstoredb' ? 'bytes of the transaction file' : 'events'})`,
        samples: projections.map((p) => ({ labels: { projection: p.projection }, value: p.lag })),
      },
      {
        name: 'journey_projection_partition_lag_events',
        help: `Per log partition: distance from a projection checkpoint to the head (${this.log.kind === 'kafka' ? 'offsets, transaction markers included' : this.log.kind === 'eventstoredb' ? 'bytes' : 'events'})`,
        samples: projections.flatMap((p) =>
          Object.entries(this.log.positions.lagByPartition(p.position, head)).map(([partition, value]) => ({ labels: { projection: p.projection, partition }, value })),
        ),
      },
      {
        name: 'journey_projection_parked_events',
        help: 'Events a projection could not apply and parked with their error',
        samples: [
          ...projections.map((p) => ({ labels: { projection: p.projection }, value: p.parked })),
          { labels: { projection: INVALID_RECORDS }, value: (await this.store.parkedCounts())[INVALID_RECORDS] ?? 0 },
        ],
      },
    ]);
  }
}
