import { upcast } from '#schemas';
import type { StoredEvent } from '../journey-log.port';
import { kafkaRecordToken } from './kafka-position';
import type { IndexedEvent } from './postgres-event-index';

/** An indexed event as the port gives it: only once its sequence is known (every row of the index has one). */
export function storedFromIndex(e: IndexedEvent): StoredEvent {
  if (e.sequence === undefined)
    throw new Error(`no sequence for the record at ${kafkaRecordToken(e.partition, e.offset)}`);
  const stored: StoredEvent = {
    event: upcast(e.envelope),
    position: kafkaRecordToken(e.partition, e.offset),
    journeyVersion: e.journeyVersion,
    sequence: e.sequence,
  };
  if (e.recordedAt !== undefined) stored.recordedAt = e.recordedAt;
  return stored;
}
