import { createCipheriv, createDecipheriv, createHmac } from 'node:crypto';
import { SEALED_PREFIX } from '#schemas';

/** A customer's data key, unwrapped, with the key its nonces are derived under. */
export interface DataKey {
  keyId: string;
  key: Buffer;
  nonceKey: Buffer;
}

/** A data key from its material: 64 bytes (the AES key, then the nonce key), or 32 (the nonce key derived from it). */
export function dataKey(keyId: string, material: Buffer): DataKey {
  if (material.length === 64) return { keyId, key: material.subarray(0, 32), nonceKey: material.subarray(32) };
  return {
    keyId,
    key: material,
    nonceKey: createHmac('sha256', material).update('journey-backbone personal-data nonce').digest(),
  };
}

/** Bytes of the key material of one data key. */
export const DATA_KEY_BYTES = 64;

/**
 * Encrypts one personal value: AES-256-GCM, the associated data binding it to its event and field (it cannot be
 * moved to another), and a synthetic nonce (an HMAC of that associated data and the value under a key derived from
 * the data key): two different values never share a nonce, and the same value of the same event field seals to the
 * same bytes, so a retried append is recognised as the same event (appends are idempotent on content).
 */
export function sealValue(key: DataKey, aad: string, plain: string): string {
  const nonce = createHmac('sha256', key.nonceKey).update(aad).update('\u0000').update(plain).digest().subarray(0, 12);
  const cipher = createCipheriv('aes-256-gcm', key.key, nonce);
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return SEALED_PREFIX + Buffer.concat([nonce, body, cipher.getAuthTag()]).toString('base64url');
}

/** The value `sealValue` sealed; throws when the bytes, the key or the associated data do not match. */
export function openValue(key: DataKey, aad: string, sealed: string): string {
  const end = sealed.indexOf('.', SEALED_PREFIX.length);
  const bytes = Buffer.from(sealed.slice(SEALED_PREFIX.length, end === -1 ? undefined : end), 'base64url');
  if (bytes.length < 28) throw new Error('sealed value too short');
  const decipher = createDecipheriv('aes-256-gcm', key.key, bytes.subarray(0, 12));
  decipher.setAAD(Buffer.from(aad, 'utf8'));
  decipher.setAuthTag(bytes.subarray(bytes.length - 16));
  return Buffer.concat([decipher.update(bytes.subarray(12, bytes.length - 16)), decipher.final()]).toString('utf8');
}

/** The associated data of one field of one event: its CloudEvents key (source, id) and the field's path. */
export function fieldContext(event: { source: string; id: string }, path: readonly (string | number)[]): string {
  return `${event.source}\u0000${event.id}\u0000${path.join('.')}`;
}
