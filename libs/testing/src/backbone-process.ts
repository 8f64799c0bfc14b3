import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const ROOT = resolve(__dirname, '../../..');

export interface BackboneProcess {
  url: string;
  dataDir: string;
  child: ChildProcess;
  output: () => string;
  /** SIGTERM and wait for exit. */
  stop(): Promise<void>;
  /** SIGKILL and wait for exit. */
  kill(): Promise<void>;
}

/** A fresh directory for one test's SQLite files. */
export function tempDataDir(prefix = 'journey-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/**
 * Starts a real app process from the build (`dist/`, made by `npm test`'s pretest) on a free
 * port and resolves once it prints its `listening on` line.
 */
export async function startBackbone(
  options: {
    app?: string;
    dataDir?: string;
    env?: Record<string, string>;
    /** Resolve at once, not when listening. */ noWait?: boolean;
  } = {},
): Promise<BackboneProcess> {
  const dataDir = options.dataDir ?? tempDataDir();
  const entry = join(ROOT, 'dist/apps', options.app ?? 'backbone', 'src/main.js');
  const child = spawn(process.execPath, [entry], {
    env: { ...process.env, DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const url = options.noWait
    ? ''
    : await new Promise<string>((resolveUrl, reject) => {
        const timer = setTimeout(() => reject(new Error(`app did not start in time:\n${output}`)), 30_000);
        const onData = () => {
          const match = /listening on (http:\/\/[\d.]+:\d+)/.exec(output);
          if (match) {
            clearTimeout(timer);
            resolveUrl(match[1]);
          }
        };
        child.stdout.on('data', onData);
        child.once('exit', (code) => {
          clearTimeout(timer);
          reject(new Error(`app exited with ${code} before listening:\n${output}`));
        });
      });
  const end = async (signal: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  return { url, dataDir, child, output: () => output, stop: () => end('SIGTERM'), kill: () => end('SIGKILL') };
}

export interface HttpAnswer<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

/** `timeoutMs` aborts a request the server never answers (the call rejects with a TimeoutError). */
export async function postJson(
  url: string,
  body: unknown,
  init: { raw?: string; contentType?: string; timeoutMs?: number; headers?: Record<string, string> } = {},
): Promise<HttpAnswer> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': init.contentType ?? 'application/json', ...init.headers },
    body: init.raw ?? JSON.stringify(body),
    ...(init.timeoutMs ? { signal: AbortSignal.timeout(init.timeoutMs) } : {}),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined, headers: response.headers };
}

export async function getJson(url: string, init: { headers?: Record<string, string> } = {}): Promise<HttpAnswer> {
  const response = await fetch(url, { headers: init.headers });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // Non-JSON bodies (metrics) stay text.
  }
  return { status: response.status, body, headers: response.headers };
}
