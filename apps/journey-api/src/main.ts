import { startApp } from '#nest-backbone';
import { JourneyApiModule } from './journey-api.module';

/** journey-api on its own: reads what a projector (another process) builds. */
void startApp('journey-api', () => [JourneyApiModule]);
