import type { JourneyEvent } from '#schemas';
import type { JourneyLog } from '#journey-log';

/** Appends a stream of events in batches (for seeding a log in tests and benchmarks); returns the count. */
export async function appendInBatches(
  log: JourneyLog,
  events: Iterable<JourneyEvent>,
  batchSize: number,
): Promise<number> {
  let batch: JourneyEvent[] = [];
  let count = 0;
  for (const event of events) {
    batch.push(event);
    if (batch.length === batchSize) {
      await log.append(batch);
      count += batch.length;
      batch = [];
    }
  }
  if (batch.length > 0) {
    await log.append(batch);
    count += batch.length;
  }
  return count;
}
