export type PromiseState = 'open' | 'kept' | 'overdue';

/**
 * Judged against the time of the view (the log's time in a replay), never the wall clock of the
 * machine that replays, so replays are deterministic.
 */
export function promiseState(promise: { dueAt: string; keptAt: string | null }, at: string): PromiseState {
  if (promise.keptAt !== null && Date.parse(promise.keptAt) <= Date.parse(at)) return 'kept';
  return Date.parse(promise.dueAt) <= Date.parse(at) ? 'overdue' : 'open';
}
