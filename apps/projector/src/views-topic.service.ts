import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { BackboneConfig } from '#config';
import type { JourneyLog } from '#journey-log';
import { JourneyReader, ProjectionProgress } from '#journey-read';
import { JourneyViewsTopic } from '#journey-views-topic';
import type { StructuredLogger } from '#logging';
import { BACKBONE_CONFIG, JOURNEY_LOG, LOGGER, READ_STORE, reactorGroup, RunningReactors } from '#nest-backbone';
import { ReactorRunner } from '#projection-runtime';
import type { ReadStore } from '#read-store';

/** With `VIEWS_TOPIC` on Kafka: the journey views written to a compacted topic, behind the projections. */
@Injectable()
export class ViewsTopicService implements OnApplicationBootstrap, OnApplicationShutdown {
  private topic: JourneyViewsTopic | null = null;
  private runner: ReactorRunner | null = null;

  constructor(
    @Inject(JOURNEY_LOG) private readonly log: JourneyLog,
    @Inject(READ_STORE) private readonly store: ReadStore,
    @Inject(BACKBONE_CONFIG) private readonly config: BackboneConfig,
    @Inject(LOGGER) private readonly logger: StructuredLogger,
    private readonly reader: JourneyReader,
    private readonly progress: ProjectionProgress,
    private readonly running: RunningReactors,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const { journeyLog, push } = this.config;
    if (journeyLog.kind !== 'kafka' || push.viewsTopic === undefined) return;
    this.topic = new JourneyViewsTopic({
      brokers: journeyLog.brokers,
      clientId: journeyLog.clientId,
      topic: push.viewsTopic,
      partitions: journeyLog.partitions,
      reader: this.reader,
      progress: this.progress,
      positions: this.log.positions,
    });
    await this.topic.start();
    const reactor = this.topic.reactor();
    this.runner = new ReactorRunner({
      log: this.log,
      store: this.store,
      reactor,
      group: reactorGroup(this.config, reactor.name),
      logger: this.logger.child({ component: 'views-topic' }),
    });
    await this.runner.start();
    this.running.add(this.runner);
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.runner) {
      await this.runner.stop();
      this.running.remove(this.runner);
    }
    await this.topic?.stop();
  }
}
