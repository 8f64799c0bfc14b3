import type { JourneyEvent } from '#schemas';
import { sqlitePositions, sqliteToken, type StoredEvent } from '#journey-log';
import { applyEvents, documentKey, type Projection } from '#projection-runtime';
import type { ParkedEvent, StoredDocument } from '#read-store';

export interface ProjectionSpecResult<S> {
  /** The document with this id after all events (undefined when never touched). */
  state(id: string): S | undefined;
  parked: ParkedEvent[];
}

/** Numbers events as a log would (positions s1, s2, ...). */
export function asStored(events: readonly JourneyEvent[], startAt = 1): StoredEvent[] {
  return events.map((event, i) => ({
    event,
    position: sqliteToken(startAt + i),
    journeyVersion: i + 1,
    sequence: startAt + i,
  }));
}

/**
 * Given/when/then for projections, through the same `applyEvents` the runner uses:
 *
 *   projectionSpec(journeyViewProjection, { dependencies: [policyRegistryProjection] })
 *     .given(placed, captured)
 *     .when(delivered)
 *     .then('cust-1', (state) => expect(state.orders[0].status.code).toBe('delivered'));
 */
export function projectionSpec<S>(projection: Projection<S>, options: { dependencies?: Projection[] } = {}) {
  const projections = [...(options.dependencies ?? []), projection];
  const run = (events: JourneyEvent[], deliverTwice: boolean): ProjectionSpecResult<S> => {
    const documents = new Map<string, StoredDocument>();
    const stored = asStored(events);
    const first = applyEvents(projections, stored, documents, { positions: sqlitePositions });
    const parked = [...first.parked];
    if (deliverTwice)
      parked.push(...applyEvents(projections, stored, documents, { positions: sqlitePositions }).parked);
    return { state: (id) => documents.get(documentKey(projection.name, id))?.value as S | undefined, parked };
  };
  return {
    given(...given: JourneyEvent[]) {
      return {
        when(...when: JourneyEvent[]) {
          const events = [...given, ...when];
          return {
            then(id: string, assert: (state: S | undefined) => void): ProjectionSpecResult<S> {
              const result = run(events, false);
              assert(result.state(id));
              return result;
            },
            /** Runs the events once and delivered twice; both must give the same document. */
            thenIdempotent(id: string): { once: S | undefined; twice: S | undefined } {
              return { once: run(events, false).state(id), twice: run(events, true).state(id) };
            },
            result: () => run(events, false),
          };
        },
      };
    },
  };
}
