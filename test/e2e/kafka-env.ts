import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TEST_DATABASE_URL, uniqueSchemaName } from '#testing';

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
