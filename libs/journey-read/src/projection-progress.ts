import { BackboneError } from '../../errors/src';
import { WakeableSleep } from '../../wakeable-sleep/src';
import type { JourneyLog } from '../../journey-log/src';
import type { ReadStore } from '../../read-store/src';

export interface ProjectionProgressOptions {
  /** How often to re-read a checkpoint while readers wait for it. @defaultValue 5 */
  pollMs?: number;
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
  private readonly listeners = new Set<() => void>();
  private readonly waiters = new Map<string, Set<Waiter>>();
  private readonly polling = new Set<string>();
  /** The sleeps of the poll loops, woken by a projector in this process. */
  private readonly naps = new Set<WakeableSleep>();
  /** Checkpoint reads in flight, shared by every caller that asks meanwhile. */
  private readonly reading = new Map<string, Promise<string | null>>();

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

  /** Calls `listener` whenever a projector in this process commits; returns the unsubscribe. */
  onProgress(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Lets a projector in this process wake waiters at once instead of at the next poll. */
  notify(): void {
    for (const nap of this.naps) nap.wake();
    for (const listener of this.listeners) listener();
  }

  /**
   * Resolves with the projection's position once it has reached `target` (a position token),
   * or throws `not_caught_up` (503, retriable) after `timeoutMs`.
   */
  async waitFor(projection: string, target: string, timeoutMs: number): Promise<string | null> {
    this.log.positions.validate(target);
    const now = await this.position(projection);
    if (this.log.positions.reached(now, target)) return now;
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
        waiters!.delete(waiter);
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
      while (waiters.size > 0) {
        await nap.sleep(this.options.pollMs ?? 5);
        const position = await this.position(projection).catch(() => undefined);
        if (position === undefined) continue;
        for (const waiter of waiters) {
          if (this.log.positions.reached(position, waiter.target)) {
            waiters.delete(waiter);
            waiter.resolve(position);
          }
        }
      }
    } finally {
      this.naps.delete(nap);
      this.polling.delete(projection);
    }
  }
}
