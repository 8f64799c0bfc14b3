import { spawnSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import {
  ROOT,
  journeyEvent,
  orderPlacedData,
  postJson,
  startBackbone,
  tempDataDir,
  waitFor,
  type BackboneProcess,
} from '#testing';
import { dropKafkaEnv, kafkaEnv } from '../e2e/kafka-env';

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  attributes: Array<{ key: string; value: Record<string, unknown> }>;
}

/**
 * A collector as far as the app knows: an OTLP/HTTP receiver (`POST /v1/traces`, JSON) that keeps every span it is
 * sent, by the app's own exporter, configured by the standard OTEL_* variables.
 */
async function otlpReceiver(): Promise<{ url: string; spans: OtlpSpan[]; close: () => Promise<void> }> {
  const spans: OtlpSpan[] = [];
  const server: Server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      if (request.url === '/v1/traces') {
        const payload = JSON.parse(body) as {
          resourceSpans: Array<{ scopeSpans: Array<{ spans: OtlpSpan[] }> }>;
        };
        for (const resource of payload.resourceSpans)
          for (const scope of resource.scopeSpans) spans.push(...scope.spans);
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    spans,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

const CLIENT_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const CLIENT_SPAN = '00f067aa0ba902b7';

describe.each([
  ['the embedded default', () => ({})],
  ['Kafka and PostgreSQL', () => kafkaEnv('e2e_tracing')],
])('one trace from POST /v1/events to the journey view, on %s', (_name, environment) => {
  let app: BackboneProcess;
  let receiver: Awaited<ReturnType<typeof otlpReceiver>>;
  let env: Record<string, string>;
  beforeAll(async () => {
    receiver = await otlpReceiver();
    env = environment();
    app = await startBackbone({
      env: {
        ...env,
        OTEL_TRACES_EXPORTER: 'otlp',
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
        OTEL_BSP_SCHEDULE_DELAY: '50',
        OTEL_SERVICE_NAME: 'e2e-backbone',
        LOG_LEVEL: 'debug',
      },
    });
  });
  afterAll(async () => {
    await app?.stop();
    await receiver.close();
    if (env.KAFKA_TOPIC) await dropKafkaEnv(env);
  });

  it('continues the caller traceparent through the append, the commit and the SSE push; logs carry it', async () => {
    const placed = journeyEvent('order.placed', orderPlacedData('ord-trace'), {
      subject: 'cust-trace',
      source: '/e2e',
    });
    // An SSE client of the customer, so the commit has a view to push.
    const abort = new AbortController();
    const stream = await fetch(`${app.url}/v1/customers/cust-trace/journey/stream`, { signal: abort.signal });
    const answer = await postJson(`${app.url}/v1/events`, placed, {
      headers: { traceparent: `00-${CLIENT_TRACE}-${CLIENT_SPAN}-01` },
    });
    expect(answer.status).toBe(201);
    const inTrace = () => receiver.spans.filter((s) => s.traceId === CLIENT_TRACE);
    const names = () => inTrace().map((s) => s.name);
    await waitFor(() => ['journey.projection.commit', 'journey.sse.push'].every((n) => names().includes(n)), {
      what: `the commit and the push in the trace (so far: ${JSON.stringify(receiver.spans.map((s) => s.name))})`,
      timeoutMs: 30_000,
    });
    abort.abort();
    await stream.body?.cancel().catch(() => undefined);
    const one = (name: string) => inTrace().find((s) => s.name === name)!;
    const request = one('POST /v1/events');
    const append = one('journey.append');
    const commit = one('journey.projection.commit');
    const push = one('journey.sse.push');
    expect(request.parentSpanId).toBe(CLIENT_SPAN);
    expect(append.parentSpanId).toBe(request.spanId);
    expect(commit.parentSpanId).toBe(append.spanId);
    expect(push.parentSpanId).toBe(commit.spanId);
    // A refused request: its log line carries its trace id.
    const refused = await postJson(
      `${app.url}/v1/events`,
      { ...placed, id: 'trace-bad', time: 'yesterday' },
      {
        headers: { traceparent: `00-${CLIENT_TRACE}-${'1'.repeat(16)}-01` },
      },
    );
    expect(refused.status).toBe(400);
    await waitFor(() => /"msg":"request refused"/.test(app.output()), { what: 'the refusal logged' });
    const line = app
      .output()
      .split('\n')
      .find((l) => l.includes('"msg":"request refused"'))!;
    expect(JSON.parse(line)).toMatchObject({
      trace_id: CLIENT_TRACE,
      span_id: expect.stringMatching(/^[0-9a-f]{16}$/),
    });
  });
});

describe('tracing configuration', () => {
  it('refuses an exporter it does not have at start, naming the variable (exit code 2)', () => {
    const run = spawnSync(process.execPath, [join(ROOT, 'dist/apps/backbone/src/main.js')], {
      env: { ...process.env, DATA_DIR: tempDataDir('tracing-config-'), PORT: '0', OTEL_TRACES_EXPORTER: 'otlp,jaeger' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/OTEL_TRACES_EXPORTER: jaeger is not one of otlp, console, noop, none/);
  });
});
