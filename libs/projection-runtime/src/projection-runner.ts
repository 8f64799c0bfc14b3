import { EventEmitter } from 'node:events';
import { storableText } from '#schemas';
import { isBackboneError } from '#errors';
import type { InvalidRecord, JourneyLog, LogSubscription, StoredEvent } from '#journey-log';
import { errorFields, silentLogger, type StructuredLogger } from '#logging';
import type { Checkpoint, DocumentWrite, ParkedEvent, ProjectionsLock, ReadStore, StoredDocument } from '#read-store';
import { applyEvents, documentKey, requiredDocuments, splitDocumentKey } from './apply-events';
import type { Projection } from './projection';

export interface ProjectionRunnerOptions {
  log: JourneyLog;
  store: ReadStore;
  /** In dependency order: a projection may read only those before it. */
  projections: readonly Projection[];
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
  /**
   * Delay before resubscribing after a failed batch; doubled on each failure in a row, up to 30 s. @defaultValue 1000
   */
  retryDelayMs?: number;
  /** @defaultValue no logging */
  logger?: StructuredLogger;
}

/** Longest pause between two attempts while the log or the store stays unreachable. */
const MAX_RETRY_DELAY_MS = 30_000;

/**
 * The log or the store could not be reached: worth trying the same work again later. Anything
 * else a commit throws is the store refusing what it was given, which trying again cannot change.
 */
function unreachable(error: unknown): boolean {
  return isBackboneError(error, 'store_unavailable') || isBackboneError(error, 'log_unavailable');
}

/** A parked event's fields as any store can keep them: what could not be stored may be in its id or error. */
function storableParked(p: ParkedEvent): ParkedEvent {
  return {
    projection: p.projection,
    position: storableText(p.position),
    eventId: storableText(p.eventId),
    type: storableText(p.type),
    error: storableText(p.error),
  };
}

/** Where records that are not valid journey events are parked. */
export const INVALID_RECORDS = '(log)';

/** Past this many documents a rebuilding projection goes back to reading misses from the store. */
const MAX_REBUILD_KEYS = 2_000_000;

/** Emitted after each committed batch. */
/** A batch's commit under way, with the documents it writes (the next batch reads them from here). */
interface InFlightCommit {
  done: Promise<void>;
  documents: Map<string, StoredDocument>;
}

/** What applying a batch produced, to be committed. */
interface AppliedBatch {
  checkpoints: Checkpoint[];
  documents: DocumentWrite[];
  parked: ParkedEvent[];
  changed: Set<string>;
  written: Map<string, StoredDocument>;
}

export interface CommittedBatch {
  position: string;
  /** Changed documents, by projection. */
  changed: Map<string, Set<string>>;
  /** The batch's events (visible to readers from now on). */
  events: readonly StoredEvent[];
  /** From the batch reaching the runner to its commit. */
  seconds: number;
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
  private inFlight: InFlightCommit | null = null;
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
  /** Set after the store refused a commit: events up to here are committed carefully (see `commitCarefully`). */
  private carefulUntil: string | null = null;
  /** Failed attempts since the last commit: the pause before the next one grows with them. */
  private failuresInARow = 0;
  /** Moves on at every recovery: work begun before it is void (see `assertCurrent`). */
  private generation = 0;
  private stopped = true;
  /** The store's projections lock, held from start to stop. */
  private lock: ProjectionsLock | null = null;
  private readonly projections: readonly Projection[];

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
        if (saved)
          this.logger.info(
            { projection: projection.name, from: saved.version, to: projection.version },
            'projection version changed: rebuilding from the start',
          );
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

  private get logger(): StructuredLogger {
    return this.options.logger ?? silentLogger;
  }

  private lowestCheckpoint(): string | null {
    return this.options.log.positions.lowest([...this.checkpoints.values()]);
  }

  private follow(): void {
    const group = this.options.group;
    const subscription = this.options.log.subscribe(
      this.lowestCheckpoint(),
      (batch, upTo) => this.handle(batch, upTo),
      {
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
      },
    );
    this.subscription = subscription;
    subscription.done.catch((error: unknown) => this.recover(subscription, error));
  }

