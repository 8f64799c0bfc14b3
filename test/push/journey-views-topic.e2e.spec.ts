import { Kafka, logLevel, type Consumer } from 'kafkajs';
import {
  getJson,
  journeyEvent,
  orderPlacedData,
  postJson,
  startBackbone,
  tempDataDir,
  waitFor,
  type BackboneProcess,
} from '#testing';
import { dropKafkaEnv, kafkaEnv } from '../e2e/kafka-env';

const at = (minute: number) => new Date(Date.UTC(2026, 10, 20, 10, minute)).toISOString();

function journeyOf(n: number) {
  const subject = `vt-${n}`;
  const on = (id: number, minute: number) => ({
    id: `vt${n}-${id}`,
    source: '/views-topic-test',
    subject,
    time: at(minute),
  });
  return [
    journeyEvent('identity.linked', { kind: 'email', value: `v${n}@example.com` }, on(1, 0)),
    journeyEvent('order.placed', orderPlacedData(`vt-ord-${n}`, { qty: n + 1, unitPrice: 2500 }), on(2, 1)),
    journeyEvent(
      'contact.opened',
      { caseId: `vt-case-${n}`, contactId: `vt-c-${n}`, channel: 'chat', reason: 'where is my lamp', tags: [] },
      on(3, 2),
    ),
  ];
}

/** The parts of a view that say what the customer's journey is (not when or where it was read). */
const content = (view: { orders: unknown; cases: unknown; card: unknown }) => ({
  orders: view.orders,
  cases: view.cases,
  card: view.card,
});

describe('the journey views topic (compacted, key = customer id), read by a bare kafkajs consumer', () => {
  const env = { ...kafkaEnv('e2e_views_topic', 3) };
  env.VIEWS_TOPIC = `${env.KAFKA_TOPIC}-views`;
  const kafka = new Kafka({ brokers: env.KAFKA_BROKERS.split(','), logLevel: logLevel.NOTHING });
  const latest = new Map<string, string | null>();
  let records = 0;
  let app: BackboneProcess;
  let consumer: Consumer;

  beforeAll(async () => {
    app = await startBackbone({ dataDir: tempDataDir('views-topic-'), env });
    consumer = kafka.consumer({ groupId: `${env.VIEWS_TOPIC}-reader`, maxWaitTimeInMs: 100 });
    await consumer.connect();
    await consumer.subscribe({ topic: env.VIEWS_TOPIC, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        records++;
        latest.set(message.key!.toString(), message.value === null ? null : message.value.toString());
      },
    });
  }, 90_000);
  afterAll(async () => {
    await consumer?.disconnect();
    await app?.stop();
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [env.VIEWS_TOPIC] }).catch(() => undefined);
    await admin.disconnect();
    await dropKafkaEnv(env);
  });

  it('is compacted, holds each customer’s view as the API reads it, and a tombstone after an erasure', async () => {
    const admin = kafka.admin();
    await admin.connect();
    const config = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: 2, name: env.VIEWS_TOPIC, configNames: ['cleanup.policy'] }],
    });
    await admin.disconnect();
    expect(config.resources[0].configEntries[0]).toMatchObject({
      configName: 'cleanup.policy',
      configValue: 'compact',
    });

    let position = '';
    for (let n = 0; n < 4; n++) position = (await postJson(`${app.url}/v1/events`, journeyOf(n))).body.position;
    await waitFor(() => [0, 1, 2, 3].every((n) => latest.get(`vt-${n}`)?.includes('"vt-case-')), {
      timeoutMs: 30_000,
      what: 'four views on the topic',
    });
    for (let n = 0; n < 4; n++) {
      const api = await getJson(`${app.url}/v1/customers/vt-${n}/journey?minPosition=${encodeURIComponent(position)}`);
      expect(api.status).toBe(200);
      const onTopic = JSON.parse(latest.get(`vt-${n}`)!);
      expect(content(onTopic)).toEqual(content(api.body));
      expect(onTopic.customerId).toBe(`vt-${n}`);
    }
    // The reactor writing it reports its lag like any other.
    await waitFor(
      async () =>
        /journey_reactor_lag_events\{reactor="journey-views-topic"\} 0/.test(
          (await getJson(`${app.url}/metrics`)).body,
        ),
      { what: 'views topic lag 0' },
    );

    expect((await postJson(`${app.url}/v1/customers/vt-2/erasure`, { reason: 'test' })).status).toBe(202);
    await waitFor(() => latest.has('vt-2') && latest.get('vt-2') === null, {
      timeoutMs: 20_000,
      what: 'the tombstone',
    });
    expect(latest.get('vt-1')).not.toBeNull();
    expect(records).toBeGreaterThanOrEqual(5);
  }, 90_000);
});
