import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { storableText, type JourneyEvent } from '#schemas';
import type { JourneyLog, LogSubscription, StoredEvent } from '#journey-log';
import { errorFields, silentLogger, type StructuredLogger } from '#logging';
import type { DocumentWrite, ParkedEvent, ReadStore } from '#read-store';
import { REACTOR_VERSION, reactorStoreNames, type ReactionContext, type Reactor } from './reactor';

export interface ReactorRunnerOptions {
  log: JourneyLog;
  store: ReadStore;
  reactor: Reactor;
  /**
   * The consumer group its instances share on a partitioned log (Kafka): start more processes to share the
   * partitions. @defaultValue no group (one instance)
   */
  group?: string;
  /** Events read per batch. @defaultValue 2000 */
  batchSize?: number;
  /** A batch's checkpoint is also committed this often while its events are handled. @defaultValue 250 */
  commitEveryMs?: number;
  /** How often requests to replay parked events are looked for. @defaultValue 1000 */
  replayPollMs?: number;
  /** Pause before following the log again after the read store or the log failed. @defaultValue 1000 */
  recoverDelayMs?: number;
  /** @defaultValue no logging */
  logger?: StructuredLogger;
}

/** What the runner emits: `handled` after each event it delivered (`parked`: it gave up on it). */
export interface ReactorDelivery {
  reactor: string;
  position: string;
  type: string;
  parked: boolean;
  attempts: number;
  /** Spent handling it, retries and pauses included (a batch reactor's: its batch's). */
  seconds: number;
  /** When the log recorded it (see `StoredEvent.recordedAt`), where the log says. */
  recordedAt?: number;
  /** A replay of a parked event (its latency from the append says nothing of the reactor's). */
  replayed: boolean;
  /** The trace the event came in (the CloudEvents distributed-tracing extension), when it carries one. */
  traceparent?: string;
}

/** A reactor name becomes part of a consumer group id and of read-store names: kept to a safe alphabet. */
const REACTOR_NAME = /^[a-z0-9][a-z0-9._-]{0,99}$/;

/** An attempt under way: `fail` ends it (aborting its signal, if made). */
interface Attempt {
  deadline: number;
  fail(error: Error): void;
}

class Stopped extends Error {
  constructor() {
    super('the reactor runner stopped');
  }
}

/** A handler's context: the key and the signal are made only when the handler asks for them. */
class EventContext implements ReactionContext {
  private key: string | undefined;

  constructor(
    private readonly stored: StoredEvent,
    readonly attempt: number,
    private readonly signalOf: () => AbortSignal,
    private readonly ledger: (key: string, step: string, effect: () => Promise<void>) => Promise<boolean>,
  ) {}

  get position(): string {
    return this.stored.position;
  }

  get sequence(): number {
    return this.stored.sequence;
  }

  get idempotencyKey(): string {
    return (this.key ??= idempotencyKeyOf(this.stored.event));
  }

  get signal(): AbortSignal {
    return this.signalOf();
  }

  once(step: string, effect: () => Promise<void>): Promise<boolean> {
    return this.ledger(this.idempotencyKey, step, effect);
  }
}

/** What a handler threw, as an error (a handler may throw anything). */
function asError(thrown: unknown): Error {
  return thrown instanceof Error ? thrown : new Error(String(thrown));
}

/** The key a handler passes on for idempotency: the same for an event however often it is delivered. */
export function idempotencyKeyOf(event: Pick<JourneyEvent, 'source' | 'id'>): string {
  return createHash('sha256').update(event.source).update('\0').update(event.id).digest('base64url').slice(0, 32);
}

/** The `once` ledger's record of one effect of one event. */
function ledgerId(key: string, step: string): string {
  return `${key}/${step}`;
}

/**
 * Runs one reactor from its checkpoint in the read store: each event of the types it handles goes to its handler, in
 * log order, at least once; a failure is tried again after a growing pause, and after the reactor's limit the event
 * is parked (beside projections' parked events: in `/health`, `/metrics`, `journey parked list`) so the events after
 * it go on. The checkpoint is committed after each batch (and every `commitEveryMs` within one), so a crash
 * delivers again at most what was handled since. One runner per reactor: a slow or failing reactor holds up no other.
 */
