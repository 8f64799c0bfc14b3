import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { join, resolve } from 'node:path';

/** Runs from dist/scripts: the project root is two levels up. */
export const ROOT = resolve(__dirname, '../..');

/**
 * The embedded backbone app in its own process (a free port), for the benchmarks.
 * BENCH_APP_NODE_ARGS (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`) goes to its node, to profile it under load.
 */
export async function startBenchApp(
  env: Record<string, string>,
): Promise<{ url: string; pid: number; stop: () => Promise<void> }> {
  const nodeArgs = (process.env.BENCH_APP_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, join(ROOT, 'dist/apps/backbone/src/main.js')], {
    env: { ...process.env, PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((ok, fail) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/[\d.]+:\d+)/.exec(out);
      if (m) ok(m[1]);
    });
    child.once('exit', (code) => fail(new Error(`app exited ${code}`)));
  });
  return {
    url,
    pid: child.pid!,
    stop: () =>
      new Promise<void>((done) => {
        child.once('exit', () => done());
        child.kill('SIGTERM');
      }),
  };
}

/**
 * The load generator shares the 2 cores with what it measures: node:http with kept-alive
 * connections costs it far less CPU per request than fetch (undici).
 */
const agent = new Agent({ keepAlive: true, maxSockets: 512 });

export function httpRequest(
  url: string,
  options: { method?: string; body?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        agent,
        method: options.method ?? 'GET',
        headers: {
          ...options.headers,
          ...(options.body === undefined
            ? {}
            : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(options.body) }),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

/** POST /v1/events; returns the position token, throws on anything but 201. */
export async function postEvents(url: string, body: string, headers?: Record<string, string>): Promise<string> {
  const response = await httpRequest(`${url}/v1/events`, { method: 'POST', body, headers });
  if (response.status !== 201) throw new Error(`POST answered ${response.status}: ${response.body}`);
  return (JSON.parse(response.body) as { position: string }).position;
}

export const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
export const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

/**
 * The events as four producers send them: the policies first (their subject is a policy, not a customer), then four
 * streams of batches of 100, each producer owning a quarter of the customers so that a journey's events stay in order.
 */
export function producerStreams<E extends { type: string; subject: string }>(
  events: readonly E[],
): { policies: E[]; streams: E[][][] } {
  const byStream: E[][] = [[], [], [], []];
  for (const e of events) if (e.type !== 'policy.published') byStream[Number(e.subject.split('-').pop()) % 4].push(e);
  const streams = byStream.map((list) => {
    const batches: E[][] = [];
    for (let i = 0; i < list.length; i += 100) batches.push(list.slice(i, i + 100));
    return batches;
  });
  return { policies: events.filter((e) => e.type === 'policy.published'), streams };
}

/** A process's CPU time so far (s), from /proc. */
export function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}
