import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { BackboneConfig } from '#config';
import type { JourneyLog } from '#journey-log';
import { ProjectionProgress } from '#journey-read';
import type { StructuredLogger } from '#logging';
import { BACKBONE_CONFIG, JOURNEY_LOG, LOGGER, Metrics, PROJECTION_REGISTRY, READ_STORE } from '#nest-backbone';
import { ProjectionRunner, type CommittedBatch, type Projection } from '#projection-runtime';
import type { ReadStore } from '#read-store';
import { traceCommit } from '#tracing';

/** Runs every projection of the registry the app was started with, from its checkpoint, for the life of the app. */
@Injectable()
export class ProjectorService implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly runner: ProjectionRunner;

  constructor(
    @Inject(JOURNEY_LOG) log: JourneyLog,
    @Inject(READ_STORE) store: ReadStore,
    @Inject(BACKBONE_CONFIG) config: BackboneConfig,
    @Inject(LOGGER) logger: StructuredLogger,
    progress: ProjectionProgress,
    @Inject(PROJECTION_REGISTRY) projections: readonly Projection[],
    metrics: Metrics,
  ) {
    this.runner = new ProjectionRunner({
      log,
      store,
      projections,
      batchSize: config.projector.batchSize,
      group: config.projector.group,
      logger: logger.child({ component: 'projector' }),
    });
    // Readers waiting for a position in this process are answered as soon as it is committed.
    progress.followLocalProjector((projection) => this.runner.position(projection), {
      alone: () => this.runner.alone(),
    });
    this.runner.on('committed', (batch: CommittedBatch) => {
      metrics.observeBatch(batch);
      // In the commit's span, so the pushes it sets off (SSE) are in the events' trace.
      traceCommit(batch, { 'journey.log': log.kind }, () => progress.notify(batch.changed));
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.runner.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.runner.stop();
  }
}
