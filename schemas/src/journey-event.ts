import type { Envelope } from './envelope';
import type { EventData, EventType } from './catalog';

/** Each event type's validated event at the latest schema version. */
type JourneyEventByType = {
  [T in EventType]: Omit<Envelope, 'type' | 'data'> & { type: T; schemaversion: number; data: EventData<T> };
};

/** A validated event at the latest schema version of its type: what projections and rules see. */
export type JourneyEvent = JourneyEventByType[EventType];

/**
 * The events of the types `T` (an indexed access, not `Extract`, so that a handler of some types
 * is a handler the runtime can hold with the others).
 */
export type JourneyEventOf<T extends EventType> = JourneyEventByType[T];
