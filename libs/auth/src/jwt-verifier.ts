import { createPublicKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRemoteJWKSet, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import type { Principal } from './scopes';

export interface JwtSettings {
  issuer: string;
  audience: string;
  /** The provider's JWKS endpoint, or a PEM public key file: one of the two. */
  jwksUrl: string | null;
  publicKeyFile: string | null;
}

/**
 * Only asymmetric algorithms: a token signed with HS256 using the public key as the secret (algorithm confusion) or
 * with `alg: none` is refused before its signature is looked at.
 */
const ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];

/** Access tokens of the company's identity provider, checked with `jose` (signature, `exp`, `nbf`, `iss`, `aud`). */
export class JwtVerifier {
  private readonly key: KeyObject | JWTVerifyGetKey;

  constructor(private readonly settings: JwtSettings) {
    this.key = settings.jwksUrl
      ? createRemoteJWKSet(new URL(settings.jwksUrl), { cooldownDuration: 30_000, cacheMaxAge: 600_000 })
      : createPublicKey(readFileSync(settings.publicKeyFile!, 'utf8'));
  }

  /** The token's principal; throws when the token is not one to accept (the caller answers 401). */
  async verify(token: string): Promise<Principal> {
    // A token without an expiry would be good for ever: refused, as one without a subject is.
    const options = {
      issuer: this.settings.issuer,
      audience: this.settings.audience,
      algorithms: ALGORITHMS,
      requiredClaims: ['exp', 'sub'],
    };
    const { payload } =
      typeof this.key === 'function'
        ? await jwtVerify(token, this.key, options)
        : await jwtVerify(token, this.key, options);
    if (typeof payload.sub !== 'string' || payload.sub === '') throw new Error('the token has no subject (sub)');
    return {
      credential: payload.sub,
      kind: 'jwt',
      scopes: scopesOf(payload),
      sources: null,
      expiresAt: typeof payload.exp === 'number' ? payload.exp * 1000 : null,
    };
  }
}

/** Scopes from `scope` (space separated, OAuth 2) or `scp` (an array, as some providers send them). */
function scopesOf(payload: JWTPayload): string[] {
  if (typeof payload.scope === 'string') return payload.scope.split(' ').filter((s) => s !== '');
  if (Array.isArray(payload.scp)) return payload.scp.filter((s): s is string => typeof s === 'string');
  return [];
}
