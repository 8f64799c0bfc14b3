import { Module } from '@nestjs/common';
import { JourneyStreamController } from './journey-stream.controller';
import { JourneyStreamHub } from './journey-stream-hub';
import { JourneyController } from './journey.controller';
import { OpenApiController } from './openapi.controller';

/** The read side: journey, order, case, identity, SSE stream and the OpenAPI document. */
@Module({ controllers: [JourneyStreamController, JourneyController, OpenApiController], providers: [JourneyStreamHub] })
export class JourneyApiModule {}
