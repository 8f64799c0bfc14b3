import { BackboneError } from '#errors';
import type { AccessRecord, ReadStore } from '#read-store';

export interface AccessLogOptions {
  /** Records kept while the store cannot take them; past this, reads are refused (503) rather than unrecorded. */
  maxQueued?: number;
  /** How often queued records are written. */
  flushMs?: number;
  /** Records older than this are forgotten (checked at start and hourly). */
  retentionDays: number;
  onError?: (error: unknown) => void;
}

const BATCH = 1000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

/**
 * Who read whom, off the request path: a read queues its record and answers; the queue is written in batches every
 * `flushMs`. While the store is down the records stay queued and are written once it is back; a full queue refuses
 * the next read (`store_unavailable`, 503) instead of dropping a record. What a crash can lose: the records queued in
 * the last `flushMs` (acknowledged records are in the store).
 */
export class AccessLogRecorder {
  private queue: AccessRecord[] = [];
  private writing: Promise<void> | null = null;
  private readonly timer: NodeJS.Timeout;
  private readonly pruner: NodeJS.Timeout;
  private readonly maxQueued: number;

  constructor(
    private readonly store: ReadStore,
    private readonly options: AccessLogOptions,
    private readonly now: () => number = Date.now,
  ) {
    this.maxQueued = options.maxQueued ?? 100_000;
    this.timer = setInterval(() => void this.flush().catch(() => undefined), options.flushMs ?? 100).unref();
    this.pruner = setInterval(() => void this.prune(), HOUR).unref();
    void this.prune();
  }

  /** Queues one record; refuses (503) when the store has been unreachable long enough to fill the queue. */
  record(record: Omit<AccessRecord, 'at'>): void {
    if (this.queue.length >= this.maxQueued) {
      throw new BackboneError('store_unavailable', 'the access log cannot be written: reads are refused until it can', {
        retriable: true,
      });
    }
    this.queue.push({ at: new Date(this.now()).toISOString(), ...record });
  }

  /** Writes what is queued (what a read of the access log sees includes every record queued before it). */
  async flush(): Promise<void> {
    while (this.writing) await this.writing.catch(() => undefined);
    if (this.queue.length === 0) return;
    this.writing = this.write();
    try {
      await this.writing;
    } finally {
      this.writing = null;
    }
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    clearInterval(this.pruner);
    await this.flush().catch((error: unknown) => this.options.onError?.(error));
  }

  private async write(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.slice(0, BATCH);
      try {
        await this.store.recordAccess(batch);
      } catch (error) {
        // Kept for the next flush: nothing is dropped while the store is away.
        this.options.onError?.(error);
        throw error;
      }
      this.queue.splice(0, batch.length);
    }
  }

  private async prune(): Promise<void> {
    const before = new Date(this.now() - this.options.retentionDays * DAY).toISOString();
    await this.store.pruneAccessLog(before).catch((error: unknown) => this.options.onError?.(error));
  }
}
