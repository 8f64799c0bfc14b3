import { ProducerModule, startApp } from '#nest-backbone';

/** The contact producer: `POST /v1/events` for the event types the contact domain owns. */
void startApp('contact', () => [ProducerModule.forDomain('contact')]);
