import { EventEmitter } from 'node:events';
import type { InvalidRecord, JourneyLog, LogSubscription, StoredEvent } from '../../journey-log/src';
import type { Checkpoint, ProjectionsLock, ReadStore, StoredDocument } from '../../read-store/src';
import { applyEvents, documentKey, requiredDocuments, splitDocumentKey } from './apply-events';
import type { Projection } from './projection';

export interface ProjectionRunnerOptions {
  log: JourneyLog;
  store: ReadStore;
  /** In dependency order: a projection may read only those before it. */
  projections: readonly Projection<any>[];
  /** Events read and committed per transaction. @defaultValue 5000 */
  batchSize?: number;
  /**
   * Documents kept in memory between batches. Safe because the runner is the only writer of its
   * projections' documents; cleared on any failed commit. @defaultValue 5000
   */
  cacheSize?: number;
  /**
   * Run as one of several runners sharing the log's partitions (a Kafka consumer group with this
   * id). Checkpoints merge per partition in the store; caches are dropped on every reassignment.
   */
  group?: string;
  /**
   * Hold the store's projections lock alone (a rebuild, the projections' only writer) rather than
   * shared with other projectors. @defaultValue false
   */
  exclusive?: boolean;
  /** Delay before resubscribing after a failed batch. @defaultValue 1000 */
  retryDelayMs?: number;
  logger?: Pick<Console, 'log' | 'error'>;
}

/** Where records that are not valid journey events are parked. */
export const INVALID_RECORDS = '(log)';

/** Past this many documents a rebuilding projection goes back to reading misses from the store. */
const MAX_REBUILD_KEYS = 2_000_000;

/** Emitted after each committed batch. */
export interface CommittedBatch {
  position: string;
  /** Changed documents, by projection. */
  changed: Map<string, Set<string>>;
}

/**
 * Runs projections from their checkpoints: reads a batch from the log, evolves the documents,
 * then commits documents, parked events and checkpoints in one read-store transaction, so a crash
 * at any point resumes from the last commit with nothing lost or applied twice.
 */
export class ProjectionRunner extends EventEmitter {
  /** What each projection has applied (committed, or in the commit under way): later batches build on it. */
  private readonly checkpoints = new Map<string, string | null>();
  /** What each projection has committed. */
  private readonly committed = new Map<string, string | null>();
  /**
   * The commit under way, with the documents it writes. The next batch is loaded and applied
   * meanwhile (reading those documents from here, not from the store), then waits for it: the
   * projector's CPU work overlaps the store's I/O, and commits stay in log order, one at a time.
   */
  private inFlight: { done: Promise<void>; documents: Map<string, StoredDocument> } | null = null;
  /** Subscriptions already failed and being recovered (a failure is reported by both the commit and the next batch). */
  private readonly failed = new WeakSet<LogSubscription>();
  private readonly cache = new Map<string, StoredDocument>();
  /**
   * Projections being rebuilt from an empty store, with every key this runner has written since:
   * a key not in it cannot exist, so a rebuild reads nothing back (single writer, like the cache).
   */
  private readonly rebuilding = new Map<string, Set<string>>();
  private subscription: LogSubscription | null = null;
  /** Set when the group reassigns partitions: reload checkpoints before the next batch. */
  private reassigned = false;
  /** In a group: the last assignment gave this runner every partition. */
  private holdsAll = false;
  private stopped = true;
  /** The store's projections lock, held from start to stop. */
  private lock: ProjectionsLock | null = null;
  private readonly projections: readonly Projection<any>[];

  constructor(private readonly options: ProjectionRunnerOptions) {
    super();
    this.projections = options.projections;
    const seen = new Set<string>();
    for (const projection of this.projections) {
      if (seen.has(projection.name)) throw new Error(`projection ${projection.name} is registered twice`);
      for (const read of projection.reads ?? []) {
        if (!seen.has(read.projection)) {
          throw new Error(`projection ${projection.name} reads ${read.projection}, which must be registered before it`);
        }
      }
      seen.add(projection.name);
    }
  }

  /**
   * Takes the store's projections lock (refused with `projections_locked` while a rebuild holds it,
   * or, for an exclusive runner, while projectors do), loads checkpoints, rebuilds projections whose
   * version changed, and starts following the log.
   */
  async start(): Promise<void> {
    this.lock ??= await this.options.store.lockProjections(this.options.exclusive ? 'exclusive' : 'shared');
    try {
      await this.loadCheckpoints();
    } catch (error) {
      await this.releaseLock();
      throw error;
    }
    this.stopped = false;
    this.follow();
  }

