import { ProducerModule, startApp } from '#nest-backbone';

/** The returns producer: `POST /v1/events` for the event types the returns domain owns. */
void startApp('returns', () => [ProducerModule.forDomain('returns')]);
