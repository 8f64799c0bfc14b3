import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createKey } from '#auth';
import { JourneyApiError, JourneyClient, type JourneyEventInput } from '#client';
import type { JourneyView } from '#schemas';
import { journeyEvent, orderPlacedData, startBackbone, tempDataDir, waitFor, type BackboneProcess } from '#testing';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const order = (customer: string, orderId: string, time = '2026-11-20T10:00:00Z'): JourneyEventInput =>
  journeyEvent('order.placed', orderPlacedData(orderId), {
    id: `client-${orderId}`,
    source: '/client-test',
    subject: customer,
    time,
  });

/** The typed client against a real backbone process, restarted under it. */
describe('the journey client', () => {
  const dataDir = tempDataDir('client-');
  let port: number;
  let app: BackboneProcess;
  let client: JourneyClient;
  const start = async () => (app = await startBackbone({ dataDir, env: { PORT: String(port) } }));

  beforeAll(async () => {
    port = await freePort();
    await start();
    client = new JourneyClient({ baseUrl: `http://127.0.0.1:${port}`, attempts: 12, retryDelayMs: 100 });
  }, 60_000);
  afterAll(async () => app?.stop());

  it('appends and reads its own write at once (the read waits for the position of the append)', async () => {
    const written = await client.append(order('cust-client-1', 'ord-c1'));
    expect(written).toEqual({ accepted: 1, position: expect.any(String) });
    expect(client.lastWritePosition).toBe(written.position);
    const read = await client.journey('cust-client-1');
    expect(read.body.orders.map((o) => o.orderId)).toEqual(['ord-c1']);
    expect(read.position).toBe(written.position);
    expect((await client.order('ord-c1')).body.customerId).toBe('cust-client-1');
    // The same event again: the append is idempotent, nothing new.
    expect((await client.append(order('cust-client-1', 'ord-c1'))).accepted).toBe(0);
  });

  it('throws typed errors: the status, the code and the field errors', async () => {
    const error = await client.append({ ...order('cust-client-1', 'ord-bad'), time: 'yesterday' }).catch((e) => e);
    expect(error).toBeInstanceOf(JourneyApiError);
    expect(error).toMatchObject({ status: 400, code: 'validation_failed', retriable: false });
    expect((error as JourneyApiError).errors).toContainEqual(expect.objectContaining({ path: 'time' }));
    await expect(client.journey('cust-nobody')).rejects.toMatchObject({ status: 404, code: 'not_found' });
  });

  it('watches a journey across a server restart: no change missed, the erasure ends it', async () => {
    const views: Array<{ view: JourneyView; position: string | null }> = [];
    const watch = client.watchJourney('cust-client-1', (view, position) => views.push({ view, position }));
    await waitFor(() => views.length >= 1, { what: 'the first view' });
    expect(views[0].view.orders.map((o) => o.orderId)).toEqual(['ord-c1']);

    await app.stop();
    // Written while the server is down: the client retries until it is back.
    const writing = client.append(order('cust-client-1', 'ord-c2', '2026-11-21T10:00:00Z'));
    await new Promise((resolve) => setTimeout(resolve, 500));
    await start();
    await writing;
    await waitFor(() => views.some((v) => v.view.orders.length === 2), { timeoutMs: 20_000, what: 'the change' });
    // The view before the restart was not sent again on reconnection (it had not changed).
    expect(views.filter((v) => v.view.orders.length === 1)).toHaveLength(1);

    const erased = await fetch(`http://127.0.0.1:${port}/v1/customers/cust-client-1/erasure`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ reason: 'client test' }),
    });
    expect(erased.status).toBe(202);
    await expect(watch.done).resolves.toBe('erased');
  }, 60_000);

  it('is the package entry journey-backbone/client', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the package's own name, as a user requires it
    const entry = require('journey-backbone/client') as { JourneyClient: unknown };
    expect(typeof entry.JourneyClient).toBe('function');
  });

  it('stops watching when asked', async () => {
    await client.append(order('cust-client-2', 'ord-c3'));
    const watch = client.watchJourney('cust-client-2', () => undefined);
    watch.stop();
    await expect(watch.done).resolves.toBe('stopped');
  });
});

describe('the journey client with auth on', () => {
  const dataDir = tempDataDir('client-auth-');
  const tokens: Record<string, string> = {};
  let app: BackboneProcess;

  beforeAll(async () => {
    const keysFile = join(dataDir, 'auth-keys.json');
    tokens.writer = (await createKey(keysFile, { name: 'writer', scopes: ['events:write:*'] })).token;
    tokens.reader = (await createKey(keysFile, { name: 'reader', scopes: ['journeys:read', 'pii:read'] })).token;
    app = await startBackbone({ dataDir });
  }, 60_000);
  afterAll(async () => app?.stop());

  it('sends its token: a refusal is typed (401, 403), the right scope writes, reads and watches', async () => {
    const anonymous = new JourneyClient({ baseUrl: app.url });
    await expect(anonymous.append(order('cust-auth-1', 'ord-a1'))).rejects.toMatchObject({
      status: 401,
      code: 'unauthenticated',
    });
    const reader = new JourneyClient({ baseUrl: app.url, token: tokens.reader, purpose: 'client test' });
    await expect(reader.append(order('cust-auth-1', 'ord-a1'))).rejects.toMatchObject({
      status: 403,
      code: 'forbidden',
    });
    const writer = new JourneyClient({ baseUrl: app.url, token: tokens.writer });
    const written = await writer.append(order('cust-auth-1', 'ord-a1'));
    // Another client reads the writer's write by its position (read-your-writes across clients).
    const read = await reader.journey('cust-auth-1', { minPosition: written.position });
    expect(read.body.orders.map((o) => o.orderId)).toEqual(['ord-a1']);
    const views: JourneyView[] = [];
    const watch = reader.watchJourney('cust-auth-1', (view) => views.push(view));
    await waitFor(() => views.length === 1, { what: 'the view over the stream' });
    watch.stop();
    await expect(watch.done).resolves.toBe('stopped');
    // A stream refused for its credential is not retried: the watch fails with the refusal.
    const refused = writer.watchJourney('cust-auth-1', () => undefined);
    await expect(refused.done).rejects.toMatchObject({ status: 403, code: 'forbidden' });
  });

  it('refuses a stale expectedVersion with a typed conflict', async () => {
    const writer = new JourneyClient({ baseUrl: app.url, token: tokens.writer });
    await writer.append(order('cust-auth-2', 'ord-a2'), { expectedVersion: 0 });
    await expect(writer.append(order('cust-auth-2', 'ord-a3'), { expectedVersion: 0 })).rejects.toMatchObject({
      status: 409,
      code: 'version_conflict',
    });
  });
});
