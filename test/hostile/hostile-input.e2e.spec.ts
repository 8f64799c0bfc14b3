import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import type { JourneyEvent } from '#schemas';
import { SqliteJourneyLog } from '#journey-log';
import { PROJECTIONS } from '#journey-projections';
import { PostgresReadStore, SqliteReadStore, type ReadStore } from '#read-store';
import {
  TEST_DATABASE_URL,
  getJson,
  postJson,
  readModelHash,
  startBackbone,
  waitFor,
  type BackboneProcess,
} from '#testing';
import { dropKafkaEnv, kafkaEnv } from '../e2e/kafka-env';
import { workedJourneySteps } from '../e2e/worked-journey';
import { rawRequest } from './raw-http';

/**
 * Hostile and careless input, against the embedded backbone and against Kafka + PostgreSQL: each
 * case answers its status in the contract's error shape, appends nothing (the log's head) and
 * changes no read model (a hash of every document, checkpoint and parked event).
 */
const C = 'cust-1001';
const event = (id: string, type: string, data: unknown, extra: Record<string, unknown> = {}) => ({
  specversion: '1.0',
  id,
  source: '/hostile',
  type,
  subject: 'cust-h',
  time: '2026-04-10T10:00:00Z',
  data,
  ...extra,
});
const contact = (id: string, reason: string, extra: Record<string, unknown> = {}) =>
  event(id, 'contact.opened', { caseId: `case-${id}`, contactId: 'c', channel: 'chat', reason, tags: [] }, extra);
const placed = (id: string, subject: string, orderId: string) =>
  event(
    id,
    'order.placed',
    {
      orderId,
      channel: 'web',
      currency: 'EUR',
      items: [{ sku: 'a', name: 'A', qty: 1, unitPrice: 100 }],
      totals: { subtotal: 100, discount: 0, shipping: 0, fees: 0, tax: 0, total: 100 },
      promisedDelivery: { from: '2026-04-12T00:00:00Z', to: '2026-04-13T00:00:00Z' },
    },
    { subject },
  );

const kafka = kafkaEnv('hostile', 4);

