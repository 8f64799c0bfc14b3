import { randomUUID } from 'node:crypto';
import { Kafka, Partitioners, type Admin, type Producer } from 'kafkajs';
import {
  ClaimLedger,
  POLICY_SUBJECT_PREFIX,
  claimKeys,
  eventKey,
  sameEvent,
  upcast,
  validateEvent,
  type JourneyEvent,
} from '#schemas';
import { BackboneError, ClaimConflictError, DuplicateIdError, VersionConflictError } from '#errors';
import type {
  AppendOptions,
  AppendResult,
  BatchHandler,
  InvalidRecord,
  JourneyLog,
  LogSubscription,
  ReadBound,
  StoredEvent,
  SubscribeOptions,
} from '../journey-log.port';
import { toKafkaRecord } from './cloudevent-kafka-binding';
import { kafkaClientConfig } from './kafka-client-config';
import { KafkaFetchThread } from './kafka-fetch-thread';
import type { FetchedRecord } from './kafka-fetch-worker';
import { kafkaPositions, kafkaRecordToken, kafkaToken, parseKafkaToken } from './kafka-position';
import { BatchCoalescer } from './batch-coalescer';
import { GroupedCalls } from '#grouped-calls';
import { groupedSender } from './grouped-sender';
import type { IndexedEvent, PostgresEventIndex } from './postgres-event-index';

export interface KafkaJourneyLogOptions {
  brokers: string[];
  /** @defaultValue 'journey-events' */
  topic?: string;
  /** Partitions when the topic is created here. @defaultValue 6 */
  partitions?: number;
  /** @defaultValue 'journey-backbone' */
  clientId?: string;
  /** Ids, journey versions and per-journey reads, in PostgreSQL; closed with the log. */
  index: PostgresEventIndex;
}

/**
 * Settings of the journey topic when this adapter creates it: the log is the system of record,
 * so nothing expires, and a write counts once every in-sync replica has it.
 */
export const JOURNEY_TOPIC_CONFIG: Record<string, string> = {
  'cleanup.policy': 'delete',
  'retention.ms': '-1',
  'retention.bytes': '-1',
  'min.insync.replicas': '1',
  'message.timestamp.type': 'CreateTime',
};

function unavailable(error: unknown): BackboneError {
  if (error instanceof BackboneError) return error;
  return new BackboneError(
    'log_unavailable',
    `the Kafka journey log is unavailable: ${(error as Error)?.message ?? String(error)}`,
    {
      retriable: true,
      cause: error,
    },
  );
}

type OutgoingRecord = ReturnType<typeof toKafkaRecord> & { partition: number };

interface QueuedAppend {
  events: JourneyEvent[];
  options: AppendOptions;
}

/** Places of records this process sent and indexed that it remembers (about a second of appends at full speed). */
const RECENTLY_INDEXED = 20_000;
/**
 * Records per append group (one append larger than this goes alone): keeps each partition's batch well under the
 * broker's message.max.bytes.
 */
const MAX_GROUP_EVENTS = 2000;
/**
 * Append groups under way at once. Groups touching the same journey queue on its PostgreSQL
 * lock; the others overlap their PostgreSQL work, and their Kafka sends share transactions.
 */
const MAX_GROUPS_IN_FLIGHT = 4;
/** Producers of each kind (transactional, plain): one per group in flight, so their sends overlap. */
const PRODUCERS_PER_KIND = MAX_GROUPS_IN_FLIGHT;

/** An indexed event as the port gives it: only once its sequence is known (every row of the index has one). */
function toStored(e: IndexedEvent): StoredEvent {
  if (e.sequence === undefined)
    throw new Error(`no sequence for the record at ${kafkaRecordToken(e.partition, e.offset)}`);
  return {
    event: upcast(e.envelope),
    position: kafkaRecordToken(e.partition, e.offset),
    journeyVersion: e.journeyVersion,
    sequence: e.sequence,
  };
}

/**
 * The journey log on Apache Kafka: one topic, the journey id as key (a journey stays on one
 * partition, in order), CloudEvents binary mode, idempotent producers (acks=all), transactional
 * ones for a batch spanning partitions, so that it is atomic. Kafka cannot look events up by id or by key, so a
 * PostgreSQL index beside it answers idempotency, journey versions and `readJourney`.
 */
