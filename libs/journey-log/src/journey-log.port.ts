import type { JourneyEvent } from '#schemas';

/** An event as read back from the log: upcast to the latest schema version, with its place in the log. */
export interface StoredEvent {
  event: JourneyEvent;
  /** Opaque position token of this event (see `PositionCodec`). */
  position: string;
  /** 1-based index of the event within its journey (subject). */
  journeyVersion: number;
  /**
   * The order in which the log received its events, across all journeys: larger for an event
   * received later, never reused. SQLite: the position; Kafka: the event index's sequence, taken
   * under the append's locks (see `KafkaJourneyLog`); EventStoreDB: the commit position.
   * "Was this policy published before this order?" is answered with it, on every log alike.
   */
  sequence: number;
  /**
   * Keyed hashes of the personal values a rule compares (by field path: `reason`), set by the personal-data layer:
   * they compare as the values did, and still do once the values are erased.
   */
  lookups?: Readonly<Record<string, string>>;
  /**
   * When the log recorded the event (epoch milliseconds), where the log says it as it is read in order: SQLite's
   * `recorded_at`, the Kafka record's timestamp, EventStoreDB's `created`. For latency, never for order (`sequence`).
   */
  recordedAt?: number;
}

export interface AppendOptions {
  /**
   * Optimistic concurrency: journey id -> the version (number of events) the journey must be at
   * before this append. A mismatch rejects the whole batch with `VersionConflictError`.
   * @defaultValue no check
   */
  expectedVersions?: Record<string, number>;
}

/**
 * Appends are idempotent on (`source`, `id`), the CloudEvents key: an event whose key the log
 * holds with the same content is not appended again (counted in `duplicates`); under a key held
 * with other content, or twice in one batch with different content, the whole batch is refused
 * (`DuplicateIdError`, 409). Each event's claims (`claimsOf`: orders, cases, identities) are
 * checked as it is appended: one held by another customer refuses the whole batch
 * (`ClaimConflictError`, 422).
 */
export interface AppendResult {
  /** Events newly appended (ids seen before are skipped, not appended again). */
  accepted: number;
  duplicates: number;
  /** Position of the last event of the batch, new or already stored: the read-your-writes token. */
  position: string;
  /** Version of each journey touched by the batch after the append. */
  journeyVersions: Record<string, number>;
  /**
   * The `sequence` of each event of the batch, in the batch's order (of the stored event, for a
   * repeat); NaN where the log does not say (a repeat whose sequence was not looked up).
   */
  sequences: number[];
}

/** Upper bound for reading one journey: by fact time (`asOf`) and/or by log position. */
export interface ReadBound {
  time?: string;
  position?: string;
}

/** Orders and checks opaque position tokens of one adapter. */
export interface PositionCodec {
  /** Throws `BackboneError('invalid_position')` when the token is not one of this log's. */
  validate(token: string): void;
  /** Negative, zero or positive, like a sort comparator. */
  compare(a: string, b: string): number;
  /** True once a reader at `current` has seen everything up to and including `target`. */
  reached(current: string | null, target: string): boolean;
  /** How many events lie between `current` and `head` (for lag metrics). */
  distance(current: string | null, head: string | null): number;
  /** Events between `current` and `head` per partition (one entry on an unpartitioned log). */
  lagByPartition(current: string | null, head: string | null): Record<string, number>;
  /** The position that has seen everything `a` and `b` have (per partition, the furthest). */
  merge(a: string | null, b: string): string;
  /** Where a reader resumes so that nothing after any of `positions` is skipped (null: the start). */
  lowest(positions: ReadonlyArray<string | null>): string | null;
}

/** A record that could not be read as a journey event. */
export interface InvalidRecord {
  position: string;
  /** The record's `ce_id` when it has one, else its position. */
  id: string;
  type: string;
  error: string;
}

/**
 * Gets a batch of events and `upTo`, a position that has seen every event of the batch (on a
 * partitioned log a batch may span partitions, so the last event's position is not enough).
 */
export type BatchHandler = (batch: StoredEvent[], upTo: string) => Promise<void>;

export interface LogSubscription {
  /** Stops delivering; resolves once the batch in flight (if any) has been handled. */
  stop(): Promise<void>;
  /** Rejects when the handler throws: the subscription stops rather than skip events. */
  readonly done: Promise<void>;
}

export interface SubscribeOptions {
  /** @defaultValue 1000 */
  batchSize?: number;
  /**
   * Readers with the same group id share the log's partitions (a Kafka consumer group) and take
   * over those of a reader that dies. On a log without partitions there is one reader per group.
   */
  /**
   * Records on the log that are not valid journey events (a log other writers can reach, like a
   * Kafka topic): reported here, with their position, instead of stopping the subscription.
   */
  onInvalid?: (records: InvalidRecord[]) => Promise<void>;
  group?: {
    id: string;
    /**
     * Called when partitions are (re)assigned, before any of their events is delivered; `all`:
     * they are every partition of the log (no other member of the group has any).
     */
    onAssign?: (partitions: number[], all: boolean) => void;
    /** Where assigned partitions resume; read when they are assigned (e.g. committed checkpoints). */
    resumeFrom: () => Promise<string | null>;
  };
}

/** The one shared log every touchpoint writes to and every projection reads from. */
export interface JourneyLog {
  readonly kind: string;
  readonly positions: PositionCodec;
  /** Appends atomically: all events of the batch or none. Idempotent on event id. */
  append(events: JourneyEvent[], options?: AppendOptions): Promise<AppendResult>;
  /** The events of one journey in log order, optionally bounded by fact time and/or position. */
  readJourney(journeyId: string, bound?: ReadBound): Promise<StoredEvent[]>;
  /**
   * The events of every journey whose id starts with `prefix` (the policies: `policy/`), in the
   * order the log received them (by `sequence`).
   */
  readJourneysByPrefix(prefix: string): Promise<StoredEvent[]>;
  /** Current version (event count) of a journey; 0 when it has none. */
  journeyVersion(journeyId: string): Promise<number>;
  /**
   * Up to `limit` events not yet covered by `after` (null = from the start), in log order (per
   * partition on a partitioned log). Page on with `after` merged with each returned position.
   */
  readAll(after: string | null, limit: number): Promise<StoredEvent[]>;
  /** Delivers every event after `after` in log order, then new ones as they are appended. */
  subscribe(after: string | null, handler: BatchHandler, options?: SubscribeOptions): LogSubscription;
  /** Position of the last event, null for an empty log. */
  head(): Promise<string | null>;
  close(): Promise<void>;
}
