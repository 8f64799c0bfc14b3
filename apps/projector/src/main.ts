import { startApp } from '#nest-backbone';
import { ProjectorModule } from './projector.module';

/** The projector on its own: builds the read models; serves `/health` and `/metrics`. */
void startApp('projector', () => [ProjectorModule]);
