import type { Envelope } from './envelope';
import type { EventData, EventType } from './catalog';

/** A validated event at the latest schema version of its type: what projections and rules see. */
export type JourneyEvent = {
  [T in EventType]: Omit<Envelope, 'type' | 'data'> & { type: T; schemaversion: number; data: EventData<T> };
}[EventType];

export type JourneyEventOf<T extends EventType> = Extract<JourneyEvent, { type: T }>;
