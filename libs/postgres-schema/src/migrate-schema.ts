import type { Pool, PoolClient } from 'pg';

/** One migration: SQL, or work that needs a program (a backfill computed in JavaScript), run in its transaction. */
export type Migration = string | ((client: PoolClient, schema: string) => Promise<void>);

const IDENT = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Words PostgreSQL does not take as a schema name unquoted (its reserved key words, and those
 * that may name only a function or type): `CREATE SCHEMA select` is a syntax error.
 */
const RESERVED = new Set(
  `all analyse analyze and any array as asc asymmetric authorization binary both case cast check collate collation
    column
   concurrently constraint create cross current_catalog current_date current_role current_schema current_time
     current_timestamp
   current_user default deferrable desc distinct do else end except false fetch for foreign freeze from full grant
     group having
   ilike in initially inner intersect into is isnull join lateral leading left like limit localtime localtimestamp
     natural not
   notnull null offset on only or order outer overlaps placing primary references returning right select
     session_user similar
   some symmetric system_user table tablesample then to trailing true union unique user using variadic verbose when
     where window
   with`.split(/\s+/),
);

/** Why `schema` cannot hold the backbone's tables, or null when it can. */
export function schemaNameProblem(schema: string): string | null {
  if (!IDENT.test(schema)) return 'must be a lower-case SQL identifier (a-z, 0-9, _; at most 63 characters)';
  if (RESERVED.has(schema)) return `"${schema}" is a reserved SQL key word`;
  if (schema.startsWith('pg_') || schema === 'information_schema')
    return `"${schema}" is reserved for PostgreSQL's system schemas`;
  return null;
}

/** A schema name is interpolated into SQL: only a plain lower-case identifier, not a reserved word, is accepted. */
export function assertSchemaName(schema: string): string {
  const problem = schemaNameProblem(schema);
  if (problem) throw new Error(`invalid schema name "${schema}": ${problem}`);
  return schema;
}

/**
 * Creates `schema` if missing and runs the component's pending migrations, each once, in order,
 * each in its own transaction (with `search_path` set to the schema), recorded in
 * `schema_migrations`. Every component sharing a schema (read store, event index) migrates under
 * one advisory lock, since CREATE SCHEMA IF NOT EXISTS is not safe against a concurrent one.
 */
export async function migrateSchema(
  pool: Pool,
  schema: string,
  component: string,
  migrations: readonly Migration[],
): Promise<void> {
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
      const { rows } = await client.query<{ version: number }>(
        `SELECT version FROM ${schema}.schema_migrations WHERE component = $1`,
        [component],
      );
      const applied = new Set(rows.map((r) => r.version));
      for (const [i, sql] of migrations.entries()) {
        if (applied.has(i + 1)) continue;
        try {
          await client.query('BEGIN');
          await client.query(`SET LOCAL search_path TO ${schema}`);
          if (typeof sql === 'string') await client.query(sql);
          else await sql(client, schema);
          await client.query(`INSERT INTO ${schema}.schema_migrations (component, version) VALUES ($1, $2)`, [
            component,
            i + 1,
          ]);
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