  private async loadCheckpoints(): Promise<void> {
    for (const projection of this.projections) {
      const saved = await this.options.store.checkpoint(projection.name);
      if (!saved || saved.version !== projection.version) {
        if (saved) this.logger.log(`projection ${projection.name}: v${saved.version} -> v${projection.version}, rebuilding from the start`);
        await this.options.store.reset(projection.name, projection.version);
        this.checkpoints.set(projection.name, null);
        this.committed.set(projection.name, null);
        // With other writers in the group, a key this runner has not written may still exist.
        if (!this.options.group) this.rebuilding.set(projection.name, new Set());
      } else {
        this.checkpoints.set(projection.name, saved.position);
        this.committed.set(projection.name, saved.position);
      }
    }
  }

  /** Drops one projection's documents and replays it from the start of the log. */
  async rebuild(name: string): Promise<void> {
    const projection = this.projections.find((p) => p.name === name);
    if (!projection) throw new Error(`unknown projection ${name}`);
    await this.subscription?.stop();
    await this.settled();
    await this.options.store.reset(name, projection.version);
    this.checkpoints.set(name, null);
    this.committed.set(name, null);
    this.rebuilding.set(name, new Set());
    this.cache.clear();
    if (!this.stopped) this.follow();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.holdsAll = false;
    await this.subscription?.stop();
    await this.settled();
    this.subscription = null;
    await this.releaseLock();
  }

  private async releaseLock(): Promise<void> {
    const lock = this.lock;
    this.lock = null;
    await lock?.release();
  }

  /** The projection's committed position. */
  position(projection: string): string | null {
    return this.committed.get(projection) ?? null;
  }

  /**
   * No other runner moves these projections' checkpoints now: there is no group, or this runner
   * holds every partition of it (its positions were merged with the stored ones on assignment).
   */
  alone(): boolean {
    return !this.stopped && (!this.options.group || this.holdsAll);
  }

  /** Resolves once no commit is under way (whether it succeeded or not). */
  private async settled(): Promise<void> {
    while (this.inFlight) await this.inFlight.done.catch(() => undefined);
  }

  private get logger() {
    return this.options.logger ?? console;
  }

  private lowestCheckpoint(): string | null {
    return this.options.log.positions.lowest([...this.checkpoints.values()]);
  }

  private follow(): void {
    const group = this.options.group;
    const subscription = this.options.log.subscribe(this.lowestCheckpoint(), (batch, upTo) => this.handle(batch, upTo), {
      batchSize: this.options.batchSize ?? 5000,
      onInvalid: (records) => this.parkInvalid(records),
      group: group
        ? {
            id: group,
            onAssign: (_partitions, all) => {
              // Another runner may have moved these partitions on: forget what we held.
              this.reassigned = true;
              this.holdsAll = all;
              this.cache.clear();
            },
            resumeFrom: async () => {
              await this.settled();
              await this.reloadCheckpoints();
              return this.lowestCheckpoint();
            },
          }
        : undefined,
    });
    this.subscription = subscription;
    subscription.done.catch((error: unknown) => this.recover(subscription, error));
  }

  /** After a failed batch or commit: drop what is in memory and follow again from the committed checkpoints. */
  private recover(subscription: LogSubscription, error: unknown): void {
    if (this.stopped || this.subscription !== subscription || this.failed.has(subscription)) return;
    this.failed.add(subscription);
    // Until it joins again, others may hold the partitions.
    this.holdsAll = false;
    void subscription.stop();
    this.logger.error(`projection batch failed, retrying from the last checkpoint: ${String(error)}`);
    this.cache.clear();
    this.rebuilding.clear();
    this.emit('error-retry', error);
    const retry = () => {
      if (this.stopped || this.subscription !== subscription) return;
      void this.settled().then(() => this.reloadCheckpoints()).then(
        () => this.follow(),
        (reloadError: unknown) => {
          // The store is unreachable too: keep trying, never crash the process over it.
          this.logger.error(`cannot reload checkpoints, retrying: ${String(reloadError)}`);
          setTimeout(retry, this.options.retryDelayMs ?? 1000);
        },
      );
    };
    setTimeout(retry, this.options.retryDelayMs ?? 1000);
  }

  /** Records that are not journey events are parked once, under the log itself, and skipped. */
  private async parkInvalid(records: InvalidRecord[]): Promise<void> {
    const parked = records.map((r) => ({ projection: INVALID_RECORDS, position: r.position, eventId: r.id, type: r.type, error: r.error }));
    await this.options.store.commit({ documents: [], checkpoints: [], parked });
    for (const p of parked) this.logger.error(`parked invalid record ${p.eventId} at ${p.position}: ${p.error}`);
  }

