import type { JourneyEvent } from '#schemas';
import { simulatedJourneys } from './simulated-journeys';

export interface SyntheticOptions {
  /** Stop after this many events. */
  events: number;
  /** @defaultValue 1 */
  seed?: number;
  /** Journeys generated side by side, their events interleaved as in a live log. @defaultValue 64 */
  concurrentJourneys?: number;
  /** Prefix of customer ids, so separate runs do not collide. @defaultValue 'cust' */
  customerPrefix?: string;
}

/**
 * A stream of realistic journeys for benchmarks and crash tests: the analysts' simulation with
 * its default defect rates, customers starting a minute apart, cut at `events`.
 */
export function syntheticEvents(options: SyntheticOptions): Generator<JourneyEvent> {
  return simulatedJourneys({
    events: options.events,
    seed: options.seed,
    concurrentJourneys: options.concurrentJourneys,
    customerPrefix: options.customerPrefix,
  });
}
