import { chmodSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDataDir } from '#testing';
import { FileMasterKey } from './master-key';

describe('the master key file', () => {
  it('is created with mode 0600 when asked to, and wraps a key only its own context unwraps', async () => {
    const file = join(tempDataDir('master-'), 'sub', 'master.key');
    const master = new FileMasterKey(file, { create: true });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const plain = Buffer.alloc(32, 7);
    const { masterKeyId, wrapped } = await master.wrap(plain, 'pdk-1');
    expect(masterKeyId).toBe(master.currentId());
    expect(await master.unwrap(masterKeyId, wrapped, 'pdk-1')).toEqual(plain);
    await expect(master.unwrap(masterKeyId, wrapped, 'pdk-2')).rejects.toThrow();
    // The same file read again (another process) unwraps it.
    expect(await new FileMasterKey(file).unwrap(masterKeyId, wrapped, 'pdk-1')).toEqual(plain);
  });

  it.each([
    ['a missing file (not asked to create it)', () => undefined, /no such file/],
    ['a file others may read', (f: string) => (writeFileSync(f, '{}'), chmodSync(f, 0o644)), /others may read it/],
    ['a file that is not a keyring', (f: string) => writeFileSync(f, 'x', { mode: 0o600 }), /not a master key file/],
    [
      'a key of the wrong size',
      (f: string) => writeFileSync(f, JSON.stringify({ current: 'a', keys: { a: 'AAAA' } }), { mode: 0o600 }),
      /key a is not 32 bytes/,
    ],
  ])('refuses %s, naming the variable', (_what, make, message) => {
    const file = join(tempDataDir('master-'), 'master.key');
    make(file);
    expect(() => new FileMasterKey(file)).toThrow(message);
    expect(() => new FileMasterKey(file)).toThrow(/PERSONAL_DATA_MASTER_KEY_FILE/);
  });

  it('names a master key it does not hold (a wrong file for this key store)', async () => {
    const file = join(tempDataDir('master-'), 'master.key');
    const master = new FileMasterKey(file, { create: true });
    await expect(master.unwrap('mk-elsewhere', 'AAAA', 'pdk-1')).rejects.toThrow(
      /does not hold master key mk-elsewhere/,
    );
  });
});
