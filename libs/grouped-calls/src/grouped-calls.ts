export interface GroupedCallsOptions<I> {
  /** Groups running at once; calls arriving meanwhile wait for the next group. @defaultValue 1 */
  maxInFlight?: number;
  /** A group stops taking calls at this total weight (a heavier call goes alone). @defaultValue Infinity */
  maxGroupWeight?: number;
  /** @defaultValue every call weighs 1 */
  weight?: (input: I) => number;
  /** What each caller of a group gets when the whole group fails. @defaultValue the error itself */
  failure?: (error: unknown) => unknown;
  /**
   * A call that finds nothing in flight waits one turn of the event loop (`setImmediate`), so the
   * calls made meanwhile (by requests already read) join its group. For work done synchronously
   * (SQLite), where no call would otherwise ever find another in flight. @defaultValue false
   */
  gatherOneTurn?: boolean;
}

/**
 * Group commit for any costly call (a transaction, a send, a query): calls arriving while
 * `maxInFlight` groups are running queue up, and the next group takes all of them, in order.
 * Under load one round trip serves many callers, so throughput grows with load instead of
 * being capped by round trips; alone, a call goes at once.
 *
 * `run` answers each input of a group in order: a value, or an Error that fails that caller alone.
 * If `run` throws, every caller of the group fails (through `failure`).
 */
export class GroupedCalls<I, O> {
  private queue: Array<{ input: I; resolve: (output: O) => void; reject: (error: unknown) => void }> = [];
  private inFlight = 0;
  private gathering = false;
  private idleWaiters: Array<() => void> = [];

  constructor(
    private readonly run: (inputs: readonly I[]) => Promise<ReadonlyArray<O | Error>>,
    private readonly options: GroupedCallsOptions<I> = {},
  ) {}

  call(input: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ input, resolve, reject });
      if (this.gathering) return;
      if (this.options.gatherOneTurn && this.inFlight === 0) {
        this.gathering = true;
        setImmediate(() => {
          this.gathering = false;
          this.drain();
        });
        return;
      }
      this.drain();
    });
  }

  /** Resolves once every call made so far has been answered (to close what `run` uses after them). */
  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private isIdle(): boolean {
    return this.queue.length === 0 && this.inFlight === 0 && !this.gathering;
  }

  private drain(): void {
    const {
      maxInFlight = 1,
      maxGroupWeight = Infinity,
      weight = () => 1,
      failure = (error: unknown) => error,
    } = this.options;
    while (this.queue.length > 0 && this.inFlight < maxInFlight) {
      let total = 0;
      let take = 0;
      for (; take < this.queue.length; take++) {
        const next = weight(this.queue[take].input);
        if (take > 0 && total + next > maxGroupWeight) break;
        total += next;
      }
      const group = this.queue.splice(0, take);
      this.inFlight++;
      // A synchronous throw in `run` fails the group like a rejection.
      Promise.resolve()
        .then(() => this.run(group.map((member) => member.input)))
        .then(
          (outputs) =>
            group.forEach((member, i) => {
              const output = outputs[i];
              if (output instanceof Error) member.reject(output);
              else member.resolve(output);
            }),
          (error: unknown) => {
            for (const member of group) member.reject(failure(error));
          },
        )
        .finally(() => {
          this.inFlight--;
          this.drain();
          if (this.isIdle()) for (const resolve of this.idleWaiters.splice(0)) resolve();
        });
    }
  }
}
