import type { ProjectionStatus } from './projection-status';

export interface HealthThresholds {
  /** A projection further behind the log than this many events is degraded. */
  maxLagEvents: number;
  /** A projection behind the log whose checkpoint has not moved for this long has stopped. */
  stallMs: number;
}

/** One reason a projection is not healthy, for operators: which projection, what, and in words. */
export interface ProjectionProblem {
  projection: string;
  problem: 'parked_events' | 'behind' | 'stalled';
  message: string;
}

/**
 * Why projections are not healthy, judged from their committed progress (so every process, with a
 * projector or not, says the same): events parked (someone should look at them), too far behind
 * the log, or behind and not advancing (a projector down, or stuck on something it keeps retrying).
 */
export function projectionProblems(
  statuses: readonly ProjectionStatus[],
  thresholds: HealthThresholds,
  now: number,
): ProjectionProblem[] {
  const problems: ProjectionProblem[] = [];
  for (const s of statuses) {
    if (s.parked > 0) {
      problems.push({
        projection: s.projection,
        problem: 'parked_events',
        message: `${s.parked} event(s) parked: the projection could not apply them`,
      });
    }
    if (s.lag > thresholds.maxLagEvents) {
      problems.push({
        projection: s.projection,
        problem: 'behind',
        message: `${s.lag} events behind the log (more than ${thresholds.maxLagEvents})`,
      });
    }
    const still = s.updatedAt === null ? null : now - Date.parse(s.updatedAt);
    if (s.lag > 0 && still !== null && still > thresholds.stallMs) {
      problems.push({
        projection: s.projection,
        problem: 'stalled',
        message: `not advanced for ${Math.round(still / 1000)} s while ${s.lag} events behind`,
      });
    }
  }
  return problems;
}
