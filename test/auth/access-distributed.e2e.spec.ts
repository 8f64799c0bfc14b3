import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, getJson, postJson, startBackbone, tempDataDir, type BackboneProcess } from '#testing';
import { dropKafkaEnv, kafkaEnv } from '../e2e/kafka-env';
import { workedJourneySteps } from '../e2e/worked-journey';

/**
 * Auth in the distributed mode: each app in its own process on Kafka and PostgreSQL enforces the same key file, with
 * the keys examples/create-keys.sh makes and the worked example run with them.
 */
describe('access: every app of the distributed mode enforces it', () => {
  const dir = tempDataDir('access-dist-');
  const keysFile = join(dir, 'auth-keys.json');
  const env: Record<string, string> = { ...kafkaEnv('e2e_access'), AUTH_KEYS_FILE: keysFile };
  const tokens: Record<string, string> = {};
  const apps: Record<string, BackboneProcess> = {};

  beforeAll(async () => {
    const created = spawnSync('bash', [join(ROOT, 'examples/create-keys.sh'), join(dir, 'tokens.env')], {
      env: { ...process.env, AUTH_KEYS_FILE: keysFile },
      encoding: 'utf8',
    });
    expect({ status: created.status, stderr: created.stderr }).toMatchObject({ status: 0 });
    for (const line of readFileSync(join(dir, 'tokens.env'), 'utf8').trim().split('\n')) {
      const [name, token] = line.split('=');
      tokens[name] = token;
    }
    apps.checkout = await startBackbone({ app: 'checkout', env });
    const others = ['shipment', 'contact', 'returns', 'journey-api', 'projector'];
    const started = await Promise.all(others.map((app) => startBackbone({ app, env })));
    others.forEach((app, i) => (apps[app] = started[i]));
  }, 120_000);
  afterAll(async () => {
    await Promise.all(Object.values(apps).map((app) => app.stop()));
    await dropKafkaEnv(env);
  });

  it('runs the worked example with the producers and the channel keys', () => {
    const run = spawnSync('bash', [join(ROOT, 'examples/worked-journey.sh')], {
      env: {
        PATH: process.env.PATH,
        TOKENS_FILE: join(dir, 'tokens.env'),
        API_URL: apps['journey-api'].url,
        CHECKOUT_URL: apps.checkout.url,
        SHIPMENT_URL: apps.shipment.url,
        CONTACT_URL: apps.contact.url,
        RETURNS_URL: apps.returns.url,
      },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect({ code: run.status, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
    expect(run.stdout.match(/status=refunded total=12855 refunded=8900 policy=v1/g)).toHaveLength(5);
  });

  it('each app refuses a missing credential and one without the scope', async () => {
    const order = workedJourneySteps().find((s) => s.app === 'checkout')!.body;
    const write = (token?: string) =>
      postJson(`${apps.checkout.url}/v1/events`, order, token ? { headers: { authorization: `Bearer ${token}` } } : {});
    expect((await write()).status).toBe(401);
    expect(await write(tokens.SHIPMENT_TOKEN)).toMatchObject({ status: 403, body: { code: 'forbidden' } });
    expect((await write(tokens.CHECKOUT_TOKEN)).status).toBe(200);
    const read = (token: string) =>
      getJson(`${apps['journey-api'].url}/v1/orders/ord-1001`, { headers: { authorization: `Bearer ${token}` } });
    expect((await read(tokens.CHANNEL_TOKEN)).status).toBe(200);
    expect((await read(tokens.CHECKOUT_TOKEN)).status).toBe(403);
    const metrics = (token?: string) =>
      getJson(`${apps.projector.url}/metrics`, token ? { headers: { authorization: `Bearer ${token}` } } : {});
    expect((await metrics()).status).toBe(401);
    expect((await metrics(tokens.OPERATOR_TOKEN)).status).toBe(200);
  });
});
