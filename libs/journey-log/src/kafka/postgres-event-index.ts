import { Pool, type QueryResult } from 'pg';
import { ClaimLedger, POLICY_SUBJECT_PREFIX, claimKeys, eventKey, upcast, type JourneyEvent } from '#schemas';
import { assertSchemaName, migrateSchema, sqlLiteral, type Migration } from '#postgres-schema';
import { prefixEnd } from '../prefix-range';

/** One indexed event: where it sits on the topic, and its envelope. */
export interface IndexedEvent {
  id: string;
  journeyId: string;
  journeyVersion: number;
  partition: number;
  offset: number;
  time: string;
  envelope: JourneyEvent;
  /**
   * The index's sequence (the order the log received its events in): on every row of the index,
   * and on records the appender sent (a header); absent on a record written around the appender
   * until it is indexed.
   */
  sequence?: number;
  /** The record's timestamp (the producer's, at the append), where it was read from the topic. */
  recordedAt?: number;
}

export interface PostgresEventIndexOptions {
  connectionString: string;
  /** @defaultValue 'journey' */
  schema?: string;
  /**
   * Connections (an append group holds one, with its journeys' locks, until its Kafka transaction commits).
   * @defaultValue 16
   */
  poolSize?: number;
}

/** Ordered migrations of the index tables: each runs once, at start. */
const MIGRATIONS: ReadonlyArray<Migration> = [
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
  // Events are keyed by (source, id), as CloudEvents keys them; the sequence orders them across
  // partitions as the log received them; claims say which customer holds an order, case or identity.
  `ALTER TABLE journey_events ADD COLUMN source text;
   UPDATE journey_events SET source = envelope->>'source';
   ALTER TABLE journey_events ALTER COLUMN source SET NOT NULL;
   ALTER TABLE journey_events DROP CONSTRAINT journey_events_pkey;
   ALTER TABLE journey_events ADD PRIMARY KEY (source, id);
   CREATE SEQUENCE journey_event_seq;
   ALTER TABLE journey_events ADD COLUMN seq bigint;
   UPDATE journey_events e SET seq = o.n FROM (SELECT partition, "offset", row_number() OVER (ORDER BY "offset",
     partition) AS n FROM journey_events) o
     WHERE e.partition = o.partition AND e."offset" = o."offset";
   SELECT setval('journey_event_seq', COALESCE((SELECT max(seq) FROM journey_events), 0) + 1, false);
   ALTER TABLE journey_events ALTER COLUMN seq SET NOT NULL;
   ALTER TABLE journey_events ALTER COLUMN seq SET DEFAULT nextval('journey_event_seq');
   CREATE UNIQUE INDEX journey_events_by_seq ON journey_events (seq);
   ALTER TABLE journey_events ALTER COLUMN journey_id TYPE text COLLATE "C";
   CREATE TABLE journey_claims (claim text PRIMARY KEY, journey_id text NOT NULL);`,
  // The claims of the events indexed before claims existed, in the order they were received.
  async (client) => {
    const ledger = new ClaimLedger(new Map());
    for (let after = 0; ;) {
      const { rows } = await client.query<{ seq: string; envelope: JourneyEvent }>(
        'SELECT seq, envelope FROM journey_events WHERE seq > $1 ORDER BY seq LIMIT 10000',
        [after],
      );
      if (rows.length === 0) break;
      for (const row of rows) ledger.apply(upcast(row.envelope));
      after = Number(rows[rows.length - 1].seq);
    }
    const held = ledger.changes().filter((c) => c.holder !== null);
    if (held.length > 0)
      await client.query(
        'INSERT INTO journey_claims (claim, journey_id) SELECT * FROM unnest($1::text[], $2::text[])',
        [held.map((c) => c.key), held.map((c) => c.holder)],
      );
  },
];

