export { journeyEvent, orderPlacedData, type EventOptions } from '#schemas/testing';
export { projectionSpec, asStored, type ProjectionSpecResult } from './projection-spec';
export { waitFor } from '#wait-for';
export {
  startBackbone,
  tempDataDir,
  postJson,
  getJson,
  ROOT,
  type BackboneProcess,
  type HttpAnswer,
} from './backbone-process';
export { readModelHash } from './read-model-hash';
export { TEST_DATABASE_URL, uniqueSchemaName, dropSchema, postgresReadStoreEnv } from './postgres-test-schema';
export { sourceWorkerStarter } from './source-worker-starter';
export { delayedRefundJourney } from './delayed-refund-journey';
