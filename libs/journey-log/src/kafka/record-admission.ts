import { eventKey, validateEvent } from '#schemas';
import type { InvalidRecord } from '../journey-log.port';
import { kafkaRecordToken } from './kafka-position';
import type { IndexedEvent, PostgresEventIndex } from './postgres-event-index';
import type { SentRecords } from './sent-records';

/**
 * Which fetched records to deliver, and which are not journey events. (partition, offset) is unique in the index and
 * the appender records exactly what it sent, after validating it and checking its claims: a row at a record's place is
 * that record, already checked, and its sequence number is in its header. Nearly always all records are there; only
 * the others (written around the appender, sent by an appender that died before indexing them, or a retried append's
 * copy) are validated, indexed with their claims checked, and looked up by key. This is how a reader heals an
 * appender that died between the Kafka commit and its index write.
 */
export async function admitFetchedRecords(
  index: PostgresEventIndex,
  sent: SentRecords,
  records: IndexedEvent[],
): Promise<{ delivered: IndexedEvent[]; invalid: InvalidRecord[] }> {
  // Sent by this process: placed once their index commit is (or was) done; the others are counted in the index.
  const sentHere = records.map((r) => sent.committed(r.partition, r.offset));
  const others = records.filter((_, i) => sentHere[i] === undefined);
  const placed =
    others.length === 0
      ? () => false
      : await index.placed(
          others.map((r) => r.partition),
          others.map((r) => r.offset),
        );
  const unplaced = new Set(others.filter((r) => !placed(r.partition, r.offset)));
  if (others.length < records.length) {
    const committed = await Promise.all(sentHere.map((sent) => sent ?? Promise.resolve(undefined)));
    records.forEach((r, i) => {
      if (sentHere[i] !== undefined && committed[i] !== true) unplaced.add(r);
    });
  }
  // Placed records without a sequence header were indexed by a reader, not an appender: the index has their number.
  const unnumbered = records.filter((r) => !unplaced.has(r) && r.sequence === undefined);
  if (unplaced.size === 0 && unnumbered.length === 0) return { delivered: records, invalid: [] };
  // Anyone who can reach the topic can write to it: check what the appender checks.
  const invalid: InvalidRecord[] = [];
  const rejected = new Set<IndexedEvent>();
  const reject = (r: IndexedEvent, error: string) => {
    rejected.add(r);
    const position = kafkaRecordToken(r.partition, r.offset);
    invalid.push({
      position,
      id: typeof r.id === 'string' ? r.id : position,
      type: typeof r.envelope.type === 'string' ? r.envelope.type : 'unknown',
      error,
    });
  };
  const candidates = [...unplaced].filter((r) => {
    const checked = validateEvent(r.envelope);
    if (!checked.ok) reject(r, `invalid record: ${checked.errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`);
    return checked.ok;
  });
  for (const r of await index.recordChecked(candidates))
    reject(r, 'invalid record: it claims an order, case or identity that another customer holds');
  const looked = [...candidates.filter((r) => !rejected.has(r)), ...unnumbered];
  const homes =
    looked.length === 0
      ? new Map<string, never>()
      : await index.homes(looked.map((r) => ({ source: r.envelope.source, id: r.id })));
  for (const r of looked) {
    const home = homes.get(eventKey({ source: r.envelope.source, id: r.id }));
    // A key held at another place is a copy (a retried append's, or one written around the appender): not delivered
    // twice.
    if (!home || home.partition !== r.partition || home.offset !== r.offset) rejected.add(r);
    else r.sequence = home.sequence;
  }
  return { delivered: rejected.size === 0 ? records : records.filter((r) => !rejected.has(r)), invalid };
}
