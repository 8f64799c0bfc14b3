/**
 * Gathers records from consecutive per-partition batches and hands them to `flush` one group of
 * up to `limit` at a time, in arrival order (so each partition stays in order). `add` returns at
 * once until two groups' worth wait, so the fetching and decoding of the next group go on while a
 * flush waits on its round trips; past that, the caller waits (backpressure). A short timer
 * flushes whatever is there, so a lone record is not held back.
 */
export class BatchCoalescer<T> {
  private buffer: T[] = [];
  private running: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | null = null;
  private generation = 0;
  /** A flush step is chained and has not taken its records yet. */
  private queued = false;

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
      if (this.buffer.length >= 2 * this.limit) await this.running;
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
    // A step already chained belongs to the old generation and flushes nothing: the next add chains anew.
    this.queued = false;
    this.buffer = [];
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private schedule(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.queued) return;
    this.queued = true;
    const generation = this.generation;
    this.running = this.running.then(async () => {
      this.queued = false;
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
