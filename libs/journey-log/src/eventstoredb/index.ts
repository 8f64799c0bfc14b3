export { EventStoreJourneyLog, type EventStoreJourneyLogOptions } from './eventstoredb-journey-log';
export { eventStorePositions, eventStoreToken, parseEventStoreToken, type AllPosition } from './eventstoredb-position';
export {
  claimHolder,
  claimStreamName,
  eventStoreId,
  expectedRevision,
  fromRecordedEvent,
  journeyIdOf,
  journeyStreamFilter,
  nameBasedUuid,
  streamName,
  toBackboneError,
  toEventData,
  versionOf,
} from './eventstoredb-record';
