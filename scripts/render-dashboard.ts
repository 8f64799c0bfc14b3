import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { syntheticEvents } from '#journey-simulator';
import { ROOT, httpRequest, postEvents, producerStreams, startBenchApp } from './bench-app';

/**
 * Renders docs/grafana-dashboard.json to docs/grafana-dashboard.png, once, for the docs (`npm run build && node
 * dist/scripts/render-dashboard.js`): the embedded backbone under a load of writes, reads and a webhook, scraped every
 * second by a real Prometheus (Debian's `prometheus`, PROMETHEUS_PATH), each panel's queries asked of it as Grafana
 * asks them (`query_range`), drawn as the dashboard lays them out, and photographed by headless Chromium
 * (CHROMIUM_PATH). Grafana itself has no package here; its queries and layout are the dashboard's own.
 */
const WORK = join(ROOT, '.bench', 'dashboard');
const LOAD_SECONDS = Number(process.env.RENDER_LOAD_SECONDS ?? 90);
const PROMETHEUS = process.env.PROMETHEUS_PATH ?? '/usr/bin/prometheus';
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

interface Panel {
  type: string;
  title: string;
  gridPos: { h: number; w: number; x: number; y: number };
  fieldConfig?: { defaults?: { unit?: string } };
  targets?: Array<{ expr: string; legendFormat: string }>;
}

interface Series {
  label: string;
  points: Array<[number, number]>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function startPrometheus(target: string): Promise<{ url: string; process: ChildProcess }> {
  const dir = join(WORK, 'prometheus');
  mkdirSync(dir, { recursive: true });
  const config = join(dir, 'prometheus.yml');
  writeFileSync(
    config,
    `global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n  - job_name: backbone\n` +
      `    static_configs:\n      - targets: ['${target}']\n`,
  );
  const port = 19090;
  const child = spawn(
    PROMETHEUS,
    [`--config.file=${config}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`],
    { stdio: 'ignore' },
  );
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    const ready = await httpRequest(`${url}/-/ready`).catch(() => null);
    if (ready?.status === 200) return { url, process: child };
    await sleep(200);
  }
  throw new Error('Prometheus did not become ready');
}

