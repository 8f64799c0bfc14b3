import { ProducerModule, startApp } from '#nest-backbone';

/** The shipment producer: `POST /v1/events` for the event types the shipment domain owns. */
void startApp('shipment', () => [ProducerModule.forDomain('shipment')]);
