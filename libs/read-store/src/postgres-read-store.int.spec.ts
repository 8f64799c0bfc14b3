import { PostgresReadStore } from './postgres-read-store';
import { readStoreContract } from './testing/read-store.contract';
import { join } from 'node:path';
import { ROOT, TEST_DATABASE_URL, dropSchema, uniqueSchemaName } from '#testing';

/** The same contract suite as SQLite, on the real PostgreSQL server (DATABASE_URL). */
readStoreContract('postgres', async () => {
  const schema = uniqueSchemaName('rs_test');
  let store = new PostgresReadStore({ connectionString: TEST_DATABASE_URL, schema, poolSize: 2 });
  return {
    store,
    reopen: async () => {
      await store.close();
      store = new PostgresReadStore({ connectionString: TEST_DATABASE_URL, schema, poolSize: 2 });
      return store;
    },
    another: () => new PostgresReadStore({ connectionString: TEST_DATABASE_URL, schema, poolSize: 2 }),
    inAnotherProcess:
      `new (require(${JSON.stringify(join(ROOT, 'dist/libs/read-store/src'))}).PostgresReadStore)(` +
      JSON.stringify({ connectionString: TEST_DATABASE_URL, schema }) +
      ')',
    cleanup: async () => {
      await store.close();
      await dropSchema(schema);
    },
  };
});