export class KafkaJourneyLog implements JourneyLog {
  readonly kind = 'kafka';
  readonly positions = kafkaPositions;
  readonly topic: string;
  private readonly kafka: Kafka;
  private readonly clientId: string;
  private readonly partitions: number;
  /**
   * Transactional producers for groups spanning partitions; idempotent, not transactional ones for
   * groups whose every append lands on one partition.
   */
  private producers: { transactional: Producer[]; plain: Producer[] } = { transactional: [], plain: [] };
  /** Which producer of its kind the next group sends through. */
  private nextSender = 0;
  private admin: Admin | null = null;
  private started: Promise<void> | null = null;
  private partitionCount = 0;
  private readonly partitioner = Partitioners.DefaultPartitioner();
  /**
   * Appends queue up while MAX_GROUPS_IN_FLIGHT groups are being written, and the next group
   * takes them all (up to MAX_GROUP_EVENTS): one PostgreSQL transaction holding every journey's
   * lock, one Kafka send, one index write. A group costs about what a lone append costs, so
   * throughput grows with load instead of being capped by connections held across Kafka round trips.
   */
  private readonly appends = new GroupedCalls<QueuedAppend, AppendResult>((group) => this.appendGroup(group), {
    maxInFlight: MAX_GROUPS_IN_FLIGHT,
    maxGroupWeight: MAX_GROUP_EVENTS,
    weight: (append) => append.events.length,
    failure: unavailable,
  });
  /**
   * One group-commit sender per producer. A producer sends one request (or runs one transaction)
   * at a time, so its sequence numbers stay in order; with several, the sends of different groups
   * overlap on separate connections. Order within a journey does not depend on it: the journey's
   * lock is held until its group's send has returned.
   */
  private readonly senders = {
    transactional: Array.from({ length: PRODUCERS_PER_KIND }, (_, i) =>
      groupedSender<OutgoingRecord>(async (messages) => {
        const transaction = await this.producers.transactional[i].transaction();
        try {
          const sent = await transaction.send({ topic: this.topic, acks: -1, messages });
          await transaction.commit();
          return sent;
        } catch (error) {
          await transaction.abort().catch(() => undefined);
          throw error;
        }
      }, unavailable),
    ),
    plain: Array.from({ length: PRODUCERS_PER_KIND }, (_, i) =>
      groupedSender<OutgoingRecord>(
        (messages) => this.producers.plain[i].send({ topic: this.topic, acks: -1, messages }),
        unavailable,
      ),
    ),
  };
  /** Journey versions asked for together (a producer checking a batch's journeys) are read in one statement. */
  private readonly versionLookups = new GroupedCalls<string, number>(async (journeyIds) => {
    const versions = await this.options.index.versions([...new Set(journeyIds)]);
    return journeyIds.map((journeyId) => versions.get(journeyId) ?? 0);
  });
  /** Subscriptions open on this log, stopped by `close`. */
  private readonly readers = new Set<{ stop(): Promise<void> }>();
  /**
   * Records this process has sent (by their positions), with whether their index rows were
   * committed: a reader here often fetches a record before its appender has indexed it, and waits
   * for that instead of checking and indexing the record itself. The last RECENTLY_INDEXED
   * committed ones stay, so a reader here checks its own appender's records without a query.
   */
  private readonly indexing = new Map<string, Promise<boolean>>();
  private readonly recentlyIndexed: string[] = [];

  constructor(private readonly options: KafkaJourneyLogOptions) {
    this.topic = options.topic ?? 'journey-events';
    this.partitions = options.partitions ?? 6;
    this.clientId = options.clientId ?? 'journey-backbone';
    this.kafka = new Kafka(kafkaClientConfig(options.brokers, this.clientId));
  }

  /** Creates the topic if missing and connects the producer (once). */
  start(): Promise<void> {
    this.started ??= (async () => {
      await this.options.index.migrate();
      const admin = this.kafka.admin();
      await admin.connect();
      this.admin = admin;
      const topics = await admin.listTopics();
      if (!topics.includes(this.topic)) {
        await admin.createTopics({
          waitForLeaders: true,
          topics: [
            {
              topic: this.topic,
              numPartitions: this.partitions,
              configEntries: Object.entries(JOURNEY_TOPIC_CONFIG).map(([name, value]) => ({ name, value })),
            },
          ],
        });
      }
      const metadata = await admin.fetchTopicMetadata({ topics: [this.topic] });
      this.partitionCount = metadata.topics[0].partitions.length;
      // Connected together; if any fails, the others are closed again (start may be retried).
      const kinds = Array.from({ length: 2 * PRODUCERS_PER_KIND }, (_, i) => i < PRODUCERS_PER_KIND);
      const producers = kinds.map((transactional) =>
        this.kafka.producer({
          idempotent: true,
          maxInFlightRequests: 1,
          ...(transactional ? { transactionalId: `journey-log-${randomUUID()}` } : {}),
          createPartitioner: Partitioners.DefaultPartitioner,
        }),
      );
      const connecting = await Promise.allSettled(producers.map((producer) => producer.connect()));
      const failure = connecting.find((c): c is PromiseRejectedResult => c.status === 'rejected');
      if (failure) {
        await Promise.all(producers.map((producer) => producer.disconnect().catch(() => undefined)));
        throw failure.reason;
      }
      this.producers = {
        transactional: producers.slice(0, PRODUCERS_PER_KIND),
        plain: producers.slice(PRODUCERS_PER_KIND),
      };
    })().catch((error) => {
      this.started = null;
      throw unavailable(error);
    });
    return this.started;
  }

