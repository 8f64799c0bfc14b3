import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportSPKI, generateKeyPair, SignJWT, type KeyLike } from 'jose';
import { waitFor } from '#wait-for';
import { Authenticator } from './authenticator';
import { createKey, revokeKey } from './key-file';

describe('Authenticator', () => {
  const dir = mkdtempSync(join(tmpdir(), 'auth-'));
  const keysFile = join(dir, 'keys.json');
  const publicKeyFile = join(dir, 'idp.pem');
  let privateKey: KeyLike;
  let publicPem: string;
  let auth: Authenticator;
  const jwtSettings = { issuer: 'https://idp.test', audience: 'journey-backbone', jwksUrl: null, publicKeyFile };

  beforeAll(async () => {
    const pair = await generateKeyPair('RS256');
    privateKey = pair.privateKey;
    publicPem = await exportSPKI(pair.publicKey);
    writeFileSync(publicKeyFile, publicPem);
    auth = new Authenticator({ mode: 'required', keysFile, jwt: jwtSettings });
  });
  afterAll(() => {
    auth.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const jwt = (
    claims: Record<string, unknown> = {},
    options: { issuer?: string; audience?: string; exp?: string } = {},
  ) =>
    new SignJWT({ scope: 'journeys:read pii:read', ...claims })
      .setProtectedHeader({ alg: 'RS256' })
      .setSubject('agent-7')
      .setIssuer(options.issuer ?? jwtSettings.issuer)
      .setAudience(options.audience ?? jwtSettings.audience)
      .setIssuedAt()
      .setExpirationTime(options.exp ?? '5m')
      .sign(privateKey);

  it('given a key created in the file, then within a second its token carries its scopes and sources', async () => {
    const { token, key } = await createKey(keysFile, {
      name: 'shipment',
      scopes: ['events:write:shipment.*'],
      sources: ['shipment-*'],
    });
    const principal = await waitFor(() => auth.authenticate(`Bearer ${token}`).catch(() => null), { timeoutMs: 1500 });
    expect(principal).toEqual({
      credential: key.id,
      kind: 'key',
      scopes: ['events:write:shipment.*'],
      sources: ['shipment-*'],
      expiresAt: null,
    });
    // The secret is what follows `jbk_<id>_` (base64url: it may itself hold `_`, so not split on it).
    const secret = token.slice(`jbk_${key.id}_`.length);
    expect(secret.length).toBeGreaterThan(20);
    expect(JSON.stringify(key)).not.toContain(secret);
  });

  it('given a wrong secret, an unknown key or a malformed header, then each is a 401', async () => {
    const { token } = await createKey(keysFile, { name: 'c', scopes: ['journeys:read'] });
    await waitFor(() => auth.authenticate(`Bearer ${token}`).catch(() => null), { timeoutMs: 1500 });
    const [, id] = token.split('_');
    const forged = `jbk_${id}_${'A'.repeat(43)}`;
    await expect(auth.authenticate(`Bearer ${forged}`)).rejects.toMatchObject({ code: 'unauthenticated' });
    await expect(auth.authenticate(`Bearer jbk_nokey_${'A'.repeat(43)}`)).rejects.toMatchObject({
      code: 'unauthenticated',
    });
    await expect(auth.authenticate(`Basic abc`)).rejects.toMatchObject({ code: 'unauthenticated' });
    await expect(auth.authenticate(undefined)).resolves.toBeNull();
  });

  it('given a key revoked in the file, then within a second its token and principal are refused', async () => {
    const { token, key } = await createKey(keysFile, { name: 'r', scopes: ['journeys:read'] });
    const principal = await waitFor(() => auth.authenticate(`Bearer ${token}`).catch(() => null), { timeoutMs: 1500 });
    revokeKey(keysFile, key.id);
    await waitFor(() => !auth.stillValid(principal), { timeoutMs: 1000, what: 'the revocation to be seen' });
    await expect(auth.authenticate(`Bearer ${token}`)).rejects.toThrow(/revoked/);
  });

  it('given a JWT of the provider, then its subject and scopes are the principal', async () => {
    await expect(auth.authenticate(`Bearer ${await jwt()}`)).resolves.toMatchObject({
      credential: 'agent-7',
      kind: 'jwt',
      scopes: ['journeys:read', 'pii:read'],
    });
    await expect(auth.authenticate(`Bearer ${await jwt({ scope: undefined, scp: ['admin'] })}`)).resolves.toMatchObject(
      { scopes: ['admin'] },
    );
  });

  it.each([
    ['another issuer', () => jwt({}, { issuer: 'https://evil.test' })],
    ['another audience', () => jwt({}, { audience: 'other-api' })],
    ['an expired token', () => jwt({}, { exp: '-1m' })],
    [
      'a token without an expiry',
      () =>
        new SignJWT({ scope: 'admin' })
          .setProtectedHeader({ alg: 'RS256' })
          .setSubject('x')
          .setIssuer(jwtSettings.issuer)
          .setAudience(jwtSettings.audience)
          .sign(privateKey),
    ],
    [
      'alg none',
      async () =>
        `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: 'x', iss: jwtSettings.issuer, aud: jwtSettings.audience })}.`,
    ],
    [
      'HS256 signed with the public key (algorithm confusion)',
      async () =>
        new SignJWT({ scope: 'admin' })
          .setProtectedHeader({ alg: 'HS256' })
          .setSubject('x')
          .setIssuer(jwtSettings.issuer)
          .setAudience(jwtSettings.audience)
          .setExpirationTime('5m')
          .sign(new TextEncoder().encode(publicPem)),
    ],
  ])('given %s, then it is a 401', async (_name, token) => {
    await expect(auth.authenticate(`Bearer ${await token()}`)).rejects.toMatchObject({ code: 'unauthenticated' });
  });
});

function b64(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}
