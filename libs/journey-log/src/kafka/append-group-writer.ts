import {
  ClaimLedger,
  POLICY_SUBJECT_PREFIX,
  claimKeys,
  eventKey,
  sameEvent,
  upcast,
  type JourneyEvent,
} from '#schemas';
import { ClaimConflictError, DuplicateIdError, VersionConflictError } from '#errors';
import type { AppendOptions, AppendResult } from '../journey-log.port';
import { toKafkaRecord } from './cloudevent-kafka-binding';
import type { KafkaProducerPool } from './kafka-producer-pool';
import { kafkaRecordToken, kafkaToken } from './kafka-position';
import type { PostgresEventIndex } from './postgres-event-index';

export interface QueuedAppend {
  events: JourneyEvent[];
  options: AppendOptions;
}

/** What writing a group needs: the index (locks, look-ups, rows), the producers, and where a journey's records go. */
export interface GroupWriter {
  index: PostgresEventIndex;
  producers: KafkaProducerPool;
  partitionOf(journeyId: string): number;
}

/**
 * Writes one group of appends: one PostgreSQL transaction holding every journey's lock, one Kafka send, one index
 * write. `onSent` learns the positions of the records on the topic, before their index rows are committed. Each member
 * (one append) is judged whole, in arrival order, against what the index holds and the members before it: its expected
 * versions, its keys (a key held with other content refuses it), its claims (one held by another customer refuses
 * it). A refused member changes nothing and gets its error; the others are written together.
 */
export async function writeAppendGroup(
  writer: GroupWriter,
  group: readonly QueuedAppend[],
  onSent: (places: string[]) => void,
): Promise<Array<AppendResult | Error>> {
  const events = group.flatMap((m) => m.events);
  const written = new Set(events.map((e) => e.subject));
  const checked = new Set(
    group.flatMap((m) => Object.keys(m.options.expectedVersions ?? {})).filter((journeyId) => !written.has(journeyId)),
  );
  const lookup = {
    keys: events.map((e) => ({ source: e.source, id: e.id })),
    journeys: { written: [...written], checked: [...checked] },
    claims: claimKeys(events.map(upcast)),
    writesPolicy: [...written].some((journeyId) => journeyId.startsWith(POLICY_SUBJECT_PREFIX)),
    sequences: events.length,
  };
  return writer.index.appendLocked(lookup, async ({ existing, versions, holders, sequences }) => {
    // Where each key sits: on the topic already (with what it said), or as the n-th record of this group.
    const placed = new Map<
      string,
      | { partition: number; offset: number; envelope: JourneyEvent; sequence: number }
      | { record: number; envelope: JourneyEvent }
    >(existing);
    const records: Array<{ event: JourneyEvent; version: number; partition: number; sequence: number }> = [];
    const ledger = new ClaimLedger(holders);
    let spansPartitions = false;
    const plans = group.map(
      (member): { keys: string[]; accepted: number; journeyVersions: Record<string, number> } | Error => {
        for (const [journeyId, expected] of Object.entries(member.options.expectedVersions ?? {})) {
          const actual = versions.get(journeyId) ?? 0;
          if (actual !== expected) return new VersionConflictError(journeyId, expected, actual);
        }
        // Judged on copies first: a member refused part-way must leave the group's state as it was.
        const claims = ledger.fork();
        const memberVersions = new Map<string, number>();
        const fresh: Array<{ event: JourneyEvent; key: string; version: number; partition: number }> = [];
        const freshKeys = new Map<string, JourneyEvent>();
        const taken: Array<{ source: string; id: string }> = [];
        const refused: Array<{ event: number; key: string; path: string }> = [];
        for (const [i, event] of member.events.entries()) {
          const key = eventKey(event);
          const before = freshKeys.get(key) ?? placed.get(key)?.envelope;
          if (before !== undefined) {
            if (!sameEvent(before, event)) taken.push({ source: event.source, id: event.id });
            continue;
          }
          const refusals = claims.apply(upcast(event));
          if (refusals.length > 0) {
            refused.push(...refusals.map((c) => ({ event: i, key: c.key, path: c.path })));
            continue;
          }
          const version = (memberVersions.get(event.subject) ?? versions.get(event.subject) ?? 0) + 1;
          memberVersions.set(event.subject, version);
          freshKeys.set(key, event);
          fresh.push({ event, key, version, partition: writer.partitionOf(event.subject) });
        }
        if (taken.length > 0) return new DuplicateIdError(taken);
        if (refused.length > 0) return new ClaimConflictError(refused);
        claims.mergeInto(ledger);
        for (const [journeyId, version] of memberVersions) versions.set(journeyId, version);
        const partitions = new Set<number>();
        for (const { event, key, version, partition } of fresh) {
          placed.set(key, { record: records.length, envelope: event });
          partitions.add(partition);
          records.push({ event, version, partition, sequence: sequences[records.length] });
        }
        if (partitions.size > 1) spansPartitions = true;
        const journeyVersions: Record<string, number> = {};
        for (const subject of new Set(member.events.map((e) => e.subject)))
          journeyVersions[subject] = versions.get(subject) ?? 0;
        return { keys: member.events.map(eventKey), accepted: fresh.length, journeyVersions };
      },
    );
    let offsets: number[] = [];
    if (records.length > 0) {
      const outgoing = records.map(({ event, version, partition, sequence }) => ({
        ...toKafkaRecord(event, version, sequence),
        partition,
      }));
      offsets = await writer.producers.send(outgoing, spansPartitions);
      onSent(records.map(({ partition }, i) => kafkaRecordToken(partition, offsets[i])));
    }
    const results = plans.map((plan) => {
      if (plan instanceof Error) return plan;
      const byPartition = new Map<number, number>();
      for (const key of new Set(plan.keys)) {
        const where = placed.get(key)!;
        const [partition, offset] =
          'record' in where
            ? [records[where.record].partition, offsets[where.record]]
            : [where.partition, where.offset];
        byPartition.set(partition, Math.max(byPartition.get(partition) ?? -1, offset));
      }
      const sequences = plan.keys.map((key) => {
        const where = placed.get(key)!;
        return 'record' in where ? records[where.record].sequence : where.sequence;
      });
      return {
        accepted: plan.accepted,
        duplicates: plan.keys.length - plan.accepted,
        position: kafkaToken(byPartition),
        journeyVersions: plan.journeyVersions,
        sequences,
      };
    });
    // Recorded in the PostgreSQL transaction that holds the locks. Should this process die
    // after the Kafka send and before this commits, consumers index the events they read.
    const record = records.map(({ event, version, partition, sequence }, i) => ({
      id: event.id,
      journeyId: event.subject,
      journeyVersion: version,
      partition,
      offset: offsets[i],
      time: event.time,
      envelope: event,
      sequence,
    }));
    return { record, claims: ledger.changes(), result: results };
  });
}
