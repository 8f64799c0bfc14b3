import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, tempDataDir } from '#testing';
import { SqliteReadStore } from './sqlite-read-store';
import { readStoreContract } from './testing/read-store.contract';

readStoreContract('sqlite', async () => {
  const dir = tempDataDir();
  const file = join(dir, 'read.db');
  let store = new SqliteReadStore({ file });
  return {
    store,
    reopen: async () => {
      await store.close();
      store = new SqliteReadStore({ file });
      return store;
    },
    another: () => new SqliteReadStore({ file }),
    inAnotherProcess:
      `new (require(${JSON.stringify(join(ROOT, 'dist/libs/read-store/src'))}).SqliteReadStore)(` +
      JSON.stringify({ file }) +
      ')',
    cleanup: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
