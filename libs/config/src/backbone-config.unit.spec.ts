import { loadConfig } from './backbone-config';

describe('configuration from the environment', () => {
  it('defaults to the embedded mode: SQLite files under ./data on 127.0.0.1:3000', () => {
    expect(loadConfig({})).toMatchObject({
      journeyLog: { kind: 'sqlite', file: 'data/journey-log.db' },
      readStore: { kind: 'sqlite', file: 'data/read-store.db' },
      http: { host: '127.0.0.1', port: 3000, maxBodyBytes: 1_048_576, maxBatchEvents: 500 },
    });
  });

  it('allows browser pages of the origins named (CORS), none by default', () => {
    expect(loadConfig({}).http.corsOrigins).toEqual([]);
    expect(loadConfig({ CORS_ORIGINS: 'https://shop.example.com,http://127.0.0.1:5173' }).http.corsOrigins).toEqual([
      'https://shop.example.com',
      'http://127.0.0.1:5173',
    ]);
  });

  it('selects PostgreSQL for the read store', () => {
    expect(loadConfig({ READ_STORE: 'postgres', DATABASE_URL: 'postgres://u@h:5432/db' }).readStore).toEqual({
      kind: 'postgres',
      connectionString: 'postgres://u@h:5432/db',
      schema: 'journey',
      poolSize: 16,
    });
  });

  it('selects Kafka for the log, its index in PostgreSQL, and a consumer group for projectors', () => {
    const config = loadConfig({
      JOURNEY_LOG: 'kafka',
      KAFKA_BROKERS: 'k1:9092,k2:9092',
      DATABASE_URL: 'postgres://u@h:5432/db',
      READ_STORE: 'postgres',
    });
    expect(config.journeyLog).toEqual({
      kind: 'kafka',
      brokers: ['k1:9092', 'k2:9092'],
      topic: 'journey-events',
      partitions: 6,
      clientId: 'journey-backbone',
      index: { connectionString: 'postgres://u@h:5432/db', schema: 'journey', poolSize: 16 },
    });
    // One consumer group per topic: projectors of another topic never join (and rebalance) it.
    expect(config.projector.group).toBe('journey-projector.journey-events');
  });

  it('selects EventStoreDB for the log, one stream per journey under a prefix, and no consumer group', () => {
    const config = loadConfig({
      JOURNEY_LOG: 'eventstoredb',
      EVENTSTOREDB_CONNECTION_STRING: 'esdb://127.0.0.1:2113?tls=false',
    });
    expect(config.journeyLog).toEqual({
      kind: 'eventstoredb',
      connectionString: 'esdb://127.0.0.1:2113?tls=false',
      streamPrefix: 'journey-',
    });
    expect(config.projector.group).toBeUndefined();
    expect(
      loadConfig({
        JOURNEY_LOG: 'eventstoredb',
        EVENTSTOREDB_CONNECTION_STRING: 'esdb+discover://a,b,c',
        EVENTSTOREDB_STREAM_PREFIX: 'cj-',
      }).journeyLog,
    ).toMatchObject({ streamPrefix: 'cj-' });
  });

  it.each([
    [{ READ_STORE: 'postgres' }, /READ_STORE=postgres needs DATABASE_URL/],
    [{ JOURNEY_LOG: 'eventstoredb' }, /JOURNEY_LOG=eventstoredb needs EVENTSTOREDB_CONNECTION_STRING/],
    [
      { JOURNEY_LOG: 'eventstoredb', EVENTSTOREDB_CONNECTION_STRING: 'http://localhost:2113' },
      /EVENTSTOREDB_CONNECTION_STRING="http:\/\/localhost:2113": must be an esdb:\/\//,
    ],
    [
      {
        JOURNEY_LOG: 'eventstoredb',
        EVENTSTOREDB_CONNECTION_STRING: 'esdb://h:2113',
        EVENTSTOREDB_STREAM_PREFIX: '$ce-',
      },
      /EVENTSTOREDB_STREAM_PREFIX="\$ce-"/,
    ],
    [
      { JOURNEY_LOG: 'eventstoredb', EVENTSTOREDB_CONNECTION_STRING: 'esdb://h:2113', PROJECTOR_GROUP: 'g' },
      /PROJECTOR_GROUP is for a partitioned log/,
    ],
    [{ PROJECTOR_GROUP: 'g' }, /PROJECTOR_GROUP is for a partitioned log \(JOURNEY_LOG=kafka\); sqlite/],
    [{ JOURNEY_LOG: 'kafka', DATABASE_URL: 'postgres://u@h/db' }, /JOURNEY_LOG=kafka needs KAFKA_BROKERS/],
    [{ JOURNEY_LOG: 'kafka', KAFKA_BROKERS: 'localhost:9092' }, /JOURNEY_LOG=kafka needs DATABASE_URL/],
    [
      { JOURNEY_LOG: 'kafka', KAFKA_BROKERS: 'localhost', DATABASE_URL: 'postgres://u@h/db' },
      /KAFKA_BROKERS="localhost": must be host:port/,
    ],
    [{ KAFKA_PARTITIONS: '0' }, /KAFKA_PARTITIONS="0"/],
    [
      { CORS_ORIGINS: 'https://shop.example.com/app' },
      /CORS_ORIGINS=.*: must be origins \(scheme:\/\/host\[:port\], no path\)/,
    ],
    [{ CORS_ORIGINS: '*' }, /CORS_ORIGINS="\*": must be origins/],
    [{ VIEWS_TOPIC: 'journey-views' }, /VIEWS_TOPIC is a Kafka topic: it needs JOURNEY_LOG=kafka/],
    [
      { JOURNEY_LOG: 'kafka', KAFKA_BROKERS: 'k:9092', DATABASE_URL: 'postgres://u@h/db', VIEWS_TOPIC: 'a b' },
      /VIEWS_TOPIC="a b": must be a Kafka topic name/,
    ],
    [{ READ_STORE: 'mongo' }, /READ_STORE="mongo": must be "sqlite" or "postgres"/],
    [{ JOURNEY_LOG: 'redis' }, /JOURNEY_LOG="redis"/],
    [{ PORT: 'eighty' }, /PORT="eighty"/],
    [{ DATABASE_URL: 'mysql://x' }, /DATABASE_URL="mysql:\/\/x": must be a postgres:\/\/ connection string/],
    [{ SQLITE_SYNCHRONOUS: 'OFF' }, /SQLITE_SYNCHRONOUS="OFF": must be NORMAL or FULL/],
    [{ RUN_PROJECTOR: 'maybe' }, /RUN_PROJECTOR="maybe"/],
  ])('given %j, start fails naming the variable', (env, message) => {
    expect(() => loadConfig(env)).toThrow(
      expect.objectContaining({ code: 'configuration_invalid', message: expect.stringMatching(message) }),
    );
  });
});
