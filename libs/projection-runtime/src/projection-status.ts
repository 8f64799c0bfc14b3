import type { JourneyLog } from '#journey-log';
import type { ReadStore } from '#read-store';

export interface ProjectionStatus {
  projection: string;
  version: number;
  position: string | null;
  /** Events between the checkpoint and the head of the log. */
  lag: number;
  /** Events the projection could not apply, kept with their error. */
  parked: number;
  /** When its checkpoint last moved (null: never). */
  updatedAt: string | null;
}

/**
 * Progress of each projection (or reactor: its checkpoint's name and version) as committed in the read store: valid
 * from any process.
 */
export async function projectionStatus(
  log: JourneyLog,
  store: ReadStore,
  projections: ReadonlyArray<{ name: string; version: number }>,
): Promise<ProjectionStatus[]> {
  const [head, checkpoints, parked] = await Promise.all([log.head(), store.checkpoints(), store.parkedCounts()]);
  const byName = new Map(checkpoints.map((c) => [c.projection, c]));
  return projections.map((p) => {
    const checkpoint = byName.get(p.name);
    const position = checkpoint?.version === p.version ? checkpoint.position : null;
    return {
      projection: p.name,
      version: p.version,
      position,
      lag: log.positions.distance(position, head),
      parked: parked[p.name] ?? 0,
      updatedAt: checkpoint?.version === p.version ? (checkpoint.updatedAt ?? null) : null,
    };
  });
}
