import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { Parser } from '@asyncapi/parser';
import { Kafka, logLevel } from 'kafkajs';
import { CHANNELS } from '#schemas';
import { ROOT, getJson, postJson, startBackbone, type BackboneProcess } from '#testing';
import { dropKafkaEnv, kafkaEnv } from './kafka-env';
import { workedJourneySteps } from './worked-journey';

/**
 * Distributed mode on a real Kafka broker and PostgreSQL: the four producers, two projectors in
 * one consumer group and journey-api, each in its own process.
 */
describe('distributed: every app in its own process on Kafka and PostgreSQL', () => {
  const env = kafkaEnv('e2e_dist');
  const apps: Record<string, BackboneProcess> = {};
  beforeAll(async () => {
    // The first app creates the topic and the tables; the others start beside it.
    apps.checkout = await startBackbone({ app: 'checkout', env });
    const others = ['shipment', 'contact', 'returns', 'journey-api'];
    const started = await Promise.all(others.map((app) => startBackbone({ app, env })));
    others.forEach((app, i) => (apps[app] = started[i]));
    apps.projectorA = await startBackbone({ app: 'projector', env });
    apps.projectorB = await startBackbone({ app: 'projector', env });
  }, 120_000);
  afterAll(async () => {
    await Promise.all(Object.values(apps).map((app) => app.stop()));
    await dropKafkaEnv(env);
  });

  it('serves the worked journey written through the owning producers, the same on every channel', async () => {
    let position = '';
    for (const step of workedJourneySteps()) {
      const answer = await postJson(`${apps[step.app].url}/v1/events`, step.body);
      expect({ file: step.file, status: answer.status }).toEqual({ file: step.file, status: 201 });
      expect(answer.body.position).toMatch(/^k\./);
      position = answer.body.position;
    }
    const api = apps['journey-api'].url;
    const views = await Promise.all(
      CHANNELS.map((channel) =>
        getJson(`${api}/v1/customers/cust-1001/journey?channel=${channel}&minPosition=${position}&waitMs=10000`),
      ),
    );
    for (const view of views) expect(view.status).toBe(200);
    expect(views[0].body.orders[0]).toMatchObject({
      status: { code: 'refunded' },
      totals: { total: 12855 },
      refunded: 8900,
      policy: { returns: { version: 1 } },
      returns: [{ returnId: 'ret-9', status: 'refunded', policyVersion: 1 }],
    });
    const canonical = views.map(({ body }) => {
      const { messages, asOf, ...rest } = body;
      return rest;
    });
    for (const other of canonical.slice(1)) expect(other).toEqual(canonical[0]);
    const asOf = await getJson(`${api}/v1/customers/cust-1001/journey?asOf=2026-03-06T00:00:00Z`);
    expect(asOf.body.orders[0].status.code).toBe('delayed');
  });

  it('serves on each app the OpenAPI document of the routes that app has, and those only', async () => {
    const operations = async (app: BackboneProcess) => {
      const doc = (await getJson(`${app.url}/openapi.json`)).body as { paths: Record<string, object> };
      return Object.entries(doc.paths).flatMap(([path, ops]) =>
        Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`),
      );
    };
    const common = ['GET /health', 'GET /metrics', 'GET /openapi.json'];
    expect((await operations(apps.checkout)).sort()).toEqual([...common, 'POST /v1/events'].sort());
    expect((await operations(apps.projectorA)).sort()).toEqual(common);
    const api = await operations(apps['journey-api']);
    expect(api).toEqual(expect.arrayContaining([...common, 'GET /v1/customers/{customerId}/journey']));
    expect(api).not.toContain('POST /v1/events');
  });

  it("serves the AsyncAPI 3 document with this deployment's topic, valid for @asyncapi/parser", async () => {
    const served = (await getJson(`${apps['journey-api'].url}/asyncapi.json`)).body as object;
    const parsed = await new Parser().parse(JSON.stringify(served));
    expect(parsed.diagnostics.filter((d) => Number(d.severity) === 0)).toEqual([]);
    const journey = parsed.document!.channels().get('journeyEvents')!;
    expect(journey.address()).toBe(env.KAFKA_TOPIC);
    // What the document says a record carries is what the topic holds: the headers of a record read back.
    const kafka = new Kafka({ brokers: env.KAFKA_BROKERS.split(','), logLevel: logLevel.NOTHING });
    const consumer = kafka.consumer({ groupId: `asyncapi-${Date.now()}` });
    await consumer.connect();
    await consumer.subscribe({ topic: env.KAFKA_TOPIC, fromBeginning: true });
    const record: { key: string; headers: Record<string, string>; value: unknown } = await new Promise((resolve) => {
      void consumer.run({
        eachMessage: async ({ message }) =>
          resolve({
            key: message.key!.toString(),
            headers: Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)])),
            value: JSON.parse(message.value!.toString()),
          }),
      });
    });
    await consumer.disconnect();
    const name = `${record.headers.ce_type.replace(/\W/g, '_')}_v${record.headers.ce_schemaversion}`;
    const message = journey.messages().get(name)!;
    expect(message).toBeDefined();
    const declared = message.headers()!.json<{ required: string[]; properties: Record<string, unknown> }>();
    expect(Object.keys(record.headers)).toEqual(expect.arrayContaining(declared.required));
    for (const header of Object.keys(record.headers)) expect(Object.keys(declared.properties)).toContain(header);
    expect(record.key).toBe(record.headers.ce_subject);
  });

  it("runs the README's worked-example script, each event posted to the app that owns it", () => {
    const urls = {
      API_URL: apps['journey-api'].url,
      CHECKOUT_URL: apps.checkout.url,
      SHIPMENT_URL: apps.shipment.url,
      CONTACT_URL: apps.contact.url,
      RETURNS_URL: apps.returns.url,
    };
    const run = spawnSync('bash', [join(ROOT, 'examples/worked-journey.sh')], {
      env: { PATH: process.env.PATH, ...urls },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect({ code: run.status, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
    expect(run.stdout.match(/status=refunded total=12855 refunded=8900 policy=v1/g)).toHaveLength(5);
  });
  it('reads its own writes across processes with the position token', async () => {
    for (let i = 0; i < 10; i++) {
      const write = await postJson(`${apps.contact.url}/v1/events`, {
        specversion: '1.0',
        id: `dist-ryw-${i}`,
        source: '/e2e',
        type: 'contact.opened',
        subject: `cust-ryw-${i % 3}`,
        time: '2026-04-01T10:00:00Z',
        data: { caseId: `case-ryw-${i}`, contactId: 'c', channel: 'chat', reason: `question ${i}`, tags: [] },
      });
      expect(write.status).toBe(201);
      const read = await getJson(
        `${apps['journey-api'].url}/v1/customers/cust-ryw-${i % 3}/journey` +
          `?minPosition=${write.body.position}&waitMs=10000`,
      );
      expect(read.status).toBe(200);
      expect(read.body.card.lastContactReason).toBe(`question ${i}`);
    }
  });

  it('shows lag per partition in /metrics and refuses what a producer does not own', async () => {
    const metrics = await getJson(`${apps.projectorA.url}/metrics`);
    expect(metrics.body).toMatch(
      /journey_projection_partition_lag_events\{projection="journey-view",partition="\d+"\} \d+/,
    );
    const refused = await postJson(`${apps.shipment.url}/v1/events`, {
      specversion: '1.0',
      id: 'dist-not-owned',
      source: '/e2e',
      type: 'order.cancelled',
      subject: 'cust-1001',
      time: '2026-04-01T10:00:00Z',
      data: { orderId: 'ord-1001', reason: 'r' },
    });
    expect(refused.status).toBe(403);
  });

  it(
    'parks a record on the topic that is not a valid event, and one the projection cannot apply, and goes ' + 'on',
    async () => {
      const kafka = new Kafka({ brokers: env.KAFKA_BROKERS.split(','), logLevel: logLevel.NOTHING });
      const producer = kafka.producer();
      await producer.connect();
      const headers = (id: string, type: string) => ({
        ce_specversion: '1.0',
        ce_id: id,
        ce_source: '/rogue',
        ce_type: type,
        ce_subject: 'cust-poison',
        ce_time: '2026-04-01T10:00:00Z',
      });
      await producer.send({
        topic: env.KAFKA_TOPIC,
        messages: [
          { key: 'cust-poison', value: '{not json', headers: headers('rogue-1', 'contact.opened') },
          { key: 'cust-poison', value: JSON.stringify({ a: 1 }), headers: headers('rogue-2', 'order.teleported') },
        ],
      });
      await producer.disconnect();
      const unprojectable = await postJson(`${apps.contact.url}/v1/events`, {
        specversion: '1.0',
        id: 'poison-kept',
        source: '/e2e',
        type: 'promise.kept',
        subject: 'cust-poison',
        time: '2026-04-01T10:01:00Z',
        data: { caseId: 'none', promiseId: 'none' },
      });
      expect(unprojectable.status).toBe(201);
      const after = await postJson(`${apps.contact.url}/v1/events`, {
        specversion: '1.0',
        id: 'poison-after',
        source: '/e2e',
        type: 'contact.opened',
        subject: 'cust-poison',
        time: '2026-04-01T10:02:00Z',
        data: { caseId: 'case-poison', contactId: 'c', channel: 'web', reason: 'still served', tags: [] },
      });
      const read = await getJson(
        `${apps['journey-api'].url}/v1/customers/cust-poison/journey?minPosition=${after.body.position}&waitMs=10000`,
      );
      expect(read.body.card.lastContactReason).toBe('still served');
      const health = (await getJson(`${apps.projectorA.url}/health`)).body;
      expect(health.invalidRecords).toBe(2);
      expect(health.parkedEvents).toBe(3);
      expect(health.status).toBe('degraded');
    },
  );
});
