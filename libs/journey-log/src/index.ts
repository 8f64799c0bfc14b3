export type {
  AppendOptions,
  AppendResult,
  BatchHandler,
  InvalidRecord,
  JourneyLog,
  LogSubscription,
  PositionCodec,
  ReadBound,
  StoredEvent,
  SubscribeOptions,
} from './journey-log.port';
export { pollingSubscription, type PollingSubscriptionOptions } from './polling-subscription';
export { SqliteJourneyLog, type SqliteJourneyLogOptions } from './sqlite-journey-log';
export { sqlitePositions, sqliteToken, sqliteSequence } from './sqlite-position';
export {
  KafkaJourneyLog,
  PostgresEventIndex,
  JOURNEY_TOPIC_CONFIG,
  kafkaPositions,
  type KafkaJourneyLogOptions,
} from './kafka';
// The EventStoreDB adapter is its own entry point, './eventstoredb': loaded only where it is used
// (its gRPC client costs about 90 ms and 20 MB at every process start).
