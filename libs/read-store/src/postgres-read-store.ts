import { Pool, type PoolClient } from 'pg';
import { assertSchemaName, migrateSchema } from '../../postgres-schema/src';
import type { Checkpoint, ParkedEvent, ProjectionCommit, ReadStore, StoredDocument } from './read-store.port';

export interface PostgresReadStoreOptions {
  /** `postgres://user@host:port/database`. */
  connectionString: string;
  /** Schema holding the tables, created if missing. @defaultValue 'journey' */
  schema?: string;
  /** @defaultValue 10 */
  poolSize?: number;
}

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
];

/**
 * The read store on PostgreSQL. `json` (not `jsonb`) keeps documents exactly as written, so the
 * same projection gives byte-identical documents on every adapter.
 */
export class PostgresReadStore implements ReadStore {
  readonly kind = 'postgres';
  private readonly pool: Pool;
  private readonly schema: string;
  private ready: Promise<void> | null = null;

  constructor(options: PostgresReadStoreOptions) {
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
    const { rows } = await this.pool.query(`SELECT value, position FROM ${this.schema}.documents WHERE projection = $1 AND id = $2`, [projection, id]);
    return rows[0] && { value: rows[0].value as T, position: rows[0].position };
  }

  async getMany<T>(projection: string, ids: readonly string[]): Promise<Map<string, StoredDocument<T>>> {
    await this.migrate();
    const found = new Map<string, StoredDocument<T>>();
    if (ids.length === 0) return found;
    const { rows } = await this.pool.query(`SELECT id, value, position FROM ${this.schema}.documents WHERE projection = $1 AND id = ANY($2::text[])`, [projection, ids]);
    for (const row of rows) found.set(row.id, { value: row.value as T, position: row.position });
    return found;
  }

  async list<T>(projection: string, afterId: string | null, limit: number) {
    await this.migrate();
    const { rows } = await this.pool.query(
      `SELECT id, value, position FROM ${this.schema}.documents WHERE projection = $1 AND id > $2 ORDER BY id COLLATE "C" LIMIT $3`,
      [projection, afterId ?? '', limit],
    );
    return rows.map((row) => ({ id: row.id as string, value: row.value as T, position: row.position as string | null }));
  }

  async commit(change: ProjectionCommit): Promise<void> {
    await this.migrate();
    // Serialise before BEGIN: a document that cannot be written fails the commit before any write.
    // One JSON array for all rows: no per-element escaping into a PostgreSQL array literal, and a
    // `json` column taken from it keeps the document's text exactly as serialised.
    const upserts = change.documents.filter((d) => d.value !== null);
    const rows = upserts.length === 0 ? null : JSON.stringify(upserts.map((d) => ({ p: d.projection, i: d.id, v: d.value, o: d.position })));
    const deletes = change.documents.filter((d) => d.value === null);
    await this.withClient(async (client) => {
      await client.query('BEGIN');
      try {
        if (rows !== null) {
          await client.query(
            `INSERT INTO ${this.schema}.documents (projection, id, value, position)
             SELECT p, i, v, o FROM json_to_recordset($1::json) AS d(p text, i text, v json, o text)
             ON CONFLICT (projection, id) DO UPDATE SET value = excluded.value, position = excluded.position`,
            [rows],
          );
        }
        if (deletes.length > 0) {
          await client.query(
            `DELETE FROM ${this.schema}.documents d USING unnest($1::text[], $2::text[]) AS x(projection, id)
             WHERE d.projection = x.projection AND d.id = x.id`,
            [deletes.map((d) => d.projection), deletes.map((d) => d.id)],
          );
        }
        if (change.parked.length > 0) {
          // One row per event and projection (the last word wins), as one statement may not touch a row twice.
          const parked = [...new Map(change.parked.map((p) => [`${p.projection}\u0001${p.eventId}`, p])).values()];
          await client.query(
            `INSERT INTO ${this.schema}.parked_events (projection, event_id, position, type, error)
             SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[])
             ON CONFLICT (projection, event_id) DO UPDATE SET error = excluded.error, position = excluded.position`,
            [parked.map((p) => p.projection), parked.map((p) => p.eventId), parked.map((p) => p.position), parked.map((p) => p.type), parked.map((p) => p.error)],
          );
        }
        if (change.checkpoints.length > 0) {
          const checkpoints = change.checkpoints.map((c) => ({ ...c }));
          if (change.mergePositions) {
            // Locks the rows: a concurrent runner of the same projections merges after us, not over us.
            const { rows } = await client.query(
              `SELECT projection, version, position FROM ${this.schema}.checkpoints WHERE projection = ANY($1::text[]) ORDER BY projection FOR UPDATE`,
              [checkpoints.map((c) => c.projection)],
            );
            const saved = new Map(rows.map((r) => [r.projection as string, r as Checkpoint]));
            for (const c of checkpoints) {
              const row = saved.get(c.projection);
              if (c.position !== null && row?.version === c.version) c.position = change.mergePositions(row.position, c.position);
            }
          }
          await client.query(
            `INSERT INTO ${this.schema}.checkpoints (projection, version, position) SELECT * FROM unnest($1::text[], $2::int[], $3::text[])
             ON CONFLICT (projection) DO UPDATE SET version = excluded.version, position = excluded.position`,
            [checkpoints.map((c) => c.projection), checkpoints.map((c) => c.version), checkpoints.map((c) => c.position)],
          );
        }
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      }
    });
  }

  async checkpoint(projection: string): Promise<Checkpoint | undefined> {
    await this.migrate();
    const { rows } = await this.pool.query<Checkpoint>(`SELECT projection, version, position FROM ${this.schema}.checkpoints WHERE projection = $1`, [projection]);
    return rows[0];
  }

  async checkpoints(): Promise<Checkpoint[]> {
    await this.migrate();
    const { rows } = await this.pool.query<Checkpoint>(`SELECT projection, version, position FROM ${this.schema}.checkpoints ORDER BY projection COLLATE "C"`);
    return rows;
  }

  async reset(projection: string, version: number): Promise<void> {
    await this.migrate();
    await this.withClient(async (client) => {
      await client.query('BEGIN');
      try {
        await client.query(`DELETE FROM ${this.schema}.documents WHERE projection = $1`, [projection]);
        await client.query(`DELETE FROM ${this.schema}.parked_events WHERE projection = $1`, [projection]);
        await client.query(
          `INSERT INTO ${this.schema}.checkpoints (projection, version, position) VALUES ($1, $2, NULL)
           ON CONFLICT (projection) DO UPDATE SET version = excluded.version, position = NULL`,
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
    const { rows } = await this.pool.query<{ projection: string; n: string }>(`SELECT projection, COUNT(*) AS n FROM ${this.schema}.parked_events GROUP BY projection`);
    return Object.fromEntries(rows.map((r) => [r.projection, Number(r.n)]));
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
