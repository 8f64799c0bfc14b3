import { BackboneError } from '#errors';
import { WakeableSleep } from '#wakeable-sleep';
import type { JourneyLog } from '#journey-log';
import type { ReadStore } from '#read-store';

export interface ProjectionProgressOptions {
  /** How often to re-read a checkpoint while readers wait for it. @defaultValue 5 */
  pollMs?: number;
  /**
   * The same with a projector in this process sharing its projections with others: it wakes
   * readers as it commits, so the store is read only for what the others project. @defaultValue 50
   */
  sharedPollMs?: number;
}

interface Waiter {
  target: string;
  resolve: (position: string | null) => void;
}

/**
 * Where a projection stands, read from its committed checkpoint (so it works whether the
 * projector runs in this process or another), and waiting for it to reach a position. However
 * many readers wait, one loop per projection reads the checkpoint: waiting costs the store one
 * query per poll, not one per reader.
 */
export class ProjectionProgress {
  private readonly listeners = new Set<(changed: ReadonlyMap<string, ReadonlySet<string>>) => void>();
  private readonly waiters = new Map<string, Set<Waiter>>();
  private readonly polling = new Set<string>();
  /** The sleeps of the poll loops, woken by a projector in this process. */
  private readonly naps = new Set<WakeableSleep>();
  /** Checkpoint reads in flight, shared by every caller that asks meanwhile. */
  private readonly reading = new Map<string, Promise<string | null>>();
  /**
   * A projector in this process, if one runs here: where it has committed, and whether it is the
   * only one moving the checkpoints now (then the store's checkpoints are what it says, no need to read them).
   */
  private local: { committed: (projection: string) => string | null; alone: () => boolean } | null = null;

  constructor(
    private readonly log: JourneyLog,
    private readonly store: ReadStore,
    private readonly options: ProjectionProgressOptions = {},
  ) {}

  /**
   * The committed checkpoint. Callers arriving while a read is in flight share it: the answer
   * was read after they asked for it or just before, never ahead of what is committed, so a
   * position header may understate (a reader waits a little more) but never overstate.
   */
  position(projection: string): Promise<string | null> {
    let read = this.reading.get(projection);
    if (!read) {
      read = this.store.checkpoint(projection).then((c) => c?.position ?? null);
      this.reading.set(projection, read);
      const done = () => this.reading.delete(projection);
      read.then(done, done);
    }
    return read;
  }

  /**
   * Calls `listener` with the documents changed (by projection) whenever a projector in this
   * process commits; returns the unsubscribe.
   */
  onProgress(listener: (changed: ReadonlyMap<string, ReadonlySet<string>>) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Whether a projector in this process sees every commit of these projections (no other projector moves them now). */
  followsEveryCommit(): boolean {
    return this.local?.alone() ?? false;
  }

  /**
   * A projector in this process tells where it has committed: waiters it has passed are answered
   * from memory, without a read of the store. Its position only grows and is committed, so it
   * never overstates the store's checkpoint. `alone`: asked at each wait, whether no other
   * projector moves its projections now (no consumer group, or it holds every partition); while
   * it is, waiting never reads the store at all.
   */
  followLocalProjector(committed: (projection: string) => string | null, options: { alone: () => boolean }): void {
    this.local = { committed, alone: options.alone };
  }

  /** Lets a projector in this process wake waiters at once instead of at the next poll, and say what it changed. */
  notify(changed: ReadonlyMap<string, ReadonlySet<string>> = new Map()): void {
    for (const nap of this.naps) nap.wake();
    for (const listener of this.listeners) listener(changed);
  }

  /**
   * Resolves with the projection's position once it has reached `target` (a position token),
   * or throws `not_caught_up` (503, retriable) after `timeoutMs`.
   */
  async waitFor(projection: string, target: string, timeoutMs: number): Promise<string | null> {
    this.log.positions.validate(target);
    const here = this.local?.committed(projection) ?? null;
    if (this.log.positions.reached(here, target)) return here;
    if (!this.local?.alone()) {
      const now = await this.position(projection);
      if (this.log.positions.reached(now, target)) return now;
    }
    return new Promise<string | null>((resolve, reject) => {
      let waiters = this.waiters.get(projection);
      if (!waiters) this.waiters.set(projection, (waiters = new Set()));
      const waiter: Waiter = {
        target,
        resolve: (position) => {
          clearTimeout(timer);
          resolve(position);
        },
      };
      const timer = setTimeout(() => {
        waiters.delete(waiter);
        reject(
          new BackboneError('not_caught_up', `the ${projection} projection has not reached position ${target} yet`, {
            retriable: true,
            details: { target },
          }),
        );
      }, timeoutMs);
      waiters.add(waiter);
      void this.poll(projection);
    });
  }

  private async poll(projection: string): Promise<void> {
    if (this.polling.has(projection)) return;
    this.polling.add(projection);
    const nap = new WakeableSleep();
    this.naps.add(nap);
    try {
      const waiters = this.waiters.get(projection)!;
      const storeEvery = this.local ? (this.options.sharedPollMs ?? 50) : (this.options.pollMs ?? 5);
      let storeReadAt = performance.now();
      while (waiters.size > 0) {
        await nap.sleep(Math.max(0, storeReadAt + storeEvery - performance.now()));
        this.release(waiters, this.local?.committed(projection) ?? null);
        // Woken by a commit here before the store is due: what that commit passed is released above.
        if (waiters.size === 0 || this.local?.alone() || performance.now() < storeReadAt + storeEvery) continue;
        storeReadAt = performance.now();
        const position = await this.position(projection).catch(() => undefined);
        if (position !== undefined) this.release(waiters, position);
      }
    } finally {
      this.naps.delete(nap);
      this.polling.delete(projection);
    }
  }

  private release(waiters: Set<Waiter>, position: string | null): void {
    if (position === null) return;
    for (const waiter of waiters) {
      if (this.log.positions.reached(position, waiter.target)) {
        waiters.delete(waiter);
        waiter.resolve(position);
      }
    }
  }
}
