import type { RecordMetadata } from 'kafkajs';

interface Routed {
  partition: number;
}

/**
 * Group commit on one producer: sends arriving while one is in flight go together in the next
 * (a transactional producer runs one transaction at a time, and an idempotent one must not have
 * concurrent sends). Each caller gets the offsets of its own records, in the order it gave them;
 * if a send fails, every caller in it fails.
 */
export class GroupedSender<M extends Routed> {
  private pending: Array<{ messages: M[]; resolve: (offsets: number[]) => void; reject: (error: unknown) => void }> = [];
  private flushing = false;

  constructor(
    private readonly sendAll: (messages: M[]) => Promise<RecordMetadata[]>,
    private readonly failure: (error: unknown) => unknown,
  ) {}

  send(messages: M[]): Promise<number[]> {
    return new Promise((resolve, reject) => {
      this.pending.push({ messages, resolve, reject });
      void this.flush();
    });
  }

  private async flush(): Promise<void> {
    if (this.flushing) return;
    this.flushing = true;
    try {
      while (this.pending.length > 0) {
        const group = this.pending.splice(0);
        try {
          const sent = await this.sendAll(group.flatMap((g) => g.messages));
          // Within a partition, the records of one request take consecutive offsets in the order sent.
          const next = new Map(sent.map((m) => [m.partition, Number(m.baseOffset)]));
          for (const member of group) {
            member.resolve(
              member.messages.map((m) => {
                const offset = next.get(m.partition)!;
                next.set(m.partition, offset + 1);
                return offset;
              }),
            );
          }
        } catch (error) {
          for (const member of group) member.reject(this.failure(error));
        }
      }
    } finally {
      this.flushing = false;
    }
  }
}
