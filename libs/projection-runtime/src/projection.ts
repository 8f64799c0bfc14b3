import type { EventType, JourneyEvent } from '#schemas';

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
 * A projection: pure `evolve` of one document per event, plus what it handles and its initial
 * state. Bump `version` when `evolve` changes meaning: the runtime rebuilds it from position zero.
 */
export interface Projection<S = unknown> {
  name: string;
  version: number;
  canHandle: readonly EventType[];
  /** Which document the event changes; null to ignore the event. */
  documentId(event: JourneyEvent): string | null;
  initialState(id: string): S;
  /** Returns the new state; must not mutate `state` (a throwing event is parked, state unchanged). */
  evolve(state: S, event: JourneyEvent, context: ProjectionContext): S;
  reads?: readonly ProjectionRead[];
}

/** Identity helper that keeps the state type when defining a projection. */
export function defineProjection<S>(projection: Projection<S>): Projection<S> {
  return projection;
}