/** What an append looks up under its locks, in the round trip that takes them. */
export interface AppendLookup {
  /** The events' keys: where those held already sit, with what they say. */
  keys: ReadonlyArray<{ source: string; id: string }>;
  /** Journeys written are locked exclusively, journeys only checked (an expected version) shared. */
  journeys: { written: readonly string[]; checked: readonly string[] };
  /** Claim keys of the events (see `claimsOf`): locked exclusively, their holders looked up. */
  claims: readonly string[];
  /** Whether the append writes a policy (see `appendLocked`). */
  writesPolicy: boolean;
  /** Sequence numbers to take (one per event, at most). */
  sequences: number;
}

/** What the index holds for an append. */
export interface IndexLookup {
  /** By `eventKey`: where the event sits, the envelope it was stored with, and its sequence. */
  existing: Map<string, { partition: number; offset: number; envelope: JourneyEvent; sequence: number }>;
  versions: Map<string, number>;
  /** Claim key -> the journey holding it. */
  holders: Map<string, string>;
  /** Sequence numbers taken for this append, in ascending order. */
  sequences: number[];
}

/** The index rows and claim changes an append commits with its locks. */
export interface IndexWrite {
  record: readonly IndexedEvent[];
  claims: ReadonlyArray<{ key: string; holder: string | null }>;
}

