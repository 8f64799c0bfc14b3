export { KafkaJourneyLog, JOURNEY_TOPIC_CONFIG, type KafkaJourneyLogOptions } from './kafka-journey-log';
export { CONSUMER_FETCH } from './kafka-client-config';
export { setWorkerStarter, type WorkerStarter } from './worker-starter';
export { PostgresEventIndex, type PostgresEventIndexOptions, type IndexedEvent } from './postgres-event-index';
export { kafkaPositions, kafkaToken, parseKafkaToken } from './kafka-position';
export { toKafkaRecord, fromKafkaRecord, JOURNEY_VERSION_HEADER } from './cloudevent-kafka-binding';
