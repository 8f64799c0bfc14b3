import type { RecordMetadata } from 'kafkajs';
import { GroupedCalls } from '#grouped-calls';

interface Routed {
  partition: number;
}

/**
 * Group commit on one producer: sends arriving while one is in flight go together in the next
 * (a transactional producer runs one transaction at a time, and an idempotent one must not have
 * concurrent sends). Each caller gets the offsets of its own records, in the order it gave them;
 * if a send fails, every caller in it fails.
 */
export function groupedSender<M extends Routed>(
  sendAll: (messages: M[]) => Promise<RecordMetadata[]>,
  failure: (error: unknown) => unknown,
): GroupedCalls<M[], number[]> {
  return new GroupedCalls<M[], number[]>(
    async (groups) => {
      const sent = await sendAll(groups.flat());
      // Within a partition, the records of one request take consecutive offsets in the order sent.
      const next = new Map(sent.map((m) => [m.partition, Number(m.baseOffset)]));
      return groups.map((messages) =>
        messages.map((m) => {
          const offset = next.get(m.partition)!;
          next.set(m.partition, offset + 1);
          return offset;
        }),
      );
    },
    { failure },
  );
}
