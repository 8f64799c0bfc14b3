import type { EventType, JourneyEventOf } from '#schemas';

/** What a reactor's handler gets besides the event. */
export interface ReactionContext {
  /** Position token of the event. */
  readonly position: string;
  /** The log's sequence of the event (see `StoredEvent.sequence`). */
  readonly sequence: number;
  /**
   * Stable for the event across redeliveries, retries and replays (a hash of its CloudEvents key, `source` and
   * `id`): hand it to the system the reactor calls (an `Idempotency-Key`, a `Message-ID`) so it can drop repeats.
   */
  readonly idempotencyKey: string;
  /** 1 for the first try of this delivery. */
  readonly attempt: number;
  /** Aborted when the attempt times out or the runner stops: stop waiting for what it started. */
  readonly signal: AbortSignal;
  /**
   * Runs `effect` unless a run of it for this event and `step` was recorded in the read store, then records it:
   * a redelivered event (after a crash before its checkpoint) skips what was already done. True when it ran now.
   * A crash between the effect and its record runs it again: give the effect `idempotencyKey` too.
   */
  once(step: string, effect: () => Promise<void>): Promise<boolean>;
}

/**
 * A reactor: a consumer with side effects (send an email, open a ticket, call a partner), run by `ReactorRunner`
 * from its own checkpoint, at least once per event, in log order (per partition on a partitioned log).
 */
export interface Reactor<T extends EventType = EventType> {
  /** Names its checkpoint, its parked events and its consumer group: keep it stable. */
  name: string;
  canHandle: readonly T[];
  /** Throws (or rejects) to have the event tried again; after `maxAttempts`, or `retryForMs`, it is parked. */
  handle(event: JourneyEventOf<T>, context: ReactionContext): Promise<void>;
  /**
   * Takes a batch's events at once (a bulk write), with the same retries and timeout as `handle`. A batch that still
   * fails goes event by event to `handle`, so the event at fault is parked alone and the others go on.
   */
  handleBatch?(
    events: ReadonlyArray<{ event: JourneyEventOf<T>; position: string }>,
    signal: AbortSignal,
  ): Promise<void>;
  /** Attempts before an event is parked. @defaultValue 5 */
  maxAttempts?: number;
  /** Keep trying for at least this long before parking (whichever of this and `maxAttempts` lasts longer). */
  retryForMs?: number;
  /** Pause after the first failure, doubled after each, up to `maxRetryDelayMs`. @defaultValue 200 */
  retryDelayMs?: number;
  /** @defaultValue 30000 */
  maxRetryDelayMs?: number;
  /** An attempt still running after this long has failed (its signal is aborted). @defaultValue 30000 */
  timeoutMs?: number;
  /**
   * Where a reactor without a checkpoint starts: at the head of the log (what is appended from now on: no
   * reactor re-sends history when first deployed), or at its start. @defaultValue 'end'
   */
  startFrom?: 'beginning' | 'end';
}

/** Infers the handler's event type from `canHandle`. */
export function defineReactor<const T extends EventType>(reactor: Reactor<T>): Reactor<T> {
  return reactor;
}

/** The read-store names a reactor keeps its state under (prefixed: they never meet a projection's). */
export function reactorStoreNames(name: string) {
  return {
    /** Its checkpoint, and its parked events. */
    checkpoint: `reactor:${name}`,
    /** Records of `once` effects, dropped as the checkpoint passes their events. */
    ledger: `reactor-ledger:${name}`,
    /** Per parked event: where to read it again (subject, position). */
    parked: `reactor-parked:${name}`,
    /** Parked events an operator asked to replay (`journey parked replay`). */
    replays: `reactor-replay:${name}`,
  };
}

/** A reactor's checkpoint version: reactors never rebuild (a rebuild would repeat every side effect). */
export const REACTOR_VERSION = 1;