export class ReactorRunner extends EventEmitter {
  private readonly names: ReturnType<typeof reactorStoreNames>;
  private readonly handles: ReadonlySet<string>;
  private subscription: LogSubscription | null = null;
  private stopped = true;
  /** Attempts under way (the log's, and a replay's): failed at their deadline, or when the runner stops. */
  private readonly attempts = new Set<Attempt>();
  private watchdog: NodeJS.Timeout | null = null;
  /** Aborts attempts and pauses under way when the runner stops. */
  private stopping = new AbortController();
  /** The committed checkpoint, and how far handling has gone past it. */
  private committed: string | null = null;
  private handled: string | null = null;
  /** Since the last commit: events parked, ledger records to drop. */
  private parked: ParkedEvent[] = [];
  private parkedInfo: DocumentWrite[] = [];
  private ledgerDone: string[] = [];
  private lastCommit = Date.now();
  private replayLoop: Promise<void> | null = null;

  constructor(private readonly options: ReactorRunnerOptions) {
    super();
    const { name } = options.reactor;
    if (!REACTOR_NAME.test(name))
      throw new Error(
        `reactor name ${JSON.stringify(name)}: lower-case letters, digits, '.', '_' and '-', at most 100`,
      );
    this.names = reactorStoreNames(name);
    this.handles = new Set(options.reactor.canHandle);
  }

  get name(): string {
    return this.options.reactor.name;
  }

  /** The read-store name of its checkpoint and parked events (`reactor:<name>`). */
  get checkpointName(): string {
    return this.names.checkpoint;
  }

  private get logger(): StructuredLogger {
    return this.options.logger ?? silentLogger;
  }

  /** Loads the checkpoint (or sets it at the head of the log, for a reactor starting from the end) and follows. */
  async start(): Promise<void> {
    this.committed = await this.loadCheckpoint();
    this.handled = this.committed;
    this.stopped = false;
    this.stopping = new AbortController();
    this.follow();
    this.replayLoop = this.replayRequested();
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.stopping.abort(new Stopped());
    for (const attempt of this.attempts) attempt.fail(new Stopped());
    await this.subscription?.stop();
    await this.replayLoop;
    this.subscription = null;
  }

  private async loadCheckpoint(): Promise<string | null> {
    const { store, log, reactor } = this.options;
    const saved = await store.checkpoint(this.names.checkpoint);
    if (saved) return saved.position;
    const position = reactor.startFrom === 'beginning' ? null : await log.head();
    await store.commit({
      documents: [],
      checkpoints: [{ projection: this.names.checkpoint, version: REACTOR_VERSION, position }],
      parked: [],
    });
    return position;
  }

  private follow(): void {
    const { log, group } = this.options;
    const subscription = log.subscribe(this.committed, (batch, upTo) => this.handleBatch(batch, upTo), {
      batchSize: this.options.batchSize ?? 2000,
      // The projector parks records that are not journey events, under the log: nothing for a reactor to do.
      onInvalid: async () => {},
      group: group
        ? {
            id: group,
            resumeFrom: async () => {
              this.committed = (await this.options.store.checkpoint(this.names.checkpoint))?.position ?? null;
              this.handled = this.committed;
              this.forgetUncommitted();
              return this.committed;
            },
          }
        : undefined,
    });
    this.subscription = subscription;
    subscription.done.catch((error: unknown) => this.recover(subscription, error));
  }

