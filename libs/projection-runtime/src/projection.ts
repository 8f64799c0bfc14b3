import type { EventType, JourneyEvent, JourneyEventOf } from '#schemas';

/** What `evolve` may consult besides its own document. */
export interface ProjectionContext {
  /** Position token of the event being applied. */
  readonly position: string;
  /** The log's sequence of the event being applied (see `StoredEvent.sequence`): when the log received it. */
  readonly sequence: number;
  /** Compares two position tokens of the log being projected. */
  comparePositions(a: string, b: string): number;
  /**
   * A document of a projection named in `reads`, as of this event or later. Only projections
   * registered before this one can be read; design such reads to ignore what lies after
   * `position` (the dependency may be ahead, e.g. during a rebuild).
   */
  read<T>(projection: string, id: string): T | undefined;
}

/** A dependency on another projection's documents, prefetched for each event that needs it. */
export interface ProjectionRead {
  projection: string;
  documentIds(event: JourneyEvent): string[];
}

/**
 * A projection: pure `evolve` of one document per event, plus the event types it handles and its
 * initial state. The runtime gives `documentId`, `evolve` and `reads` only events of the types in
 * `canHandle`, so they are typed by them. Bump `version` when `evolve` changes meaning: the
 * runtime rebuilds it from position zero. `Projection` alone (state `unknown`, any event type) is
 * how the runtime holds projections of every kind.
 */
export interface Projection<S = unknown, T extends EventType = EventType> {
  name: string;
  version: number;
  canHandle: readonly T[];
  /** Which document the event changes; null to ignore the event. */
  documentId(event: JourneyEventOf<T>): string | null;
  initialState(id: string): S;
  /** Returns the new state; must not mutate `state` (a throwing event is parked, state unchanged). */
  evolve(state: S, event: JourneyEventOf<T>, context: ProjectionContext): S;
  reads?: readonly ProjectionRead[];
}

/**
 * Infers a projection's state (from `initialState`) and its event types (from `canHandle`), so
 * `evolve` receives only the events it handles.
 */
export function defineProjection<S, const T extends EventType>(projection: Projection<S, T>): Projection<S, T> {
  return projection;
}
