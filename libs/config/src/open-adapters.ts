import { SqliteJourneyLog, type JourneyLog } from '../../journey-log/src';
import { PostgresReadStore, SqliteReadStore, type ReadStore } from '../../read-store/src';
import type { BackboneConfig } from './backbone-config';

/** The configured journey log adapter. */
export function openJourneyLog(config: BackboneConfig['journeyLog']): JourneyLog {
  return new SqliteJourneyLog({ file: config.file, synchronous: config.synchronous, pollIntervalMs: config.pollIntervalMs });
}

/** The configured read-store adapter. */
export async function openReadStore(config: BackboneConfig['readStore']): Promise<ReadStore> {
  if (config.kind === 'postgres') {
    const store = new PostgresReadStore({ connectionString: config.connectionString, schema: config.schema });
    // Migrations run at start, so a wrong URL or a server that is down stops the app at once.
    await store.migrate();
    return store;
  }
  return new SqliteReadStore({ file: config.file, synchronous: config.synchronous });
}