  private async reloadCheckpoints(): Promise<void> {
    for (const checkpoint of await this.options.store.checkpoints()) {
      if (this.checkpoints.has(checkpoint.projection)) {
        this.checkpoints.set(checkpoint.projection, checkpoint.position);
        this.committed.set(checkpoint.projection, checkpoint.position);
      }
    }
  }

  private async handle(batch: StoredEvent[], upTo: string): Promise<void> {
    const { log, store } = this.options;
    if (this.reassigned) {
      this.reassigned = false;
      await this.settled();
      this.cache.clear();
      await this.reloadCheckpoints();
    }
    const previous = this.inFlight;
    const positions = log.positions;
    const pending = (projection: Projection<any>, stored: StoredEvent) => {
      const checkpoint = this.checkpoints.get(projection.name) ?? null;
      return !positions.reached(checkpoint, stored.position);
    };
    const working = new Map<string, StoredDocument>();
    for (const [projection, ids] of requiredDocuments(this.projections, batch, pending)) {
      const missing: string[] = [];
      const written = this.rebuilding.get(projection);
      for (const id of ids) {
        const key = documentKey(projection, id);
        const cached = previous?.documents.get(key) ?? this.cache.get(key);
        if (cached) working.set(key, cached);
        else if (!written || written.has(id)) missing.push(id);
      }
      if (missing.length === 0) continue;
      for (const [id, doc] of await store.getMany(projection, missing)) working.set(documentKey(projection, id), doc);
    }
    const outcome = applyEvents(this.projections, batch, working, { positions, checkpoints: this.checkpoints });
    const last = upTo;
    const checkpoints: Checkpoint[] = [];
    for (const projection of this.projections) {
      const current = this.checkpoints.get(projection.name) ?? null;
      if (!positions.reached(current, last)) {
        checkpoints.push({ projection: projection.name, version: projection.version, position: positions.merge(current, last) });
      }
    }
    const documents = [...outcome.changed].map((key) => {
      const { projection, id } = splitDocumentKey(key);
      const doc = working.get(key)!;
      return { projection, id, value: doc.value, position: doc.position };
    });
    // Applied: the next batch builds on this state while it is being committed.
    for (const doc of documents) this.rebuilding.get(doc.projection)?.add(doc.id);
    for (const [projection, written] of this.rebuilding) {
      if (written.size > MAX_REBUILD_KEYS) this.rebuilding.delete(projection);
    }
    for (const c of checkpoints) this.checkpoints.set(c.projection, c.position);
    this.remember(working);
    const written = new Map<string, StoredDocument>();
    for (const key of outcome.changed) written.set(key, working.get(key)!);
    // Commits go one at a time, in order: a failed one fails this batch too.
    if (previous) await previous.done;
    const subscription = this.subscription;
    // Alone, the runner's checkpoints are the stored ones: only runners sharing the partitions merge.
    const mergePositions = this.options.group ? positions.merge : undefined;
    const done = store.commit({ documents, checkpoints, parked: outcome.parked, mergePositions }).then(
      () => {
        for (const c of checkpoints) this.committed.set(c.projection, c.position);
        for (const p of outcome.parked) {
          this.logger.error(`projection ${p.projection} parked event ${p.eventId} (${p.type}) at ${p.position}: ${p.error}`);
        }
        const changed = new Map<string, Set<string>>();
        for (const key of outcome.changed) {
          const { projection, id } = splitDocumentKey(key);
          let ids = changed.get(projection);
          if (!ids) changed.set(projection, (ids = new Set()));
          ids.add(id);
        }
        this.emit('committed', { position: last, changed } satisfies CommittedBatch);
      },
      (error: unknown) => {
        this.cache.clear();
        this.rebuilding.clear();
        if (subscription) this.recover(subscription, error);
        throw error;
      },
    );
    const commit = { done, documents: written };
    this.inFlight = commit;
    void done.then(
      () => {
        if (this.inFlight === commit) this.inFlight = null;
      },
      () => {
        if (this.inFlight === commit) this.inFlight = null;
      },
    );
  }

  private remember(working: Map<string, StoredDocument>): void {
    const limit = this.options.cacheSize ?? 5000;
    for (const [key, doc] of working) {
      this.cache.delete(key);
      this.cache.set(key, doc);
    }
    // Map iteration order is insertion order: the oldest entries go first.
    for (const key of this.cache.keys()) {
      if (this.cache.size <= limit) break;
      this.cache.delete(key);
    }
  }
}
