import { JourneyApiModule } from '#app/journey-api';
import { ProjectorModule } from '#app/projector';
import { ProducerModule, startApp } from '#nest-backbone';
import { PROJECTIONS } from '#journey-projections';

/**
 * The embedded backbone: every app in one process on one port, SQLite files under DATA_DIR.
 * `POST /v1/events` accepts every event type here, since one port serves all producers.
 */
void startApp('backbone', PROJECTIONS, (config) => [
  ProducerModule.forDomain(null),
  JourneyApiModule,
  ...(config.projector.enabled ? [ProjectorModule] : []),
]);
