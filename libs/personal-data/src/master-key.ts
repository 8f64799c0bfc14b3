import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  linkSync,
  mkdirSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { dirname } from 'node:path';
import { BackboneError } from '#errors';

/**
 * The master key that wraps every data key (the port a cloud KMS would implement: AWS KMS `Encrypt`/`Decrypt`, Google
 * Cloud KMS, Azure Key Vault `wrapKey`/`unwrapKey`, HashiCorp Vault transit). The key store holds data keys only as
 * this wraps them; `context` (the data key's id) is bound to the wrapped bytes as associated data, so a wrapped key
 * cannot be moved to another id.
 */
export interface MasterKey {
  /** The id of the master key new wraps use. */
  currentId(): string;
  wrap(plain: Buffer, context: string): Promise<{ masterKeyId: string; wrapped: string }>;
  /** Throws when `masterKeyId` is unknown or the bytes were altered. */
  unwrap(masterKeyId: string, wrapped: string, context: string): Promise<Buffer>;
}

/** The master key file: the key new wraps use and every key still needed to unwrap (base64, 32 bytes each). */
interface Keyring {
  current: string;
  keys: Record<string, string>;
}

function keyIdOf(key: Buffer): string {
  return `mk-${createHash('sha256').update(key).digest('hex').slice(0, 16)}`;
}

function newKeyring(): Keyring {
  const key = randomBytes(32);
  return { current: keyIdOf(key), keys: { [keyIdOf(key)]: key.toString('base64') } };
}

/** Creates the file unless it exists (a link does not replace): processes starting together agree on one key. */
function createKeyring(file: string): void {
  mkdirSync(dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.new`;
  writeFileSync(temporary, JSON.stringify(newKeyring(), null, 2) + '\n', { mode: 0o600 });
  chmodSync(temporary, 0o600);
  try {
    linkSync(temporary, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    unlinkSync(temporary);
  }
}

function writeKeyring(file: string, keyring: Keyring): void {
  mkdirSync(dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, JSON.stringify(keyring, null, 2) + '\n', { mode: 0o600 });
  chmodSync(temporary, 0o600);
  renameSync(temporary, file);
}

function unusable(file: string, why: string): BackboneError {
  return new BackboneError('configuration_invalid', `PERSONAL_DATA_MASTER_KEY_FILE ${file}: ${why}`);
}

/**
 * The master key in a file (mode 0600, refused when others may read it), created on first use when `create` is set
 * (the embedded default). It holds a keyring so that a rotation can add a key, re-wrap, then retire the old one, and a
 * crash at any point leaves every data key unwrappable. Re-read when a wrap names a key it does not hold (another
 * process rotated).
 */
export class FileMasterKey implements MasterKey {
  private keyring: Keyring;
  /** When the file was read: a rotation by another process changes it, and new wraps must use its new key. */
  private readAt = 0;
  /** When the file was last looked at (at most once a second: a wrap per new customer would stat it each time). */
  private checkedAt = 0;

  constructor(
    readonly file: string,
    options: { create?: boolean } = {},
  ) {
    if (!existsSync(file)) {
      if (!options.create) throw unusable(file, 'no such file');
      createKeyring(file);
    }
    this.keyring = this.read();
  }

  private read(): Keyring {
    const { mode, mtimeMs } = statSync(this.file);
    this.readAt = mtimeMs;
    if ((mode & 0o077) !== 0)
      throw unusable(this.file, `others may read it (mode ${(mode & 0o777).toString(8)}): chmod 600 it`);
    let parsed: Keyring;
    try {
      parsed = JSON.parse(readFileSync(this.file, 'utf8')) as Keyring;
    } catch (error) {
      throw unusable(this.file, `not a master key file (${(error as Error).message})`);
    }
    const keys = parsed?.keys;
    if (typeof parsed?.current !== 'string' || keys === null || typeof keys !== 'object' || !keys[parsed.current])
      throw unusable(this.file, 'not a master key file (it needs "current" and "keys")');
    for (const [id, key] of Object.entries(keys))
      if (Buffer.from(key, 'base64').length !== 32) throw unusable(this.file, `key ${id} is not 32 bytes`);
    return parsed;
  }

  currentId(): string {
    return this.keyring.current;
  }

  private key(id: string): Buffer {
    if (!this.keyring.keys[id]) this.keyring = this.read();
    const key = this.keyring.keys[id];
    if (!key) throw unusable(this.file, `it does not hold master key ${id}, which wrapped keys in the key store`);
    return Buffer.from(key, 'base64');
  }

  /** Nonces drawn from the random source in bulk: one call per 256 wraps (each call costs as much as a wrap). */
  private nonces = Buffer.alloc(0);

  private nonce(): Buffer {
    if (this.nonces.length < 12) this.nonces = randomBytes(12 * 256);
    const nonce = this.nonces.subarray(0, 12);
    this.nonces = this.nonces.subarray(12);
    return nonce;
  }

  async wrap(plain: Buffer, context: string): Promise<{ masterKeyId: string; wrapped: string }> {
    const now = Date.now();
    if (now - this.checkedAt > 1000) {
      this.checkedAt = now;
      if (statSync(this.file).mtimeMs !== this.readAt) this.keyring = this.read();
    }
    const masterKeyId = this.keyring.current;
    const nonce = this.nonce();
    const cipher = createCipheriv('aes-256-gcm', this.key(masterKeyId), nonce);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const body = Buffer.concat([cipher.update(plain), cipher.final()]);
    return { masterKeyId, wrapped: Buffer.concat([nonce, body, cipher.getAuthTag()]).toString('base64') };
  }

  async unwrap(masterKeyId: string, wrapped: string, context: string): Promise<Buffer> {
    const bytes = Buffer.from(wrapped, 'base64');
    const decipher = createDecipheriv('aes-256-gcm', this.key(masterKeyId), bytes.subarray(0, 12));
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(bytes.subarray(bytes.length - 16));
    return Buffer.concat([decipher.update(bytes.subarray(12, bytes.length - 16)), decipher.final()]);
  }

  /** Adds a new key and makes it the current one (the old ones stay until `retire`). Answers its id. */
  addKey(): string {
    const keyring = this.read();
    const key = randomBytes(32);
    const id = keyIdOf(key);
    this.keyring = { current: id, keys: { ...keyring.keys, [id]: key.toString('base64') } };
    writeKeyring(this.file, this.keyring);
    return id;
  }

  /** Drops the keys no wrapped key needs any more (after a rotation re-wrapped them all). Answers their ids. */
  retire(stillNeeded: readonly string[]): string[] {
    const keyring = this.read();
    const keep = new Set([...stillNeeded, keyring.current]);
    const dropped = Object.keys(keyring.keys).filter((id) => !keep.has(id));
    if (dropped.length === 0) return [];
    this.keyring = {
      current: keyring.current,
      keys: Object.fromEntries(Object.entries(keyring.keys).filter(([id]) => keep.has(id))),
    };
    writeKeyring(this.file, this.keyring);
    return dropped;
  }
}
