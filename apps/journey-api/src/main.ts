import { startApp } from '#nest-backbone';
import { JourneyApiModule } from './journey-api.module';
import { PROJECTIONS } from '#journey-projections';

/** journey-api on its own: reads what a projector (another process) builds. */
void startApp('journey-api', PROJECTIONS, () => [JourneyApiModule]);