  /**
   * After a failed batch or commit: drop what is in memory and follow again from the committed
   * checkpoints, after a pause that grows while failures go on. A commit the store refused (not
   * one it could not take for being unreachable) would be refused again: the events up to it are
   * then committed carefully (`commitCarefully`), so the one that cannot be stored is found and parked.
   */
  private recover(subscription: LogSubscription, error: unknown, refusedUpTo?: string): void {
    if (this.stopped || this.subscription !== subscription || this.failed.has(subscription)) return;
    this.failed.add(subscription);
    // Batches of the failed subscription still under way must change nothing from here on.
    this.generation++;
    // Until it joins again, others may hold the partitions.
    this.holdsAll = false;
    void subscription.stop();
    if (refusedUpTo !== undefined && !unreachable(error)) {
      this.carefulUntil =
        this.carefulUntil === null ? refusedUpTo : this.options.log.positions.merge(this.carefulUntil, refusedUpTo);
    }
    const delay = Math.min(
      MAX_RETRY_DELAY_MS,
      (this.options.retryDelayMs ?? 1000) * 2 ** Math.min(this.failuresInARow, 10),
    );
    this.failuresInARow++;
    this.logger.error(
      {
        code: isBackboneError(error) ? error.code : 'projection_failed',
        retryInMs: delay,
        failuresInARow: this.failuresInARow,
        careful: this.carefulUntil !== null,
        error: errorFields(error),
      },
      'projection batch failed; resuming from the last checkpoint',
    );
    this.cache.clear();
    this.rebuilding.clear();
    this.emit('error-retry', error);
    const retry = () => {
      if (this.stopped || this.subscription !== subscription) return;
      void this.settled()
        .then(() => this.reloadCheckpoints())
        .then(
          () => {
            this.cache.clear();
            this.rebuilding.clear();
            this.follow();
          },
          (reloadError: unknown) => {
            // The store is unreachable too: keep trying, never crash the process over it.
            this.logger.error(
              { code: 'store_unavailable', retryInMs: delay, error: errorFields(reloadError) },
              'cannot reload checkpoints; retrying',
            );
            setTimeout(retry, delay);
          },
        );
    };
    setTimeout(retry, delay);
  }

  /** Records that are not journey events are parked once, under the log itself, and skipped. */
  private async parkInvalid(records: InvalidRecord[]): Promise<void> {
    const parked = records.map((r) =>
      storableParked({
        projection: INVALID_RECORDS,
        position: r.position,
        eventId: r.id,
        type: r.type,
        error: r.error,
      }),
    );
    await this.options.store.commit({ documents: [], checkpoints: [], parked });
    for (const p of parked)
      this.logger.warn(
        { projection: INVALID_RECORDS, position: p.position },
        'parked a record that is not a journey event',
      );
  }

  private async reloadCheckpoints(): Promise<void> {
    for (const checkpoint of await this.options.store.checkpoints()) {
      if (this.checkpoints.has(checkpoint.projection)) {
        this.checkpoints.set(checkpoint.projection, checkpoint.position);
        this.committed.set(checkpoint.projection, checkpoint.position);
      }
    }
  }

  /** Checkpoints that move each projection on to `upTo` (merged: on a partitioned log, per partition). */
  private checkpointsUpTo(upTo: string): Checkpoint[] {
    const positions = this.options.log.positions;
    const checkpoints: Checkpoint[] = [];
    for (const projection of this.projections) {
      const current = this.checkpoints.get(projection.name) ?? null;
      if (!positions.reached(current, upTo))
        checkpoints.push({
          projection: projection.name,
          version: projection.version,
          position: positions.merge(current, upTo),
        });
    }
    return checkpoints;
  }

  /** The changed documents of a working set, as the store writes them. */
  private documentWrites(changed: Set<string>, working: Map<string, StoredDocument>): DocumentWrite[] {
    return [...changed].map((key) => {
      const { projection, id } = splitDocumentKey(key);
      const doc = working.get(key)!;
      return { projection, id, value: doc.value, position: doc.position };
    });
  }

  /** After a commit: what is committed now, and who should hear of it. */
  private committedBatch(
    position: string,
    checkpoints: readonly Checkpoint[],
    changedKeys: Iterable<string>,
    parked: readonly ParkedEvent[],
    batch: { events: readonly StoredEvent[]; startedAt: number },
  ): void {
    for (const c of checkpoints) this.committed.set(c.projection, c.position);
    this.failuresInARow = 0;
    for (const p of parked)
      this.logger.warn(
        { projection: p.projection, position: p.position, type: p.type },
        'parked an event the projection could not apply',
      );
    const changed = new Map<string, Set<string>>();
    for (const key of changedKeys) {
      const { projection, id } = splitDocumentKey(key);
      let ids = changed.get(projection);
      if (!ids) changed.set(projection, (ids = new Set()));
      ids.add(id);
    }
    const seconds = (performance.now() - batch.startedAt) / 1000;
    this.emit('committed', { position, changed, events: batch.events, seconds } satisfies CommittedBatch);
  }

