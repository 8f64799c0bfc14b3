import { ProducerModule, startApp } from '#nest-backbone';
import { PROJECTIONS } from '#journey-projections';

/** The contact producer: `POST /v1/events` for the event types the contact domain owns. */
void startApp('contact', PROJECTIONS, () => [ProducerModule.forDomain('contact')]);