  /** The partition Kafka's default partitioner gives a key: computed up front to know offsets. */
  private partitionOf(journeyId: string): number {
    const partitionMetadata = Array.from({ length: this.partitionCount }, (_, partitionId) => ({
      partitionId,
      leader: 0,
      partitionErrorCode: 0,
      replicas: [0],
      isr: [0],
    }));
    return this.partitioner({ topic: this.topic, partitionMetadata, message: { key: journeyId, value: null } });
  }

  async append(events: JourneyEvent[], options: AppendOptions = {}): Promise<AppendResult> {
    await this.start();
    return this.appends.call({ events, options });
  }

  /**
   * Each member is judged in arrival order against the journeys' versions after the members
   * before it: a version conflict fails that member alone; the others are written together.
   */
  private async appendGroup(group: readonly QueuedAppend[]): Promise<Array<AppendResult | Error>> {
    let indexed: (committed: boolean) => void = () => undefined;
    const sent: string[] = [];
    const indexing = new Promise<boolean>((resolve) => (indexed = resolve));
    try {
      const outcomes = await this.writeGroup(group, (places) => {
        for (const place of places) {
          this.indexing.set(place, indexing);
          sent.push(place);
        }
      });
      indexed(true);
      this.recentlyIndexed.push(...sent);
      for (const place of this.recentlyIndexed.splice(0, Math.max(0, this.recentlyIndexed.length - RECENTLY_INDEXED)))
        this.indexing.delete(place);
      return outcomes;
    } catch (error) {
      indexed(false);
      for (const place of sent) this.indexing.delete(place);
      throw error;
    }
  }

