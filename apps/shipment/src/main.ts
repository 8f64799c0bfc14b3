import { ProducerModule, startApp } from '#nest-backbone';
import { PROJECTIONS } from '#journey-projections';

/** The shipment producer: `POST /v1/events` for the event types the shipment domain owns. */
void startApp('shipment', PROJECTIONS, () => [ProducerModule.forDomain('shipment')]);
