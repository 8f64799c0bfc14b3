import { ProducerModule, startApp } from '../../../libs/nest-backbone/src';

/** The returns producer: `POST /v1/events` for the event types the returns domain owns. */
void startApp('returns', () => [ProducerModule.forDomain('returns')]);
