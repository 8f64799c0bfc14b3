import Ajv from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { CloudEvent, emitterFor, httpTransport, Mode } from 'cloudevents';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CHANNELS, extensionAttributesOf } from '#schemas';
import {
  dropSchema,
  getJson,
  postJson,
  postgresReadStoreEnv,
  startBackbone,
  uniqueSchemaName,
  waitFor,
  type BackboneProcess,
  ROOT,
  tempDataDir,
} from '#testing';

import { workedJourneySteps } from './worked-journey';

const C = 'cust-1001';

/** What `@apidevtools/swagger-parser` says of a document ('' when valid): an ES module, so run by node, not by jest. */
function swaggerParserErrors(document: object): string {
  const run = spawnSync(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      "const { default: p } = await import('@apidevtools/swagger-parser'); let s = ''; " +
        'for await (const c of process.stdin) s += c; ' +
        'await p.validate(JSON.parse(s)).then(() => {}, (e) => process.stdout.write(String(e.message)));',
    ],
    { cwd: ROOT, input: JSON.stringify(document), encoding: 'utf8', timeout: 60_000 },
  );
  if (run.status !== 0) throw new Error(`swagger-parser did not run: ${run.stderr}`);
  return run.stdout;
}
const CLI = join(ROOT, 'dist/apps/journey-cli/src/main.js');
const event = (id: string, type: string, data: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  specversion: '1.0',
  id,
  source: '/e2e',
  type,
  subject: C,
  time: '2026-04-10T10:00:00Z',
  data,
  ...extra,
});

const pgSchema = uniqueSchemaName('e2e_http');

