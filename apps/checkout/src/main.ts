import { ProducerModule, startApp } from '#nest-backbone';

/** The checkout producer: `POST /v1/events` for the event types the checkout domain owns. */
void startApp('checkout', () => [ProducerModule.forDomain('checkout')]);
