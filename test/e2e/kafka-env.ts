import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { TEST_DATABASE_URL, dropSchema, uniqueSchemaName } from '#testing';

/** Environment for apps on the real Kafka broker and PostgreSQL, isolated by topic and schema. */
export function kafkaEnv(name: string, partitions = 4): Record<string, string> {
  const brokers = process.env.KAFKA_BROKERS;
  if (!brokers) throw new Error('KAFKA_BROKERS is not set: the global setup starts a broker when it is missing');
  const schema = uniqueSchemaName(name);
  return {
    JOURNEY_LOG: 'kafka',
    KAFKA_BROKERS: brokers,
    KAFKA_TOPIC: `journey-${schema.replace(/_/g, '-')}`,
    KAFKA_PARTITIONS: String(partitions),
    READ_STORE: 'postgres',
    DATABASE_URL: TEST_DATABASE_URL,
    DATABASE_SCHEMA: schema,
    // Every app of one deployment shares the master key (each has its own DATA_DIR here).
    PERSONAL_DATA_MASTER_KEY_FILE: join(tmpdir(), 'journey-test-master-keys', `${schema}.key`),
  };
}

/** What a `kafkaEnv` leaves behind, gone: its topic and its schema (a topic already gone is fine). */
export async function dropKafkaEnv(env: Record<string, string>): Promise<void> {
  const admin = new Kafka({ brokers: env.KAFKA_BROKERS.split(','), logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  await admin.deleteTopics({ topics: [env.KAFKA_TOPIC] }).catch(() => undefined);
  await admin.disconnect();
  await dropSchema(env.DATABASE_SCHEMA);
}