  /**
   * One batch from the subscription: applied over the documents it needs (from the commit in flight, the cache or the
   * store), then committed after the commit before it; the next batch may be applied meanwhile.
   */
  private async handle(batch: StoredEvent[], upTo: string): Promise<void> {
    const startedAt = performance.now();
    const generation = this.generation;
    if (await this.handledCarefully(batch, upTo)) return;
    const previous = this.inFlight;
    const working = await this.loadWorkingSet(batch, previous);
    // A failure meanwhile (of the commit before this batch) dropped the state this batch builds on:
    // its documents hold what was never committed, and must not reach the cache.
    this.assertCurrent(generation);
    const applied = this.applyBatch(batch, upTo, working);
    // Commits go one at a time, in order: a failed one fails this batch too.
    if (previous) await previous.done;
    this.assertCurrent(generation);
    this.startCommit(applied, upTo, { events: batch, startedAt });
  }

  /**
   * After a reassignment, the checkpoints are read anew; while some projection is behind the others (`carefulUntil`),
   * batches are applied from the store and committed one by one. True when this batch was handled so.
   */
  private async handledCarefully(batch: StoredEvent[], upTo: string): Promise<boolean> {
    if (this.reassigned) {
      this.reassigned = false;
      await this.settled();
      this.cache.clear();
      await this.reloadCheckpoints();
    }
    if (this.carefulUntil === null) return false;
    await this.settled();
    if (!this.options.log.positions.reached(this.lowestCheckpoint(), this.carefulUntil)) {
      await this.commitCarefully(batch, upTo);
      return true;
    }
    this.carefulUntil = null;
    return false;
  }

  /** The documents the batch reads or changes: from the commit in flight, the cache, else the store. */
  private async loadWorkingSet(
    batch: StoredEvent[],
    previous: InFlightCommit | null,
  ): Promise<Map<string, StoredDocument>> {
    const positions = this.options.log.positions;
    const pending = (projection: Projection, stored: StoredEvent) => {
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
      for (const [id, doc] of await this.options.store.getMany(projection, missing))
        working.set(documentKey(projection, id), doc);
    }
    return working;
  }

  /** Applies the batch: the next batch builds on this state (checkpoints, cache) while it is being committed. */
  private applyBatch(batch: StoredEvent[], upTo: string, working: Map<string, StoredDocument>): AppliedBatch {
    const outcome = applyEvents(this.projections, batch, working, {
      positions: this.options.log.positions,
      checkpoints: this.checkpoints,
    });
    const checkpoints = this.checkpointsUpTo(upTo);
    const documents = this.documentWrites(outcome.changed, working);
    const parked = outcome.parked.map(storableParked);
    for (const doc of documents) this.rebuilding.get(doc.projection)?.add(doc.id);
    for (const [projection, written] of this.rebuilding) {
      if (written.size > MAX_REBUILD_KEYS) this.rebuilding.delete(projection);
    }
    for (const c of checkpoints) this.checkpoints.set(c.projection, c.position);
    this.remember(working);
    const written = new Map<string, StoredDocument>();
    for (const key of outcome.changed) written.set(key, working.get(key)!);
    return { checkpoints, documents, parked, changed: outcome.changed, written };
  }

  /** Commits an applied batch; on failure, forgets what was applied on top of the store and recovers. */
  private startCommit(applied: AppliedBatch, upTo: string, batch: { events: StoredEvent[]; startedAt: number }): void {
    const { checkpoints, documents, parked, changed, written } = applied;
    const subscription = this.subscription;
    const done = this.options.store
      .commit({ documents, checkpoints, parked, mergePositions: this.mergePositions() })
      .then(
        () => this.committedBatch(upTo, checkpoints, changed, parked, batch),
        (error: unknown) => {
          this.cache.clear();
          this.rebuilding.clear();
          if (subscription) this.recover(subscription, error, upTo);
          throw error;
        },
      );
    const commit: InFlightCommit = { done, documents: written };
    this.inFlight = commit;
    const clear = () => {
      if (this.inFlight === commit) this.inFlight = null;
    };
    void done.then(clear, clear);
  }

