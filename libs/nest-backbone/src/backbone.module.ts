import { Global, Inject, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { APP_GUARD, DiscoveryModule } from '@nestjs/core';
import { Authenticator } from '#auth';
import { openJourneyLog, openPersonalData, openReadStore, type BackboneConfig } from '#config';
import type { PersonalData } from '#personal-data';
import { EventIngestion } from '#ingestion';
import type { JourneyLog } from '#journey-log';
import { AccessLogRecorder, JourneyReader, ProjectionProgress } from '#journey-read';
import type { ReadStore } from '#read-store';
import { HealthController } from './health.controller';
import { OpenApiController } from './openapi/openapi.controller';
import { AccessGuard } from './route-access';
import { RouteTable } from './route-table';
import { RunningReactors } from './running-reactors';
import { Metrics } from './metrics';
import { errorFields, type StructuredLogger } from '#logging';
import {
  BACKBONE_CONFIG,
  JOURNEY_LOG,
  LOGGER,
  PERSONAL_DATA,
  PROJECTION_REGISTRY,
  READ_STORE,
  TRACING,
} from './tokens';
import type { Tracing } from '#tracing';
import type { Projection } from '#projection-runtime';
import { readWebhooksFile, WebhookSubscriptions } from '#webhooks';

/** Opens the configured adapters once per process and closes them at shutdown. */
@Global()
@Module({})
export class BackboneModule implements OnApplicationShutdown {
  constructor(
    @Inject(JOURNEY_LOG) private readonly log: JourneyLog,
    @Inject(READ_STORE) private readonly store: ReadStore,
    private readonly authenticator: Authenticator,
    private readonly accessLog: AccessLogRecorder,
    @Inject(TRACING) private readonly tracing: Tracing,
  ) {}

  static forRoot(
    config: BackboneConfig,
    logger: StructuredLogger,
    projections: readonly Projection[],
    tracing: Tracing = { enabled: false, shutdown: async () => undefined },
  ): DynamicModule {
    return {
      module: BackboneModule,
      imports: [DiscoveryModule],
      controllers: [HealthController, OpenApiController],
      providers: [
        {
          provide: Authenticator,
          useFactory: () =>
            new Authenticator(config.auth, (error) =>
              logger.error({ error: { name: error.name } }, `the key file cannot be read: ${error.message}`),
            ),
        },
        { provide: APP_GUARD, useClass: AccessGuard },
        {
          provide: AccessLogRecorder,
          useFactory: (store: ReadStore) =>
            new AccessLogRecorder(store, {
              retentionDays: config.accessLog.retentionDays,
              onError: (error) =>
                logger.error({ error: errorFields(error) }, 'the access log cannot be written; its records wait'),
            }),
          inject: [READ_STORE],
        },
        RouteTable,
        { provide: RunningReactors, useFactory: (metrics: Metrics) => new RunningReactors(metrics), inject: [Metrics] },
        { provide: BACKBONE_CONFIG, useValue: config },
        { provide: TRACING, useValue: tracing },
        { provide: LOGGER, useValue: logger },
        { provide: PROJECTION_REGISTRY, useValue: projections },
        { provide: READ_STORE, useFactory: async () => openReadStore(config.readStore) },
        {
          provide: PERSONAL_DATA,
          useFactory: async (store: ReadStore) => openPersonalData(config.personalData, store),
          inject: [READ_STORE],
        },
        {
          provide: JOURNEY_LOG,
          useFactory: async (personalData: PersonalData) => openJourneyLog(config.journeyLog, personalData),
          inject: [PERSONAL_DATA],
        },
        { provide: Metrics, useFactory: () => new Metrics(config.journeyLog.kind) },
        {
          provide: WebhookSubscriptions,
          useFactory: (store: ReadStore, personalData: PersonalData) =>
            new WebhookSubscriptions(
              store,
              personalData.keys,
              config.push.webhooksFile ? readWebhooksFile(config.push.webhooksFile) : [],
            ),
          inject: [READ_STORE, PERSONAL_DATA],
        },
        {
          provide: ProjectionProgress,
          useFactory: (log: JourneyLog, store: ReadStore) => new ProjectionProgress(log, store),
          inject: [JOURNEY_LOG, READ_STORE],
        },
        {
          provide: EventIngestion,
          useFactory: (log: JourneyLog) =>
            new EventIngestion(log, { maxBatchEvents: config.http.maxBatchEvents, eventTime: config.eventTime }),
          inject: [JOURNEY_LOG],
        },
        {
          provide: JourneyReader,
          useFactory: (log: JourneyLog, store: ReadStore, progress: ProjectionProgress) =>
            new JourneyReader(log, store, progress),
          inject: [JOURNEY_LOG, READ_STORE, ProjectionProgress],
        },
      ],
      exports: [
        Authenticator,
        AccessLogRecorder,
        RouteTable,
        RunningReactors,
        BACKBONE_CONFIG,
        LOGGER,
        PROJECTION_REGISTRY,
        JOURNEY_LOG,
        READ_STORE,
        PERSONAL_DATA,
        Metrics,
        WebhookSubscriptions,
        ProjectionProgress,
        EventIngestion,
        JourneyReader,
      ],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    this.authenticator.close();
    await this.accessLog.close();
    await this.log.close();
    await this.store.close();
    // Last: the spans of the shutdown itself are sent too.
    await this.tracing.shutdown();
  }
}
