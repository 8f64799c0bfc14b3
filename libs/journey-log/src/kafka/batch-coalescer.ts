/**
 * Gathers records from consecutive per-partition batches and hands them to `flush` one group at a
 * time, in arrival order (so each partition stays in order). `add` returns at once while the
 * buffer is under `limit`; past it, the caller waits (backpressure). A short timer flushes
 * whatever is there, so a lone record is not held back.
 */
export class BatchCoalescer<T> {
  private buffer: T[] = [];
  private running: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | null = null;
  private generation = 0;

  constructor(
    private readonly limit: number,
    private readonly flush: (records: T[]) => Promise<void>,
    private readonly failed: (error: unknown) => void,
  ) {}

  async add(records: T[]): Promise<void> {
    if (records.length === 0) return;
    this.buffer.push(...records);
    if (this.buffer.length >= this.limit) {
      this.schedule();
      await this.running;
    } else {
      this.timer ??= setTimeout(() => this.schedule(), 1);
    }
  }

  /** Resolves once the flush under way, if any, has ended. */
  idle(): Promise<void> {
    return this.running;
  }

  /** Forgets records not flushed yet (they will be fetched again). */
  discard(): void {
    this.generation++;
    this.buffer = [];
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private schedule(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const generation = this.generation;
    this.running = this.running.then(async () => {
      if (generation !== this.generation) return;
      const records = this.buffer.splice(0, this.limit);
      if (records.length === 0) return;
      if (this.buffer.length > 0) this.schedule();
      await this.flush(records);
    });
    // A failure ends the subscription (reported once, through `failed`); later flushes see an empty buffer.
    this.running = this.running.catch((error) => {
      this.discard();
      this.failed(error);
    });
  }
}
