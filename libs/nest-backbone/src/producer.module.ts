import { Module, type DynamicModule } from '@nestjs/common';
import type { Domain } from '#schemas';
import { EventsController } from './events.controller';
import { PRODUCER_OWNER } from './tokens';

/**
 * The write side of one producer app: `POST /v1/events` for the event types its domain owns.
 * `owner: null` accepts every type (the embedded backbone, one port for all paths).
 */
@Module({})
export class ProducerModule {
  static forDomain(owner: Domain | null): DynamicModule {
    return {
      module: ProducerModule,
      controllers: [EventsController],
      providers: [{ provide: PRODUCER_OWNER, useValue: owner }],
    };
  }
}
