import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import {
  dropSchema,
  getJson,
  postJson,
  ROOT,
  startBackbone,
  tempDataDir,
  waitFor,
  type BackboneProcess,
} from '#testing';
import { kafkaEnv } from './kafka-env';

/**
 * A broker restart while a producer writes: every write answered 201 ends in the read models
 * exactly once, and a write made while the broker was down got an error, not a false 201.
 * This test runs its own broker (another port and folder), so the shared one stays up.
 */
const PORT = '19192';
const CONTROLLER_PORT = '19193';
const broker = (command: string) =>
  execFileSync(join(ROOT, 'scripts/kafka.sh'), [command], {
    env: { ...process.env, KAFKA_PORT: PORT, KAFKA_CONTROLLER_PORT: CONTROLLER_PORT, KAFKA_STATE_DIR: stateDir },
    stdio: 'inherit',
  });
const stateDir = join(tempDataDir('journey-kafka-restart-'), 'broker');

describe('Kafka broker restart while producers write', () => {
  const env: Record<string, string> = { ...kafkaEnv('e2e_restart', 2), KAFKA_BROKERS: `127.0.0.1:${PORT}` };
  const apps: BackboneProcess[] = [];
  beforeAll(() => broker('up'), 120_000);
  afterAll(async () => {
    for (const app of apps) await app.stop();
    broker('down');
    await dropSchema(env.DATABASE_SCHEMA);
  });

  // Phases have their own deadlines (each names itself when it runs out); the test's is their sum.
  it('loses no accepted write and reports the failed ones', async () => {
    const checkout = await startBackbone({ app: 'checkout', env });
    const projector = await startBackbone({ app: 'projector', env });
    const api = await startBackbone({ app: 'journey-api', env });
    apps.push(checkout, projector, api);
    const accepted: string[] = [];
    const failed: Array<{ id: string; status: number; code: string }> = [];
    let n = 0;
    let writing = true;
    // A request the backbone never answers is recorded (status 0, `TimeoutError`), not waited on forever.
    const writer = (async () => {
      while (writing) {
        const id = `restart-${n++}`;
        const answer = await postJson(
          `${checkout.url}/v1/events`,
          {
            specversion: '1.0',
            id,
            source: '/e2e',
            type: 'order.placed',
            subject: `cust-${id}`,
            time: '2026-04-01T10:00:00Z',
            data: {
              orderId: `ord-${id}`,
              channel: 'web',
              currency: 'EUR',
              items: [{ sku: 's', name: 'S', qty: 1, unitPrice: 100 }],
              totals: { subtotal: 100, discount: 0, shipping: 0, fees: 0, tax: 0, total: 100 },
              promisedDelivery: { from: '2026-04-03T00:00:00Z', to: '2026-04-04T00:00:00Z' },
            },
          },
          { timeoutMs: 30_000 },
        ).catch((error: Error) => ({ status: 0, body: { code: `${error.name}: ${error.message}` } }));
        if (answer.status === 201) accepted.push(id);
        else failed.push({ id, status: answer.status, code: answer.body?.code });
      }
    })();
    try {
      await waitFor(() => accepted.length >= 50, { timeoutMs: 30_000, what: 'writes before the restart' });
      broker('down');
      await waitFor(() => failed.length >= 3, { timeoutMs: 60_000, what: 'writes failing while the broker is down' });
      broker('up');
      const before = accepted.length;
      await waitFor(() => accepted.length >= before + 50, { timeoutMs: 90_000, what: 'writes after the restart' });
    } catch (error) {
      throw new Error(
        `${(error as Error).message}; ${accepted.length} accepted, last failures: ${JSON.stringify(failed.slice(-3))}`,
        { cause: error },
      );
    } finally {
      writing = false;
      await writer;
    }

    for (const f of failed) {
      expect(f.status).toBe(503);
      expect(f.code).toBe('log_unavailable');
    }
    const lastOrder = `ord-${accepted[accepted.length - 1]}`;
    // After a broker restart the projector rejoins its group and its retries back off (up to 30 s a pause): on two
    // loaded cores that has taken over a minute.
    const catchUpFrom = Date.now();
    await waitFor(async () => (await getJson(`${api.url}/v1/orders/${lastOrder}`)).status === 200, {
      timeoutMs: 150_000,
      what: 'the projector to catch up',
    }).catch((error: Error) => {
      // What the projector and its health said, to tell a slow rejoin from a stuck one.
      throw new Error(`${error.message}\nprojector said:\n${projector.output().slice(-3000)}`, { cause: error });
    });
    console.log(`the projector caught up ${Date.now() - catchUpFrom} ms after the last write`);
    for (const id of accepted) {
      const view = await getJson(`${api.url}/v1/customers/cust-${id}/journey`);
      expect({ id, status: view.status, orders: view.body.orders?.length }).toEqual({ id, status: 200, orders: 1 });
    }
    const health = await getJson(`${projector.url}/health`);
    expect(health.body.parkedEvents).toBe(0);
  }, 450_000);
});
