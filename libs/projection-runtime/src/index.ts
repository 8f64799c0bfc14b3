export { defineProjection, type Projection, type ProjectionContext, type ProjectionRead } from './projection';
export { applyEvents, documentKey, requiredDocuments, type ApplyOptions, type ApplyOutcome } from './apply-events';
export {
  ProjectionRunner,
  INVALID_RECORDS,
  type CommittedBatch,
  type ProjectionRunnerOptions,
} from './projection-runner';
export { projectionStatus, type ProjectionStatus } from './projection-status';
export { projectionProblems, type HealthThresholds, type ProjectionProblem } from './projection-health';
export { defineReactor, reactorStoreNames, REACTOR_VERSION, type Reactor, type ReactionContext } from './reactor';
export { ReactorRunner, idempotencyKeyOf, type ReactorDelivery, type ReactorRunnerOptions } from './reactor-runner';
