import { spawnSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, SignJWT, type KeyLike } from 'jose';
import { createKey, revokeKey } from '#auth';
import { ROOT, getJson, postJson, startBackbone, tempDataDir, waitFor, type BackboneProcess } from '#testing';
import { workedJourneySteps } from '../e2e/worked-journey';

const CLI = join(ROOT, 'dist/apps/journey-cli/src/main.js');
const ISSUER = 'https://idp.test';
const AUDIENCE = 'journey-backbone';
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/**
 * The trust boundary on the embedded backbone: API keys from the key file, JWTs from a local identity provider (its
 * JWKS served by this test), scopes on every route, masking, rate limits and revocation.
 */
describe('access: who may write and read', () => {
  const dataDir = tempDataDir('access-');
  const keysFile = join(dataDir, 'auth-keys.json');
  const tokens: Record<string, string> = {};
  const keyIds: Record<string, string> = {};
  let app: BackboneProcess;
  let jwks: Server;
  let privateKey: KeyLike;
  let otherKey: KeyLike;

  const jwt = async (
    options: { scope?: string; issuer?: string; audience?: string; exp?: string; key?: KeyLike } = {},
  ) =>
    new SignJWT({ scope: options.scope ?? 'journeys:read' })
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .setSubject('agent-7')
      .setIssuer(options.issuer ?? ISSUER)
      .setAudience(options.audience ?? AUDIENCE)
      .setExpirationTime(options.exp ?? '5m')
      .sign(options.key ?? privateKey);

  beforeAll(async () => {
    const pair = await generateKeyPair('RS256');
    privateKey = pair.privateKey;
    otherKey = (await generateKeyPair('RS256')).privateKey;
    const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
    jwks = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
    const keys: Record<string, { scopes: string[]; sources?: string[] }> = {
      admin: { scopes: ['admin'] },
      writer: { scopes: ['events:write:*'] },
      reader: { scopes: ['journeys:read'] },
      readerPii: { scopes: ['journeys:read', 'pii:read'] },
      metrics: { scopes: ['metrics:read'] },
      auditor: { scopes: ['privacy:read'] },
      eraser: { scopes: ['privacy:erase'] },
      shipment: { scopes: ['events:write:shipment.*'], sources: ['shipment-*'] },
      doomed: { scopes: ['journeys:read'] },
      revoked: { scopes: ['admin'] },
    };
    for (const [name, key] of Object.entries(keys)) {
      const created = await createKey(keysFile, { name, ...key });
      tokens[name] = created.token;
      keyIds[name] = created.key.id;
    }
    revokeKey(keysFile, keyIds.revoked);
    app = await startBackbone({
      dataDir,
      env: {
        AUTH_JWT_ISSUER: ISSUER,
        AUTH_JWT_AUDIENCE: AUDIENCE,
        AUTH_JWT_JWKS_URL: `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/jwks.json`,
        IDENTITY_RATE_LIMIT_PER_MINUTE: '40',
      },
    });
    for (const step of workedJourneySteps())
      expect((await postJson(`${app.url}/v1/events`, step.body, { headers: bearer(tokens.admin) })).status).toBe(201);
  }, 60_000);

  afterAll(async () => {
    await app?.stop();
    jwks?.close();
  });

  const head = async () =>
    (await getJson(`${app.url}/health`, { headers: bearer(tokens.admin) })).body.journeyLog.head as string;

  it('does not say auth is off, and /health tells anyone only that it is alive', async () => {
    expect(app.output()).not.toMatch(/auth is off/);
    const anonymous = await getJson(`${app.url}/health`);
    expect(anonymous).toMatchObject({ status: 200, body: { status: 'ok' } });
    expect(Object.keys(anonymous.body)).toEqual(['status']);
  });

  describe('every route of the route table, with every kind of credential', () => {
    const sample: Record<string, string> = {
      customerId: 'cust-1001',
      orderId: 'ord-1001',
      caseId: 'case-501',
      kind: 'email',
      value: 'ada@example.com',
      id: 'matrix-hook',
    };
    let n = 0;
    const feedback = () => ({
      specversion: '1.0',
      id: `matrix-${++n}`,
      source: '/e2e-matrix',
      type: 'feedback.received',
      subject: 'cust-1001',
      time: '2026-03-30T10:00:00Z',
      datacontenttype: 'application/json',
      data: { score: 4 },
    });
    // The erasure route erases a customer of its own, so that the other routes still read theirs.
    const erasable = 'cust-erasable';
    const bodyFor = (path: string) => {
      if (path.endsWith('/erasure')) return { reason: 'access matrix' };
      // Made once, by the right scope; the matrix then reads and deletes it.
      if (path === '/v1/webhooks')
        return { id: 'matrix-hook', url: 'http://127.0.0.1:9/', events: ['feedback.received'] };
      return feedback();
    };
    const call = async (method: string, path: string, headers: Record<string, string>) => {
      const erasure = path.endsWith('/erasure');
      const url = `${app.url}${path.replace(/\{(\w+)\}/g, (_, p: string) =>
        encodeURIComponent(erasure && p === 'customerId' ? erasable : sample[p]),
      )}`;
      const abort = new AbortController();
      const payload = method !== 'POST' ? undefined : JSON.stringify(bodyFor(path));
      const send = () =>
        fetch(url, {
          method,
          headers: { 'content-type': 'application/json', ...headers },
          body: payload,
          signal: abort.signal,
        });
      // A refused body is not read, so its connection is closed and the answer says so: the next call, on the same
      // keep-alive pool, must get its answer (it once went out on the closing connection: 'other side closed').
      const response = await send().catch((error: unknown) => {
        throw new Error(`${method} ${path}: ${String(error)}`, { cause: error });
      });
      const type = response.headers.get('content-type') ?? '';
      // A stream answers at once and goes on: its status is what counts here.
      const text = type.startsWith('text/event-stream') ? '' : await response.text();
      abort.abort();
      let body: { code?: string } = {};
      try {
        body = JSON.parse(text) as { code?: string };
      } catch {
        // Metrics are text.
      }
      return { status: response.status, code: body.code, authenticate: response.headers.get('www-authenticate') };
    };

    it('refuses each credential what it may not do, lets the right scope in; refusals append nothing', async () => {
      const document = (await getJson(`${app.url}/openapi.json`)).body as {
        paths: Record<string, Record<string, { 'x-required-scope'?: string; security?: unknown[] }>>;
      };
      const routes = Object.entries(document.paths).flatMap(([path, operations]) =>
        Object.entries(operations).map(([method, operation]) => ({
          path,
          method: method.toUpperCase(),
          scope: operation['x-required-scope'] ?? 'public',
        })),
      );
      expect(routes.length).toBeGreaterThanOrEqual(9);
      // What a DELETE removes (the matrix's webhook) is read by the other routes first.
      routes.sort((a, b) => Number(a.method === 'DELETE') - Number(b.method === 'DELETE'));

      const erasableEvent = { ...feedback(), subject: erasable };
      expect((await postJson(`${app.url}/v1/events`, erasableEvent, { headers: bearer(tokens.admin) })).status).toBe(
        201,
      );
      const right: Record<string, string> = {
        'journeys:read': tokens.reader,
        'metrics:read': tokens.metrics,
        'privacy:read': tokens.auditor,
        'privacy:erase': tokens.eraser,
        'events:write:<type pattern>': tokens.writer,
        admin: tokens.admin,
        public: tokens.reader,
      };
      const wrong: Record<string, string> = {
        'journeys:read': tokens.metrics,
        'metrics:read': tokens.reader,
        'privacy:read': tokens.reader,
        'privacy:erase': tokens.auditor,
        'events:write:<type pattern>': tokens.reader,
        admin: tokens.eraser,
        public: tokens.metrics,
      };
      for (const route of routes) {
        expect(route.scope).not.toMatch(/none declared/);
        expect({ route, covered: route.scope in right }).toMatchObject({ covered: true });
      }
      const refusedCredentials: Array<[string, () => Promise<Record<string, string>>]> = [
        ['malformed', async () => ({ authorization: 'Bearer' })],
        ['not bearer', async () => ({ authorization: `Basic ${tokens.admin}` })],
        ['unknown key', async () => bearer(`jbk_nosuchkey_${'A'.repeat(43)}`)],
        ['wrong secret', async () => bearer(`jbk_${keyIds.admin}_${'B'.repeat(43)}`)],
        ['revoked key', async () => bearer(tokens.revoked)],
        ['expired JWT', async () => bearer(await jwt({ exp: '-1m' }))],
        ['JWT of another issuer', async () => bearer(await jwt({ issuer: 'https://evil.test' }))],
        ['JWT for another audience', async () => bearer(await jwt({ audience: 'other' }))],
        ['JWT signed by another key', async () => bearer(await jwt({ key: otherKey }))],
        [
          'JWT with alg none',
          async () => {
            const part = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
            return bearer(
              `${part({ alg: 'none' })}.${part({ sub: 'x', iss: ISSUER, aud: AUDIENCE, scope: 'admin' })}.`,
            );
          },
        ],
      ];
      const outcomes: string[] = [];
      const expectOutcome = (what: string, actual: unknown, expected: unknown) =>
        outcomes.push(JSON.stringify(actual) === JSON.stringify(expected) ? '' : `${what}: ${JSON.stringify(actual)}`);
      for (const route of routes) {
        const name = `${route.method} ${route.path}`;
        const isPublic = route.scope === 'public';
        const before = await head();
        const none = await call(route.method, route.path, {});
        expectOutcome(
          `${name} without a credential`,
          isPublic ? none.status : [none.status, none.code, none.authenticate],
          isPublic ? 200 : [401, 'unauthenticated', 'Bearer'],
        );
        for (const [kind, headers] of refusedCredentials) {
          const answer = await call(route.method, route.path, await headers());
          expectOutcome(`${name} with ${kind}`, [answer.status, answer.code], [401, 'unauthenticated']);
        }
        const refused = await call(route.method, route.path, bearer(wrong[route.scope]));
        expectOutcome(
          `${name} with the wrong scope`,
          isPublic ? refused.status : [refused.status, refused.code],
          isPublic ? 200 : [403, 'forbidden'],
        );
        expect(await head()).toBe(before);
        const allowed = await call(route.method, route.path, bearer(right[route.scope]));
        expectOutcome(`${name} with the right scope`, allowed.status < 300, true);
      }
      expect(outcomes.filter((o) => o !== '')).toEqual([]);
    });

    it('accepts a JWT of the provider with the right scope', async () => {
      const answer = await getJson(`${app.url}/v1/customers/cust-1001/journey`, { headers: bearer(await jwt()) });
      expect(answer.status).toBe(200);
    });
  });

  it('refuses a refund forged with a shipment key, and a source the key is not pinned to', async () => {
    const before = await head();
    const refund = {
      specversion: '1.0',
      id: 'forged-refund-1',
      source: 'shipment-dhl',
      type: 'refund.issued',
      subject: 'cust-1001',
      time: '2026-03-30T10:00:00Z',
      data: { refundId: 'rf-x', orderId: 'ord-1001', amount: 100, currency: 'EUR' },
    };
    const delivered = {
      ...refund,
      id: 'pinned-1',
      source: 'checkout-web',
      type: 'shipment.delivered',
      data: { orderId: 'ord-1001', shipmentId: 'shp-1' },
    };
    const batch = await postJson(
      `${app.url}/v1/events`,
      [{ ...delivered, id: 'ok-1', source: 'shipment-dhl' }, refund],
      {
        headers: bearer(tokens.shipment),
      },
    );
    expect(batch).toMatchObject({
      status: 403,
      body: { code: 'forbidden', errors: [{ index: 1, path: 'type', message: 'needs events:write:refund.issued' }] },
    });
    const pinned = await postJson(`${app.url}/v1/events`, delivered, { headers: bearer(tokens.shipment) });
    expect(pinned).toMatchObject({ status: 403, body: { code: 'forbidden', errors: [{ index: 0, path: 'source' }] } });
    expect(await head()).toBe(before);
  });

  it('masks personal data without pii:read, in reads and in the stream, and shows it with it', async () => {
    const secrets = ['zelda.quux@example.org', '+31 6 5550 1234', 'Zelda Quux'];
    const opened = {
      specversion: '1.0',
      id: 'pii-contact-1',
      source: '/e2e',
      type: 'contact.opened',
      subject: 'cust-pii',
      time: '2026-03-30T10:00:00Z',
      data: {
        caseId: 'case-pii',
        contactId: 'c-pii',
        channel: 'chat',
        reason: `my name is Zelda Quux, write to zelda.quux@example.org or call +31 6 5550 1234`,
        tags: [],
      },
    };
    const written = await postJson(`${app.url}/v1/events`, opened, { headers: bearer(tokens.admin) });
    expect(written.status).toBe(201);
    const url = `${app.url}/v1/customers/cust-pii/journey?minPosition=${written.body.position}`;
    const masked = JSON.stringify((await getJson(url, { headers: bearer(tokens.reader) })).body);
    const clear = JSON.stringify((await getJson(url, { headers: bearer(tokens.readerPii) })).body);
    for (const secret of secrets) {
      expect(masked).not.toContain(secret);
      expect(clear).toContain(secret);
    }
    const firstMessage = async (token: string) => {
      const response = await fetch(`${app.url}/v1/customers/cust-pii/journey/stream`, { headers: bearer(token) });
      const reader = response.body!.getReader();
      let text = '';
      while (!text.includes('event: journey')) text += new TextDecoder().decode((await reader.read()).value);
      while (!/data: .*\n\n/.test(text)) text += new TextDecoder().decode((await reader.read()).value);
      await reader.cancel();
      return text;
    };
    const streamedMasked = await firstMessage(tokens.reader);
    const streamedClear = await firstMessage(tokens.readerPii);
    for (const secret of secrets) {
      expect(streamedMasked).not.toContain(secret);
      expect(streamedClear).toContain(secret);
    }
  });

  it('limits identity look-ups per credential: 429 with Retry-After past the limit', async () => {
    const lookup = () =>
      getJson(`${app.url}/v1/identities/email/ada@example.com`, { headers: bearer(tokens.readerPii) });
    const answers = [];
    for (let i = 0; i < 41; i++) answers.push(await lookup());
    expect(answers.slice(0, 40).every((a) => a.status === 200)).toBe(true);
    expect(answers[40]).toMatchObject({ status: 429, body: { code: 'rate_limited' } });
    expect(Number(answers[40].headers.get('retry-after'))).toBeGreaterThan(0);
    // Another credential has its own bucket.
    expect(
      (await getJson(`${app.url}/v1/identities/email/ada@example.com`, { headers: bearer(tokens.reader) })).status,
    ).toBe(200);
  });

  it('revoked with journey keys revoke: requests get 401 and the open stream ends, within a second', async () => {
    const stream = await fetch(`${app.url}/v1/customers/cust-1001/journey/stream`, { headers: bearer(tokens.doomed) });
    expect(stream.status).toBe(200);
    const reader = stream.body!.getReader();
    let ended = false;
    const reading = (async () => {
      while (!(await reader.read()).done);
      ended = true;
    })();
    const status = async () =>
      (await getJson(`${app.url}/v1/customers/cust-1001/journey`, { headers: bearer(tokens.doomed) })).status;
    expect(await status()).toBe(200);
    const revoke = spawnSync(process.execPath, [CLI, 'keys', 'revoke', keyIds.doomed], {
      env: { ...process.env, DATA_DIR: dataDir },
      encoding: 'utf8',
    });
    expect(revoke.status).toBe(0);
    const revokedAt = Date.now();
    await waitFor(async () => (await status()) === 401 && ended, { timeoutMs: 1500, what: 'the revocation' });
    expect(Date.now() - revokedAt).toBeLessThan(1500);
    await reading;
  });
});