  /** The log or the store failed under a batch: follow again from the committed checkpoint, after a pause. */
  private recover(subscription: LogSubscription, error: unknown): void {
    if (this.stopped || this.subscription !== subscription) return;
    this.logger.error(
      { reactor: this.name, error: errorFields(error) },
      'reactor batch failed; resuming from its checkpoint',
    );
    void subscription.stop();
    this.forgetUncommitted();
    void this.pause(this.options.recoverDelayMs ?? 1000).then(async () => {
      if (this.stopped || this.subscription !== subscription) return;
      try {
        this.committed = (await this.options.store.checkpoint(this.names.checkpoint))?.position ?? null;
        this.handled = this.committed;
        this.follow();
      } catch (reloadError) {
        this.recover(subscription, reloadError);
      }
    });
  }

  /** Resolves after `ms`, or at once when the runner stops. */
  private pause(ms: number): Promise<void> {
    const signal = this.stopping.signal;
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal.addEventListener('abort', done);
      if (signal.aborted) done();
    });
  }

  private forgetUncommitted(): void {
    this.parked = [];
    this.parkedInfo = [];
    this.ledgerDone = [];
  }

  private async handleBatch(batch: StoredEvent[], upTo: string): Promise<void> {
    const positions = this.options.log.positions;
    if (this.options.reactor.handleBatch && (await this.deliveredAtOnce(batch))) {
      await this.commit(positions.merge(this.handled, upTo));
      return;
    }
    for (const stored of batch) {
      if (this.stopped) throw new Stopped();
      if (positions.reached(this.handled, stored.position)) continue;
      if (this.handles.has(stored.event.type)) await this.deliver(stored);
      this.handled = positions.merge(this.handled, stored.position);
      if (Date.now() - this.lastCommit >= (this.options.commitEveryMs ?? 250)) await this.commit(this.handled);
    }
    await this.commit(positions.merge(this.handled, upTo));
  }

  /**
   * A reactor taking batches gets the batch's events at once, with retries; true when it took them. When it keeps
   * failing, false: the events then go one by one to `handle`, so the one that fails is parked alone.
   */
  private async deliveredAtOnce(batch: StoredEvent[]): Promise<boolean> {
    const positions = this.options.log.positions;
    const todo = batch.filter((s) => !positions.reached(this.handled, s.position) && this.handles.has(s.event.type));
    if (todo.length === 0) return true;
    const last = todo[todo.length - 1];
    const items = todo.map((s) => ({ event: s.event, position: s.position }));
    const startedAt = performance.now();
    const outcome = await this.attempt({ position: last.position, type: `${todo.length} events` }, (_attempt, signal) =>
      this.options.reactor.handleBatch!(items, signal()),
    );
    if (outcome.error !== null) return false;
    for (const s of todo) this.handledOne(s, false, outcome.attempts, startedAt);
    return true;
  }

  /** Tells listeners of `handled` (only when there are: it is on the path of every event). */
  private handledOne(
    stored: StoredEvent,
    parked: boolean,
    attempts: number,
    startedAt: number,
    replayed = false,
  ): void {
    if (this.listenerCount('handled') > 0)
      this.emit('handled', {
        reactor: this.name,
        position: stored.position,
        type: stored.event.type,
        parked,
        attempts,
        seconds: (performance.now() - startedAt) / 1000,
        recordedAt: stored.recordedAt,
        replayed,
        traceparent: (stored.event as { traceparent?: string }).traceparent,
      } satisfies ReactorDelivery);
  }

  /** Commits the checkpoint at `position` with what was parked and the ledger records it makes useless. */
  private async commit(position: string): Promise<void> {
    const { store, log, group } = this.options;
    const ledger = this.ledgerDone.map((id): DocumentWrite => ({
      projection: this.names.ledger,
      id,
      value: null,
      position: null,
    }));
    await store.commit({
      documents: [...ledger, ...this.parkedInfo],
      checkpoints: [{ projection: this.names.checkpoint, version: REACTOR_VERSION, position }],
      parked: this.parked,
      mergePositions: group ? (a, b) => log.positions.merge(a, b) : undefined,
    });
    for (const p of this.parked)
      this.logger.warn(
        { reactor: this.name, position: p.position, type: p.type },
        'parked an event the reactor failed on',
      );
    this.forgetUncommitted();
    this.committed = position;
    this.handled = log.positions.merge(this.handled, position);
    this.lastCommit = Date.now();
  }

  /** Hands the event to the reactor until it succeeds or its limit is reached, then parks it (in the next commit). */
  private async deliver(stored: StoredEvent): Promise<void> {
    const startedAt = performance.now();
    const outcome = await this.attemptEvent(stored);
    if (outcome.error !== null) {
      const parked = this.parkedEvent(stored, outcome.error, outcome.attempts);
      this.parked.push(parked.event);
      this.parkedInfo.push(parked.info);
    }
    this.handledOne(stored, outcome.error !== null, outcome.attempts, startedAt);
  }

  private parkedEvent(stored: StoredEvent, error: string, attempts: number) {
    return {
      event: {
        projection: this.names.checkpoint,
        position: storableText(stored.position),
        eventId: storableText(stored.event.id),
        type: storableText(stored.event.type),
        error: storableText(`after ${attempts} attempt(s): ${error}`),
      } satisfies ParkedEvent,
      info: {
        projection: this.names.parked,
        id: storableText(stored.event.id),
        value: { subject: stored.event.subject, source: stored.event.source, position: stored.position },
        position: stored.position,
      } satisfies DocumentWrite,
    };
  }

  /** Tries `run` with timeouts and growing pauses; the last error when the reactor's limit is reached. */
  private async attempt(
    what: { position: string; type: string },
    run: (attempt: number, signal: () => AbortSignal) => Promise<void>,
  ): Promise<{ error: string | null; attempts: number }> {
    const { reactor } = this.options;
    const maxAttempts = reactor.maxAttempts ?? 5;
    const started = Date.now();
    for (let attempt = 1; ; attempt++) {
      try {
        await this.withTimeout((signal) => run(attempt, signal));
        return { error: null, attempts: attempt };
      } catch (error) {
        if (this.stopped) throw new Stopped();
        const message = error instanceof Error ? error.message : String(error);
        const keepTrying = attempt < maxAttempts || Date.now() - started < (reactor.retryForMs ?? 0);
        this.logger.warn(
          { reactor: this.name, ...what, attempt, error: errorFields(error), parking: !keepTrying },
          'reactor handler failed',
        );
        if (!keepTrying) return { error: message, attempts: attempt };
        const delay = Math.min(reactor.maxRetryDelayMs ?? 30_000, (reactor.retryDelayMs ?? 200) * 2 ** (attempt - 1));
        await this.pause(delay);
        if (this.stopped) throw new Stopped();
      }
    }
  }

  /** One event to `handle`, with its context. */
  private attemptEvent(stored: StoredEvent): Promise<{ error: string | null; attempts: number }> {
    return this.attempt({ position: stored.position, type: stored.event.type }, (attempt, signal) =>
      this.options.reactor.handle(stored.event, this.contextOf(stored, attempt, signal)),
    );
  }

  /** The context of one attempt (one object: it is made for every event). */
  private contextOf(stored: StoredEvent, attempt: number, signal: () => AbortSignal): ReactionContext {
    return new EventContext(stored, attempt, signal, (key, step, effect) => this.effectOnce(key, step, effect));
  }

  /** See `ReactionContext.once`. */
  private async effectOnce(key: string, step: string, effect: () => Promise<void>): Promise<boolean> {
    const { store } = this.options;
    const id = ledgerId(key, step);
    const done = (await store.get(this.names.ledger, id)) !== undefined;
    if (!done) {
      await effect();
      await store.commit({
        documents: [{ projection: this.names.ledger, id, value: { at: new Date().toISOString() }, position: null }],
        checkpoints: [],
        parked: [],
      });
    }
    this.ledgerDone.push(id);
    return !done;
  }

  /**
   * Runs `run` until it settles, the reactor's timeout passes (it fails), or the runner stops. Its signal (made when
   * first asked for: most handlers never do, and one per event costs) is aborted with the reason. Deadlines are
   * watched by one timer for the runner, not one per attempt.
   */
  private withTimeout(run: (signal: () => AbortSignal) => Promise<void>): Promise<void> {
    if (this.stopping.signal.aborted) return Promise.reject(new Stopped());
    let controller: AbortController | undefined;
    let reason: Error | undefined;
    const signal = () => {
      if (!controller) {
        controller = new AbortController();
        if (reason) controller.abort(reason);
      }
      return controller.signal;
    };
    return new Promise<void>((resolve, reject) => {
      const attempt: Attempt = {
        deadline: Date.now() + (this.options.reactor.timeoutMs ?? 30_000),
        fail: (error) => {
          reason ??= error;
          controller?.abort(error);
          this.attempts.delete(attempt);
          reject(error);
        },
      };
      this.attempts.add(attempt);
      this.watchDeadlines();
      let running: Promise<void>;
      try {
        running = run(signal);
      } catch (error) {
        // A handler that throws before it returns a promise.
        this.attempts.delete(attempt);
        reject(asError(error));
        return;
      }
      running.then(
        () => {
          this.attempts.delete(attempt);
          resolve();
        },
        (error: unknown) => {
          this.attempts.delete(attempt);
          reject(asError(error));
        },
      );
    });
  }

  /** Fails attempts past their deadline; runs while there are attempts. */
  private watchDeadlines(): void {
    if (this.watchdog) return;
    const every = Math.max(5, Math.min(1000, (this.options.reactor.timeoutMs ?? 30_000) / 4));
    this.watchdog = setInterval(() => {
      const now = Date.now();
      for (const attempt of this.attempts)
        if (now >= attempt.deadline)
          attempt.fail(new Error(`timed out after ${this.options.reactor.timeoutMs ?? 30_000} ms`));
      if (this.attempts.size === 0 || this.stopped) {
        clearInterval(this.watchdog!);
        this.watchdog = null;
      }
    }, every);
  }

  /**
   * Replays parked events an operator asked for (`journey parked replay`): each is read again from the log and
   * handed to the reactor (with its retries); done, it leaves the parked events; failing again, it stays parked.
   */
  private async replayRequested(): Promise<void> {
    while (!this.stopped) {
      try {
        await this.replayOnce();
      } catch (error) {
        if (!this.stopped)
          this.logger.error({ reactor: this.name, error: errorFields(error) }, 'replaying parked events failed');
      }
      await this.pause(this.options.replayPollMs ?? 1000);
    }
  }

  private async replayOnce(): Promise<void> {
    const { store, log } = this.options;
    for (const request of await store.list(this.names.replays, null, 100)) {
      if (this.stopped) return;
      const info = await store.get<{ subject: string; source: string; position: string }>(
        this.names.parked,
        request.id,
      );
      const done: DocumentWrite = { projection: this.names.replays, id: request.id, value: null, position: null };
      const stored = info
        ? (await log.readJourney(info.value.subject, { position: info.value.position })).find(
            (s) => s.event.id === request.id && s.event.source === info.value.source,
          )
        : undefined;
      if (!stored) {
        await store.commit({ documents: [done], checkpoints: [], parked: [] });
        continue;
      }
      const startedAt = performance.now();
      const outcome = await this.attemptEvent(stored).catch((error: unknown) => {
        if (error instanceof Stopped) return null;
        throw error;
      });
      if (outcome === null) return;
      if (outcome.error === null) {
        await store.commit({
          documents: [done, { projection: this.names.parked, id: request.id, value: null, position: null }],
          checkpoints: [],
          parked: [],
          unparked: [{ projection: this.names.checkpoint, eventId: request.id }],
        });
      } else {
        const parked = this.parkedEvent(stored, outcome.error, outcome.attempts);
        await store.commit({ documents: [done, parked.info], checkpoints: [], parked: [parked.event] });
      }
      this.logger.info(
        { reactor: this.name, position: stored.position, replayed: outcome.error === null },
        'replayed a parked event',
      );
      this.handledOne(stored, outcome.error !== null, outcome.attempts, startedAt, true);
    }
  }
}