/** A webhook receiver (2xx), so the reactor panels have a reactor. */
async function receiver(): Promise<{ url: string; close: () => void }> {
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => response.writeHead(204).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}/`, close: () => server.close() };
}

/** Writes (batches of 10, by four producers, paced), journey reads and a stream, for LOAD_SECONDS. */
async function load(url: string): Promise<void> {
  const events = [...syntheticEvents({ events: 60_000, seed: 23, customerPrefix: 'dash' })];
  const { policies, streams } = producerStreams(events);
  await postEvents(url, JSON.stringify(policies));
  const customers = [...new Set(events.map((e) => e.subject).filter((c) => !c.startsWith('policy/')))];
  const until = Date.now() + LOAD_SECONDS * 1000;
  const stream = await fetch(`${url}/v1/customers/${customers[0]}/journey/stream`);
  const writers = streams.map(async (batches) => {
    const events = batches.flat();
    for (let i = 0; i < events.length && Date.now() < until; i += 10) {
      await postEvents(url, JSON.stringify(events.slice(i, i + 10)));
      // The rate rises through the run, so the panels show a change.
      await sleep(Math.max(5, 60 - ((Date.now() - until + LOAD_SECONDS * 1000) / 1000) * 0.6));
    }
  });
  const readers = [0, 1].map(async (lane) => {
    for (let i = lane; Date.now() < until; i += 2) {
      await httpRequest(`${url}/v1/customers/${customers[i % customers.length]}/journey`);
      await sleep(10);
    }
  });
  await Promise.all([...writers, ...readers]);
  await stream.body?.cancel();
}

async function queryRange(prometheus: string, expr: string, start: number, end: number): Promise<Series[]> {
  const q = expr.replace(/\$__rate_interval/g, '10s').replace(/\$job/g, '.*');
  const answer = await httpRequest(
    `${prometheus}/api/v1/query_range?query=${encodeURIComponent(q)}&start=${start}&end=${end}&step=2`,
  );
  const body = JSON.parse(answer.body) as {
    status: string;
    error?: string;
    data?: { result: Array<{ metric: Record<string, string>; values: Array<[number, string]> }> };
  };
  if (body.status !== 'success') throw new Error(`${q}: ${body.error}`);
  return body.data!.result.map((r) => ({
    label: r.metric,
    points: r.values.map(([t, v]) => [t, Number(v)] as [number, number]).filter(([, v]) => Number.isFinite(v)),
  })) as unknown as Series[];
}

const legend = (format: string, metric: Record<string, string>) =>
  format.replace(/\{\{(\w+)\}\}/g, (_, name: string) => metric[name] ?? '') || 'value';

function formatValue(value: number, unit: string): string {
  if (unit === 's') return value < 1 ? `${(value * 1000).toPrecision(3)} ms` : `${value.toPrecision(3)} s`;
  if (unit === 'bytes') return `${(value / 1048576).toFixed(0)} MiB`;
  if (unit === 'percentunit') return `${(value * 100).toFixed(0)}%`;
  return value >= 1000 ? `${(value / 1000).toFixed(1)}k` : value.toPrecision(3).replace(/\.?0+$/, '');
}

const COLOURS = ['#73bf69', '#f2cc0c', '#8ab8ff', '#ff780a', '#f2495c', '#5794f2', '#b877d9', '#fade2a', '#c4162a'];

function panelSvg(panel: Panel, series: Series[], start: number, end: number, width: number, height: number): string {
  const unit = panel.fieldConfig?.defaults?.unit ?? 'short';
  const top = 8;
  const bottom = 22;
  const left = 56;
  const plotW = width - left - 10;
  const plotH = height - top - bottom;
  const values = series.flatMap((s) => s.points.map(([, v]) => v));
  const max = Math.max(...values, 0) * 1.1 || 1;
  const x = (t: number) => left + ((t - start) / (end - start)) * plotW;
  const y = (v: number) => top + plotH - (v / max) * plotH;
  const grid = [0, 0.25, 0.5, 0.75, 1]
    .map(
      (f) =>
        `<line x1="${left}" x2="${left + plotW}" y1="${y(max * f)}" y2="${y(max * f)}" stroke="#2c3235"/>` +
        `<text x="${left - 6}" y="${y(max * f) + 4}" text-anchor="end">${formatValue(max * f, unit)}</text>`,
    )
    .join('');
  const times = [0, 0.5, 1]
    .map((f) => {
      const t = start + (end - start) * f;
      const label = new Date(t * 1000).toISOString().slice(11, 19);
      return `<text x="${x(t)}" y="${height - 6}" text-anchor="middle">${label}</text>`;
    })
    .join('');
  const lines = series
    .map((s, i) => {
      const d = s.points.map(([t, v], j) => `${j === 0 ? 'M' : 'L'}${x(t).toFixed(1)},${y(v).toFixed(1)}`).join('');
      return `<path d="${d}" fill="none" stroke="${COLOURS[i % COLOURS.length]}" stroke-width="1.5"/>`;
    })
    .join('');
  const empty = series.length === 0 ? `<text x="${left + plotW / 2}" y="${top + plotH / 2}">No data</text>` : '';
  return `<svg width="${width}" height="${height}">${grid}${times}${lines}${empty}</svg>`;
}

async function main(): Promise<void> {
  rmSync(WORK, { recursive: true, force: true });
  mkdirSync(WORK, { recursive: true });
  const dashboard = JSON.parse(readFileSync(join(ROOT, 'docs/grafana-dashboard.json'), 'utf8')) as {
    title: string;
    panels: Panel[];
  };
  const hook = await receiver();
  const hooks = join(WORK, 'webhooks.json');
  const secret = `whsec_${Buffer.from('a secret for the dashboard!!').toString('base64')}`;
  writeFileSync(hooks, JSON.stringify([{ id: 'crm', url: hook.url, events: ['refund.issued'], secret }]));
  const app = await startBenchApp({ DATA_DIR: join(WORK, 'data'), WEBHOOKS_FILE: hooks });
  const prometheus = await startPrometheus(new URL(app.url).host);
  try {
    const start = Math.floor(Date.now() / 1000);
    await load(app.url);
    await sleep(5000);
    const end = Math.floor(Date.now() / 1000);
    const cell = 62;
    const rowUnit = 34;
    const boxes: string[] = [];
    for (const panel of dashboard.panels) {
      const { x, y, w, h } = panel.gridPos;
      const style = `left:${x * cell}px;top:${y * rowUnit}px;width:${w * cell - 8}px;height:${h * rowUnit - 8}px`;
      if (panel.type === 'row') {
        boxes.push(`<div class="row" style="${style}">${panel.title}</div>`);
        continue;
      }
      const series: Series[] = [];
      const legends: string[] = [];
      for (const target of panel.targets ?? []) {
        for (const s of await queryRange(prometheus.url, target.expr, start, end)) {
          const label = legend(target.legendFormat, s.label as unknown as Record<string, string>);
          series.push({ label, points: s.points });
          legends.push(label);
        }
      }
      const svg = panelSvg(panel, series, start, end, w * cell - 8, h * rowUnit - 8 - 48);
      const keys = legends
        .slice(0, 8)
        .map((l, i) => `<span><i style="background:${COLOURS[i % COLOURS.length]}"></i>${l}</span>`)
        .join('');
      boxes.push(`<div class="panel" style="${style}"><h3>${panel.title}</h3>${svg}<p>${keys}</p></div>`);
    }
    const height = Math.max(...dashboard.panels.map((p) => (p.gridPos.y + p.gridPos.h) * rowUnit)) + 60;
    const html = `<!doctype html><html><head><style>
      body{margin:0;background:#111217;color:#ccccdc;font:12px Inter,Helvetica,Arial,sans-serif}
      header{padding:12px 16px;font-size:18px;color:#fff}
      main{position:relative;margin:0 8px;height:${height}px}
      .panel{position:absolute;background:#181b1f;border:1px solid #2c3235;border-radius:3px;overflow:hidden}
      .panel h3{margin:6px 10px 2px;font-size:13px;font-weight:500;color:#fff}
      .panel svg text{fill:#8e8e8e;font-size:10px}
      .panel p{margin:0 10px;white-space:nowrap;overflow:hidden;font-size:11px}
      .panel p span{margin-right:10px}.panel p i{display:inline-block;width:10px;height:3px;margin-right:4px;
        vertical-align:middle}
      .row{position:absolute;font-size:15px;color:#fff;padding-top:8px}
      footer{padding:4px 16px 12px;color:#8e8e8e}
    </style></head><body><header>${dashboard.title}</header><main>${boxes.join('')}</main>
    <footer>docs/grafana-dashboard.json, its queries evaluated by Prometheus over ${LOAD_SECONDS} s of the embedded
    backbone under writes, reads, an SSE stream and a webhook (scripts/render-dashboard.ts).</footer></body></html>`;
    const page = join(WORK, 'dashboard.html');
    writeFileSync(page, html);
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox'] });
    const tab = await browser.newPage({ viewport: { width: 24 * cell + 16, height: 800 } });
    await tab.goto(`file://${page}`);
    await tab.screenshot({ path: join(ROOT, 'docs/grafana-dashboard.png'), fullPage: true });
    await browser.close();
    console.log(`wrote docs/grafana-dashboard.png (${dashboard.panels.length} panels, ${end - start} s of data)`);
  } finally {
    prometheus.process.kill('SIGTERM');
    await app.stop();
    hook.close();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
