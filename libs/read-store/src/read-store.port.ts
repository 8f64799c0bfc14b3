import type { KeyStore } from './key-store.port';

/** A projection's document as kept in the read store. */
export interface StoredDocument<T = unknown> {
  value: T;
  /** Position of the last event applied to this document (per-document idempotency). */
  position: string | null;
}

export interface DocumentWrite {
  projection: string;
  id: string;
  /** `null` deletes the document. */
  value: unknown;
  position: string | null;
}

export interface Checkpoint {
  projection: string;
  version: number;
  /** Position of the last event the projection has processed; null before the first. */
  position: string | null;
  /** When the store last wrote it (ISO-8601), as read back; ignored on writes (the store sets it). */
  updatedAt?: string;
}

/** An event a projection could not apply: kept with its error so the projection can go on. */
export interface ParkedEvent {
  projection: string;
  position: string;
  eventId: string;
  type: string;
  error: string;
}

/** Everything one batch of projection work changes; committed atomically. */
export interface ProjectionCommit {
  documents: DocumentWrite[];
  checkpoints: Checkpoint[];
  parked: ParkedEvent[];
  /** Parked events to forget (by consumer and event id): replayed, or given up by an operator. @defaultValue none */
  unparked?: ReadonlyArray<{ projection: string; eventId: string }>;
  /**
   * Combines the stored checkpoint with the new one inside the transaction, so that runners
   * sharing a projection's partitions each advance only their own (a consumer group).
   * @defaultValue the new position replaces the stored one
   */
  mergePositions?: (stored: string | null, next: string) => string;
}

/** A document's address: its projection and id. */
export interface DocumentAddress {
  projection: string;
  id: string;
}

/** Documents read together with a checkpoint: none of them is older than that checkpoint. */
export interface DocumentsAtCheckpoint {
  checkpoint: Checkpoint | undefined;
  /** In the order asked for; `undefined` where there is no such document. */
  documents: Array<StoredDocument | undefined>;
}

/** See `ReadStore.lockProjections`. */
export type ProjectionsLockMode = 'shared' | 'exclusive';

export interface ProjectionsLock {
  release(): Promise<void>;
}

/** Where projections keep their documents and checkpoints. */
/** One read of a customer's data (the access design's record: who read whom, where, why, at which position). */
export interface AccessRecord {
  /** ISO-8601 UTC. */
  at: string;
  /** The key id or the JWT `sub` (`anonymous` while auth is off). */
  credential: string;
  customerId: string;
  /** The route read, as declared (`/v1/orders/{orderId}`). */
  route: string;
  channel: string | null;
  /** The request's `Journey-Purpose` header. */
  purpose: string | null;
  position: string | null;
}

export interface ReadStore {
  readonly kind: string;
  get<T>(projection: string, id: string): Promise<StoredDocument<T> | undefined>;
  getMany<T>(projection: string, ids: readonly string[]): Promise<Map<string, StoredDocument<T>>>;
  /** The positions of documents (what was last applied to each), without their values: cheap, to notice changes. */
  documentPositions(projection: string, ids: readonly string[]): Promise<Map<string, string | null>>;
  /**
   * Documents of any projections and the checkpoint of `checkpointOf`, read as one (one statement,
   * one snapshot): a reader reporting that checkpoint as its position never overstates what it shows.
   */
  getAtCheckpoint(checkpointOf: string, documents: readonly DocumentAddress[]): Promise<DocumentsAtCheckpoint>;
  /** Documents of one projection in id order (by code point), `limit` at a time after `afterId`. */
  list<T>(
    projection: string,
    afterId: string | null,
    limit: number,
  ): Promise<Array<{ id: string } & StoredDocument<T>>>;
  /** The other way: documents of one projection with ids before `beforeId`, highest first, `limit` at a time. */
  listBefore<T>(
    projection: string,
    beforeId: string,
    limit: number,
  ): Promise<Array<{ id: string } & StoredDocument<T>>>;
  /**
   * Writes documents, checkpoints and parked events in one transaction: all or nothing. Rejects
   * with `store_unavailable` (retriable) when the store cannot be reached or is busy; any other
   * rejection is the store refusing this change (the same change would be refused again).
   */
  commit(change: ProjectionCommit): Promise<void>;
  checkpoint(projection: string): Promise<Checkpoint | undefined>;
  checkpoints(): Promise<Checkpoint[]>;
  /** Drops a projection's documents and parked events and sets its checkpoint to the start. */
  reset(projection: string, version: number): Promise<void>;
  parked(projection?: string): Promise<ParkedEvent[]>;
  parkedCounts(): Promise<Record<string, number>>;
  /**
   * Projectors hold this lock shared while they run; a rebuild holds it alone, as the projections'
   * only writer. Refused at once (`projections_locked`) while another holder has it in the other
   * mode; released by `release`, or when the holder's process ends, however it ends.
   */
  lockProjections(mode: ProjectionsLockMode): Promise<ProjectionsLock>;
  /** Keeps access records (durably once this resolves). */
  recordAccess(records: readonly AccessRecord[]): Promise<void>;
  /** A customer's access records, newest first, `at` in [from, to) when given, at most `limit`. */
  accessLog(customerId: string, range: { from?: string; to?: string; limit: number }): Promise<AccessRecord[]>;
  /** Forgets records older than `before` (retention); answers how many. */
  pruneAccessLog(before: string): Promise<number>;
  /** The personal-data key store beside this store (same file or schema; closed with it). */
  keyStore(): KeyStore;
  close(): Promise<void>;
}
