import { createHash } from 'node:crypto';
import { BackboneError } from '#errors';
import { parseApiKey, verifySecret } from './api-key';
import { JwtVerifier, type JwtSettings } from './jwt-verifier';
import { readKeyFile, watchKeyFile, type KeyRecord } from './key-file';
import { ANONYMOUS_ADMIN, type Principal } from './scopes';

export interface AuthSettings {
  /** `off`: every request is allowed everything (loopback only, checked by the configuration). */
  mode: 'required' | 'off';
  keysFile: string | null;
  jwt: JwtSettings | null;
}

/** Verified API key tokens remembered (by a hash of the token): scrypt runs once per token, not per request. */
const VERIFIED_CACHE = 10_000;

/** A 401: the request has no credential this backbone accepts. */
export function unauthenticated(message: string): BackboneError {
  return new BackboneError('unauthenticated', message, { details: [{ path: 'authorization', message }] });
}

/**
 * Who a request comes from: `Authorization: Bearer <token>`, an API key of the key file or a JWT of the identity
 * provider. The key file is watched: a created, revoked or expired key counts within a second, in every running app.
 */
export class Authenticator {
  private keys = new Map<string, KeyRecord>();
  private readonly verified = new Map<string, string>();
  private readonly jwt: JwtVerifier | null;
  private stopWatching: (() => void) | null = null;
  private readonly changeListeners = new Set<() => void>();

  constructor(
    private readonly settings: AuthSettings,
    private readonly onKeyFileError: (error: Error) => void = () => undefined,
    private readonly now: () => number = Date.now,
  ) {
    this.jwt = settings.mode === 'required' && settings.jwt ? new JwtVerifier(settings.jwt) : null;
    if (settings.mode === 'required' && settings.keysFile) {
      this.useKeys(readKeyFile(settings.keysFile));
      this.stopWatching = watchKeyFile(settings.keysFile, (keys) => this.useKeys(keys), onKeyFileError);
    }
  }

  get required(): boolean {
    return this.settings.mode === 'required';
  }

  /** Tells `listener` when the keys change (open streams check their credential again). */
  onChange(listener: () => void): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  /**
   * The principal of a request's `Authorization` header: null when there is none (a public route may still answer),
   * else the principal, or a 401 error for a malformed, unknown, expired or revoked token.
   */
  async authenticate(header: string | undefined): Promise<Principal | null> {
    if (!this.required) return ANONYMOUS_ADMIN;
    if (header === undefined || header === '') return null;
    const match = /^Bearer ([^\s]+)$/i.exec(header.trim());
    if (!match) throw unauthenticated('the Authorization header must be "Bearer <token>"');
    const token = match[1];
    const apiKey = parseApiKey(token);
    if (apiKey) return this.keyPrincipal(token, apiKey.keyId, apiKey.secret);
    if (!this.jwt) throw unauthenticated('the token is not an API key of this backbone');
    try {
      return await this.jwt.verify(token);
    } catch (error) {
      throw unauthenticated(`the token is not accepted: ${(error as Error).message}`);
    }
  }

  /** Whether a principal established earlier may still act (its key not revoked, not expired). */
  stillValid(principal: Principal): boolean {
    if (principal.expiresAt !== null && principal.expiresAt <= this.now()) return false;
    if (principal.kind !== 'key') return true;
    const key = this.keys.get(principal.credential);
    return key !== undefined && this.usable(key) === null;
  }

  close(): void {
    this.stopWatching?.();
    this.stopWatching = null;
  }

  private async keyPrincipal(token: string, keyId: string, secret: string): Promise<Principal> {
    const key = this.keys.get(keyId);
    if (!key) throw unauthenticated('unknown API key');
    const unusable = this.usable(key);
    if (unusable) throw unauthenticated(unusable);
    const fingerprint = createHash('sha256').update(token).digest('base64url');
    if (this.verified.get(fingerprint) !== key.hash) {
      if (!(await verifySecret(secret, key.hash))) throw unauthenticated('unknown API key');
      if (this.verified.size >= VERIFIED_CACHE) this.verified.delete(this.verified.keys().next().value!);
      this.verified.set(fingerprint, key.hash);
    }
    return {
      credential: key.id,
      kind: 'key',
      scopes: key.scopes,
      sources: key.sources,
      expiresAt: key.expiresAt === null ? null : Date.parse(key.expiresAt),
    };
  }

  /** Why a key cannot be used now, or null. */
  private usable(key: KeyRecord): string | null {
    if (key.revokedAt !== null) return 'the API key was revoked';
    if (key.expiresAt !== null && Date.parse(key.expiresAt) <= this.now()) return 'the API key has expired';
    return null;
  }

  private useKeys(keys: KeyRecord[]): void {
    this.keys = new Map(keys.map((k) => [k.id, k]));
    for (const listener of this.changeListeners) listener();
  }
}
