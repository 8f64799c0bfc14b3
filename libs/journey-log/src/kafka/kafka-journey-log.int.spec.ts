import { Kafka, logLevel } from 'kafkajs';
import { TEST_DATABASE_URL, dropSchema, uniqueSchemaName } from '../../../testing/src';
import { journeyLogContract } from '../testing/journey-log.contract';
import { KafkaJourneyLog } from './kafka-journey-log';
import { PostgresEventIndex } from './postgres-event-index';

/** The journey-log contract on a real Kafka broker (KAFKA_BROKERS; jest's global setup starts one). */
const brokers = (process.env.KAFKA_BROKERS ?? '').split(',').filter(Boolean);

journeyLogContract('kafka', async () => {
  if (brokers.length === 0) throw new Error('KAFKA_BROKERS is not set: the global setup starts a broker when it is missing');
  const topic = `journey-test-${process.pid}-${Math.floor(Math.random() * 1e9)}`;
  const schema = uniqueSchemaName('kafka_log');
  const open = () => new KafkaJourneyLog({ brokers, topic, partitions: 3, index: new PostgresEventIndex({ connectionString: TEST_DATABASE_URL, schema }) });
  let log = open();
  await log.start();
  return {
    log,
    reopen: async () => {
      await log.close();
      log = open();
      return log;
    },
    cleanup: async () => {
      await log.close();
      const admin = new Kafka({ brokers, logLevel: logLevel.NOTHING }).admin();
      await admin.connect();
      await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
      await admin.disconnect();
      await dropSchema(schema);
    },
  };
});
