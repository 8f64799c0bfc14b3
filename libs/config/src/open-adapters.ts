import { KafkaJourneyLog, PostgresEventIndex, SqliteJourneyLog, type JourneyLog } from '#journey-log';
import { PostgresReadStore, SqliteReadStore, type ReadStore } from '#read-store';
import { BackboneError } from '#errors';
import { PersonalData } from '#personal-data';
import type { BackboneConfig } from './backbone-config';

/**
 * The personal-data keys beside the read store, under the configured master key (created when missing): every
 * process that appends or reads the log opens them (see `openJourneyLog`).
 */
export async function openPersonalData(
  config: BackboneConfig['personalData'],
  store: ReadStore,
): Promise<PersonalData> {
  return PersonalData.open(store.keyStore(), PersonalData.masterKeyFile(config.masterKeyFile));
}

/**
 * The configured journey log adapter, connected (a broker or server that is down stops the app at start), with
 * personal data sealed in it and opened out of it.
 */
export async function openJourneyLog(
  config: BackboneConfig['journeyLog'],
  personalData: PersonalData,
  options: { alsoClose?: () => Promise<void> } = {},
): Promise<JourneyLog> {
  return personalData.log(await openLogAdapter(config), options);
}

/**
 * For a tool: the log with its personal data opened through the read store's keys, and the store (closed with the
 * log).
 */
export async function openLogAndStore(
  config: BackboneConfig,
): Promise<{ log: JourneyLog; store: ReadStore; personalData: PersonalData }> {
  const store = await openReadStore(config.readStore);
  try {
    const personalData = await openPersonalData(config.personalData, store);
    const log = await openJourneyLog(config.journeyLog, personalData, { alsoClose: () => store.close() });
    return { log, store, personalData };
  } catch (error) {
    await store.close();
    throw error;
  }
}

/** The bare adapter (personal fields as stored): for tools that measure or inspect the log itself. */
export async function openLogAdapter(config: BackboneConfig['journeyLog']): Promise<JourneyLog> {
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
