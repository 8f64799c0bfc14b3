// Tests run the TypeScript sources: worker threads started by the code under test compile theirs.
import { setWorkerStarter } from '#journey-log/kafka';
import { sourceWorkerStarter } from '#testing';

setWorkerStarter(sourceWorkerStarter);
