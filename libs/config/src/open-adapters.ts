import { KafkaJourneyLog, PostgresEventIndex, SqliteJourneyLog, type JourneyLog } from '#journey-log';
import { PostgresReadStore, SqliteReadStore, type ReadStore } from '#read-store';
import { BackboneError } from '#errors';
import type { BackboneConfig } from './backbone-config';

/** The configured journey log adapter, connected (a broker or server that is down stops the app at start). */
export async function openJourneyLog(config: BackboneConfig['journeyLog']): Promise<JourneyLog> {
  if (config.kind === 'eventstoredb') {
    const { EventStoreJourneyLog } = await import('#journey-log/eventstoredb');
    const log = new EventStoreJourneyLog({
      connectionString: config.connectionString,
      streamPrefix: config.streamPrefix,
    });
    await log.start();
    return log;
  }
  if (config.kind === 'kafka') {
    const log = new KafkaJourneyLog({
      brokers: config.brokers,
      topic: config.topic,
      partitions: config.partitions,
      clientId: config.clientId,
      index: new PostgresEventIndex(config.index),
    });
    await log.start();
    return log;
  }
  return new SqliteJourneyLog({
    file: config.file,
    synchronous: config.synchronous,
    pollIntervalMs: config.pollIntervalMs,
  });
}

/** The configured read-store adapter. */
export async function openReadStore(config: BackboneConfig['readStore']): Promise<ReadStore> {
  if (config.kind === 'postgres') {
    const store = new PostgresReadStore({
      connectionString: config.connectionString,
      schema: config.schema,
      poolSize: config.poolSize,
    });
    // Migrations run at start, so a wrong URL or a server that is down stops the app at once.
    try {
      await store.migrate();
    } catch (error) {
      await store.close();
      throw new BackboneError(
        'store_unavailable',
        `the PostgreSQL read store is unavailable: ${(error as Error).message}`,
        { retriable: true, cause: error },
      );
    }
    return store;
  }
  return new SqliteReadStore({ file: config.file, synchronous: config.synchronous });
}
