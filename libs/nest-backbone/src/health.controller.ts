import { Controller, Get, Header, Inject, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { hasScope } from '#auth';
import type { JourneyLog } from '#journey-log';
import type { BackboneConfig } from '#config';
import {
  INVALID_RECORDS,
  projectionProblems,
  projectionStatus,
  REACTOR_VERSION,
  type Projection,
} from '#projection-runtime';
import type { ReadStore } from '#read-store';
import { Metrics } from './metrics';
import { ApiOperation } from './openapi/api-operation';
import { jsonContent } from './openapi/openapi-document';
import { principalOf, RequiresAccess } from './route-access';
import { RunningReactors } from './running-reactors';
import { BACKBONE_CONFIG, JOURNEY_LOG, PROJECTION_REGISTRY, READ_STORE } from './tokens';

/** `/health` and `/metrics`, served by every app. */
@Controller()
export class HealthController {
  constructor(
    @Inject(JOURNEY_LOG) private readonly log: JourneyLog,
    @Inject(READ_STORE) private readonly store: ReadStore,
    @Inject(BACKBONE_CONFIG) private readonly config: BackboneConfig,
    private readonly metrics: Metrics,
    @Inject(PROJECTION_REGISTRY) private readonly projections: readonly Projection[],
    private readonly reactors: RunningReactors,
  ) {}

  /** The reactors this process runs, as their checkpoints are named (`reactor:<name>`). */
  private reactorCheckpoints() {
    return this.reactors.list().map((r) => ({ name: r.checkpointName, version: REACTOR_VERSION }));
  }

  /**
   * Liveness for anyone (`status` alone); with `metrics:read` (or auth off), the details:
   * `ok`, or `degraded` with the reasons: events parked (the backbone goes on, but someone should
   * look at them), records on the log that are not journey events, a projection too far behind
   * the log or behind and not advancing.
   */
  @Get('health')
  @RequiresAccess('public')
  @ApiOperation({
    summary:
      'Health: `ok` or `degraded` for anyone; with metrics:read, the problems, log head, projection and reactor ' +
      'positions, lag and parked events',
    responses: {
      '200': {
        description: 'OK',
        content: jsonContent({
          type: 'object',
          required: ['status'],
          properties: { status: { type: 'string', enum: ['ok', 'degraded'] } },
        }),
      },
    },
  })
  async health(@Req() request: FastifyRequest) {
    // Every parked event counts, including records on the log that were not journey events. Read before the
    // projections' status: events are parked with their checkpoint, so the status then knows every one counted here.
    const parkedCounts = await this.store.parkedCounts();
    const projections = await projectionStatus(this.log, this.store, this.projections);
    const reactors = await projectionStatus(this.log, this.store, this.reactorCheckpoints());
    const parked = Object.values(parkedCounts).reduce((sum, n) => sum + n, 0);
    const invalidRecords = parkedCounts[INVALID_RECORDS] ?? 0;
    const problems = projectionProblems([...projections, ...reactors], this.config.health, Date.now());
    if (invalidRecords > 0) {
      problems.push({
        projection: INVALID_RECORDS,
        problem: 'parked_events',
        message: `${invalidRecords} record(s) on the log are not journey events`,
      });
    }
    const status = problems.length > 0 ? 'degraded' : 'ok';
    // Without a credential allowed to see metrics: liveness only (the rest names projections, positions, adapters).
    const principal = principalOf(request);
    if (principal === null || !hasScope(principal, 'metrics:read')) return { status };
    return {
      status,
      problems,
      journeyLog: { kind: this.log.kind, head: await this.log.head() },
      readStore: { kind: this.store.kind },
      parkedEvents: parked,
      invalidRecords,
      projections,
      reactors,
    };
  }

  @Get('metrics')
  @RequiresAccess('metrics:read')
  @ApiOperation({
    summary: 'Prometheus metrics (text exposition format)',
    responses: { '200': { description: 'OK', content: { 'text/plain': { schema: { type: 'string' } } } } },
  })
  @Header('Content-Type', 'text/plain; version=0.0.4')
  async prometheus(): Promise<string> {
    const projections = await projectionStatus(this.log, this.store, this.projections);
    const reactors = await projectionStatus(this.log, this.store, this.reactorCheckpoints());
    const reactorName = (checkpoint: string) => checkpoint.slice('reactor:'.length);
    const head = await this.log.head();
    return this.metrics.render([
      {
        name: 'journey_projection_lag_events',
        // EventStoreDB cannot count events between two positions: there it is transaction-file bytes.
        help:
          `Distance from a projection checkpoint to the head of the log ` +
          `(${this.log.kind === 'eventstoredb' ? 'bytes of the transaction file' : 'events'})`,
        samples: projections.map((p) => ({ labels: { projection: p.projection }, value: p.lag })),
      },
      {
        name: 'journey_projection_partition_lag_events',
        help:
          `Per log partition: distance from a projection checkpoint to the head ` +
          `(${
            this.log.kind === 'kafka'
              ? 'offsets, transaction markers ' + 'included'
              : this.log.kind === 'eventstoredb'
                ? 'bytes'
                : 'events'
          })`,
        samples: projections.flatMap((p) =>
          Object.entries(this.log.positions.lagByPartition(p.position, head)).map(([partition, value]) => ({
            labels: { projection: p.projection, partition },
            value,
          })),
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
      {
        name: 'journey_reactor_lag_events',
        help: 'Distance from a reactor checkpoint to the head of the log (as journey_projection_lag_events)',
        samples: reactors.map((r) => ({ labels: { reactor: reactorName(r.projection) }, value: r.lag })),
      },
      {
        name: 'journey_reactor_parked_events',
        help: 'Events a reactor failed on until its limit and parked with their error',
        samples: reactors.map((r) => ({ labels: { reactor: reactorName(r.projection) }, value: r.parked })),
      },
    ]);
  }
}
