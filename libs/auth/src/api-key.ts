import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/** `jbk_<keyId>_<secret>`: the key id letters and digits, the secret 32 random bytes in base64url. */
const TOKEN = /^jbk_([A-Za-z0-9]{1,64})_([A-Za-z0-9_-]{43,})$/;

/**
 * scrypt's cost (N = 2^15, r = 8: 32 MiB and tens of milliseconds a check): slow for whoever steals the key file, paid
 * by the server once per token (verified tokens are remembered, see `Authenticator`).
 */
const SCRYPT: ScryptOptions = { N: 2 ** 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };
const HASH_BYTES = 32;

export interface ParsedApiKey {
  keyId: string;
  secret: string;
}

/** The key id and secret of a token in the API key form, or null when it is not one. */
export function parseApiKey(token: string): ParsedApiKey | null {
  const match = TOKEN.exec(token);
  return match ? { keyId: match[1], secret: match[2] } : null;
}

/** A new key id and secret, and the token that carries them (shown once, never stored). */
export function newApiKey(): ParsedApiKey & { token: string } {
  const keyId =
    randomBytes(9)
      .toString('base64url')
      .replace(/[^A-Za-z0-9]/g, '')
      .slice(0, 10) || 'k';
  const secret = randomBytes(32).toString('base64url');
  return { keyId, secret, token: `jbk_${keyId}_${secret}` };
}

function derive(secret: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(secret, salt, HASH_BYTES, options, (error, key) => (error ? reject(error) : resolve(key))),
  );
}

/** The stored form of a secret: `scrypt$<N>$<r>$<p>$<salt>$<hash>`, base64url. */
export async function hashSecret(secret: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await derive(secret, salt, SCRYPT);
  return ['scrypt', SCRYPT.N, SCRYPT.r, SCRYPT.p, salt.toString('base64url'), hash.toString('base64url')].join('$');
}

/** Whether the secret is the one hashed (constant time); false for a stored form this code cannot read. */
export async function verifySecret(secret: string, stored: string): Promise<boolean> {
  const [kind, n, r, p, salt, hash] = stored.split('$');
  if (kind !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const actual = await derive(secret, Buffer.from(salt, 'base64url'), {
    N: Number(n),
    r: Number(r),
    p: Number(p),
    maxmem: SCRYPT.maxmem,
  });
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
