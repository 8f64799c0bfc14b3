import { Client, Pool, type PoolClient } from 'pg';
import { BackboneError } from '#errors';
import { GroupedCalls } from '#grouped-calls';
import { assertSchemaName, isPostgresUnreachable, migrateSchema } from '#postgres-schema';
import { commitRows, commitStatement, type CommitRows } from './postgres-commit-statement';
import { heldLock, projectionsLocked } from './projections-lock';
import { KEY_STORE_MIGRATION, PostgresKeyStore } from './postgres-key-store';
import type { KeyStore } from './key-store.port';
import type {
  AccessRecord,
  Checkpoint,
  DocumentAddress,
  DocumentsAtCheckpoint,
  ParkedEvent,
  ProjectionCommit,
  ProjectionsLock,
  ProjectionsLockMode,
  ReadStore,
  StoredDocument,
} from './read-store.port';

export interface PostgresReadStoreOptions {
  /** `postgres://user@host:port/database`. */
  connectionString: string;
  /** Schema holding the tables, created if missing. @defaultValue 'journey' */
  schema?: string;
  /** @defaultValue 10 */
  poolSize?: number;
}

/** One map key per document address. */
const addressKey = (d: DocumentAddress) => `${d.projection}\u0001${d.id}`;

/** Ordered migrations of the read store's tables: each runs once, at start. */
const MIGRATIONS: ReadonlyArray<string> = [
  `CREATE TABLE documents (
     projection text NOT NULL,
     id text NOT NULL,
     value json NOT NULL,
     position text,
     PRIMARY KEY (projection, id)
   );
   CREATE TABLE checkpoints (projection text PRIMARY KEY, version integer NOT NULL, position text);
   CREATE TABLE parked_events (
     projection text NOT NULL,
     event_id text NOT NULL,
     position text NOT NULL,
     type text NOT NULL,
     error text NOT NULL,
     parked_at timestamptz NOT NULL DEFAULT now(),
     seq bigserial,
     PRIMARY KEY (projection, event_id)
   );`,
  // When each checkpoint last moved: /health tells a projection that stopped advancing. Ids compare
  // by code point whatever the database's collation (ranges of ids, listed both ways on the index).
  `ALTER TABLE checkpoints ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now();
   ALTER TABLE documents ALTER COLUMN id TYPE text COLLATE "C";`,
  // Who read whom: one row per read of a customer's data.
  `CREATE TABLE access_log (
     seq bigserial PRIMARY KEY,
     customer_id text NOT NULL,
     at timestamptz NOT NULL,
     credential text NOT NULL,
     route text NOT NULL,
     channel text,
     purpose text,
     position text
   );
   CREATE INDEX access_log_by_customer ON access_log (customer_id, at DESC);
   CREATE INDEX access_log_by_time ON access_log (at);`,
  // Personal-data keys (wrapped), the identity look-up secret, and the record of each erasure.
  KEY_STORE_MIGRATION,
];

const CHECKPOINT_COLUMNS =
  `projection, version, position, to_char(updated_at AT TIME ZONE 'UTC', ` +
  `'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "updatedAt"`;

/**
 * The read store on PostgreSQL. `json` (not `jsonb`) keeps documents exactly as written, so the
 * same projection gives byte-identical documents on every adapter.
 */
/** A document as its queries return it. */
interface DocumentRow<T> {
  id: string;
  value: T;
  position: string | null;
}

/** A row of the batched read: `n` 0 for a checkpoint, else the 1-based index of the document asked for. */
interface BatchRow {
  n: string;
  projection: string;
  version: number;
  position: string | null;
  value: unknown;
}

export class PostgresReadStore implements ReadStore {
  readonly kind = 'postgres';
  private readonly pool: Pool;
  private readonly schema: string;
  private ready: Promise<void> | null = null;
  /** Checkpoints as this store last wrote them: what a merging commit expects to find (see commit). */
  private readonly written = new Map<string, Checkpoint>();

  constructor(private readonly options: PostgresReadStoreOptions) {
    this.schema = assertSchemaName(options.schema ?? 'journey');
    this.pool = new Pool({ connectionString: options.connectionString, max: options.poolSize ?? 10 });
    // An idle client losing its connection must not crash the process; the next query reconnects.
    this.pool.on('error', () => undefined);
  }

  /** Creates the schema and runs pending migrations (once; later calls wait for the first). */
  migrate(): Promise<void> {
    this.ready ??= migrateSchema(this.pool, this.schema, 'read-store', MIGRATIONS);
    return this.ready;
  }

