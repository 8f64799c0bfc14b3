import { kafkaRecordToken } from './kafka-position';

/** Places of records this process sent and indexed that it remembers (about a second of appends at full speed). */
const RECENTLY_INDEXED = 20_000;

/**
 * Records this process has sent (by their positions), with whether their index rows were committed: a reader here
 * often fetches a record before its appender has indexed it, and waits for that instead of checking and indexing the
 * record itself. The last RECENTLY_INDEXED committed ones stay, so a reader here checks its own appender's records
 * without a query.
 */
export class SentRecords {
  private readonly indexing = new Map<string, Promise<boolean>>();
  private readonly recentlyIndexed: string[] = [];

  /**
   * Runs one group's send and index commit; `onSent` is given to the writer, which calls it with the records' places
   * once they are on the topic (before their index rows are committed).
   */
  async track<T>(write: (onSent: (places: string[]) => void) => Promise<T>): Promise<T> {
    let indexed: (committed: boolean) => void = () => undefined;
    const sent: string[] = [];
    const indexing = new Promise<boolean>((resolve) => (indexed = resolve));
    try {
      const result = await write((places) => {
        for (const place of places) {
          this.indexing.set(place, indexing);
          sent.push(place);
        }
      });
      indexed(true);
      this.recentlyIndexed.push(...sent);
      for (const place of this.recentlyIndexed.splice(0, Math.max(0, this.recentlyIndexed.length - RECENTLY_INDEXED)))
        this.indexing.delete(place);
      return result;
    } catch (error) {
      indexed(false);
      for (const place of sent) this.indexing.delete(place);
      throw error;
    }
  }

  /** Whether the record at this place, sent here, had its index rows committed; undefined when not sent here. */
  committed(partition: number, offset: number): Promise<boolean> | undefined {
    return this.indexing.get(kafkaRecordToken(partition, offset));
  }
}
