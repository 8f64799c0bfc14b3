import { createServer, type AddressInfo } from 'node:net';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startBackbone, tempDataDir } from '#testing';

/** An app that cannot start says why in one line and exits with a code a supervisor can act on. */
async function exitOf(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const app = await startBackbone({ env, noWait: true });
  const code = await new Promise<number | null>((resolve) => app.child.once('exit', (c) => resolve(c)));
  return { code, output: app.output() };
}

describe('an app that cannot start', () => {
  it('given a wrong variable, exits with code 2 naming it, and serves nothing', async () => {
    const { code, output } = await exitOf({ JOURNEY_LOG: 'redis' });
    expect(code).toBe(2);
    expect(output).toMatch(
      /backbone: invalid configuration:\n\s+JOURNEY_LOG="redis": must be "sqlite", "kafka" or "eventstoredb"/,
    );
    expect(output).not.toMatch(/listening on/);
  });

  it.each([['select'], ['pg_catalog'], ['information_schema']])(
    'given DATABASE_SCHEMA=%s (reserved), exits with code 2 naming it',
    async (schema) => {
      const { code, output } = await exitOf({
        READ_STORE: 'postgres',
        DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/test',
        DATABASE_SCHEMA: schema,
      });
      expect(code).toBe(2);
      expect(output).toMatch(new RegExp(`DATABASE_SCHEMA="${schema}": .*reserved`));
    },
  );

  it('given an EventStoreDB server that cannot be reached, exits with code 3 and one line saying so', async () => {
    const { code, output } = await exitOf({
      JOURNEY_LOG: 'eventstoredb',
      EVENTSTOREDB_CONNECTION_STRING: 'esdb://127.0.0.1:1?tls=false',
    });
    expect(code).toBe(3);
    expect(output).toMatch(/^backbone: cannot start: the EventStoreDB journey log is unavailable: .*ECONNREFUSED/m);
    expect(output).not.toMatch(/at .*node_modules/);
  });

  it('given a PostgreSQL read store that cannot be reached, exits with code 3 and one line saying so', async () => {
    const { code, output } = await exitOf({
      READ_STORE: 'postgres',
      DATABASE_URL: 'postgres://postgres@127.0.0.1:1/test',
    });
    expect(code).toBe(3);
    expect(output).toMatch(/^backbone: cannot start: the PostgreSQL read store is unavailable: .*ECONNREFUSED/m);
  });

  it('given a port in use, exits with code 3 and one line naming the port, without a stack trace', async () => {
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const port = (holder.address() as AddressInfo).port;
    try {
      const { code, output } = await exitOf({ PORT: String(port), HOST: '127.0.0.1' });
      expect(code).toBe(3);
      expect(output).toMatch(new RegExp(`^backbone: cannot start: port ${port} on 127.0.0.1 is in use`, 'm'));
      expect(output).not.toMatch(/EADDRINUSE|\n\s+at /);
    } finally {
      holder.close();
    }
  });

  it('given AUTH=off and a HOST beyond loopback, exits with code 2 saying why', async () => {
    const { code, output } = await exitOf({ AUTH: 'off', HOST: '0.0.0.0' });
    expect(code).toBe(2);
    expect(output).toMatch(/AUTH=off is allowed only on loopback, not with HOST=0\.0\.0\.0/);
  });

  it.each([
    ['others may read', '{}', 0o644, /others may read it \(mode 644\): chmod 600 it/],
    ['not a master key file', 'not json', 0o600, /not a master key file/],
  ])('given a master key file %s, exits with code 2 naming the variable', async (_what, content, mode, message) => {
    const file = join(tempDataDir('master-'), 'master.key');
    writeFileSync(file, content, { mode });
    chmodSync(file, mode);
    const { code, output } = await exitOf({ PERSONAL_DATA_MASTER_KEY_FILE: file });
    expect(code).toBe(2);
    expect(output).toMatch(/backbone: cannot start: PERSONAL_DATA_MASTER_KEY_FILE \S+master\.key: /);
    expect(output).toMatch(message);
    expect(output).not.toMatch(/listening on/);
  });

  it('given AUTH=required and neither keys nor a JWT provider, exits with code 2 saying what is missing', async () => {
    const { code, output } = await exitOf({ AUTH: 'required' });
    expect(code).toBe(2);
    expect(output).toMatch(/AUTH=required needs a key file/);
  });
});

describe('an app with auth off', () => {
  it('starts on loopback and says in one line that auth is off', async () => {
    const app = await startBackbone();
    try {
      expect(app.output().match(/auth is off/g)).toHaveLength(1);
    } finally {
      await app.stop();
    }
  });
});
