import { startApp } from '../../../libs/nest-backbone/src';
import { JourneyApiModule } from './journey-api.module';

/** journey-api on its own: reads what a projector (another process) builds. */
void startApp('journey-api', () => [JourneyApiModule]);
