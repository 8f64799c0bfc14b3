import { ProducerModule, startApp } from '../../../libs/nest-backbone/src';

/** The contact producer: `POST /v1/events` for the event types the contact domain owns. */
void startApp('contact', () => [ProducerModule.forDomain('contact')]);
