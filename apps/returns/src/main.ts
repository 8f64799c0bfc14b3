import { ProducerModule, startApp } from '#nest-backbone';
import { PROJECTIONS } from '#journey-projections';

/** The returns producer: `POST /v1/events` for the event types the returns domain owns. */
void startApp('returns', PROJECTIONS, () => [ProducerModule.forDomain('returns')]);
