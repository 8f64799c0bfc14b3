import { join } from 'node:path';
import { mkdirSync, rmSync } from 'node:fs';
import type { JourneyEvent } from '#schemas';
import { Metrics } from '#nest-backbone';
import { syntheticEvents } from '#journey-simulator';
import { ROOT, cpuSeconds, fmt, httpRequest, postEvents, producerStreams, startBenchApp } from './bench-app';
import { HandWrittenRegistry } from './bench-metrics-baseline';

type Line = (label: string, value: string, baseline?: string, ratio?: number, target?: string) => void;

const WORK = join(ROOT, '.bench');
const REQUESTS = Number(process.env.BENCH_METRICS_REQUESTS ?? 400_000);
const APP_READS = Number(process.env.BENCH_METRICS_APP_READS ?? 20_000);

const ROUTES = ['/v1/events', '/v1/customers/:customerId/journey', '/v1/orders/:orderId', '/health'];

/**
 * What each answered request costs the metrics: the hand-written registry this replaced counted it (a counter by
 * method, route and status); on prom-client it is counted and its duration observed, and an append is observed too.
 * Best of three alternated rounds of REQUESTS requests each, in ns per request.
 */
function recorderCosts(): { old: number; now: number } {
  const old = new HandWrittenRegistry();
  old.counter('journey_http_requests_total', 'HTTP requests by route and status code');
  old.counter('journey_events_appended_total', 'Events appended to the journey log');
  const metrics = new Metrics('sqlite');
  const runOld = () => {
    const t = process.hrtime.bigint();
    for (let i = 0; i < REQUESTS; i++) {
      const route = ROUTES[i & 3];
      old.inc('journey_http_requests_total', { method: route === '/v1/events' ? 'POST' : 'GET', route, status: 200 });
      if (route === '/v1/events') old.inc('journey_events_appended_total', {}, 1);
    }
    return Number(process.hrtime.bigint() - t) / REQUESTS;
  };
  const runNow = () => {
    const t = process.hrtime.bigint();
    for (let i = 0; i < REQUESTS; i++) {
      const route = ROUTES[i & 3];
      const labels = { method: route === '/v1/events' ? 'POST' : 'GET', route, status: 200 };
      metrics.httpRequests.inc(labels);
      metrics.httpDuration.observe(labels, 0.002 + (i % 7) * 0.001);
      if (route === '/v1/events') {
        metrics.eventsAppended.inc(1);
        metrics.appendDuration.observe({ outcome: 'appended' }, 0.0015);
      }
    }
    return Number(process.hrtime.bigint() - t) / REQUESTS;
  };
  const olds: number[] = [];
  const nows: number[] = [];
  for (let round = 0; round < 3; round++) {
    olds.push(runOld());
    nows.push(runNow());
  }
  return { old: Math.min(...olds), now: Math.min(...nows) };
}

/** CPU the embedded app spends per request, writes (x1 POSTs) and journey reads at full speed, in ns. */
async function appCostPerRequest(): Promise<number> {
  const events = [...syntheticEvents({ events: APP_READS / 2, seed: 17, customerPrefix: 'met' })] as JourneyEvent[];
  const dataDir = join(WORK, 'metrics');
  rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(dataDir, { recursive: true });
  const server = await startBenchApp({ DATA_DIR: dataDir });
  try {
    const { policies, streams } = producerStreams(events);
    await postEvents(server.url, JSON.stringify(policies));
    const customers = [...new Set(events.map((e) => e.subject).filter((c) => !c.startsWith('policy/')))];
    const before = cpuSeconds(server.pid);
    let requests = 0;
    // Four producers, each one request at a time in its own order: a POST of one event, then one journey read.
    await Promise.all(
      streams.map(async (batches) => {
        for (const event of batches.flat()) {
          const status = await httpRequest(`${server.url}/v1/events`, { method: 'POST', body: JSON.stringify(event) });
          if (status.status !== 201) throw new Error(`append answered ${status.status}: ${status.body}`);
          const read = await httpRequest(
            `${server.url}/v1/customers/${customers[requests % customers.length]}/journey`,
          );
          if (read.status !== 200 && read.status !== 404) throw new Error(`read answered ${read.status}`);
          requests += 2;
        }
      }),
    );
    return ((cpuSeconds(server.pid) - before) * 1e9) / requests;
  } finally {
    await server.stop();
  }
}

/**
 * Metrics on prom-client against the hand-written registry they replaced (kept in bench-metrics-baseline.ts as this
 * figure's baseline): the extra recording cost per request, as a share of what a request costs the app.
 */
export async function benchMetrics(line: Line): Promise<void> {
  const costs = recorderCosts();
  const perRequest = await appCostPerRequest();
  const extra = costs.now - costs.old;
  line('metrics per request, prom-client (ns)', fmt(costs.now), `${fmt(costs.old)} hand-written`);
  line('  app CPU per request, POST x1 and reads (ns)', fmt(perRequest));
  line(
    '  throughput with prom-client against the old registry',
    `${fmt((extra / perRequest) * 100, 2)}% more CPU`,
    undefined,
    perRequest / (perRequest + extra),
    '>= 97%',
  );
}
