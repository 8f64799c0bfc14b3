import { Kafka, type Admin } from 'kafkajs';
import type { JourneyEvent } from '#schemas';
import { GroupedCalls } from '#grouped-calls';
import type {
  AppendOptions,
  AppendResult,
  BatchHandler,
  JourneyLog,
  LogSubscription,
  ReadBound,
  StoredEvent,
  SubscribeOptions,
} from '../journey-log.port';
import { writeAppendGroup, type QueuedAppend } from './append-group-writer';
import { kafkaClientConfig } from './kafka-client-config';
import { kafkaPositions, kafkaToken, parseKafkaToken } from './kafka-position';
import { KafkaProducerPool } from './kafka-producer-pool';
import { subscribeToJourneyTopic } from './kafka-subscription';
import { ensureJourneyTopic, journeyPartitioner } from './kafka-topic';
import { unavailable } from './kafka-unavailable';
import type { PostgresEventIndex } from './postgres-event-index';
import { admitFetchedRecords } from './record-admission';
import { SentRecords } from './sent-records';
import { storedFromIndex } from './stored-from-index';

export { JOURNEY_TOPIC_CONFIG } from './kafka-topic';

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
 * Records per append group (one append larger than this goes alone): keeps each partition's batch well under the
 * broker's message.max.bytes.
 */
const MAX_GROUP_EVENTS = 2000;
/**
 * Append groups under way at once. Groups touching the same journey queue on its PostgreSQL
 * lock; the others overlap their PostgreSQL work, and their Kafka sends share transactions.
 */
const MAX_GROUPS_IN_FLIGHT = 4;

/**
 * The journey log on Apache Kafka: one topic, the journey id as key (a journey stays on one
 * partition, in order), CloudEvents binary mode, idempotent producers (acks=all), transactional
 * ones for a batch spanning partitions, so that it is atomic. Kafka cannot look events up by id or by key, so a
 * PostgreSQL index beside it answers idempotency, journey versions and `readJourney`. Its jobs live in their own
 * modules: the topic (`kafka-topic`), the producers (`kafka-producer-pool`), writing an append group
 * (`append-group-writer`), reading (`kafka-subscription`, `record-admission`).
 */
export class KafkaJourneyLog implements JourneyLog {
  readonly kind = 'kafka';
  readonly positions = kafkaPositions;
  readonly topic: string;
  private readonly kafka: Kafka;
  private readonly clientId: string;
  private readonly partitions: number;
  /** One producer of each kind per group in flight, so their sends overlap. */
  private readonly producers: KafkaProducerPool;
  private admin: Admin | null = null;
  private started: Promise<void> | null = null;
  private partitionCount = 0;
  private partitionOf: (journeyId: string) => number = () => 0;
  /**
   * Appends queue up while MAX_GROUPS_IN_FLIGHT groups are being written, and the next group
   * takes them all (up to MAX_GROUP_EVENTS): one PostgreSQL transaction holding every journey's
   * lock, one Kafka send, one index write. A group costs about what a lone append costs, so
   * throughput grows with load instead of being capped by connections held across Kafka round trips.
   */
  private readonly appends = new GroupedCalls<QueuedAppend, AppendResult>(
    (group) =>
      this.sent.track((onSent) =>
        writeAppendGroup(
          { index: this.options.index, producers: this.producers, partitionOf: this.partitionOf },
          group,
          onSent,
        ),
      ),
    {
      maxInFlight: MAX_GROUPS_IN_FLIGHT,
      maxGroupWeight: MAX_GROUP_EVENTS,
      weight: (append) => append.events.length,
      failure: unavailable,
    },
  );
  /** Journey versions asked for together (a producer checking a batch's journeys) are read in one statement. */
  private readonly versionLookups = new GroupedCalls<string, number>(async (journeyIds) => {
    const versions = await this.options.index.versions([...new Set(journeyIds)]);
    return journeyIds.map((journeyId) => versions.get(journeyId) ?? 0);
  });
  /** Subscriptions open on this log, stopped by `close`. */
  private readonly readers = new Set<{ stop(): Promise<void> }>();
  private readonly sent = new SentRecords();

  constructor(private readonly options: KafkaJourneyLogOptions) {
    this.topic = options.topic ?? 'journey-events';
    this.partitions = options.partitions ?? 6;
    this.clientId = options.clientId ?? 'journey-backbone';
    this.kafka = new Kafka(kafkaClientConfig(options.brokers, this.clientId));
    this.producers = new KafkaProducerPool(this.topic, MAX_GROUPS_IN_FLIGHT);
  }

  /** Creates the topic if missing and connects the producers (once). */
  start(): Promise<void> {
    this.started ??= (async () => {
      await this.options.index.migrate();
      const admin = this.kafka.admin();
      await admin.connect();
      this.admin = admin;
      this.partitionCount = await ensureJourneyTopic(admin, this.topic, this.partitions);
      this.partitionOf = journeyPartitioner(this.topic, this.partitionCount);
      await this.producers.connect(this.kafka);
    })().catch((error) => {
      this.started = null;
      throw unavailable(error);
    });
    return this.started;
  }

  async append(events: JourneyEvent[], options: AppendOptions = {}): Promise<AppendResult> {
    await this.start();
    return this.appends.call({ events, options });
  }

  async readJourney(journeyId: string, bound: ReadBound = {}): Promise<StoredEvent[]> {
    const limit = bound.position === undefined ? null : bound.position;
    const limitTime = bound.time === undefined ? undefined : Date.parse(bound.time);
    return (await this.options.index.journey(journeyId))
      .map(storedFromIndex)
      .filter(
        (s) =>
          (limit === null || kafkaPositions.reached(limit, s.position)) &&
          (limitTime === undefined || Date.parse(s.event.time) <= limitTime),
      );
  }

  async readJourneysByPrefix(prefix: string): Promise<StoredEvent[]> {
    return (await this.options.index.journeysByPrefix(prefix)).map(storedFromIndex);
  }

  async journeyVersion(journeyId: string): Promise<number> {
    await this.options.index.migrate();
    return this.versionLookups.call(journeyId);
  }

  async readAll(after: string | null, limit: number): Promise<StoredEvent[]> {
    return (await this.options.index.after(parseKafkaToken(after), limit)).map(storedFromIndex);
  }

  async head(): Promise<string | null> {
    const heads = await this.options.index.heads();
    return heads.size === 0 ? null : kafkaToken(heads);
  }

  subscribe(after: string | null, handler: BatchHandler, options: SubscribeOptions = {}): LogSubscription {
    const source = {
      brokers: this.options.brokers,
      clientId: this.clientId,
      topic: this.topic,
      start: () => this.start(),
      partitionCount: () => this.partitionCount,
      admit: (records: Parameters<typeof admitFetchedRecords>[2]) =>
        admitFetchedRecords(this.options.index, this.sent, records),
      readers: this.readers,
    };
    return subscribeToJourneyTopic(source, after, handler, options);
  }

  async close(): Promise<void> {
    for (const reader of [...this.readers]) await reader.stop().catch(() => undefined);
    await this.started?.catch(() => undefined);
    await this.producers.disconnect();
    await this.admin?.disconnect().catch(() => undefined);
    this.admin = null;
    this.started = null;
    await this.options.index.close();
  }
}
