import type { PositionCodec, StoredEvent } from '#journey-log';
import type { ParkedEvent, StoredDocument } from '#read-store';
import type { Projection, ProjectionContext } from './projection';

/** Key of a document in the in-memory working set. */
export function documentKey(projection: string, id: string): string {
  return `${projection}\u0001${id}`;
}

export function splitDocumentKey(key: string): { projection: string; id: string } {
  const i = key.indexOf('\u0001');
  return { projection: key.slice(0, i), id: key.slice(i + 1) };
}

/** The document references (own and read) a batch needs loaded before `applyEvents`. */
export function requiredDocuments(
  projections: readonly Projection[],
  events: readonly StoredEvent[],
  isPending: (projection: Projection, event: StoredEvent) => boolean = () => true,
): Map<string, Set<string>> {
  const needed = new Map<string, Set<string>>();
  const add = (projection: string, id: string) => {
    let ids = needed.get(projection);
    if (!ids) needed.set(projection, (ids = new Set()));
    ids.add(id);
  };
  for (const projection of projections) {
    const handled = new Set<string>(projection.canHandle);
    for (const stored of events) {
      if (!handled.has(stored.event.type) || !isPending(projection, stored)) continue;
      const id = projection.documentId(stored.event);
      if (id === null) continue;
      add(projection.name, id);
      for (const read of projection.reads ?? [])
        for (const rid of read.documentIds(stored.event)) add(read.projection, rid);
    }
  }
  return needed;
}

export interface ApplyOptions {
  positions: PositionCodec;
  /** Last position each projection has processed; events at or before it are skipped. */
  checkpoints?: ReadonlyMap<string, string | null>;
}

export interface ApplyOutcome {
  /** Keys of documents changed by this call. */
  changed: Set<string>;
  parked: ParkedEvent[];
}

/**
 * Applies events, in log order, to every projection that handles them, over an in-memory working
 * set of documents (`documents`, updated in place). Shared by the runner, the `asOf` rebuild and
 * the test helpers so all three evolve state the same way.
 *
 * Idempotent: a document remembers the position of the last event applied to it, and an event at
 * or before that position is not applied again (redelivery after a crash changes nothing).
 */
export function applyEvents(
  projections: readonly Projection[],
  events: readonly StoredEvent[],
  documents: Map<string, StoredDocument>,
  options: ApplyOptions,
): ApplyOutcome {
  const { positions } = options;
  const changed = new Set<string>();
  const parked: ParkedEvent[] = [];
  const handles = projections.map((p) => new Set<string>(p.canHandle));
  let currentPosition = '';
  let currentSequence = 0;
  const context: ProjectionContext = {
    get position() {
      return currentPosition;
    },
    get sequence() {
      return currentSequence;
    },
    comparePositions: (a, b) => positions.compare(a, b),
    read: <T>(projection: string, id: string) => documents.get(documentKey(projection, id))?.value as T | undefined,
  };
  for (const stored of events) {
    currentPosition = stored.position;
    currentSequence = stored.sequence;
    for (let i = 0; i < projections.length; i++) {
      const projection = projections[i];
      if (!handles[i].has(stored.event.type)) continue;
      const checkpoint = options.checkpoints?.get(projection.name);
      if (checkpoint && positions.reached(checkpoint, stored.position)) continue;
      let id: string | null;
      try {
        id = projection.documentId(stored.event);
      } catch (error) {
        parked.push(park(projection.name, stored, error));
        continue;
      }
      if (id === null) continue;
      const key = documentKey(projection.name, id);
      const current = documents.get(key);
      if (current?.position && positions.reached(current.position, stored.position)) continue;
      try {
        const state = current ? current.value : projection.initialState(id);
        const next = projection.evolve(state, stored.event, context);
        // Nothing to write when an existing document is returned as it was: evolve is pure, so
        // applying the event again would again change nothing.
        if (current && next === state) continue;
        documents.set(key, {
          value: next,
          position: current?.position ? positions.merge(current.position, stored.position) : stored.position,
        });
        changed.add(key);
      } catch (error) {
        parked.push(park(projection.name, stored, error));
      }
    }
  }
  return { changed, parked };
}

function park(projection: string, stored: StoredEvent, error: unknown): ParkedEvent {
  return {
    projection,
    position: stored.position,
    eventId: stored.event.id,
    type: stored.event.type,
    error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
  };
}
