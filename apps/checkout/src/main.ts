import { ProducerModule, startApp } from '../../../libs/nest-backbone/src';

/** The checkout producer: `POST /v1/events` for the event types the checkout domain owns. */
void startApp('checkout', () => [ProducerModule.forDomain('checkout')]);
