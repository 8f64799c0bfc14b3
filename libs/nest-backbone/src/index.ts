export { BackboneModule } from './backbone.module';
export { ProducerModule } from './producer.module';
export { bootstrapHttpApp } from './bootstrap-http-app';
export { Metrics } from './metrics';
export { countHttpRequest } from './count-http-request';
export { STATUS_BY_CODE } from './http-status';
export {
  BACKBONE_CONFIG,
  JOURNEY_LOG,
  LOGGER,
  PERSONAL_DATA,
  PROJECTION_REGISTRY,
  READ_STORE,
  PRODUCER_OWNER,
} from './tokens';
export { startApp } from './start-app';
export { RequiresAccess, principalOf } from './route-access';
export { RouteTable, type RouteEntry } from './route-table';
export { accessRecordOf } from './access-record';
export { readJsonBody } from './read-json-body';
export {
  JourneyConsumersModule,
  JourneyConsumers,
  reactorGroup,
  type JourneyConsumersOptions,
} from './journey-consumers.module';
export { OnJourneyEvent, type OnJourneyEventOptions } from './on-journey-event';
export { RunningReactors } from './running-reactors';
export { ApiOperation } from './openapi/api-operation';
export {
  OpenApiMismatchError,
  jsonContent,
  jsonSchemaOf,
  openApiDocument,
  routeDifferences,
  schemaRef,
  type OperationSpec,
  type ParameterSpec,
} from './openapi/openapi-document';
export { ASYNCAPI_DEFAULTS, asyncApiDocument, type AsyncApiOptions } from './asyncapi/asyncapi-document';
