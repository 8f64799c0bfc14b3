import { getJson, postJson, startBackbone, tempDataDir, waitFor, type BackboneProcess } from '#testing';
import { rawRequest } from './raw-http';
import { openSse, type SseClient } from './sse-client';

const contact = (id: string, subject: string, reason: string) => ({
  specversion: '1.0',
  id,
  source: '/limits',
  type: 'contact.opened',
  subject,
  time: '2026-04-10T10:00:00Z',
  data: { caseId: `case-${id}`, contactId: 'c', channel: 'chat', reason, tags: [] },
});

describe('the server protects itself: time, streams and progress', () => {
  const apps: BackboneProcess[] = [];
  const clients: SseClient[] = [];
  const start = async (env: Record<string, string>, dataDir?: string) => {
    const app = await startBackbone({ env, dataDir });
    apps.push(app);
    return app;
  };
  afterEach(async () => {
    for (const client of clients.splice(0)) client.close();
    for (const app of apps.splice(0)) await app.stop();
  });

  it("given headers or a body that trickle in, answers 408 in the contract's shape once the time is up", async () => {
    const app = await start({ REQUEST_TIMEOUT_MS: '2000', HEADERS_TIMEOUT_MS: '1000' });
    const began = Date.now();
    const slowHeaders = rawRequest(app.url, 'GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ', {}, 15_000);
    const slowBody = rawRequest(
      app.url,
      'POST /v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ' +
        '100\r\n\r\n{"a":',
      { chunk: Buffer.from(' '), chunks: 100, pauseMs: 200 },
      15_000,
    );
    const [headers, body] = await Promise.all([slowHeaders, slowBody]);
    // The answer's message is in the comparison: a 400 names the parser's reason (seen once in CI, not here since).
    expect({ status: headers.status, body: JSON.parse(headers.body) as unknown }).toEqual({
      status: 408,
      body: expect.objectContaining({ code: 'request_timeout' }),
    });
    expect({ status: body.status, code: JSON.parse(body.body).code }).toEqual({ status: 408, code: 'request_timeout' });
    expect(Date.now() - began).toBeLessThan(8000);
  });

  it(
    'given more streams than MAX_SSE_STREAMS, refuses the next with 503 and Retry-After, and takes one again ' +
      'once a stream ends',
    async () => {
      const app = await start({ MAX_SSE_STREAMS: '3' });
      for (let i = 0; i < 3; i++) clients.push(openSse(app.url, '/v1/customers/c1/journey/stream'));
      for (const client of clients) expect(await client.status).toBe(200);
      const refused = await getJson(`${app.url}/v1/customers/c1/journey/stream`);
      expect(refused.status).toBe(503);
      expect(refused.headers.get('retry-after')).toBe('1');
      expect(refused.body.code).toBe('too_many_streams');
      clients[0].close();
      await waitFor(
        async () => {
          const again = openSse(app.url, '/v1/customers/c1/journey/stream');
          clients.push(again);
          return (await again.status) === 200;
        },
        { what: 'a stream accepted again' },
      );
    },
  );

  it(
    'writes heartbeat comments, and a client resuming with Last-Event-ID gets the view again only when it ' + 'changed',
    async () => {
      const app = await start({ SSE_HEARTBEAT_MS: '200' });
      const first = await postJson(`${app.url}/v1/events`, contact('sse-1', 'c-sse', 'first'));
      await getJson(`${app.url}/v1/customers/c-sse/journey?minPosition=${first.body.position}`);
      const stream = openSse(app.url, '/v1/customers/c-sse/journey/stream');
      clients.push(stream);
      const seen = await stream.next((view) => view.card.lastContactReason === 'first');
      await waitFor(() => stream.comments.some((c) => c.startsWith(': heartbeat')), { what: 'a heartbeat' });
      stream.close();
      // Someone else's change: resuming brings no copy of the view.
      const other = await postJson(`${app.url}/v1/events`, contact('sse-2', 'c-other', 'elsewhere'));
      await getJson(`${app.url}/v1/customers/c-other/journey?minPosition=${other.body.position}`);
      const resumed = openSse(app.url, '/v1/customers/c-sse/journey/stream', { headers: { 'Last-Event-ID': seen.id } });
      clients.push(resumed);
      await waitFor(() => resumed.comments.length >= 2, { what: 'heartbeats on the resumed stream' });
      expect(resumed.messages).toEqual([]);
      // This customer's change: pushed.
      await postJson(`${app.url}/v1/events`, contact('sse-3', 'c-sse', 'second'));
      expect((await resumed.next((view) => view.card.lastContactReason === 'second')).id).not.toBe(seen.id);
      // Resuming from before that change: the current view at once.
      const late = openSse(app.url, `/v1/customers/c-sse/journey/stream?lastEventId=${encodeURIComponent(seen.id)}`);
      clients.push(late);
      expect((await late.next()).data.card.lastContactReason).toBe('second');
    },
  );

  it(
    'given a client that stops reading, drops it once what waits for it passes SSE_MAX_BUFFER_BYTES, and ' +
      'serves the others',
    async () => {
      const app = await start({ SSE_MAX_BUFFER_BYTES: '65536' });
      await postJson(`${app.url}/v1/events`, contact('slow-0', 'c-slow', 'start'));
      const stalled = openSse(app.url, '/v1/customers/c-slow/journey/stream', { read: false });
      const reading = openSse(app.url, '/v1/customers/c-slow/journey/stream');
      clients.push(stalled, reading);
      await reading.next();
      // Each change pushes the whole view again (it grows with every case): megabytes for the stalled client.
      let last = '';
      for (let i = 1; i <= 400; i++)
        last = (
          await postJson(`${app.url}/v1/events`, contact(`slow-${i}`, 'c-slow', `reason ${i} ${'x'.repeat(200)}`))
        ).body.position;
      await waitFor(
        async () => /journey_sse_streams_dropped_total 1\b/.test((await getJson(`${app.url}/metrics`)).body),
        { what: 'the stalled stream dropped', timeoutMs: 30_000 },
      );
      const final = await reading.next((view) => view.position === last || view.cases.length === 401, 30_000, 0);
      expect(final.data.cases.length).toBe(401);
    },
  );

  it('given a projector that stopped, /health turns degraded and says which projection stalled and why', async () => {
    const dataDir = tempDataDir();
    const first = await start({}, dataDir);
    const answer = await postJson(`${first.url}/v1/events`, contact('h-1', 'c-h', 'projected'));
    await getJson(`${first.url}/v1/customers/c-h/journey?minPosition=${answer.body.position}`);
    expect((await getJson(`${first.url}/health`)).body).toMatchObject({ status: 'ok', problems: [] });
    await first.stop();
    apps.splice(0);
    const withoutProjector = await start(
      { RUN_PROJECTOR: 'false', HEALTH_STALL_SECONDS: '1', HEALTH_MAX_LAG_EVENTS: '2' },
      dataDir,
    );
    await postJson(`${withoutProjector.url}/v1/events`, contact('h-2', 'c-h', 'not projected'));
    const stalled = await waitFor(
      async () => {
        const h = (await getJson(`${withoutProjector.url}/health`)).body;
        return h.problems.some((p: { problem: string }) => p.problem === 'stalled') ? h : null;
      },
      { what: 'a stalled projection reported', timeoutMs: 10_000 },
    );
    expect(stalled.status).toBe('degraded');
    expect(stalled.problems).toContainEqual({
      projection: 'journey-view',
      problem: 'stalled',
      message: expect.stringMatching(/not advanced for \d+ s while 1 events behind/),
    });
    for (let i = 3; i < 6; i++) await postJson(`${withoutProjector.url}/v1/events`, contact(`h-${i}`, 'c-h', 'more'));
    expect((await getJson(`${withoutProjector.url}/health`)).body.problems).toContainEqual(
      expect.objectContaining({ projection: 'journey-view', problem: 'behind' }),
    );
  });
});