  async get<T>(projection: string, id: string): Promise<StoredDocument<T> | undefined> {
    await this.migrate();
    const { rows } = await this.pool.query<{ value: T; position: string | null }>(
      `SELECT value, position FROM ${this.schema}.documents WHERE projection = $1 AND id = $2`,
      [projection, id],
    );
    return rows[0] && { value: rows[0].value, position: rows[0].position };
  }

  async getMany<T>(projection: string, ids: readonly string[]): Promise<Map<string, StoredDocument<T>>> {
    await this.migrate();
    const found = new Map<string, StoredDocument<T>>();
    if (ids.length === 0) return found;
    const { rows } = await this.pool.query<DocumentRow<T>>(
      `SELECT id, value, position FROM ${this.schema}.documents WHERE projection = $1 AND id = ANY($2::text[])`,
      [projection, ids],
    );
    for (const row of rows) found.set(row.id, { value: row.value, position: row.position });
    return found;
  }

  async documentPositions(projection: string, ids: readonly string[]): Promise<Map<string, string | null>> {
    await this.migrate();
    if (ids.length === 0) return new Map();
    const { rows } = await this.pool.query<{ id: string; position: string | null }>(
      `SELECT id, position FROM ${this.schema}.documents WHERE projection = $1 AND id = ANY($2::text[])`,
      [projection, ids],
    );
    return new Map(rows.map((row) => [row.id, row.position]));
  }

  /**
   * One statement: one snapshot. Reads arriving together (readers released by the same commit)
   * share it, so a burst of reads costs one round trip, not one each.
   */
  getAtCheckpoint(checkpointOf: string, documents: readonly DocumentAddress[]): Promise<DocumentsAtCheckpoint> {
    return this.reads.call({ checkpointOf, documents });
  }

  private readonly reads = new GroupedCalls<
    { checkpointOf: string; documents: readonly DocumentAddress[] },
    DocumentsAtCheckpoint
  >(
    async (requests) => {
      await this.migrate();
      const projections = [...new Set(requests.map((r) => r.checkpointOf))];
      const addresses = new Map<string, DocumentAddress>();
      for (const request of requests) for (const d of request.documents) addresses.set(addressKey(d), d);
      const keys = [...addresses.keys()];
      const { rows } = await this.pool.query<BatchRow>(
        `SELECT 0 AS n, projection, version, position, NULL::json AS value FROM ${this.schema}.checkpoints WHERE
          projection = ANY($1::text[])
         UNION ALL
         SELECT a.n, NULL, NULL, d.position, d.value FROM unnest($2::text[], $3::text[]) WITH ORDINALITY AS
           a(projection, id, n)
         JOIN ${this.schema}.documents d ON d.projection = a.projection AND d.id = a.id`,
        [projections, [...addresses.values()].map((d) => d.projection), [...addresses.values()].map((d) => d.id)],
      );
      const checkpoints = new Map<string, Checkpoint>();
      const found = new Map<string, StoredDocument>();
      for (const row of rows) {
        const n = Number(row.n);
        if (n === 0)
          checkpoints.set(row.projection, { projection: row.projection, version: row.version, position: row.position });
        else found.set(keys[n - 1], { value: row.value, position: row.position });
      }
      return requests.map((r) => ({
        checkpoint: checkpoints.get(r.checkpointOf),
        documents: r.documents.map((d) => found.get(addressKey(d))),
      }));
    },
    { maxInFlight: 4 },
  );

  async list<T>(projection: string, afterId: string | null, limit: number) {
    await this.migrate();
    const { rows } = await this.pool.query<DocumentRow<T>>(
      `SELECT id, value, position FROM ${this.schema}.documents WHERE projection = $1 AND id > $2 ORDER BY id LIMIT $3`,
      [projection, afterId ?? '', limit],
    );
    return rows.map((row) => ({
      id: row.id,
      value: row.value,
      position: row.position,
    }));
  }

  /** Listings arriving together (reads of several orders, of several customers) share one statement. */
  listBefore<T>(
    projection: string,
    beforeId: string,
    limit: number,
  ): Promise<Array<{ id: string } & StoredDocument<T>>> {
    return this.listingsBefore.call({ projection, beforeId, limit }) as Promise<
      Array<{ id: string } & StoredDocument<T>>
    >;
  }

