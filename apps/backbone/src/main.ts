import { JourneyApiModule } from '../../journey-api/src/journey-api.module';
import { ProjectorModule } from '../../projector/src/projector.module';
import { ProducerModule, startApp } from '../../../libs/nest-backbone/src';

/**
 * The embedded backbone: every app in one process on one port, SQLite files under DATA_DIR.
 * `POST /v1/events` accepts every event type here, since one port serves all producers.
 */
void startApp('backbone', (config) => [ProducerModule.forDomain(null), JourneyApiModule, ...(config.projector.enabled ? [ProjectorModule] : [])]);
