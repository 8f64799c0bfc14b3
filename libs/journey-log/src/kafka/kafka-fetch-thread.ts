import { extname, join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import type { FetchWorkerData, FetchedRecord, FromFetchWorker, ToFetchWorker } from './kafka-fetch-worker';
import { startWorker } from './worker-starter';

export interface FetchThreadHandlers {
  /** Partitions (re)assigned by the group; answer with `seek`. */
  assigned(partitions: number[]): void;
  /** Records in partition order; fetching waits (past `maxUntaken`) until the promise settles. */
  records(records: FetchedRecord[]): Promise<void>;
  /** The fetch thread failed (it could not start, or it exited on its own). */
  failed(error: Error): void;
}

/** Time a fetch thread gets to leave its consumer group before it is terminated. */
const STOP_TIMEOUT_MS = 15_000;

/**
 * The reader's side of a fetch thread (`kafka-fetch-worker.ts`): messages are handled one at a
 * time, in the order the thread sent them, so an assignment comes after every record fetched
 * before it, and records are taken in the order they were fetched.
 */
export class KafkaFetchThread {
  private readonly worker: Worker;
  private handling: Promise<void> = Promise.resolve();
  private readonly exited: Promise<void>;
  private stopping = false;
  private untakenRecords = 0;

  constructor(
    data: FetchWorkerData,
    private readonly handlers: FetchThreadHandlers,
  ) {
    this.worker = startWorker(join(__dirname, `kafka-fetch-worker${extname(__filename)}`), { kafkaFetchWorker: data });
    this.worker.on('message', (message: FromFetchWorker) => {
      if (message.type === 'records') this.untakenRecords += message.records.length;
      // The thread ends after reporting its failure: its exit is not a second one.
      if (message.type === 'failed') this.stopping = true;
      this.handling = this.handling
        .then(() => this.handle(message))
        .catch((error: unknown) => this.handlers.failed(error as Error));
    });
    this.worker.on('error', (error) => {
      this.stopping = true;
      this.handlers.failed(error);
    });
    this.exited = new Promise((resolve) => {
      this.worker.on('exit', (code) => {
        if (!this.stopping) this.handlers.failed(new Error(`the Kafka fetch thread exited (code ${code})`));
        resolve();
      });
    });
  }

  /** Records the thread has fetched that the reader has not taken yet: what reading ahead holds in memory. */
  get untaken(): number {
    return this.untakenRecords;
  }

  seek(offsets: Map<number, number>): void {
    this.post({ type: 'seek', offsets: [...offsets] });
  }

  /** Leaves the consumer group and ends the thread. */
  async stop(): Promise<void> {
    if (!this.stopping) {
      this.stopping = true;
      this.post({ type: 'stop' });
    }
    const timer = setTimeout(() => void this.worker.terminate(), STOP_TIMEOUT_MS);
    await this.exited;
    clearTimeout(timer);
  }

  private post(message: ToFetchWorker): void {
    this.worker.postMessage(message);
  }

  private async handle(message: FromFetchWorker): Promise<void> {
    if (message.type === 'assigned') this.handlers.assigned(message.partitions);
    else if (message.type === 'records') {
      await this.handlers.records(message.records);
      this.untakenRecords -= message.records.length;
      if (!this.stopping) this.post({ type: 'taken', records: message.records.length });
    } else this.handlers.failed(new Error(message.message));
  }
}