  private readonly listingsBefore = new GroupedCalls<
    { projection: string; beforeId: string; limit: number },
    Array<{ id: string } & StoredDocument>
  >(
    async (requests) => {
      await this.migrate();
      const { rows } = await this.pool.query<DocumentRow<unknown> & { n: string }>(
        `SELECT q.n, d.id, d.value, d.position
         FROM unnest($1::text[], $2::text[], $3::int[]) WITH ORDINALITY AS q(projection, before, lim, n)
         CROSS JOIN LATERAL (SELECT id, value, position FROM ${this.schema}.documents
           WHERE projection = q.projection AND id < q.before ORDER BY id DESC LIMIT q.lim) d
         ORDER BY q.n, d.id DESC`,
        [requests.map((r) => r.projection), requests.map((r) => r.beforeId), requests.map((r) => r.limit)],
      );
      const pages = requests.map(() => [] as Array<{ id: string } & StoredDocument>);
      for (const row of rows)
        pages[Number(row.n) - 1].push({
          id: row.id,
          value: row.value,
          position: row.position,
        });
      return pages;
    },
    { maxInFlight: 4 },
  );

  /**
   * Documents, parked events and checkpoints go as one statement (data-modifying CTEs), which
   * PostgreSQL runs as one transaction: one round trip per batch.
   *
   * Merging checkpoints (runners sharing a projection) needs the stored ones. This store remembers
   * the checkpoints it last wrote, merges with those, and writes only if the rows still hold them
   * (a guard in the same statement: if it fails, nothing of the statement is written). When
   * another runner has written since, the commit is done again under a row lock, reading them.
   */
  async commit(change: ProjectionCommit): Promise<void> {
    try {
      await this.commitChange(change);
    } catch (error) {
      if (error instanceof BackboneError || !isPostgresUnreachable(error)) throw error;
      throw new BackboneError(
        'store_unavailable',
        `the PostgreSQL read store is unavailable: ${(error as Error).message}`,
        { retriable: true, cause: error },
      );
    }
  }

  private async commitChange(change: ProjectionCommit): Promise<void> {
    await this.migrate();
    // Serialised before anything is sent: a document that cannot be written fails the commit before any write.
    const rows = commitRows(change);
    const write = (client: Pool | PoolClient, checkpoints: readonly Checkpoint[], stored?: readonly Checkpoint[]) =>
      this.writeCommit(client, rows, checkpoints, stored);
    const mergePositions = change.mergePositions;
    if (!mergePositions || change.checkpoints.length === 0) {
      await write(this.pool, change.checkpoints);
      return;
    }
    const merge = (c: Checkpoint, row: Checkpoint | undefined): Checkpoint =>
      c.position !== null && row?.version === c.version
        ? { ...c, position: mergePositions(row.position, c.position) }
        : c;
    // Checkpoints this store wrote last: merged over them, written only if the rows still hold them.
    const known = change.checkpoints.map((c) => this.written.get(c.projection));
    if (known.every((k) => k !== undefined)) {
      const merged = change.checkpoints.map((c, i) => merge(c, known[i]));
      if (await write(this.pool, merged, known)) return;
    }
    await this.withClient(async (client) => {
      await client.query('BEGIN');
      try {
        // Locks the rows: a concurrent runner of the same projections merges after us, not over us.
        const { rows: stored } = await client.query<Checkpoint>(
          `SELECT projection, version, position FROM ${this.schema}.checkpoints WHERE projection = ` +
            `ANY($1::text[]) ORDER BY projection FOR UPDATE`,
          [change.checkpoints.map((c) => c.projection)],
        );
        const saved = new Map(stored.map((r) => [r.projection, r]));
        await write(
          client,
          change.checkpoints.map((c) => merge(c, saved.get(c.projection))),
        );
        await client.query('COMMIT');
      } catch (error) {
        // Not known to be written: the next commit reads the rows again.
        for (const c of change.checkpoints) this.written.delete(c.projection);
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      }
    });
  }

  /** Writes it all in one statement; with `stored`, only if each checkpoint row still holds it. True if it wrote. */
  private async writeCommit(
    client: Pool | PoolClient,
    rows: CommitRows,
    checkpoints: readonly Checkpoint[],
    stored?: readonly Checkpoint[],
  ): Promise<boolean> {
    const statement = commitStatement(this.schema, rows, checkpoints, stored);
    if (statement === null) return true;
    const result = await client.query<{ ok: boolean }>(statement.text, statement.values);
    if (result.rows[0].ok) for (const c of checkpoints) this.written.set(c.projection, c);
    return result.rows[0].ok;
  }

  async checkpoint(projection: string): Promise<Checkpoint | undefined> {
    await this.migrate();
    const { rows } = await this.pool.query<Checkpoint>(
      `SELECT ${CHECKPOINT_COLUMNS} FROM ${this.schema}.checkpoints WHERE projection = $1`,
      [projection],
    );
    return rows[0];
  }

