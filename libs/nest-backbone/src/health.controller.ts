import { Controller, Get, Inject, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
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
  async prometheus(@Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    // One scrape at a time: a second one would reset the gauges while the first is rendering them.
    const scrape = this.scraping.then(() => this.scrape());
    this.scraping = scrape.catch(() => undefined);
    void reply.header('Content-Type', this.metrics.contentType);
    return scrape;
  }

  private scraping: Promise<unknown> = Promise.resolve();

  private async scrape(): Promise<string> {
    const projections = await projectionStatus(this.log, this.store, this.projections);
    const reactors = await projectionStatus(this.log, this.store, this.reactorCheckpoints());
    const reactorName = (checkpoint: string) => checkpoint.slice('reactor:'.length);
    const head = await this.log.head();
    const invalidRecords = (await this.store.parkedCounts())[INVALID_RECORDS] ?? 0;
    const m = this.metrics;
    // Set from the committed checkpoints as scraped (every app says the same); what is gone is dropped.
    for (const gauge of [m.projectionLag, m.projectionPartitionLag, m.projectionParked, m.reactorLag, m.reactorParked])
      gauge.reset();
    for (const p of projections) {
      m.projectionLag.set({ projection: p.projection }, p.lag);
      m.projectionParked.set({ projection: p.projection }, p.parked);
      for (const [partition, lag] of Object.entries(this.log.positions.lagByPartition(p.position, head)))
        m.projectionPartitionLag.set({ projection: p.projection, partition }, lag);
    }
    m.projectionParked.set({ projection: INVALID_RECORDS }, invalidRecords);
    for (const r of reactors) {
      m.reactorLag.set({ reactor: reactorName(r.projection) }, r.lag);
      m.reactorParked.set({ reactor: reactorName(r.projection) }, r.parked);
    }
    return m.render();
  }
}