  /**
   * `onSent` learns the positions of the records on the topic, before their index rows are committed.
   * Each member (one append) is judged whole, in arrival order, against what the index holds and
   * the members before it: its expected versions, its keys (a key held with other content refuses
   * it), its claims (one held by another customer refuses it). A refused member changes nothing.
   */
  private async writeGroup(
    group: readonly QueuedAppend[],
    onSent: (places: string[]) => void,
  ): Promise<Array<AppendResult | Error>> {
    const index = this.options.index;
    const events = group.flatMap((m) => m.events);
    const written = new Set(events.map((e) => e.subject));
    const checked = new Set(
      group
        .flatMap((m) => Object.keys(m.options.expectedVersions ?? {}))
        .filter((journeyId) => !written.has(journeyId)),
    );
    const lookup = {
      keys: events.map((e) => ({ source: e.source, id: e.id })),
      journeys: { written: [...written], checked: [...checked] },
      claims: claimKeys(events.map(upcast)),
      writesPolicy: [...written].some((journeyId) => journeyId.startsWith(POLICY_SUBJECT_PREFIX)),
      sequences: events.length,
    };
    return index.appendLocked(lookup, async ({ existing, versions, holders, sequences }) => {
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
            fresh.push({ event, key, version, partition: this.partitionOf(event.subject) });
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
        // An append on one partition is one record batch, written whole or not at all: only a
        // group holding an append across partitions needs a transaction (and its extra round trips).
        const senders = spansPartitions ? this.senders.transactional : this.senders.plain;
        const sender = senders[this.nextSender++ % senders.length];
        offsets = await sender.call(outgoing);
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

  async readJourney(journeyId: string, bound: ReadBound = {}): Promise<StoredEvent[]> {
    const limit = bound.position === undefined ? null : bound.position;
    const limitTime = bound.time === undefined ? undefined : Date.parse(bound.time);
    return (await this.options.index.journey(journeyId))
      .map(toStored)
      .filter(
        (s) =>
          (limit === null || kafkaPositions.reached(limit, s.position)) &&
          (limitTime === undefined || Date.parse(s.event.time) <= limitTime),
      );
  }

  async readJourneysByPrefix(prefix: string): Promise<StoredEvent[]> {
    return (await this.options.index.journeysByPrefix(prefix)).map(toStored);
  }

  async journeyVersion(journeyId: string): Promise<number> {
    await this.options.index.migrate();
    return this.versionLookups.call(journeyId);
  }

  async readAll(after: string | null, limit: number): Promise<StoredEvent[]> {
    return (await this.options.index.after(parseKafkaToken(after), limit)).map(toStored);
  }

  async head(): Promise<string | null> {
    const heads = await this.options.index.heads();
    return heads.size === 0 ? null : kafkaToken(heads);
  }

  /**
   * A Kafka consumer from `after`, in a fetch thread of its own: each partition resumes after its
   * offset in the token (from the start when absent). Records are indexed on the way (healing an
   * appender that died between the Kafka commit and its index write), and a record whose id the
   * index holds at another offset (a retried append) is not delivered again.
   */
  subscribe(after: string | null, handler: BatchHandler, options: SubscribeOptions = {}): LogSubscription {
    const group = options.group;
    const batchSize = options.batchSize ?? 1000;
    const resume = parseKafkaToken(after);
    let fail: (error: unknown) => void = () => undefined;
    let finish: () => void = () => undefined;
    const done = new Promise<void>((resolve, reject) => {
      fail = reject;
      finish = resolve;
    });
    let stopping = false;
    const stop = async () => {
      stopping = true;
      coalescer.discard();
      await (await started.catch(() => null))?.stop();
      // A flush already under way finishes (its commit is whole) before the reader counts as stopped.
      await coalescer.idle();
      this.readers.delete(reader);
      finish();
    };
    const reader = { stop };
    this.readers.add(reader);
    const failWith = (error: unknown) => {
      if (stopping) return;
      stopping = true;
      fail(error);
      void stop();
    };
    // kafkajs hands over one partition at a time; the handler gets what several partitions
    // brought (up to batchSize), so each read-store commit carries as much as is there, and
    // the next fetch runs while the previous records are being projected.
    // Records that could not even be decoded travel with the others, so every record is parked
    // or delivered in one place, in order.
    const coalescer = new BatchCoalescer<FetchedRecord>(
      batchSize,
      async (items) => {
        const records = items.filter((item): item is IndexedEvent => 'envelope' in item);
        const undecodable = items.filter((item): item is InvalidRecord => !('envelope' in item));
        const { delivered, invalid: unchecked } = await this.indexAndDeduplicate(records);
        const invalid = [...undecodable, ...unchecked];
        if (invalid.length > 0) {
          if (!options.onInvalid)
            throw new BackboneError(
              'validation_failed',
              `invalid record on the log at ${invalid[0].position}: ${invalid[0].error}`,
            );
          await options.onInvalid(invalid);
        }
        if (delivered.length === 0) return;
        const upTo = new Map<number, number>();
        for (const r of delivered) upTo.set(r.partition, Math.max(r.offset, upTo.get(r.partition) ?? -1));
        await handler(delivered.map(toStored), kafkaToken(upTo));
      },
      failWith,
    );
    // The consumer runs in a thread of its own, which fetches and decodes while this one projects.
    const started = (async () => {
      await this.start();
      if (stopping) return null;
      const fetching: KafkaFetchThread = new KafkaFetchThread(
        {
          brokers: this.options.brokers,
          clientId: this.clientId,
          topic: this.topic,
          groupId: group?.id ?? `journey-reader-${randomUUID()}`,
          maxUntaken: 2 * batchSize,
        },
        {
          assigned: (partitions) => {
            // Records fetched before the reassignment are read again from the checkpoints below.
            coalescer.discard();
            group?.onAssign?.(partitions, partitions.length === this.partitionCount);
            void (async () => {
              const from = group ? parseKafkaToken(await group.resumeFrom()) : resume;
              fetching.seek(new Map(partitions.map((partition) => [partition, (from.get(partition) ?? -1) + 1])));
            })().catch((error: unknown) => failWith(unavailable(error)));
          },
          records: async (records) => {
            if (stopping) return;
            try {
              await coalescer.add(records);
            } catch (error) {
              failWith(error);
            }
          },
          failed: (error) => failWith(unavailable(error)),
        },
      );
      return fetching;
    })();
    started.catch((error: unknown) => failWith(unavailable(error)));
    return { done, stop };
  }

  /**
   * Which records to deliver, and which are not journey events. (partition, offset) is unique in
   * the index and the appender records exactly what it sent, after validating it and checking its
   * claims: a row at a record's place is that record, already checked, and its sequence number is
   * in its header. Nearly always all records are there; only the others (written around the
   * appender, sent by an appender that died before indexing them, or a retried append's copy) are
   * validated, indexed with their claims checked, and looked up by key.
   */
  private async indexAndDeduplicate(
    records: IndexedEvent[],
  ): Promise<{ delivered: IndexedEvent[]; invalid: InvalidRecord[] }> {
    const index = this.options.index;
    // Sent by this process: placed once their index commit is (or was) done; the others are counted in the index.
    const sentHere = records.map((r) => this.indexing.get(kafkaRecordToken(r.partition, r.offset)));
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

  async close(): Promise<void> {
    for (const reader of [...this.readers]) await reader.stop().catch(() => undefined);
    await this.started?.catch(() => undefined);
    for (const producer of [...this.producers.transactional, ...this.producers.plain])
      await producer.disconnect().catch(() => undefined);
    this.producers = { transactional: [], plain: [] };
    await this.admin?.disconnect().catch(() => undefined);
    this.admin = null;
    this.started = null;
    await this.options.index.close();
  }
}
