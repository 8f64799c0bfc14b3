import { startApp } from '#nest-backbone';
import { ProjectorModule } from './projector.module';
import { PROJECTIONS } from '#journey-projections';

/** The projector on its own: builds the read models; serves `/health` and `/metrics`. */
void startApp('projector', PROJECTIONS, () => [ProjectorModule]);
