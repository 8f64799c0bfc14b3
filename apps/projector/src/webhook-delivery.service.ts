import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { BackboneConfig } from '#config';
import type { JourneyLog } from '#journey-log';
import { JourneyReader } from '#journey-read';
import type { StructuredLogger } from '#logging';
import { BACKBONE_CONFIG, JOURNEY_LOG, LOGGER, READ_STORE, reactorGroup, RunningReactors } from '#nest-backbone';
import type { ReadStore } from '#read-store';
import { WebhookDispatcher, WebhookSubscriptions } from '#webhooks';

/** Delivers the webhook subscriptions, beside the projections (one deliverer per subscription and consumer group). */
@Injectable()
export class WebhookDeliveryService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly dispatcher: WebhookDispatcher;

  constructor(
    @Inject(JOURNEY_LOG) log: JourneyLog,
    @Inject(READ_STORE) store: ReadStore,
    @Inject(BACKBONE_CONFIG) config: BackboneConfig,
    @Inject(LOGGER) logger: StructuredLogger,
    reader: JourneyReader,
    subscriptions: WebhookSubscriptions,
    running: RunningReactors,
  ) {
    this.dispatcher = new WebhookDispatcher({
      log,
      store,
      reader,
      subscriptions,
      groupOf: (name) => reactorGroup(config, name),
      onRunner: running,
      logger: logger.child({ component: 'webhooks' }),
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.dispatcher.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.dispatcher.stop();
  }
}
