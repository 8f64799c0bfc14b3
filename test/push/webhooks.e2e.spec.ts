import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Webhook } from 'standardwebhooks';
import {
  delayedRefundJourney,
  getJson,
  postJson,
  ROOT,
  startBackbone,
  tempDataDir,
  waitFor,
  type BackboneProcess,
} from '#testing';

const run = promisify(execFile);

interface Delivery {
  id: string;
  type: string;
  data: any;
  at: number;
}

/**
 * A receiver of Standard Webhooks: every request is verified with the `standardwebhooks` package (signature and
 * timestamp) before `answer` decides the status; verified deliveries are kept, in the order they came.
 */
class Receiver {
  readonly deliveries: Delivery[] = [];
  readonly refused: string[] = [];
  requests = 0;
  secret = '';
  server: Server | null = null;
  port = 0;

  constructor(private answer: (request: number) => number | 'hang' = () => 204) {}

  async listen(port = 0): Promise<this> {
    this.server = createServer((request, response) => void this.handle(request, response));
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/hook`;
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve) ?? resolve(undefined));
    this.server = null;
  }

  setAnswer(answer: (request: number) => number | 'hang'): void {
    this.answer = answer;
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const n = ++this.requests;
    try {
      const payload = new Webhook(this.secret).verify(body, request.headers as Record<string, string>) as {
        type: string;
        data: unknown;
      };
      const status = this.answer(n);
      if (status === 'hang') return;
      if (status < 300)
        this.deliveries.push({
          id: String(request.headers['webhook-id']),
          type: payload.type,
          data: payload.data,
          at: Date.now(),
        });
      response.writeHead(status).end();
    } catch (error) {
      this.refused.push((error as Error).message);
      response.writeHead(400).end();
    }
  }
}

/** A customer's journey: its delay is `<prefix><n>-5`, its refund `<prefix><n>-6`. */
const journeyOf = (n: number, prefix: string) =>
  delayedRefundJourney({
    customer: `${prefix}-${n}`,
    orderId: `${prefix}-ord-${n}`,
    idPrefix: `${prefix}${n}`,
    source: '/webhook-test',
    email: `w${n}@example.com`,
    total: 3000,
    refund: 500,
  });

describe('webhooks (Standard Webhooks, verified by the standardwebhooks package)', () => {
  const dataDir = tempDataDir('webhooks-');
  const fileSecret = `whsec_${Buffer.from('a file secret of 24 bytes!').toString('base64')}`;
  const fromFile = new Receiver();
  const flaky = new Receiver((n) => (n <= 3 ? 500 : 200));
  const down = new Receiver();
  const hanging = new Receiver(() => 'hang');
  const views = new Receiver();
  let app: BackboneProcess;
  const subscribe = async (body: object) => postJson(`${app.url}/v1/webhooks`, body);
  const journey = (args: string[]) =>
    run(process.execPath, [join(ROOT, 'dist/apps/journey-cli/src/main.js'), ...args], {
      env: { ...process.env, DATA_DIR: dataDir },
    }).catch((error: { code: number; stdout: string; stderr: string }) => error);

  beforeAll(async () => {
    for (const r of [fromFile, flaky, hanging, views]) await r.listen();
    // Down: a port nobody listens on (taken, then let go).
    await down.listen();
    await down.close();
    fromFile.secret = fileSecret;
    writeFileSync(
      join(dataDir, 'webhooks.json'),
      JSON.stringify([{ id: 'from-file', url: fromFile.url, events: ['refund.issued'], secret: fileSecret }]),
    );
    app = await startBackbone({ dataDir, env: { WEBHOOKS_FILE: join(dataDir, 'webhooks.json') } });
  }, 60_000);
  afterAll(async () => {
    await app?.stop();
    for (const r of [fromFile, flaky, down, hanging, views]) await r.close();
  });

  it('refuses a wrong subscription, naming each field, and makes nothing', async () => {
    const cases: Array<[object, string[]]> = [
      [{ url: 'ftp://example.com', events: ['refund.issued'] }, ['url']],
      [{ url: 'http://127.0.0.1:9/', events: ['refund.issueed'] }, ['events.0']],
      [{ url: 'http://127.0.0.1:9/' }, ['events']],
      [{ url: 'http://127.0.0.1:9/', events: ['refund.issued'], secrett: 'x' }, ['(body)']],
      [
        { url: 'http://127.0.0.1:9/', views: ['journey'], retryForMs: -1, secret: 'whsec_short' },
        ['secret', 'retryForMs'],
      ],
      [{ id: 'Bad Id', url: 'http://127.0.0.1:9/', views: ['journey'] }, ['id']],
    ];
    for (const [body, paths] of cases) {
      const answer = await subscribe(body);
      expect({ body, status: answer.status, code: answer.body.code }).toEqual({
        body,
        status: 400,
        code: 'validation_failed',
      });
      expect((answer.body.errors as Array<{ path: string }>).map((e) => e.path).sort()).toEqual(paths.sort());
    }
    expect((await getJson(`${app.url}/v1/webhooks`)).body.subscriptions.map((s: { id: string }) => s.id)).toEqual([
      'from-file',
    ]);
  });

  it(
    'delivers in order per customer, retries a failing receiver, parks for one that is down (replayed by ' +
      'journey parked replay), and a hanging one holds up no other',
    async () => {
      const made: Record<string, { secret: string }> = {};
      for (const [id, receiver, extra] of [
        ['flaky', flaky, { events: ['shipment.delayed', 'refund.issued'], retryDelayMs: 50 }],
        ['down', down, { events: ['refund.issued'], retryForMs: 1500, retryDelayMs: 100 }],
        ['hanging', hanging, { events: ['refund.issued'], timeoutMs: 300, retryForMs: 600_000, retryDelayMs: 100 }],
        ['views', views, { views: ['journey'], personalData: true }],
      ] as const) {
        const answer = await subscribe({ id, url: receiver.url, ...extra });
        expect(answer.status).toBe(201);
        expect(answer.body).toMatchObject({ id, origin: 'api', secret: expect.stringMatching(/^whsec_/) });
        receiver.secret = answer.body.secret;
        made[id] = answer.body;
      }
      expect((await subscribe({ id: 'flaky', url: flaky.url, events: ['refund.issued'] })).status).toBe(409);
      expect((await getJson(`${app.url}/v1/webhooks/flaky`)).body).not.toHaveProperty('secret');

      const started = Date.now();
      for (let n = 0; n < 3; n++) expect((await postJson(`${app.url}/v1/events`, journeyOf(n, 'wh'))).status).toBe(201);

      // The file's subscription: each refund, signed with the file's secret, while another receiver hangs.
      await waitFor(() => fromFile.deliveries.length === 3, { what: 'refunds to the file subscription' });
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(fromFile.deliveries.map((d) => [d.type, d.data.data.refundId])).toEqual([
        ['refund.issued', 'wh-ord-0-r'],
        ['refund.issued', 'wh-ord-1-r'],
        ['refund.issued', 'wh-ord-2-r'],
      ]);
      // Not trusted with personal data: none in the event (the refund has none; the id is the CloudEvents one).
      expect(fromFile.deliveries[0].data).toMatchObject({ id: 'wh0-6', subject: 'wh-0', type: 'refund.issued' });

      // The flaky one: three 500s, then everything, in log order, each message once.
      await waitFor(() => flaky.deliveries.length === 6, { what: 'the flaky receiver' });
      expect(flaky.requests).toBe(9);
      expect(flaky.deliveries.map((d) => d.data.id)).toEqual(['wh0-5', 'wh0-6', 'wh1-5', 'wh1-6', 'wh2-5', 'wh2-6']);
      expect(new Set(flaky.deliveries.map((d) => d.id)).size).toBe(6);
      expect(flaky.refused).toEqual([]);

      // Journey views: the view as of each event; the last equals what the API reads.
      await waitFor(() => views.deliveries.filter((d) => d.data.customerId === 'wh-2').length === 6, {
        what: 'view changes',
      });
      const last = views.deliveries.filter((d) => d.data.customerId === 'wh-2').at(-1)!;
      expect(last.type).toBe('journey.view.changed');
      const read = await getJson(`${app.url}/v1/customers/wh-2/journey?minPosition=${last.data.position}`);
      expect(last.data.view.orders).toEqual(read.body.orders);
      expect(last.data.view.card).toEqual(read.body.card);

      // Down: parked once its retry period is over, visible in /health and /metrics.
      await waitFor(async () => (await getJson(`${app.url}/health`)).body.status === 'degraded', {
        timeoutMs: 20_000,
        what: 'the down receiver parked',
      });
      const health = (await getJson(`${app.url}/health`)).body;
      expect(health.problems).toContainEqual(
        expect.objectContaining({ projection: 'reactor:webhook.down', problem: 'parked_events' }),
      );
      await waitFor(
        async () =>
          /journey_reactor_parked_events\{reactor="webhook\.down"\} 3/.test((await getJson(`${app.url}/metrics`)).body),
        { what: 'three parked for the down receiver' },
      );
      const listed = await journey(['parked', 'list', '--consumer', 'webhook.down', '--json']);
      expect(JSON.parse(listed.stdout).parked.map((p: { eventId: string }) => p.eventId)).toEqual([
        'wh0-6',
        'wh1-6',
        'wh2-6',
      ]);
      // The hanging one is still being retried (600 s): nothing parked, nothing delivered, nobody else held up.
      expect(hanging.requests).toBeGreaterThanOrEqual(2);
      expect(hanging.deliveries).toEqual([]);

      // The receiver comes back: an operator replays what was parked.
      await down.listen(down.port);
      const replayed = await journey(['parked', 'replay', '--consumer', 'webhook.down', '--wait']);
      expect(replayed.stdout).toContain('3 replayed, 0 parked again');
      expect(down.deliveries.map((d) => d.data.id)).toEqual(['wh0-6', 'wh1-6', 'wh2-6']);
      expect((await journey(['parked', 'list', '--consumer', 'webhook.down', '--json'])).stdout).toContain(
        '"parked": []',
      );
      expect((await journey(['parked', 'replay', '--consumer', 'journey-view'])).stderr).toContain('journey rebuild');

      // Deleted: no more deliveries; the file's subscription is changed in the file only.
      expect((await fetch(`${app.url}/v1/webhooks/flaky`, { method: 'DELETE' })).status).toBe(204);
      expect((await fetch(`${app.url}/v1/webhooks/flaky`, { method: 'DELETE' })).status).toBe(404);
      expect((await fetch(`${app.url}/v1/webhooks/from-file`, { method: 'DELETE' })).status).toBe(400);
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect((await postJson(`${app.url}/v1/events`, journeyOf(3, 'wh'))).status).toBe(201);
      await waitFor(() => fromFile.deliveries.length === 4, { what: 'the file subscription still delivering' });
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(flaky.deliveries.length).toBe(6);

      // An erasure reaches the view subscribers: the receiver drops its copy.
      expect((await postJson(`${app.url}/v1/customers/wh-1/erasure`, { reason: 'test' })).status).toBe(202);
      await waitFor(
        () => views.deliveries.some((d) => d.type === 'journey.view.erased' && d.data.customerId === 'wh-1'),
        {
          what: 'the erasure',
        },
      );
      expect(made.views.secret).not.toBe(made.flaky.secret);
    },
    120_000,
  );
});