/**
 * What Kafka cannot answer, kept in PostgreSQL beside the topic: events by key (idempotency), the
 * version of each journey (optimistic concurrency), the events of one journey (`asOf`, replays),
 * the order the log received its events in (a sequence across partitions) and the holders of
 * claims. Written by the appender before it answers, and by consumers for anything missing.
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
   * An append under the locks of its journeys and claims, in one transaction and three round
   * trips: the locks, what the index holds for the keys, journeys and claims, and the sequence
   * numbers; then `work` (the Kafka send); then the index rows and claim changes `work` returns,
   * and the commit. A journey written is locked exclusively; a journey only checked (an expected
   * version, such as the policy a return was judged under) is locked shared, so appends checking
   * the same policy do not queue behind each other, while one publishing a new version waits for
   * them (and they for it). A claim key is locked exclusively: two customers claiming one email at
   * once are served one after the other, and the second is refused.
   *
   * Every append holds the policies lock shared, and one writing a policy holds it exclusively:
   * a policy's sequence number is then taken, and committed, entirely before or entirely after
   * any other append's. So whoever sees an order sees every policy received before it, which is
   * what "the policy in force when the order was received" needs (see `governingPolicy`).
   *
   * Statements go in the simple protocol, several per round trip, with values quoted by
   * `sqlLiteral`; each statement still reads with its own snapshot, so the lookup sees every
   * append committed before the locks were granted.
   */
  async appendLocked<T>(
    lookup: AppendLookup,
    work: (found: IndexLookup) => Promise<IndexWrite & { result: T }>,
  ): Promise<T> {
    await this.migrate();
    const client = await this.pool.connect();
    try {
      const written = textArray(lookup.journeys.written.map((j) => `journey:${j}`));
      // Held shared by every append and exclusively by one writing a policy; one per index (schema).
      const policies = `policies:${this.schema}`;
      const checked = textArray([
        ...lookup.journeys.checked.map((j) => `journey:${j}`),
        ...(lookup.writesPolicy ? [] : [policies]),
      ]);
      const exclusive = textArray([
        ...lookup.claims.map((c) => `claim:${c}`),
        ...(lookup.writesPolicy ? [policies] : []),
      ]);
      const journeyIds = textArray([...lookup.journeys.written, ...lookup.journeys.checked]);
      // Locks taken in hash order, the same in every process, so no deadlock; a hash wanted both
      // ways (two names colliding) is taken exclusively.
      const results = (await client.query(
        `BEGIN;
         SELECT CASE WHEN exclusive THEN pg_advisory_xact_lock(h) ELSE pg_advisory_xact_lock_shared(h) END FROM (
           SELECT hashtext(name) AS h, bool_or(exclusive) AS exclusive
           FROM (SELECT name, true AS exclusive FROM unnest(${written} || ${exclusive}) AS name
                 UNION ALL SELECT name, false FROM unnest(${checked}) AS name) AS wanted
           GROUP BY 1 ORDER BY 1) AS ordered;
         ${lookupStatement(this.schema, lookup.keys, journeyIds, textArray(lookup.claims))};
         SELECT nextval('${this.schema}.journey_event_seq') AS seq FROM generate_series(1,
           ${Math.max(0, Math.floor(lookup.sequences))})`,
      )) as unknown as QueryResult[];
      const found = lookupResult(results[2].rows as LookupRow[]);
      found.sequences = (results[3].rows as Array<{ seq: string }>).map((r) => Number(r.seq));
      const { record, claims, result } = await work(found);
      const statements = [recordStatement(this.schema, record), claimsStatement(this.schema, claims)].filter(
        (s) => s !== null,
      );
      await client.query([...statements, 'COMMIT'].join(';\n'));
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  /** The versions of the given journeys, in one statement. */
  async versions(journeyIds: readonly string[]): Promise<Map<string, number>> {
    await this.migrate();
    const { rows } = await this.pool.query<{ journey_id: string; version: number }>(
      `SELECT journey_id, version FROM ${this.schema}.journey_heads WHERE journey_id = ANY($1::text[])`,
      [journeyIds],
    );
    return new Map(rows.map((r) => [r.journey_id, Number(r.version)]));
  }

  /**
   * Indexes records the appender did not (written around it, or sent by an appender that died
   * before indexing them), with their claims, under the claims' locks, in log order per partition.
   * Records whose key the index holds already are left alone (a retried append's copy). Returns
   * the records refused for claiming what another customer holds: they are not journey events of
   * this log, and are not indexed.
   */
  async recordChecked(records: readonly IndexedEvent[]): Promise<Set<IndexedEvent>> {
    const refused = new Set<IndexedEvent>();
    if (records.length === 0) return refused;
    await this.appendLocked(
      {
        keys: records.map((r) => ({ source: r.envelope.source, id: r.id })),
        journeys: { written: [...new Set(records.map((r) => r.journeyId))], checked: [] },
        claims: claimKeys(records.map((r) => upcast(r.envelope))),
        writesPolicy: records.some((r) => r.journeyId.startsWith(POLICY_SUBJECT_PREFIX)),
        sequences: 0,
      },
      async ({ existing, holders }) => {
        const ledger = new ClaimLedger(holders);
        const fresh: IndexedEvent[] = [];
        const seen = new Set<string>();
        for (const r of records) {
          const key = eventKey(r.envelope);
          if (existing.has(key) || seen.has(key)) continue;
          seen.add(key);
          if (ledger.apply(upcast(r.envelope)).length > 0) refused.add(r);
          else fresh.push(r);
        }
        return { record: fresh, claims: ledger.changes(), result: undefined };
      },
    );
    return refused;
  }

  /**
   * Which of the given places hold an indexed event, as a test. Records of one partition in a
   * batch are a run of its offsets, and an offset is indexed only for the record at it: when the
   * index holds as many rows in a partition's range as the batch has records there (nearly always),
   * all are placed, and only counts come back. Partitions short of that are looked up row by row.
   */
  async placed(
    partitions: readonly number[],
    offsets: readonly number[],
  ): Promise<(partition: number, offset: number) => boolean> {
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
    const args = (wanted: number[]) => [
      wanted,
      wanted.map((p) => ranges.get(p)!.low),
      wanted.map((p) => ranges.get(p)!.high),
    ];
    const all = [...ranges.keys()];
    const { rows: counts } = await this.pool.query<{ partition: number; n: number }>(
      `SELECT r.partition, count(*)::int AS n ${inRanges} GROUP BY r.partition`,
      args(all),
    );
    const full = new Set(counts.filter((c) => c.n === ranges.get(c.partition)!.records).map((c) => c.partition));
    const partial = all.filter((p) => !full.has(p));
    const found = new Map<number, Set<number>>();
    if (partial.length > 0) {
      const { rows } = await this.pool.query<{ partition: number; offset: string }>(
        `SELECT e.partition, e."offset" ${inRanges}`,
        args(partial),
      );
      for (const row of rows) {
        let set = found.get(row.partition);
        if (!set) found.set(row.partition, (set = new Set()));
        set.add(Number(row.offset));
      }
    }
    return (partition, offset) => full.has(partition) || (found.get(partition)?.has(offset) ?? false);
  }

  /** Where the events with these keys sit, and their sequence numbers, by `eventKey`. */
  async homes(
    keys: ReadonlyArray<{ source: string; id: string }>,
  ): Promise<Map<string, { partition: number; offset: number; sequence: number }>> {
    await this.migrate();
    const { rows } = await this.pool.query<{
      source: string;
      id: string;
      partition: number;
      offset: string;
      seq: string;
    }>(
      `SELECT e.source, e.id, e.partition, e."offset", e.seq FROM unnest($1::text[], $2::text[]) AS k(source, id)
       JOIN ${this.schema}.journey_events e ON e.source = k.source AND e.id = k.id`,
      [keys.map((k) => k.source), keys.map((k) => k.id)],
    );
    return new Map(
      rows.map((r) => [eventKey(r), { partition: r.partition, offset: Number(r.offset), sequence: Number(r.seq) }]),
    );
  }

  async journey(journeyId: string): Promise<IndexedEvent[]> {
    await this.migrate();
    const { rows } = await this.pool.query<EventRow>(
      `SELECT id, journey_id, journey_version, partition, "offset", time, envelope, seq FROM
        ${this.schema}.journey_events
       WHERE journey_id = $1 ORDER BY partition, "offset"`,
      [journeyId],
    );
    return rows.map(toIndexed);
  }

  /** The events of every journey whose id starts with `prefix`, in the order the log received them. */
  async journeysByPrefix(prefix: string): Promise<IndexedEvent[]> {
    await this.migrate();
    const { rows } = await this.pool.query<EventRow>(
      `SELECT id, journey_id, journey_version, partition, "offset", time, envelope, seq FROM
        ${this.schema}.journey_events
       WHERE journey_id >= $1 AND journey_id < $2 ORDER BY seq`,
      [prefix, prefixEnd(prefix)],
    );
    return rows.map(toIndexed);
  }

  /** Events after the given per-partition offsets (-1 for a partition not read yet), by partition and offset. */
  async after(offsets: Map<number, number>, limit: number): Promise<IndexedEvent[]> {
    await this.migrate();
    const { rows } = await this.pool.query<EventRow>(
      `SELECT e.id, e.journey_id, e.journey_version, e.partition, e."offset", e.time, e.envelope, e.seq
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
    const { rows } = await this.pool.query<{ partition: number; o: string }>(
      `SELECT partition, MAX("offset") AS o FROM ${this.schema}.journey_events GROUP BY partition`,
    );
    return new Map(rows.map((r) => [r.partition, Number(r.o)]));
  }

  async close(): Promise<void> {
    await this.ready?.catch(() => undefined);
    await this.pool.end().catch(() => undefined);
  }
}

/** A text[] literal for the simple protocol. */
function textArray(values: readonly string[]): string {
  return values.length === 0 ? `'{}'::text[]` : `ARRAY[${values.map(sqlLiteral).join(',')}]::text[]`;
}

function lookupStatement(
  schema: string,
  keys: ReadonlyArray<{ source: string; id: string }>,
  journeyIds: string,
  claims: string,
): string {
  return `SELECT 'e' AS kind, e.source AS a, e.id AS b, e.partition, e."offset", e.envelope::text AS body, e.seq AS
    version
       FROM unnest(${textArray(keys.map((k) => k.source))}, ${textArray(keys.map((k) => k.id))}) AS k(source, id)
       JOIN ${schema}.journey_events e ON e.source = k.source AND e.id = k.id
     UNION ALL
     SELECT 'v', journey_id, NULL, NULL, NULL, NULL, version FROM ${schema}.journey_heads WHERE journey_id =
       ANY(${journeyIds})
     UNION ALL
     SELECT 'c', claim, journey_id, NULL, NULL, NULL, NULL FROM ${schema}.journey_claims WHERE claim = ANY(${claims})`;
}

/** A row of the look-up statement: an event (`e`), a journey's version (`v`) or a claim's holder (`c`). */
interface LookupRow {
  kind: 'e' | 'v' | 'c';
  a: string;
  b: string;
  partition: number | null;
  offset: string | null;
  body: string;
  version: string;
}

function lookupResult(rows: readonly LookupRow[]): IndexLookup {
  const found: IndexLookup = { existing: new Map(), versions: new Map(), holders: new Map(), sequences: [] };
  for (const r of rows) {
    if (r.kind === 'e')
      found.existing.set(eventKey({ source: r.a, id: r.b }), {
        partition: Number(r.partition),
        offset: Number(r.offset),
        envelope: JSON.parse(r.body) as JourneyEvent,
        sequence: Number(r.version),
      });
    else if (r.kind === 'v') found.versions.set(r.a, Number(r.version));
    else found.holders.set(r.a, r.b);
  }
  return found;
}

/** The events as one JSON literal, and the journeys' heads moved forward, in one statement. */
function recordStatement(schema: string, events: readonly IndexedEvent[]): string | null {
  if (events.length === 0) return null;
  const heads = new Map<string, number>();
  for (const e of events) heads.set(e.journeyId, Math.max(heads.get(e.journeyId) ?? 0, e.journeyVersion));
  const rows = JSON.stringify(
    events.map((e) => ({
      s: e.envelope.source,
      i: e.id,
      j: e.journeyId,
      v: e.journeyVersion,
      p: e.partition,
      o: e.offset,
      t: e.time,
      e: e.envelope,
      q: e.sequence ?? null,
    })),
  );
  const headRows = JSON.stringify([...heads].map(([j, v]) => ({ j, v })));
  // Rows without a sequence (written around the appender) take the next one as they are indexed.
  return `WITH recorded AS (
       INSERT INTO ${schema}.journey_events (source, id, journey_id, journey_version, partition, "offset", time,
         envelope, seq)
       SELECT s, i, j, v, p, o, t, e, COALESCE(q, nextval('${schema}.journey_event_seq'))
       FROM json_to_recordset(${sqlLiteral(rows)}::json) AS r(s text, i text, j text, v int, p int, o bigint, t
         text, e json, q bigint)
       ON CONFLICT DO NOTHING
       RETURNING 1)
     INSERT INTO ${schema}.journey_heads (journey_id, version) SELECT j, v FROM
       json_to_recordset(${sqlLiteral(headRows)}::json) AS h(j text, v int)
     ON CONFLICT (journey_id) DO UPDATE SET version = GREATEST(${schema}.journey_heads.version, excluded.version)`;
}

/** Claims taken (or moved) and released, in one statement. */
function claimsStatement(schema: string, claims: ReadonlyArray<{ key: string; holder: string | null }>): string | null {
  if (claims.length === 0) return null;
  const held = claims.filter((c) => c.holder !== null);
  const released = claims.filter((c) => c.holder === null).map((c) => c.key);
  return `WITH released AS (DELETE FROM ${schema}.journey_claims WHERE claim = ANY(${textArray(released)}) RETURNING 1)
     INSERT INTO ${schema}.journey_claims (claim, journey_id)
     SELECT * FROM unnest(${textArray(held.map((c) => c.key))}, ${textArray(held.map((c) => c.holder!))})
     ON CONFLICT (claim) DO UPDATE SET journey_id = excluded.journey_id`;
}

/** An event as the index's queries return it. */
interface EventRow {
  id: string;
  journey_id: string;
  journey_version: number;
  partition: number;
  offset: string;
  time: string;
  envelope: JourneyEvent;
  seq: string;
}

function toIndexed(row: EventRow): IndexedEvent {
  return {
    id: row.id,
    journeyId: row.journey_id,
    journeyVersion: row.journey_version,
    partition: row.partition,
    offset: Number(row.offset),
    time: row.time,
    envelope: row.envelope,
    sequence: Number(row.seq),
  };
}
