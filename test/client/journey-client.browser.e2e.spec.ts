import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { build } from 'esbuild';
import { chromium, type Browser } from 'playwright-core';
import { journeyEvent, orderPlacedData, ROOT, startBackbone, tempDataDir, type BackboneProcess } from '#testing';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** A page of its own origin serving the client bundled for browsers (esbuild), and nothing else. */
async function pageServer(bundle: string): Promise<{ server: Server; origin: string }> {
  const server = createServer((request, response) => {
    if (request.url === '/client.js') response.writeHead(200, { 'content-type': 'text/javascript' }).end(bundle);
    else response.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>channel</title>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

const order = (customer: string, orderId: string, minute: number) =>
  journeyEvent('order.placed', orderPlacedData(orderId), {
    id: `browser-${orderId}`,
    source: '/browser-test',
    subject: customer,
    time: new Date(Date.UTC(2026, 10, 20, 10, minute)).toISOString(),
  });

/** journey-backbone/client in headless Chromium (Debian's), from a page of another origin allowed by CORS_ORIGINS. */
describe('the journey client in a browser', () => {
  let allowed: Awaited<ReturnType<typeof pageServer>>;
  let other: Awaited<ReturnType<typeof pageServer>>;
  let app: BackboneProcess;
  let browser: Browser;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM))
      throw new Error(`no Chromium at ${CHROMIUM}: apt-get install chromium (Debian), or set CHROMIUM_PATH`);
    const bundled = await build({
      entryPoints: [join(ROOT, 'libs/client/src/index.ts')],
      bundle: true,
      format: 'esm',
      platform: 'browser',
      write: false,
      logLevel: 'silent',
    });
    const bundle = bundled.outputFiles[0].text;
    allowed = await pageServer(bundle);
    other = await pageServer(bundle);
    app = await startBackbone({ dataDir: tempDataDir('browser-'), env: { CORS_ORIGINS: allowed.origin } });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    for (const page of [allowed, other]) await new Promise((resolve) => page?.server.close(resolve));
  });

  it('appends, reads its own write and watches a journey from a page of an allowed origin', async () => {
    const page = await browser.newPage();
    await page.goto(allowed.origin);
    // Plain JavaScript, as the page runs it: the module loaded as a channel's web app would bundle it.
    const outcome: unknown = await page.evaluate(`(async () => {
      const { JourneyClient } = await import('/client.js');
      const client = new JourneyClient({ baseUrl: ${JSON.stringify(app.url)}, retryDelayMs: 50 });
      const written = await client.append(${JSON.stringify(order('cust-browser', 'ord-b1', 0))});
      const read = await client.journey('cust-browser');
      const views = [];
      const watch = client.watchJourney('cust-browser', (view) => views.push(view.orders.length));
      while (views.length === 0) await new Promise((resolve) => setTimeout(resolve, 20));
      await client.append(${JSON.stringify(order('cust-browser', 'ord-b2', 1))});
      const deadline = Date.now() + 10000;
      while (!views.includes(2) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      watch.stop();
      const missing = await client.journey('cust-nobody').catch((error) => error);
      return {
        accepted: written.accepted,
        sameAsWritten: read.position === written.position,
        orders: read.body.orders.map((o) => o.orderId),
        views,
        missing: { name: missing.name, status: missing.status },
      };
    })()`);
    expect(outcome).toEqual({
      accepted: 1,
      sameAsWritten: true,
      orders: ['ord-b1'],
      views: expect.arrayContaining([1, 2]),
      missing: { name: 'JourneyApiError', status: 404 },
    });
  });

  it('is refused by the browser from an origin CORS_ORIGINS does not name', async () => {
    const page = await browser.newPage();
    await page.goto(other.origin);
    const outcome: unknown = await page.evaluate(`(async () => {
      const { JourneyClient } = await import('/client.js');
      const client = new JourneyClient({ baseUrl: ${JSON.stringify(app.url)}, attempts: 1 });
      return client.journey('cust-browser').then(() => 'read', (error) => error.name);
    })()`);
    expect(outcome).toBe('JourneyUnreachableError');
  });
});
