import { Pool, type QueryResult } from 'pg';
import type { JourneyEvent } from '../../../../schemas/src';
import { assertSchemaName, migrateSchema, sqlLiteral } from '../../../postgres-schema/src';

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

  /**
   * An append under the locks of its journeys, in one transaction and three round trips: the
   * locks and what the index holds for the ids and journeys; then `work` (the Kafka send); then the
   * index rows `work` returns, and the commit. A journey written is locked exclusively; a journey
   * only checked (an expected version, such as the policy a return was judged under) is locked
   * shared, so appends checking the same policy do not queue behind each other, while one
   * publishing a new version waits for them (and they for it).
   * Statements go in the simple protocol, several per round trip, with values quoted by
   * `sqlLiteral`; each statement still reads with its own snapshot, so the lookup sees every
   * append committed before the locks were granted.
   */
  async appendLocked<T>(
    ids: readonly string[],
    journeys: { written: readonly string[]; checked: readonly string[] },
    work: (found: IndexLookup) => Promise<{ record: readonly IndexedEvent[]; result: T }>,
  ): Promise<T> {
    await this.migrate();
    const client = await this.pool.connect();
    try {
      const written = textArray(journeys.written);
      const checked = textArray(journeys.checked);
      // Locks taken in hash order, the same in every process, so no deadlock; a hash both written
      // and checked (two journeys colliding) is taken exclusively.
      const results = (await client.query(
        `BEGIN;
         SELECT CASE WHEN exclusive THEN pg_advisory_xact_lock(h) ELSE pg_advisory_xact_lock_shared(h) END FROM (
           SELECT hashtext('journey:' || id) AS h, bool_or(exclusive) AS exclusive
           FROM (SELECT id, true AS exclusive FROM unnest(${written}) AS id
                 UNION ALL SELECT id, false FROM unnest(${checked}) AS id) AS wanted
           GROUP BY 1 ORDER BY 1) AS ordered;
         ${lookupStatement(this.schema, textArray(ids), `(${written} || ${checked})`)}`,
      )) as unknown as QueryResult[];
      const { record, result } = await work(lookupResult(results[2].rows));
      await client.query(record.length === 0 ? 'COMMIT' : `${recordStatement(this.schema, record)}; COMMIT`);
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  /** Where the given event ids sit already, and the versions of the given journeys: one statement, one snapshot. */
  async lookup(ids: readonly string[], journeyIds: readonly string[]): Promise<IndexLookup> {
    await this.migrate();
    const { rows } = await this.pool.query(lookupStatement(this.schema, textArray(ids), textArray(journeyIds)));
    return lookupResult(rows);
  }

  /** Records events (one statement); ids already present are left alone, journey heads only move forward. */
  async record(events: readonly IndexedEvent[]): Promise<void> {
    if (events.length === 0) return;
    await this.migrate();
    await this.pool.query(recordStatement(this.schema, events));
  }

  /**
   * Which of the given places hold an indexed event, as a test. Records of one partition in a
   * batch are a run of its offsets, and an offset is indexed only for the record at it: when the
   * index holds as many rows in a partition's range as the batch has records there (nearly always),
   * all are placed, and only counts come back. Partitions short of that are looked up row by row.
   */
  async placed(partitions: readonly number[], offsets: readonly number[]): Promise<(partition: number, offset: number) => boolean> {
    const ranges = new Map<number, { low: number; high: number; records: number }>();
    partitions.forEach((p, i) => {
      const range = ranges.get(p);
      if (!range) ranges.set(p, { low: offsets[i], high: offsets[i], records: 1 });
      else {
        range.low = Math.min(range.low, offsets[i]);
        range.high = Math.max(range.high, offsets[i]);
        range.records++;
      }
    });
    if (ranges.size === 0) return () => false;
    const inRanges = `FROM unnest($1::int[], $2::bigint[], $3::bigint[]) AS r(partition, low, high)
       JOIN ${this.schema}.journey_events e ON e.partition = r.partition AND e."offset" BETWEEN r.low AND r.high`;
    const args = (wanted: number[]) => [wanted, wanted.map((p) => ranges.get(p)!.low), wanted.map((p) => ranges.get(p)!.high)];
    const all = [...ranges.keys()];
    const { rows: counts } = await this.pool.query(`SELECT r.partition, count(*)::int AS n ${inRanges} GROUP BY r.partition`, args(all));
    const full = new Set(counts.filter((c) => c.n === ranges.get(c.partition)!.records).map((c) => c.partition as number));
    const partial = all.filter((p) => !full.has(p));
    const found = new Map<number, Set<number>>();
    if (partial.length > 0) {
      const { rows } = await this.pool.query(`SELECT e.partition, e."offset" ${inRanges}`, args(partial));
      for (const row of rows) {
        let set = found.get(row.partition);
        if (!set) found.set(row.partition, (set = new Set()));
        set.add(Number(row.offset));
      }
    }
    return (partition, offset) => full.has(partition) || (found.get(partition)?.has(offset) ?? false);
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

/** What the index holds for an append: where its ids sit already, and its journeys' versions. */
export interface IndexLookup {
  existing: Map<string, { partition: number; offset: number }>;
  versions: Map<string, number>;
}

/** A text[] literal for the simple protocol. */
function textArray(values: readonly string[]): string {
  return values.length === 0 ? `'{}'::text[]` : `ARRAY[${values.map(sqlLiteral).join(',')}]::text[]`;
}

function lookupStatement(schema: string, ids: string, journeyIds: string): string {
  return `SELECT true AS event, id AS key, partition, "offset", NULL::int AS version FROM ${schema}.journey_events WHERE id = ANY(${ids})
     UNION ALL
     SELECT false, journey_id, NULL, NULL, version FROM ${schema}.journey_heads WHERE journey_id = ANY(${journeyIds})`;
}

function lookupResult(rows: ReadonlyArray<Record<string, any>>): IndexLookup {
  const existing = new Map<string, { partition: number; offset: number }>();
  const versions = new Map<string, number>();
  for (const r of rows) {
    if (r.event) existing.set(r.key, { partition: Number(r.partition), offset: Number(r.offset) });
    else versions.set(r.key, Number(r.version));
  }
  return { existing, versions };
}

/** The events as one JSON literal, and the journeys' heads moved forward, in one statement. */
function recordStatement(schema: string, events: readonly IndexedEvent[]): string {
  const heads = new Map<string, number>();
  for (const e of events) heads.set(e.journeyId, Math.max(heads.get(e.journeyId) ?? 0, e.journeyVersion));
  const rows = JSON.stringify(events.map((e) => ({ i: e.id, j: e.journeyId, v: e.journeyVersion, p: e.partition, o: e.offset, t: e.time, e: e.envelope })));
  const headRows = JSON.stringify([...heads].map(([j, v]) => ({ j, v })));
  return `WITH recorded AS (
       INSERT INTO ${schema}.journey_events (id, journey_id, journey_version, partition, "offset", time, envelope)
       SELECT i, j, v, p, o, t, e FROM json_to_recordset(${sqlLiteral(rows)}::json) AS r(i text, j text, v int, p int, o bigint, t text, e json)
       ON CONFLICT DO NOTHING
       RETURNING 1)
     INSERT INTO ${schema}.journey_heads (journey_id, version) SELECT j, v FROM json_to_recordset(${sqlLiteral(headRows)}::json) AS h(j text, v int)
     ON CONFLICT (journey_id) DO UPDATE SET version = GREATEST(${schema}.journey_heads.version, excluded.version)`;
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
