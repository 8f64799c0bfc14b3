import { Pool, type PoolClient } from 'pg';
import type { JourneyEvent } from '../../../../schemas/src';
import { assertSchemaName, migrateSchema } from '../../../postgres-schema/src';

/** One indexed event: where it sits on the topic, and its envelope. */
export interface IndexedEvent {
  id: string;
  journeyId: string;
  journeyVersion: number;
  partition: number;
  offset: number;
  time: string;
  envelope: JourneyEvent;
}

export interface PostgresEventIndexOptions {
  connectionString: string;
  /** @defaultValue 'journey' */
  schema?: string;
  /** Connections (an append group holds one, with its journeys' locks, until its Kafka transaction commits). @defaultValue 16 */
  poolSize?: number;
}

/** Ordered migrations of the index tables: each runs once, at start. */
const MIGRATIONS: ReadonlyArray<string> = [
  `CREATE TABLE journey_events (
     id text PRIMARY KEY,
     journey_id text NOT NULL,
     journey_version integer NOT NULL,
     partition integer NOT NULL,
     "offset" bigint NOT NULL,
     time text NOT NULL,
     envelope json NOT NULL,
     UNIQUE (partition, "offset")
   );
   CREATE INDEX journey_events_by_journey ON journey_events (journey_id, partition, "offset");
   CREATE TABLE journey_heads (journey_id text PRIMARY KEY, version integer NOT NULL);`,
];

/**
 * What Kafka cannot answer, kept in PostgreSQL beside the topic: events by id (idempotency), the
 * version of each journey (optimistic concurrency) and the events of one journey (`asOf`,
 * replays). Written by the appender before it answers, and by consumers for anything missing.
 */
export class PostgresEventIndex {
  readonly pool: Pool;
  readonly schema: string;
  private ready: Promise<void> | null = null;

  constructor(options: PostgresEventIndexOptions) {
    this.schema = assertSchemaName(options.schema ?? 'journey');
    this.pool = new Pool({ connectionString: options.connectionString, max: options.poolSize ?? 16 });
    this.pool.on('error', () => undefined);
  }

  migrate(): Promise<void> {
    this.ready ??= migrateSchema(this.pool, this.schema, 'event-index', MIGRATIONS);
    return this.ready;
  }

