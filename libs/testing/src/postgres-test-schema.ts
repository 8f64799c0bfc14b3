import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';

/** The PostgreSQL server the tests use: DATABASE_URL, else the local one (trust auth). */
export const TEST_DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** A schema name no other test uses: each test creates its own and drops it after. */
export function uniqueSchemaName(prefix = 'jb_test'): string {
  return `${prefix}_${process.pid}_${Math.floor(Math.random() * 1e9)}`;
}

export async function dropSchema(schema: string): Promise<void> {
  const client = new Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } finally {
    await client.end();
  }
}

/**
 * Environment for an app process using a fresh PostgreSQL read store, with the master key every process on that schema
 * shares (the keys it wraps are in the schema).
 */
export function postgresReadStoreEnv(schema: string): Record<string, string> {
  return {
    READ_STORE: 'postgres',
    DATABASE_URL: TEST_DATABASE_URL,
    DATABASE_SCHEMA: schema,
    PERSONAL_DATA_MASTER_KEY_FILE: join(tmpdir(), 'journey-test-master-keys', `${schema}.key`),
  };
}
