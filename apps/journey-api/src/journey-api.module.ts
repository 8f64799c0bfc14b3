import { Module } from '@nestjs/common';
import { AsyncApiController } from './asyncapi.controller';
import { JourneyStreamController } from './journey-stream.controller';
import { JourneyStreamHub } from './journey-stream-hub';
import { JourneyController } from './journey.controller';
import { PrivacyController } from './privacy.controller';
import { WebhooksController } from './webhooks.controller';
import { CustomerErasure } from '#journey-read';
import type { JourneyLog } from '#journey-log';
import { JOURNEY_LOG, PERSONAL_DATA, READ_STORE } from '#nest-backbone';
import type { PersonalData } from '#personal-data';
import type { ReadStore } from '#read-store';

/** The read side: journey, order, case, identity, SSE stream, erasure, webhooks and the AsyncAPI document. */
@Module({
  controllers: [JourneyStreamController, JourneyController, PrivacyController, WebhooksController, AsyncApiController],
  providers: [
    JourneyStreamHub,
    {
      provide: CustomerErasure,
      useFactory: (log: JourneyLog, store: ReadStore, personalData: PersonalData) =>
        new CustomerErasure(log, store, personalData.keys),
      inject: [JOURNEY_LOG, READ_STORE, PERSONAL_DATA],
    },
  ],
})
export class JourneyApiModule {}
