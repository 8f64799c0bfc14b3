import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { createKey } from '#auth';
import { ROOT, getJson, postJson, startBackbone, tempDataDir, waitFor, type BackboneProcess } from '#testing';
import { workedJourneySteps } from '../e2e/worked-journey';

const CLI = join(ROOT, 'dist/apps/journey-cli/src/main.js');

/** Every read of a customer's data is recorded once, with who, where and why; acknowledged records survive a crash. */
describe('access log', () => {
  const dataDir = tempDataDir('access-log-');
  const tokens: Record<string, string> = {};
  const ids: Record<string, string> = {};
  let app: BackboneProcess;

  beforeAll(async () => {
    for (const [name, scopes] of Object.entries({
      admin: ['admin'],
      agent: ['journeys:read'],
      auditor: ['privacy:read'],
    })) {
      const { token, key } = await createKey(join(dataDir, 'auth-keys.json'), { name, scopes });
      tokens[name] = token;
      ids[name] = key.id;
    }
    app = await startBackbone({ dataDir });
    for (const step of workedJourneySteps())
      await postJson(`${app.url}/v1/events`, step.body, { headers: { authorization: `Bearer ${tokens.admin}` } });
  }, 60_000);
  afterAll(() => app?.stop());

  const as = (name: string, extra: Record<string, string> = {}) => ({
    headers: { authorization: `Bearer ${tokens[name]}`, ...extra },
  });
  const accessLog = async () => {
    const answer = await getJson(`${app.url}/v1/customers/cust-1001/access-log`, as('auditor'));
    expect(answer.status).toBe(200);
    return answer.body as { customerId: string; entries: Array<Record<string, unknown>> };
  };

  it('holds exactly one record per read of the customer, with credential, route, channel and purpose', async () => {
    const purpose = { 'journey-purpose': 'support call 4711' };
    expect(
      (await getJson(`${app.url}/v1/customers/cust-1001/journey?channel=phone`, as('agent', purpose))).status,
    ).toBe(200);
    expect((await getJson(`${app.url}/v1/orders/ord-1001`, as('agent'))).status).toBe(200);
    expect((await getJson(`${app.url}/v1/cases/case-501`, as('agent'))).status).toBe(200);
    expect((await getJson(`${app.url}/v1/identities/email/ada@example.com`, as('agent'))).status).toBe(200);
    expect((await getJson(`${app.url}/v1/customers/nobody/journey`, as('agent'))).status).toBe(404);
    const stream = await fetch(`${app.url}/v1/customers/cust-1001/journey/stream`, as('agent'));
    expect(stream.status).toBe(200);
    await stream.body!.cancel();
    const log = await accessLog();
    expect(log.customerId).toBe('cust-1001');
    expect(log.entries.map((e) => [e.credential, e.route, e.channel, e.purpose])).toEqual([
      [ids.agent, '/v1/customers/{customerId}/journey/stream', null, null],
      [ids.agent, '/v1/identities/{kind}/{value}', null, null],
      [ids.agent, '/v1/cases/{caseId}', null, null],
      [ids.agent, '/v1/orders/{orderId}', null, null],
      [ids.agent, '/v1/customers/{customerId}/journey', 'phone', 'support call 4711'],
    ]);
    for (const entry of log.entries) expect(Date.parse(entry.at as string)).toBeGreaterThan(Date.now() - 60_000);
    expect((await getJson(`${app.url}/v1/customers/nobody/access-log`, as('auditor'))).body.entries).toEqual([]);
    expect((await getJson(`${app.url}/v1/customers/cust-1001/access-log`, as('agent'))).status).toBe(403);
  });

  it('keeps every acknowledged record across a SIGKILL, and the CLI reads the same records', async () => {
    for (let i = 0; i < 3; i++) await getJson(`${app.url}/v1/orders/ord-1001`, as('agent'));
    const before = (await accessLog()).entries;
    expect(before).toHaveLength(8);
    await app.kill();
    app = await startBackbone({ dataDir });
    const after = await waitFor(async () => (await accessLog()).entries);
    expect(after).toEqual(before);
    const cli = spawnSync(process.execPath, [CLI, 'access-log', '--customer', 'cust-1001', '--json'], {
      env: { ...process.env, DATA_DIR: dataDir },
      encoding: 'utf8',
    });
    expect(cli.status).toBe(0);
    expect(JSON.parse(cli.stdout)).toEqual({ customerId: 'cust-1001', entries: before });
  });
});
