import { Module } from '@nestjs/common';
import { JourneyStreamController } from './journey-stream.controller';
import { JourneyController } from './journey.controller';
import { OpenApiController } from './openapi.controller';

/** The read side: journey, order, case, identity, SSE stream and the OpenAPI document. */
@Module({ controllers: [JourneyStreamController, JourneyController, OpenApiController] })
export class JourneyApiModule {}
