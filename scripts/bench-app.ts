import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';

/** Runs from dist/scripts: the project root is two levels up. */
export const ROOT = resolve(__dirname, '../..');

/** The embedded backbone app in its own process (a free port), for the benchmarks. */
export async function startBenchApp(env: Record<string, string>): Promise<{ url: string; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, [join(ROOT, 'dist/apps/backbone/src/main.js')], {
    env: { ...process.env, PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((ok, fail) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/[\d.]+:\d+)/.exec(out);
      if (m) ok(m[1]);
    });
    child.once('exit', (code) => fail(new Error(`app exited ${code}`)));
  });
  return {
    url,
    stop: () =>
      new Promise<void>((done) => {
        child.once('exit', () => done());
        child.kill('SIGTERM');
      }),
  };
}

/** POST /v1/events; returns the position token, throws on anything but 201. */
export async function postEvents(url: string, body: string): Promise<string> {
  const response = await fetch(`${url}/v1/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  const json = (await response.json()) as { position: string };
  if (response.status !== 201) throw new Error(`POST answered ${response.status}: ${JSON.stringify(json)}`);
  return json.position;
}

export const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
export const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