  async checkpoints(): Promise<Checkpoint[]> {
    await this.migrate();
    const { rows } = await this.pool.query<Checkpoint>(
      `SELECT ${CHECKPOINT_COLUMNS} FROM ${this.schema}.checkpoints ORDER BY projection COLLATE "C"`,
    );
    return rows;
  }

  async reset(projection: string, version: number): Promise<void> {
    await this.migrate();
    this.written.delete(projection);
    await this.withClient(async (client) => {
      await client.query('BEGIN');
      try {
        await client.query(`DELETE FROM ${this.schema}.documents WHERE projection = $1`, [projection]);
        await client.query(`DELETE FROM ${this.schema}.parked_events WHERE projection = $1`, [projection]);
        await client.query(
          `INSERT INTO ${this.schema}.checkpoints (projection, version, position) VALUES ($1, $2, NULL)
           ON CONFLICT (projection) DO UPDATE SET version = excluded.version, position = NULL, updated_at = now()`,
          [projection, version],
        );
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      }
    });
  }

  async parked(projection?: string): Promise<ParkedEvent[]> {
    await this.migrate();
    const { rows } = await this.pool.query<ParkedEvent>(
      `SELECT projection, event_id AS "eventId", position, type, error FROM ${this.schema}.parked_events
       WHERE $1::text IS NULL OR projection = $1 ORDER BY projection COLLATE "C", seq`,
      [projection ?? null],
    );
    return rows;
  }

  async parkedCounts(): Promise<Record<string, number>> {
    await this.migrate();
    const { rows } = await this.pool.query<{ projection: string; n: string }>(
      `SELECT projection, COUNT(*) AS n FROM ${this.schema}.parked_events GROUP BY projection`,
    );
    return Object.fromEntries(rows.map((r) => [r.projection, Number(r.n)]));
  }

  /**
   * A session-level advisory lock on a connection of its own, keyed by the schema: shared for
   * projectors, exclusive for a rebuild. PostgreSQL drops it with the connection, so a dead
   * holder's lock goes with its process.
   */
  async lockProjections(mode: ProjectionsLockMode): Promise<ProjectionsLock> {
    const client = new Client({ connectionString: this.options.connectionString });
    // A lost connection has lost the lock too; it must not crash the process.
    client.on('error', () => undefined);
    await client.connect();
    try {
      const take = mode === 'shared' ? 'pg_try_advisory_lock_shared' : 'pg_try_advisory_lock';
      const { rows } = await client.query<{ held: boolean }>(
        `SELECT ${take}(hashtext('journey-backbone projections'), hashtext($1)) AS held`,
        [this.schema],
      );
      if (!rows[0].held) throw projectionsLocked(mode, `schema ${this.schema}`);
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    return heldLock(() => client.end().catch(() => undefined));
  }

  async recordAccess(records: readonly AccessRecord[]): Promise<void> {
    if (records.length === 0) return;
    await this.migrate();
    await this.pool.query(
      `INSERT INTO ${this.schema}.access_log (customer_id, at, credential, route, channel, purpose, position)
       SELECT c, a::timestamptz, k, r, h, p, o FROM json_to_recordset($1::json)
         AS x(c text, a text, k text, r text, h text, p text, o text)`,
      [
        JSON.stringify(
          records.map((r) => ({
            c: r.customerId,
            a: r.at,
            k: r.credential,
            r: r.route,
            h: r.channel,
            p: r.purpose,
            o: r.position,
          })),
        ),
      ],
    );
  }

  async accessLog(customerId: string, range: { from?: string; to?: string; limit: number }): Promise<AccessRecord[]> {
    await this.migrate();
    const { rows } = await this.pool.query<AccessRecord>(
      `SELECT to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS at, credential,
         customer_id AS "customerId", route, channel, purpose, position
       FROM ${this.schema}.access_log
       WHERE customer_id = $1 AND ($2::timestamptz IS NULL OR at >= $2) AND ($3::timestamptz IS NULL OR at < $3)
       ORDER BY at DESC, seq DESC LIMIT $4`,
      [customerId, range.from ?? null, range.to ?? null, range.limit],
    );
    return rows;
  }

  async pruneAccessLog(before: string): Promise<number> {
    await this.migrate();
    const result = await this.pool.query(`DELETE FROM ${this.schema}.access_log WHERE at < $1`, [before]);
    return result.rowCount ?? 0;
  }

  private keys: KeyStore | undefined;

  keyStore(): KeyStore {
    return (this.keys ??= new PostgresKeyStore(this.pool, this.schema, () => this.migrate()));
  }

  async close(): Promise<void> {
    await this.ready?.catch(() => undefined);
    await this.pool.end().catch(() => undefined);
  }

  private async withClient<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      return await work(client);
    } finally {
      client.release();
    }
  }
}
