import { BackboneError } from '../../errors/src';
import type { JourneyLog } from '../../journey-log/src';
import type { ReadStore } from '../../read-store/src';

export interface ProjectionProgressOptions {
  /** How often to re-read the checkpoint while a reader waits. @defaultValue 5 */
  pollMs?: number;
}

/**
 * Where a projection stands, read from its committed checkpoint (so it works whether the
 * projector runs in this process or another), and waiting for it to reach a position.
 */
export class ProjectionProgress {
  private readonly wakers = new Set<() => void>();

  constructor(
    private readonly log: JourneyLog,
    private readonly store: ReadStore,
    private readonly options: ProjectionProgressOptions = {},
  ) {}

  async position(projection: string): Promise<string | null> {
    return (await this.store.checkpoint(projection))?.position ?? null;
  }

  /** Calls `listener` whenever a projector in this process commits; returns the unsubscribe. */
  onProgress(listener: () => void): () => void {
    this.wakers.add(listener);
    return () => this.wakers.delete(listener);
  }

  /** Lets a projector in this process wake waiters at once instead of at the next poll. */
  notify(): void {
    for (const wake of this.wakers) wake();
  }

  /**
   * Resolves with the projection's position once it has reached `target` (a position token),
   * or throws `not_caught_up` (503, retriable) after `timeoutMs`.
   */
  async waitFor(projection: string, target: string, timeoutMs: number): Promise<string | null> {
    this.log.positions.validate(target);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const position = await this.position(projection);
      if (this.log.positions.reached(position, target)) return position;
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new BackboneError('not_caught_up', `the ${projection} projection has not reached position ${target} yet`, {
          retriable: true,
          details: { position, target },
        });
      }
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          this.wakers.delete(done);
          resolve();
        };
        const timer = setTimeout(done, Math.min(left, this.options.pollMs ?? 5));
        this.wakers.add(done);
      });
    }
  }
}