describe.each([
  ['embedded (SQLite)', {}],
  ['Kafka and PostgreSQL', kafka],
])('hostile input on %s', (_mode, env) => {
  let app: BackboneProcess;
  let store: ReadStore;
  const head = async () => (await getJson(`${app.url}/health`)).body.journeyLog.head as string | null;
  const caughtUp = async () => {
    const h = await head();
    await waitFor(
      async () =>
        (await getJson(`${app.url}/health`)).body.projections.every(
          (p: { position: string | null }) => p.position === h,
        ),
      { what: 'projections at the head', timeoutMs: 30_000 },
    );
  };
  const hash = async () => (await readModelHash(store, PROJECTIONS)).hash;
  /** Sends, and checks the answer's status and shape, that nothing was appended and no read model moved. */
  const refused = async (
    send: () => Promise<{ status: number; body: any }>,
    status: number,
    code: string,
    path?: RegExp,
  ) => {
    await caughtUp();
    const [headBefore, hashBefore] = [await head(), await hash()];
    const answer = await send();
    expect({ status: answer.status, code: answer.body?.code }).toEqual({ status, code });
    expect(answer.body.errors.length).toBeGreaterThan(0);
    for (const error of answer.body.errors)
      expect(Object.keys(error)).toEqual(expect.arrayContaining(['path', 'message']));
    if (path) expect(answer.body.errors.map((e: { path: string }) => e.path).join(' ')).toMatch(path);
    await new Promise((r) => setTimeout(r, 100));
    expect(await head()).toBe(headBefore);
    expect(await hash()).toBe(hashBefore);
    return answer;
  };
  const post = (body: unknown) => postJson(`${app.url}/v1/events`, body);

  beforeAll(async () => {
    app = await startBackbone({ env });
    store =
      env.JOURNEY_LOG === 'kafka'
        ? new PostgresReadStore({ connectionString: TEST_DATABASE_URL, schema: env.DATABASE_SCHEMA })
        : new SqliteReadStore({ file: join(app.dataDir, 'read-store.db') });
    for (const step of workedJourneySteps()) expect((await post(step.body)).status).toBe(201);
  }, 120_000);
  afterAll(async () => {
    await app?.stop();
    await store?.close();
    if (env.JOURNEY_LOG === 'kafka') {
      await dropKafkaEnv(env);
    }
  });

  describe('text no store can keep is refused at the door, and never stops the read models', () => {
    it.each<[string, unknown, RegExp]>([
      ['a NUL in a reason', contact('nul-1', 'a\u0000b'), /^data\.reason$/],
      [
        'an unpaired surrogate in a summary',
        contact('sur-1', 'ok', {
          data: { caseId: 'k', contactId: 'c', channel: 'chat', reason: 'r', tags: [], summary: 'x\ud800y' },
        }),
        /^data\.summary$/,
      ],
      [
        'a NUL in a field name',
        event(
          'nul-2',
          'policy.published',
          {
            policyId: 'p',
            version: 1,
            kind: 'pricing',
            wording: 'w',
            rules: { ['k\u0000']: 1 },
            effectiveFrom: '2026-01-01T00:00:00Z',
          },
          { subject: 'policy/p' },
        ),
        /^data\.rules\./,
      ],
      ['a NUL in the subject', contact('nul-3', 'ok', { subject: 'cust\u0000-h' }), /^subject$/],
      ['a lone surrogate in the id', contact('sur\udc00-2', 'ok'), /^id\b/],
      ['a zero-width space in the subject', contact('zw-1', 'ok', { subject: 'cust\u200b-1001' }), /^subject$/],
      ['a right-to-left override in an order id', placed('rlo-1', 'cust-h', 'ord-\u202e1001'), /^data\.orderId$/],
      ['an impossible date', contact('date-1', 'ok', { time: '2026-02-30T10:00:00Z' }), /^time$/],
      ['24:00 as an hour', contact('date-2', 'ok', { time: '2026-03-01T24:00:00Z' }), /^time$/],
      ['an event time in year 9999', contact('date-3', 'ok', { time: '9999-12-31T23:59:59Z' }), /^time$/],
    ])('given %s: 400 naming the field', async (_case, body, path) => {
      await refused(() => post(body), 400, 'validation_failed', path);
    });

    it('given 5,000 levels of nesting in policy rules: 400 naming the field, not a crash', async () => {
      const policy = JSON.stringify(
        event(
          'deep-1',
          'policy.published',
          {
            policyId: 'p',
            version: 1,
            kind: 'pricing',
            wording: 'w',
            rules: { deep: 'DEEP' },
            effectiveFrom: '2026-01-01T00:00:00Z',
          },
          { subject: 'policy/p' },
        ),
      );
      const raw = policy.replace('"DEEP"', `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`);
      await refused(
        () => postJson(`${app.url}/v1/events`, null, { raw }),
        400,
        'validation_failed',
        /^data\.rules\.deep/,
      );
    });

    it('given bytes that are not UTF-8 in the body: 400', async () => {
      const bytes = Buffer.concat([
        Buffer.from(JSON.stringify(contact('utf-1', 'x')).slice(0, -2)),
        Buffer.from([0xff, 0xfe]),
        Buffer.from('"}'),
      ]);
      await refused(
        async () => {
          const response = await fetch(`${app.url}/v1/events`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: bytes,
          });
          return { status: response.status, body: await response.json() };
        },
        400,
        'validation_failed',
        /\(body\)/,
      );
    });

    it('after them, a valid event is projected and visible with minPosition', async () => {
      const answer = await post(contact('after-bad-text', 'all good after the bad text', { subject: C }));
      expect(answer.status).toBe(201);
      const read = await getJson(
        `${app.url}/v1/customers/${C}/journey?minPosition=${answer.body.position}&waitMs=10000`,
      );
      expect(read.status).toBe(200);
      expect(read.body.card.lastContactReason).toBe('all good after the bad text');
      expect((await getJson(`${app.url}/health`)).body.parkedEvents).toBe(0);
    });
  });

  describe('a fact belongs to whoever stated it first', () => {
    it.each<[string, unknown, string]>([
      ['another customer placing ord-1001', placed('hijack-order', 'cust-evil', 'ord-1001'), 'data.orderId'],
      [
        'another customer writing on case-501',
        event(
          'hijack-case',
          'contact.opened',
          { caseId: 'case-501', contactId: 'x', channel: 'chat', reason: 'mine now', tags: [] },
          { subject: 'cust-evil' },
        ),
        'data.caseId',
      ],
      [
        'another customer linking ada@example.com (other case)',
        event('hijack-email', 'identity.linked', { kind: 'email', value: 'ADA@Example.com' }, { subject: 'cust-evil' }),
        'data.value',
      ],
      [
        'another customer unlinking it',
        event(
          'hijack-unlink',
          'identity.unlinked',
          { kind: 'email', value: 'ada@example.com' },
          { subject: 'cust-evil' },
        ),
        'data.value',
      ],
    ])('given %s: 422 already_claimed, naming the field and not the owner', async (_case, body, path) => {
      const answer = await refused(
        () => post([placed(`own-${Math.random()}`, 'cust-evil', `ord-own-${Math.random()}`), body]),
        422,
        'already_claimed',
        new RegExp(`^${path.replace('.', '\\.')}$`),
      );
      expect(answer.body.errors[0].index).toBe(1);
      expect(JSON.stringify(answer.body)).not.toContain(C);
      expect((await getJson(`${app.url}/v1/orders/ord-1001`)).body.customerId).toBe(C);
      expect((await getJson(`${app.url}/v1/identities/email/ada@example.com`)).body).toEqual({ customerId: C });
    });

    it('given ten customers claiming one email at once (on several partitions), exactly one gets it', async () => {
      const answers = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          post(
            event(
              `race-${i}`,
              'identity.linked',
              { kind: 'email', value: 'contested@example.com' },
              { subject: `racer-${i}` },
            ),
          ),
        ),
      );
      expect(answers.map((a) => a.status).sort()).toEqual([201, ...Array(9).fill(422)]);
      const winner = `racer-${answers.findIndex((a) => a.status === 201)}`;
      const position = answers.find((a) => a.status === 201)!.body.position;
      await getJson(`${app.url}/v1/customers/${winner}/journey?minPosition=${position}&waitMs=10000`);
      await waitFor(
        async () => (await getJson(`${app.url}/v1/identities/email/contested@example.com`)).body.customerId === winner,
        { what: 'the identity index' },
      );
    });

    it('given an identity unlinked by its owner, another customer may link it, and the look-up follows', async () => {
      expect(
        (
          await post(
            event('pass-1', 'identity.linked', { kind: 'phone', value: '+31 6 1111 2222' }, { subject: 'cust-old' }),
          )
        ).status,
      ).toBe(201);
      expect(
        (
          await post(
            event('pass-2', 'identity.linked', { kind: 'phone', value: '+31611112222' }, { subject: 'cust-new' }),
          )
        ).status,
      ).toBe(422);
      expect(
        (
          await post(
            event('pass-3', 'identity.unlinked', { kind: 'phone', value: '+31-6-1111-2222' }, { subject: 'cust-old' }),
          )
        ).status,
      ).toBe(201);
      const linked = await post(
        event('pass-4', 'identity.linked', { kind: 'phone', value: '+31611112222' }, { subject: 'cust-new' }),
      );
      expect(linked.status).toBe(201);
      await getJson(`${app.url}/v1/customers/cust-new/journey?minPosition=${linked.body.position}&waitMs=10000`);
      await waitFor(
        async () => (await getJson(`${app.url}/v1/identities/phone/+31611112222`)).body.customerId === 'cust-new',
        { what: 'the identity passed on' },
      );
    });
  });

  describe('event keys cannot be squatted', () => {
    it(
      "given junk under the real event's id from another source first, the real event is appended, not " + 'swallowed',
      async () => {
        expect((await post(contact('shared-id-1', 'junk', { source: '/junk', subject: 'cust-junk' }))).status).toBe(
          201,
        );
        const real = await post(
          contact('shared-id-1', 'the real one', {
            subject: C,
            data: { caseId: 'case-real', contactId: 'c', channel: 'chat', reason: 'the real one', tags: [] },
          }),
        );
        expect(real).toMatchObject({ status: 201, body: { accepted: 1 } });
        const read = await getJson(
          `${app.url}/v1/customers/${C}/journey?minPosition=${real.body.position}&waitMs=10000`,
        );
        expect(read.body.card.lastContactReason).toBe('the real one');
      },
    );

    it('given a repeat with the same content: 200, same position, nothing appended', async () => {
      const body = contact('repeat-1', 'said once', { subject: C });
      const first = await post(body);
      expect(first.status).toBe(201);
      await caughtUp();
      const [headBefore, hashBefore] = [await head(), await hash()];
      expect(await post(body)).toMatchObject({ status: 200, body: { accepted: 0, position: first.body.position } });
      expect([await head(), await hash()]).toEqual([headBefore, hashBefore]);
    });

    it('given a repeat with other content: 409 duplicate_id, nothing appended', async () => {
      expect((await post(contact('repeat-2', 'first words', { subject: C }))).status).toBe(201);
      await refused(() => post(contact('repeat-2', 'other words', { subject: C })), 409, 'duplicate_id', /^id$/);
    });

    it('given one key twice in a batch: 400, nothing appended', async () => {
      await refused(
        () => post([contact('twice-1', 'a', { subject: C }), contact('twice-1', 'a', { subject: C })]),
        400,
        'validation_failed',
        /^id$/,
      );
    });
  });

  describe('a policy cannot be back-dated', () => {
    it(
      'given a version published after an order, with time and effectiveFrom before it, the order keeps its ' +
        'policy and decisions are judged by it',
      async () => {
        const policy = (id: string, version: number, at: string) =>
          event(
            id,
            'policy.published',
            {
              policyId: 'returns-standard',
              version,
              kind: 'returns',
              wording: `v${version}: 1 day`,
              rules: { returnWindowDays: 1 },
              effectiveFrom: at,
            },
            { subject: 'policy/returns-standard', source: '/returns', time: at },
          );
        const answer = await post(policy('backdated-v3', 3, '2026-02-15T00:00:00Z'));
        expect(answer.status).toBe(201);
        const view = await getJson(`${app.url}/v1/orders/ord-1001?minPosition=${answer.body.position}&waitMs=10000`);
        expect(view.body.policy.returns).toMatchObject({ policyId: 'returns-standard', version: 1 });
        const decision = event(
          'decide-under-v3',
          'return.rejected',
          { returnId: 'ret-9', orderId: 'ord-1001', policyId: 'returns-standard', policyVersion: 3, reason: 'late' },
          { subject: C },
        );
        await refused(() => post(decision), 422, 'domain_rule_violated', /^data\.policyVersion$/);
      },
    );
  });

  describe('the server protects itself', () => {
    it('given a body announced over the limit: 413 before it is read', async () => {
      const answer = await rawRequest(
        app.url,
        `POST /v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ` +
          `500000000\r\n\r\n`,
        { chunk: Buffer.alloc(65536, 32), chunks: 8000 },
      );
      expect(answer.status).toBe(413);
      expect(JSON.parse(answer.body)).toMatchObject({ code: 'payload_too_large' });
      // The rest of the body is not read, so the connection is closed, and the answer says so to keep-alive clients.
      expect(answer.headers.connection).toBe('close');
      expect(answer.written).toBeLessThan(16 * 1024 * 1024);
    });

    it(
      'given a chunked body that grows past the limit: 413 as soon as it crosses it, not after reading it ' + 'all',
      async () => {
        const chunk = Buffer.from(`10000\r\n${' '.repeat(0x10000)}\r\n`);
        const answer = await rawRequest(
          app.url,
          `POST /v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nTransfer-Encoding: ` +
            `chunked\r\n\r\n`,
          { chunk, chunks: 8000 },
        );
        expect(answer.status).toBe(413);
        expect(answer.written).toBeLessThan(16 * 1024 * 1024);
      },
    );

    it.each([['evil.example'], ['127.0.0.1.evil.example:80']])(
      'given the Host %s (DNS rebinding to loopback): 403',
      async (host) => {
        const answer = await rawRequest(
          app.url,
          `GET /v1/customers/${C}/journey HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`,
        );
        expect(answer.status).toBe(403);
        expect(JSON.parse(answer.body)).toMatchObject({ code: 'host_not_allowed' });
      },
    );

    it.each([
      ['application/json-seq', 400],
      ['application/json; charset=latin1', 400],
      ['text/plain', 400],
      [';;;', 400],
    ])("given the content type %j: refused in the contract's shape", async (type, status) => {
      await refused(
        () => postJson(`${app.url}/v1/events`, null, { raw: JSON.stringify(contact('ct-1', 'x')), contentType: type }),
        status,
        'validation_failed',
        /\(body\)/,
      );
    });

    it("given headers over the limit, and a request that is not HTTP: answered in the contract's shape", async () => {
      const big = await rawRequest(
        app.url,
        `GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ${'a'.repeat(20000)}\r\n\r\n`,
      );
      expect({ status: big.status, code: JSON.parse(big.body).code }).toEqual({
        status: 431,
        code: 'headers_too_large',
      });
      const garbage = await rawRequest(app.url, 'GARBAGE\r\n\r\n');
      expect({ status: garbage.status, code: JSON.parse(garbage.body).code }).toEqual({
        status: 400,
        code: 'invalid_request',
      });
    });

    it(
      'given a client gone in the middle of its body: counted as request_aborted, not as an internal ' + 'error',
      async () => {
        await rawRequest(
          app.url,
          `POST /v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ` +
            `1000\r\n\r\n{"specversion":`,
          {},
          5000,
        ).catch(() => undefined);
        const metrics = await waitFor(
          async () => {
            const text = (await getJson(`${app.url}/metrics`)).body as string;
            return /journey_events_rejected_total\{code="request_aborted"\} \d+/.test(text) ? text : null;
          },
          { what: 'the aborted request counted' },
        );
        expect(metrics).not.toMatch(/code="internal_error"/);
      },
    );

    it('given a malformed asOf (an impossible date): 400 naming it', async () => {
      const answer = await getJson(`${app.url}/v1/customers/${C}/journey?asOf=2026-02-30T00:00:00Z`);
      expect(answer.status).toBe(400);
      expect(answer.body.errors[0].path).toBe('asOf');
    });
  });

  it(
    "given records written around the door (a NUL in a field, another customer's order), the projections go " +
      "on and the order stays its owner's",
    async () => {
      const headers = (id: string, type: string, subject: string) => ({
        ce_specversion: '1.0',
        ce_id: id,
        ce_source: '/rogue',
        ce_type: type,
        ce_subject: subject,
        ce_time: '2026-04-01T10:00:00Z',
      });
      const nulData = { caseId: 'k-rogue', contactId: 'c', channel: 'chat', reason: 'a\u0000b', tags: [] };
      const orderData = (placed('x', 'x', 'ord-1001') as { data: unknown }).data;
      if (env.JOURNEY_LOG === 'kafka') {
        // Anyone who can reach the topic can write to it: both are parked under (log).
        const producer = new Kafka({ brokers: env.KAFKA_BROKERS.split(','), logLevel: logLevel.NOTHING }).producer();
        await producer.connect();
        await producer.send({
          topic: env.KAFKA_TOPIC,
          messages: [
            {
              key: 'cust-rogue',
              value: JSON.stringify(nulData),
              headers: headers('rogue-nul', 'contact.opened', 'cust-rogue'),
            },
            {
              key: 'cust-rogue',
              value: JSON.stringify(orderData),
              headers: headers('rogue-order', 'order.placed', 'cust-rogue'),
            },
          ],
        });
        await producer.disconnect();
        const health = await waitFor(
          async () => {
            const h = (await getJson(`${app.url}/health`)).body;
            return h.invalidRecords >= 2 ? h : null;
          },
          { what: 'the records parked under (log)', timeoutMs: 30_000 },
        );
        expect(health.status).toBe('degraded');
        expect(health.problems).toContainEqual(
          expect.objectContaining({ projection: '(log)', problem: 'parked_events' }),
        );
      } else {
        // Another process writing the log file with the log's own code: the log itself refuses the
        // hijack, and keeps the text (SQLite stores it; only the door refuses it).
        const log = new SqliteJourneyLog({ file: join(app.dataDir, 'journey-log.db') });
        try {
          const event = (id: string, type: string, data: unknown) =>
            ({
              specversion: '1.0',
              id,
              source: '/rogue',
              type,
              subject: 'cust-rogue',
              time: '2026-04-01T10:00:00Z',
              datacontenttype: 'application/json',
              schemaversion: 1,
              data,
            }) as JourneyEvent;
          await expect(log.append([event('rogue-order', 'order.placed', orderData)])).rejects.toMatchObject({
            code: 'already_claimed',
          });
          await log.append([event('rogue-nul', 'contact.opened', nulData)]);
        } finally {
          await log.close();
        }
      }
      expect((await getJson(`${app.url}/v1/orders/ord-1001`)).body.customerId).toBe(C);
      const after = await post(contact('after-rogue', 'served after the rogue records', { subject: C }));
      const read = await getJson(
        `${app.url}/v1/customers/${C}/journey?minPosition=${after.body.position}&waitMs=10000`,
      );
      expect(read.body.card.lastContactReason).toBe('served after the rogue records');
    },
  );

  it('writes its log as JSON lines, without the personal data of the requests it refused', () => {
    const lines = app
      .output()
      .split('\n')
      .filter((l) => l.startsWith('{'));
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
    expect(app.output()).not.toMatch(/ada@example\.com|contested@example\.com|\+31611112222/i);
  });
});
