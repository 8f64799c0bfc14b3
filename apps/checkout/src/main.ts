import { ProducerModule, startApp } from '#nest-backbone';
import { PROJECTIONS } from '#journey-projections';

/** The checkout producer: `POST /v1/events` for the event types the checkout domain owns. */
void startApp('checkout', PROJECTIONS, () => [ProducerModule.forDomain('checkout')]);
