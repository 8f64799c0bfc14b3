import type { Pool } from 'pg';

const IDENT = /^[a-z_][a-z0-9_]{0,62}$/;

/** A schema name is interpolated into SQL: only a plain lower-case identifier is accepted. */
export function assertSchemaName(schema: string): string {
  if (!IDENT.test(schema)) throw new Error(`invalid schema name "${schema}"`);
  return schema;
}

/**
 * Creates `schema` if missing and runs the component's pending migrations, each once, in order,
 * each in its own transaction (with `search_path` set to the schema), recorded in
 * `schema_migrations`. Every component sharing a schema (read store, event index) migrates under
 * one advisory lock, since CREATE SCHEMA IF NOT EXISTS is not safe against a concurrent one.
 */
export async function migrateSchema(pool: Pool, schema: string, component: string, migrations: readonly string[]): Promise<void> {
  assertSchemaName(schema);
  const lock = `journey-migrations:${schema}`;
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock(hashtext($1))', [lock]);
    try {
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
      await client.query(`CREATE TABLE IF NOT EXISTS ${schema}.schema_migrations (
        component text NOT NULL,
        version integer NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (component, version))`);
      const { rows } = await client.query<{ version: number }>(`SELECT version FROM ${schema}.schema_migrations WHERE component = $1`, [component]);
      const applied = new Set(rows.map((r) => r.version));
      for (const [i, sql] of migrations.entries()) {
        if (applied.has(i + 1)) continue;
        try {
          await client.query('BEGIN');
          await client.query(`SET LOCAL search_path TO ${schema}`);
          await client.query(sql);
          await client.query(`INSERT INTO ${schema}.schema_migrations (component, version) VALUES ($1, $2)`, [component, i + 1]);
          await client.query('COMMIT');
        } catch (error) {
          await client.query('ROLLBACK').catch(() => undefined);
          throw error;
        }
      }
    } finally {
      await client.query('SELECT pg_advisory_unlock(hashtext($1))', [lock]);
    }
  } finally {
    client.release();
  }
}