describe.each([
  ['SQLite read store', {}],
  ['PostgreSQL read store', postgresReadStoreEnv(pgSchema)],
])('backbone over HTTP (real server, SQLite log, %s)', (_store, env: Record<string, string>) => {
  let app: BackboneProcess;
  let lastPosition = '';
  const head = async () => (await getJson(`${app.url}/health`)).body.journeyLog.head as string | null;
  /** One `feedback.received` in CloudEvents HTTP binary mode: attributes as `ce-*` headers, the data as the body. */
  const postBinary = (attributes: Record<string, string>, data: unknown) =>
    fetch(`${app.url}/v1/events`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'ce-specversion': '1.0',
        'ce-type': 'feedback.received',
        ...Object.fromEntries(Object.entries(attributes).map(([name, value]) => [`ce-${name}`, value])),
      },
      body: JSON.stringify(data),
    });

  beforeAll(async () => {
    app = await startBackbone({ env });
    for (const step of workedJourneySteps()) {
      const answer = await postJson(`${app.url}/v1/events`, step.body);
      expect({ file: step.file, status: answer.status }).toEqual({ file: step.file, status: 201 });
      expect(answer.headers.get('journey-position')).toBe(answer.body.position);
      lastPosition = answer.body.position;
    }
  });
  afterAll(async () => {
    await app?.stop();
    if (env.DATABASE_SCHEMA) await dropSchema(env.DATABASE_SCHEMA);
  });

  it('serves the worked example: one truth across order, returns under the old policy, refund and case', async () => {
    const answer = await getJson(`${app.url}/v1/customers/${C}/journey?minPosition=${lastPosition}`);
    expect(answer.status).toBe(200);
    expect(answer.headers.get('journey-position')).toBe(lastPosition);
    const view = answer.body;
    expect(view.position).toBe(lastPosition);
    const [order] = view.orders;
    expect(order).toMatchObject({
      orderId: 'ord-1001',
      totals: { subtotal: 11300, discount: 1000, shipping: 495, fees: 0, tax: 2060, total: 12855 },
      status: { code: 'refunded', label: 'Refunded' },
      eta: '2026-03-09T18:00:00Z',
      policy: { returns: { policyId: 'returns-standard', version: 1, returnWindowDays: 30 } },
      returns: [{ returnId: 'ret-9', status: 'refunded', policyVersion: 1 }],
      refunded: 8900,
    });
    expect(order.etaHistory.map((h: { reason: string | null }) => h.reason)).toContain(
      'Storm closed the sorting centre',
    );
    // The late in-transit scan is in the timeline, in time order, but did not move the status back.
    expect(order.timeline.map((t: { summary: string }) => t.summary)).toContain('In transit at Utrecht hub');
    expect(view.cases).toEqual([
      expect.objectContaining({
        caseId: 'case-501',
        status: 'resolved',
        channels: ['chat', 'phone'],
        tags: ['returns', 'confusion'],
        handoffs: [
          { fromChannel: 'chat', toChannel: 'phone', contextSummary: expect.stringContaining('returns policy v1') },
        ],
        promises: [expect.objectContaining({ promiseId: 'prm-1', state: 'kept' })],
      }),
    ]);
    expect(view.card).toMatchObject({
      lastOrder: { orderId: 'ord-1001', status: 'refunded', total: 12855, currency: 'EUR' },
      openCase: null,
    });
  });

  it('gives every channel identical canonical fields; only the rendered messages differ', async () => {
    const views = await Promise.all(
      CHANNELS.map((channel) => getJson(`${app.url}/v1/customers/${C}/journey?channel=${channel}`)),
    );
    const canonical = views.map(({ body }) => {
      const { messages, asOf, ...rest } = body;
      expect(messages.length).toBeGreaterThan(0);
      expect(messages.every((m: { channel: string }) => m.channel === messages[0].channel)).toBe(true);
      return rest;
    });
    for (const other of canonical.slice(1)) expect(other).toEqual(canonical[0]);
    const statusTexts = views.map(
      ({ body }) => body.messages.find((m: { templateId: string }) => m.templateId === 'order_status').text,
    );
    for (const text of statusTexts) expect(text).toContain('Order ord-1001: Refunded.');
    const order = await getJson(`${app.url}/v1/orders/ord-1001?channel=store`);
    expect(order.body).toMatchObject({ customerId: C, orderId: 'ord-1001', status: { code: 'refunded' } });
    const { customerId, messages, ...orderFields } = order.body;
    const { asOf, messages: _m, ...journey } = canonical[0] as Record<string, any>;
    expect(orderFields).toEqual(journey.orders[0]);
    expect((await getJson(`${app.url}/v1/cases/case-501`)).body).toMatchObject({
      customerId: C,
      caseId: 'case-501',
      status: 'resolved',
    });
    // A trailing slash names the same resource.
    expect((await getJson(`${app.url}/v1/cases/case-501/`)).body).toEqual(
      (await getJson(`${app.url}/v1/cases/case-501`)).body,
    );
    expect((await getJson(`${app.url}/v1/identities/email/ADA@example.com`)).body).toEqual({ customerId: C });
  });

  it('travels in time with asOf: the view as it was, rebuilt from the log', async () => {
    const delayed = await getJson(`${app.url}/v1/customers/${C}/journey?asOf=2026-03-06T00:00:00Z`);
    expect(delayed.status).toBe(200);
    expect(delayed.body.asOf).toBe('2026-03-06T00:00:00.000Z');
    expect(delayed.body.orders[0]).toMatchObject({
      status: { code: 'delayed' },
      eta: '2026-03-09T18:00:00Z',
      returns: [],
      refunded: 0,
    });
    expect(delayed.body.cases).toEqual([]);
    expect(delayed.body.card.nextStep.text).toMatch(/arrive by Mon 9 Mar 2026/);
    const promised = await getJson(`${app.url}/v1/cases/case-501?asOf=2026-03-12T20:00:00Z`);
    expect(promised.body).toMatchObject({ status: 'open', promises: [{ state: 'open' }] });
    // The late in-transit scan (fact time 7 Mar) is visible as of 8 Mar, and out-for-delivery wins.
    const eighth = await getJson(`${app.url}/v1/orders/ord-1001?asOf=2026-03-08T12:00:00Z`);
    expect(eighth.body.status.code).toBe('out_for_delivery');
    expect((await getJson(`${app.url}/v1/customers/${C}/journey?asOf=2025-01-01T00:00:00Z`)).status).toBe(404);
  });

  it('takes asOf as the CLI takes --as-of: a date (its start, UTC) or a time with any offset, normalised', async () => {
    const utc = await getJson(`${app.url}/v1/customers/${C}/journey?asOf=2026-03-06T00:00:00Z`);
    for (const asOf of ['2026-03-06', '2026-03-06T01:00:00%2B01:00', '2026-03-05T19:00:00-05:00']) {
      const answer = await getJson(`${app.url}/v1/customers/${C}/journey?asOf=${asOf}`);
      expect({ asOf, status: answer.status, at: answer.body.asOf }).toEqual({
        asOf,
        status: 200,
        at: '2026-03-06T00:00:00.000Z',
      });
      expect(answer.body.orders).toEqual(utc.body.orders);
    }
  });

  it('reads its own writes with the position token', async () => {
    for (let i = 0; i < 20; i++) {
      const write = await postJson(
        `${app.url}/v1/events`,
        event(`ryw-${i}`, 'contact.opened', {
          caseId: `case-ryw-${i}`,
          contactId: 'c',
          channel: 'web',
          reason: `question ${i}`,
          tags: [],
        }),
      );
      expect(write.status).toBe(201);
      const read = await getJson(`${app.url}/v1/customers/${C}/journey?minPosition=${write.body.position}`);
      expect(read.body.card.lastContactReason).toBe(`question ${i}`);
    }
  });

  it('answers a repeated event id with 200 and the same position, appending nothing', async () => {
    const body = event('dup-1', 'feedback.received', { score: 5 });
    const first = await postJson(`${app.url}/v1/events`, body);
    const again = await postJson(`${app.url}/v1/events`, body);
    expect(first.status).toBe(201);
    expect(again).toMatchObject({ status: 200, body: { accepted: 0, position: first.body.position } });
  });

  describe('bad input gets its status code and changes nothing', () => {
    const good = () => event(`ok-${Math.random()}`, 'feedback.received', { score: 4 });

    it('an event with a wrong envelope and wrong data: both named in one answer', async () => {
      const answer = await postJson(
        `${app.url}/v1/events`,
        event('both-wrong', 'feedback.received', { score: 9 }, { time: 'yesterday' }),
      );
      expect(answer.status).toBe(400);
      expect((answer.body.errors as Array<{ path: string }>).map((e) => e.path).sort()).toEqual(['data.score', 'time']);
    });
    const refund = (amount: number) =>
      event(`rf-${Math.random()}`, 'refund.issued', { refundId: 'rf-x', orderId: 'ord-1001', amount, currency: 'EUR' });
    it.each<[string, () => Promise<{ status: number; body: any }>, number, RegExp]>([
      [
        'malformed JSON',
        () => postJson(`${app.url}/v1/events`, null, { raw: '{"specversion": "1.0",' }),
        400,
        /malformed JSON/,
      ],
      [
        'a wrong content type',
        () => postJson(`${app.url}/v1/events`, null, { raw: 'hello', contentType: 'text/plain' }),
        400,
        /content-type/,
      ],
      ['a missing field', () => postJson(`${app.url}/v1/events`, { ...good(), subject: undefined }), 400, /subject/],
      [
        'a wrong field type',
        () => postJson(`${app.url}/v1/events`, event('bad-type', 'feedback.received', { score: 'five' })),
        400,
        /data\.score/,
      ],
      [
        'an unknown type',
        () => postJson(`${app.url}/v1/events`, event('bad-unknown', 'order.teleported', {})),
        400,
        /unknown event type/,
      ],
      [
        'a batch whose last event is invalid',
        () => postJson(`${app.url}/v1/events`, [good(), good(), event('bad-last', 'feedback.received', { score: 9 })]),
        400,
        /data\.score/,
      ],
      ['an empty batch', () => postJson(`${app.url}/v1/events`, []), 400, /empty/],
      [
        'a body over the size limit',
        () => postJson(`${app.url}/v1/events`, { ...good(), data: { score: 4, verbatim: 'x'.repeat(1_100_000) } }),
        413,
        /over the limit/,
      ],
      [
        'a batch over the event limit',
        () => postJson(`${app.url}/v1/events`, Array.from({ length: 501 }, good)),
        413,
        /over the limit of 500/,
      ],
      [
        'a refund above what was captured',
        () => postJson(`${app.url}/v1/events`, [good(), refund(4000)]),
        422,
        /refunds would reach 12900, above the 12855 captured/,
      ],
      [
        'a payment for an order that does not exist',
        () =>
          postJson(
            `${app.url}/v1/events`,
            event('pay-ghost', 'payment.captured', {
              orderId: 'ghost',
              paymentId: 'p',
              amount: 1,
              currency: 'EUR',
              method: 'card',
            }),
          ),
        422,
        /does not exist/,
      ],
      [
        'an expected-version conflict',
        () => postJson(`${app.url}/v1/events?expectedVersion=1`, good()),
        409,
        /expected 1/,
      ],
      [
        'a malformed expectedVersion',
        () => postJson(`${app.url}/v1/events?expectedVersion=abc`, good()),
        400,
        /expectedVersion/,
      ],
    ])('%s', async (_case, send, status, message) => {
      const before = await head();
      const answer = await send();
      expect(answer.status).toBe(status);
      expect(answer.body.errors.length).toBeGreaterThan(0);
      expect(JSON.stringify(answer.body.errors)).toMatch(message);
      for (const error of answer.body.errors)
        expect(Object.keys(error)).toEqual(expect.arrayContaining(['path', 'message']));
      expect(await head()).toBe(before);
    });

    it('names the index of the invalid event in a batch', async () => {
      const answer = await postJson(`${app.url}/v1/events`, [
        good(),
        good(),
        event('bad-last-2', 'feedback.received', { score: 9 }),
      ]);
      expect(answer.body.errors).toEqual([expect.objectContaining({ index: 2, path: 'data.score' })]);
    });

    it.each([
      ['a malformed position token', `/v1/customers/${C}/journey?minPosition=not-a-token`, 400, 'minPosition'],
      ['a malformed asOf', `/v1/customers/${C}/journey?asOf=yesterday`, 400, 'asOf'],
      ['an unknown channel', `/v1/customers/${C}/journey?channel=fax`, 400, 'channel'],
      ['a waitMs over the maximum', `/v1/customers/${C}/journey?waitMs=60000`, 400, 'waitMs'],
      ['an unknown customer', '/v1/customers/nobody/journey', 404, '(request)'],
      ['an unknown order', '/v1/orders/nope', 404, '(request)'],
      ['an unknown identity kind', '/v1/identities/fax/123', 400, 'kind'],
      ['an impossible asOf date', `/v1/customers/${C}/journey?asOf=2026-02-30`, 400, 'asOf'],
      ['a broken %-escape in the path', '/v1/customers/%E0/journey', 400, '(request)'],
      ['an unknown route', '/v1/nothing-here', 404, '(request)'],
    ])('a read with %s', async (_case, path, status, errorPath) => {
      const answer = await getJson(`${app.url}${path}`);
      expect(answer.status).toBe(status);
      expect(answer.body.errors[0].path).toBe(errorPath);
    });

    it('a position the projection has not reached answers 503 with Retry-After after waitMs', async () => {
      const answer = await getJson(`${app.url}/v1/customers/${C}/journey?minPosition=s999999&waitMs=50`);
      expect(answer.status).toBe(503);
      expect(answer.headers.get('retry-after')).toBe('1');
    });
  });

  it('streams a change of the view as a Server-Sent Event', async () => {
    const controller = new AbortController();
    const response = await fetch(`${app.url}/v1/customers/${C}/journey/stream?channel=chat`, {
      signal: controller.signal,
    });
    expect(response.headers.get('content-type')).toMatch(/text\/event-stream/);
    const reader = response.body!.getReader();
    let text = '';
    const nextMessage = async (predicate: (data: any) => boolean) => {
      for (;;) {
        const blocks = text.split('\n\n');
        for (const block of blocks.slice(0, -1)) {
          const data = block.split('\n').find((l) => l.startsWith('data: '));
          if (data && predicate(JSON.parse(data.slice(6)))) return JSON.parse(data.slice(6));
        }
        const { value, done } = await reader.read();
        if (done) throw new Error('stream ended');
        text += new TextDecoder().decode(value);
      }
    };
    const first = await nextMessage(() => true);
    expect(first.customerId).toBe(C);
    await postJson(
      `${app.url}/v1/events`,
      event('sse-1', 'contact.opened', {
        caseId: 'case-sse',
        contactId: 'c',
        channel: 'chat',
        reason: 'live update please',
        tags: [],
      }),
    );
    const changed = await nextMessage((view) => view.card.lastContactReason === 'live update please');
    expect(changed.messages[0].channel).toBe('chat');
    controller.abort();
    // Counted once it has ended, like any other request.
    const streamed = new RegExp(
      String.raw`journey_http_requests_total\{method="GET",` +
        String.raw`route="/v1/customers/:customerId/journey/stream",status="200"\} 1`,
    );
    await waitFor(async () => streamed.test(await (await fetch(`${app.url}/metrics`)).text()), {
      what: 'the stream counted in /metrics',
    });
  });

  it('parks an event the projection cannot apply, and shows it in /health and /metrics', async () => {
    const answer = await postJson(
      `${app.url}/v1/events`,
      event('kept-ghost', 'promise.kept', { caseId: 'case-501', promiseId: 'never-made' }),
    );
    expect(answer.status).toBe(201);
    const health = await waitFor(async () => {
      const h = await getJson(`${app.url}/health`);
      return h.body.parkedEvents === 1 ? h : null;
    });
    expect(health.body.status).toBe('degraded');
    const metrics = await getJson(`${app.url}/metrics`);
    expect(metrics.body).toContain('journey_projection_parked_events{projection="journey-view"} 1');
    expect(metrics.body).toMatch(/journey_projection_lag_events\{projection="journey-view"\} \d+/);
    expect(metrics.body).toMatch(/journey_http_requests_total\{method="POST",route="\/v1\/events",status="201"\} \d+/);
    // Latencies as prom-client histograms, and the process's own metrics.
    const count = (name: string) =>
      Number(new RegExp(`^${name}_count(?:\\{[^}]*\\})? (\\d+)$`, 'm').exec(metrics.body)?.[1]);
    expect(count('journey_append_to_visible_seconds')).toBeGreaterThan(0);
    expect(count('journey_projection_batch_duration_seconds')).toBeGreaterThan(0);
    expect(count('journey_append_duration_seconds')).toBeGreaterThan(0);
    expect(metrics.body).toMatch(
      /^journey_http_request_duration_seconds_bucket\{le="\+Inf",method="POST",route="\/v1\/events"/m,
    );
    expect(metrics.body).toMatch(/^process_resident_memory_bytes \d+/m);
    // The projection went on: a later event is applied.
    const later = await postJson(
      `${app.url}/v1/events`,
      event('after-park', 'contact.opened', {
        caseId: 'case-after',
        contactId: 'c',
        channel: 'web',
        reason: 'after the parked event',
        tags: [],
      }),
    );
    const read = await getJson(`${app.url}/v1/customers/${C}/journey?minPosition=${later.body.position}`);
    expect(read.body.card.lastContactReason).toBe('after the parked event');
  });

  it('accepts what the CloudEvents SDK emitter sends, in binary mode as in structured mode', async () => {
    const positions: string[] = [];
    for (const mode of [Mode.BINARY, Mode.STRUCTURED]) {
      const emit = emitterFor(httpTransport(`${app.url}/v1/events`), { mode });
      const sent = new CloudEvent({
        id: `sdk-${mode}`,
        source: '/sdk-emitter',
        type: 'feedback.received',
        subject: 'cust-sdk',
        time: '2026-04-10T10:00:00Z',
        datacontenttype: 'application/json',
        schemaversion: 1,
        data: { score: mode === Mode.BINARY ? 5 : 3 },
      });
      const answer = (await emit(sent)) as { body: string; headers: Record<string, string> };
      const body = JSON.parse(answer.body) as { accepted?: number; position?: string };
      expect({ mode, body }).toEqual({ mode, body: { accepted: 1, position: expect.any(String) } });
      positions.push(body.position!);
      // Sent again: the same event (source and id), nothing appended.
      expect(JSON.parse(((await emit(sent)) as { body: string }).body)).toMatchObject({ accepted: 0 });
    }
    const read = await getJson(`${app.url}/v1/customers/cust-sdk/journey?minPosition=${positions[1]}`);
    expect(read.status).toBe(200);
    // A binary-mode event with a wrong attribute is refused naming it, like a structured one.
    const refused = await postBinary(
      { id: 'sdk-bad', source: '/sdk-emitter', subject: 'cust-sdk', time: 'yesterday' },
      { score: 9 },
    );
    expect(refused.status).toBe(400);
    const errors = ((await refused.json()) as { errors: Array<{ path: string }> }).errors.map((e) => e.path);
    expect(errors.sort()).toEqual(['data.score', 'time']);
  });

  it('refuses an unknown data field by name, keeps extension attributes, replays return them', async () => {
    const typo = await postJson(`${app.url}/v1/events`, event('strict-1', 'feedback.received', { score: 4, scroe: 5 }));
    expect(typo.status).toBe(400);
    expect(typo.body.errors).toEqual([expect.objectContaining({ path: 'data.scroe' })]);
    const badName = await postJson(`${app.url}/v1/events`, {
      ...event('strict-2', 'feedback.received', { score: 4 }),
      Tenant_Id: 'x',
    });
    expect(badName.status).toBe(400);
    expect(badName.body.errors).toEqual([expect.objectContaining({ path: 'Tenant_Id' })]);
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const structured = await postJson(`${app.url}/v1/events`, {
      ...event('ext-1', 'feedback.received', { score: 4 }, { subject: 'cust-ext' }),
      traceparent,
      tenant: 'acme',
      priority: 2,
    });
    expect(structured.status).toBe(201);
    const binary = await postBinary(
      { id: 'ext-2', source: '/e2e', subject: 'cust-ext', time: '2026-04-10T10:00:00Z', tenant: 'acme%20eu' },
      { score: 5 },
    );
    expect(binary.status).toBe(201);
    const tail = spawnSync(
      process.execPath,
      [CLI, 'tail', '--from-start', '--customer', 'cust-ext', '--json', '--count', '2'],
      { env: { ...process.env, DATA_DIR: app.dataDir, ...env }, encoding: 'utf8', timeout: 60_000 },
    );
    expect(tail.status).toBe(0);
    const replayed = tail.stdout
      .trim()
      .split('\n')
      .map((line) => (JSON.parse(line) as { event: Record<string, unknown> }).event);
    expect(replayed.map((e) => extensionAttributesOf(e))).toEqual([
      { traceparent, tenant: 'acme', priority: '2' },
      { tenant: 'acme eu' },
    ]);
  });

  it('takes an event time with an offset and stores it in UTC: the same time in Z is the same event', async () => {
    const withOffset = event('offset-1', 'feedback.received', { score: 4 }, { time: '2026-04-10T12:00:00+02:00' });
    const first = await postJson(`${app.url}/v1/events`, withOffset);
    expect(first.status).toBe(201);
    const again = await postJson(`${app.url}/v1/events`, { ...withOffset, time: '2026-04-10T10:00:00Z' });
    expect({ status: again.status, position: again.body.position }).toEqual({
      status: 200,
      position: first.body.position,
    });
    // Another instant under the same key is another content: refused.
    const other = await postJson(`${app.url}/v1/events`, { ...withOffset, time: '2026-04-10T12:00:00Z' });
    expect(other.status).toBe(409);
  });

  it('publishes an OpenAPI document of the whole HTTP API', async () => {
    const doc = (await getJson(`${app.url}/openapi.json`)).body;
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/v1/events',
        '/v1/customers/{customerId}/journey',
        '/v1/customers/{customerId}/journey/stream',
        '/v1/orders/{orderId}',
        '/v1/cases/{caseId}',
        '/v1/identities/{kind}/{value}',
        '/health',
        '/metrics',
      ]),
    );
    expect(doc.components.schemas.JourneyView.properties.card).toBeDefined();
    expect(doc.components.schemas.Event_order_placed_v1.properties.data.properties.totals).toBeDefined();
    // Every error answer has a code; money is in minor units, and the document says so.
    expect(doc.components.schemas.ErrorBody.required).toEqual(expect.arrayContaining(['code', 'errors']));
    const totals = doc.components.schemas.Event_order_placed_v1.properties.data.properties.totals.properties;
    expect(totals.total.description).toMatch(/minor units/);
  });

  it('publishes a document an OpenAPI validator nobody here wrote accepts (swagger-parser)', async () => {
    const doc = (await getJson(`${app.url}/openapi.json`)).body as object;
    expect(swaggerParserErrors(doc)).toBe('');
    // It does check: an answer without its description is refused.
    const broken = structuredClone(doc) as { paths: Record<string, { get: { responses: Record<string, object> } }> };
    broken.paths['/v1/orders/{orderId}'].get.responses['200'] = {};
    expect(swaggerParserErrors(broken)).toMatch(/orderId.*responses\/200/);
  });

  it('gives a TypeScript client generated from the document (openapi-typescript) the types it takes', async () => {
    const doc = (await getJson(`${app.url}/openapi.json`)).body as object;
    const dir = tempDataDir('openapi-ts-');
    writeFileSync(join(dir, 'openapi.json'), JSON.stringify(doc));
    const generate = spawnSync(
      process.execPath,
      [join(ROOT, 'node_modules/openapi-typescript/bin/cli.js'), join(dir, 'openapi.json'), '-o', join(dir, 'api.ts')],
      { encoding: 'utf8', timeout: 120_000 },
    );
    expect({ status: generate.status, stderr: generate.status === 0 ? '' : generate.stderr }).toEqual({
      status: 0,
      stderr: '',
    });
    // What a producer in TypeScript writes: the README's worked journey (v1 shipment.delayed among it), typed by the
    // generated client; and an event of a type the server does not have, which must not compile.
    const examples = workedJourneySteps().map((step) => JSON.stringify(step.body));
    writeFileSync(
      join(dir, 'producer.ts'),
      [
        "import type { paths } from './api';",
        "type Body = paths['/v1/events']['post']['requestBody']['content']['application/json'];",
        ...examples.map((body, i) => `export const step${i}: Body = ${body};`),
        '// @ts-expect-error not a type of the catalog',
        "export const wrong: Body = { ...step0, type: 'order.teleported' } as const;",
      ].join('\n'),
    );
    const check = spawnSync(
      process.execPath,
      [
        join(ROOT, 'node_modules/typescript/bin/tsc'),
        '--noEmit',
        '--strict',
        '--skipLibCheck',
        '--target',
        'es2022',
        '--module',
        'commonjs',
        join(dir, 'producer.ts'),
      ],
      { encoding: 'utf8', timeout: 120_000 },
    );
    expect({ status: check.status, errors: check.stdout }).toEqual({ status: 0, errors: '' });
  });

  it('describes every event the server accepts, every version of it, and nothing it refuses (ajv)', async () => {
    const doc = (await getJson(`${app.url}/openapi.json`)).body;
    // A client nobody here wrote: ajv, against the request body schema of POST /v1/events as the document has it.
    const ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(ajv);
    ajv.addSchema(doc, 'openapi.json');
    const validate = ajv.getSchema(
      'openapi.json#/paths/~1v1~1events/post/requestBody/content/application~1json/schema',
    )!;
    const examples = workedJourneySteps();
    // The README's worked journey, v1 shipment.delayed (no reasonCode) among them: each one was answered 201 above.
    const sent = examples.flatMap((e) => (Array.isArray(e.body) ? e.body : [e.body]) as Array<{ type: string }>);
    expect(sent.filter((e) => e.type === 'shipment.delayed').length).toBeGreaterThan(0);
    for (const example of examples) {
      expect({ file: example.file, valid: validate(example.body), errors: validate.errors ?? null }).toEqual({
        file: example.file,
        valid: true,
        errors: null,
      });
    }
    // The worked journey's shipment, delayed once more (the server would refuse a delay of an unknown order: 422).
    const delayedV1 = event('doc-v1', 'shipment.delayed', {
      orderId: 'ord-1001',
      shipmentId: 'shp-1',
      newEta: '2026-04-12T10:00:00Z',
      reason: 'storm',
    });
    const delayedV2 = {
      ...delayedV1,
      id: 'doc-v2',
      schemaversion: 2,
      data: { ...delayedV1.data, reasonCode: 'weather' },
    };
    const withExtension = { ...event('doc-ext', 'feedback.received', { score: 3 }), tenant: 'acme', priority: 2 };
    const cases: Array<[string, unknown, boolean]> = [
      ['v1 without schemaversion', delayedV1, true],
      ['v1 saying schemaversion 1', { ...delayedV1, schemaversion: 1 }, true],
      ['v2', delayedV2, true],
      ['v2 data under version 1', { ...delayedV2, schemaversion: 1 }, false],
      ['an unknown data field', { ...delayedV1, data: { ...delayedV1.data, colour: 'red' } }, false],
      ['extension attributes', withExtension, true],
      ['an extension attribute holding an object', { ...withExtension, tenant: { id: 1 } }, false],
      ['a batch of both versions', [delayedV1, delayedV2], true],
    ];
    const documented = cases.map(([name, body]) => [name, validate(body)]);
    expect(documented).toEqual(cases.map(([name, , valid]) => [name, valid]));
    // And the server agrees with the document on each (a refused one is a 400; an accepted one appends).
    for (const [name, body, valid] of cases) {
      if (name.startsWith('a batch')) continue;
      const answer = await postJson(`${app.url}/v1/events`, body, {});
      const expected = valid ? [200, 201] : [400, 422];
      expect({ name, status: expected.includes(answer.status) }).toEqual({ name, status: true });
      if (!valid) expect({ name, status: answer.status }).toEqual({ name, status: 400 });
    }
  });
});
