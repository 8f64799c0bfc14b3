import { SqliteJourneyLog, type JourneyLog } from '../../journey-log/src';
import { SqliteReadStore, type ReadStore } from '../../read-store/src';
import type { BackboneConfig } from './backbone-config';

/** The configured journey log adapter. */
export function openJourneyLog(config: BackboneConfig['journeyLog']): JourneyLog {
  return new SqliteJourneyLog({ file: config.file, synchronous: config.synchronous, pollIntervalMs: config.pollIntervalMs });
}

/** The configured read-store adapter. */
export function openReadStore(config: BackboneConfig['readStore']): ReadStore {
  return new SqliteReadStore({ file: config.file, synchronous: config.synchronous });
}