  /** Runs `work` in a transaction holding the write lock of each journey (sorted: no deadlock). */
  async withJourneysLocked<T>(journeyIds: readonly string[], work: (client: PoolClient) => Promise<T>): Promise<T> {
    await this.migrate();
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      // One round trip; locks taken in hash order, the same in every process, so no deadlock.
      await client.query(
        `SELECT pg_advisory_xact_lock(h) FROM (SELECT DISTINCT hashtext('journey:' || id) AS h FROM unnest($1::text[]) AS id ORDER BY h) AS ordered`,
        [journeyIds],
      );
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  async existing(client: PoolClient, ids: readonly string[]): Promise<Map<string, { partition: number; offset: number }>> {
    const { rows } = await client.query(`SELECT id, partition, "offset" FROM ${this.schema}.journey_events WHERE id = ANY($1::text[])`, [ids]);
    return new Map(rows.map((r) => [r.id as string, { partition: r.partition as number, offset: Number(r.offset) }]));
  }

  async versions(client: PoolClient | Pool, journeyIds: readonly string[]): Promise<Map<string, number>> {
    const { rows } = await client.query(`SELECT journey_id, version FROM ${this.schema}.journey_heads WHERE journey_id = ANY($1::text[])`, [journeyIds]);
    return new Map(rows.map((r) => [r.journey_id as string, r.version as number]));
  }

  /** Records events; ids already present are left alone, journey heads only move forward. */
  async record(client: PoolClient | Pool, events: readonly IndexedEvent[]): Promise<void> {
    if (events.length === 0) return;
    await client.query(
      `INSERT INTO ${this.schema}.journey_events (id, journey_id, journey_version, partition, "offset", time, envelope)
       SELECT * FROM unnest($1::text[], $2::text[], $3::int[], $4::int[], $5::bigint[], $6::text[], $7::json[])
       ON CONFLICT DO NOTHING`,
      [
        events.map((e) => e.id),
        events.map((e) => e.journeyId),
        events.map((e) => e.journeyVersion),
        events.map((e) => e.partition),
        events.map((e) => e.offset),
        events.map((e) => e.time),
        events.map((e) => JSON.stringify(e.envelope)),
      ],
    );
    const heads = new Map<string, number>();
    for (const e of events) heads.set(e.journeyId, Math.max(heads.get(e.journeyId) ?? 0, e.journeyVersion));
    await client.query(
      `INSERT INTO ${this.schema}.journey_heads (journey_id, version) SELECT * FROM unnest($1::text[], $2::int[])
       ON CONFLICT (journey_id) DO UPDATE SET version = GREATEST(${this.schema}.journey_heads.version, excluded.version)`,
      [[...heads.keys()], [...heads.values()]],
    );
  }

  /** Which of the given places (`partition:offset`) hold an indexed event. */
  async placed(partitions: readonly number[], offsets: readonly number[]): Promise<Set<string>> {
    if (partitions.length === 0) return new Set();
    // One range per partition: an index range scan returning two integers a row.
    const ranges = new Map<number, [number, number]>();
    partitions.forEach((p, i) => {
      const range = ranges.get(p);
      if (!range) ranges.set(p, [offsets[i], offsets[i]]);
      else {
        range[0] = Math.min(range[0], offsets[i]);
        range[1] = Math.max(range[1], offsets[i]);
      }
    });
    const { rows } = await this.pool.query(
      `SELECT e.partition, e."offset" FROM unnest($1::int[], $2::bigint[], $3::bigint[]) AS r(partition, low, high)
       JOIN ${this.schema}.journey_events e ON e.partition = r.partition AND e."offset" BETWEEN r.low AND r.high`,
      [[...ranges.keys()], [...ranges.values()].map((r) => r[0]), [...ranges.values()].map((r) => r[1])],
    );
    return new Set(rows.map((r) => `${r.partition}:${r.offset}`));
  }

  async journey(journeyId: string): Promise<IndexedEvent[]> {
    await this.migrate();
    const { rows } = await this.pool.query(
      `SELECT id, journey_id, journey_version, partition, "offset", time, envelope FROM ${this.schema}.journey_events
       WHERE journey_id = $1 ORDER BY partition, "offset"`,
      [journeyId],
    );
    return rows.map(toIndexed);
  }

  /** Events after the given per-partition offsets (-1 for a partition not read yet), by partition and offset. */
  async after(offsets: Map<number, number>, limit: number): Promise<IndexedEvent[]> {
    await this.migrate();
    const { rows } = await this.pool.query(
      `SELECT e.id, e.journey_id, e.journey_version, e.partition, e."offset", e.time, e.envelope
       FROM ${this.schema}.journey_events e
       LEFT JOIN unnest($1::int[], $2::bigint[]) AS read(partition, upto) ON read.partition = e.partition
       WHERE e."offset" > COALESCE(read.upto, -1)
       ORDER BY e.partition, e."offset" LIMIT $3`,
      [[...offsets.keys()], [...offsets.values()], limit],
    );
    return rows.map(toIndexed);
  }

  async heads(): Promise<Map<number, number>> {
    await this.migrate();
    const { rows } = await this.pool.query(`SELECT partition, MAX("offset") AS o FROM ${this.schema}.journey_events GROUP BY partition`);
    return new Map(rows.map((r) => [r.partition as number, Number(r.o)]));
  }

  async close(): Promise<void> {
    await this.ready?.catch(() => undefined);
    await this.pool.end().catch(() => undefined);
  }
}

function toIndexed(row: Record<string, any>): IndexedEvent {
  return {
    id: row.id,
    journeyId: row.journey_id,
    journeyVersion: row.journey_version,
    partition: row.partition,
    offset: Number(row.offset),
    time: row.time,
    envelope: row.envelope,
  };
}