  /** Throws when the runner has recovered from a failure since `generation`: the caller's batch is void. */
  private assertCurrent(generation: number): void {
    if (generation !== this.generation)
      throw new Error('batch of a subscription that has failed since; it is read again');
  }

  /** Alone, the runner's checkpoints are the stored ones: only runners sharing the partitions merge. */
  private mergePositions() {
    const positions = this.options.log.positions;
    return this.options.group ? (a: string | null, b: string) => positions.merge(a, b) : undefined;
  }

  /**
   * Applies `events` to `projections` over documents read from the store (nothing from memory: the
   * attempt before may have left state that was never committed) and commits them, with
   * checkpoints moved to `upTo` (none when null), in one transaction.
   */
  private async applyAndCommit(
    events: StoredEvent[],
    upTo: string | null,
    projections: readonly Projection[],
    extraParked: ParkedEvent[] = [],
  ): Promise<void> {
    const startedAt = performance.now();
    const { log, store } = this.options;
    const pending = (projection: Projection, stored: StoredEvent) =>
      !log.positions.reached(this.committed.get(projection.name) ?? null, stored.position);
    const working = new Map<string, StoredDocument>();
    for (const [projection, ids] of requiredDocuments(this.projections, events, pending)) {
      for (const [id, doc] of await store.getMany(projection, [...ids])) working.set(documentKey(projection, id), doc);
    }
    const outcome = applyEvents(projections, events, working, {
      positions: log.positions,
      checkpoints: this.committed,
    });
    const checkpoints = upTo === null ? [] : this.checkpointsUpTo(upTo);
    const parked = [...outcome.parked, ...extraParked].map(storableParked);
    await store.commit({
      documents: this.documentWrites(outcome.changed, working),
      checkpoints,
      parked,
      mergePositions: this.mergePositions(),
    });
    for (const c of checkpoints) this.checkpoints.set(c.projection, c.position);
    // Events become visible with the commit that moves the checkpoints past them (not with one projection's apart).
    this.committedBatch(upTo ?? events[events.length - 1].position, checkpoints, outcome.changed, parked, {
      events: upTo === null ? [] : events,
      startedAt,
    });
  }

  /**
   * Commits `events` after a commit of them was refused: whole if the store takes them now, else
   * halved until the event it refuses is alone; that event is applied to each projection apart,
   * and parked (with the store's error) in the projections whose change the store refuses, while
   * the others keep it. One event that cannot be stored never stops the projections.
   */
  private async commitCarefully(events: StoredEvent[], upTo: string): Promise<void> {
    try {
      await this.applyAndCommit(events, upTo, this.projections);
      return;
    } catch (error) {
      if (unreachable(error)) throw error;
    }
    if (events.length > 1) {
      const first = events.slice(0, Math.ceil(events.length / 2));
      const covering = first.reduce<string | null>(
        (at, stored) => this.options.log.positions.merge(at, stored.position),
        null,
      )!;
      await this.commitCarefully(first, covering);
      await this.commitCarefully(events.slice(first.length), upTo);
      return;
    }
    const [stored] = events;
    const refused: ParkedEvent[] = [];
    for (const projection of this.projections) {
      if (!projection.canHandle.includes(stored.event.type)) continue;
      try {
        await this.applyAndCommit(events, null, [projection]);
      } catch (error) {
        if (unreachable(error)) throw error;
        refused.push({
          projection: projection.name,
          position: stored.position,
          eventId: stored.event.id,
          type: stored.event.type,
          error: `the read store refused this event's change: ${storeErrorText(error)}`,
        });
      }
    }
    // The documents the store took are committed (each remembers the event's position, so it is
    // not applied twice); the checkpoints move past the event, with the refusals parked.
    await this.applyAndCommit([], upTo, this.projections, refused);
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

/** A store's refusal, as kept with a parked event: its code and message (the store's own data, not a log line). */
function storeErrorText(error: unknown): string {
  const code =
    (error as { code?: unknown; cause?: { code?: unknown } } | null)?.cause?.code ??
    (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  return typeof code === 'string' ? `${code}: ${message}` : message;
}
