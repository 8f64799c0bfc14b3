import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { getJson, postJson, startBackbone, waitFor, type BackboneProcess } from '#testing';

/** The process's resident memory (MB) and CPU time used so far (s), read from /proc. */
function usage(pid: number): { rssMb: number; cpuSeconds: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)![1]);
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  // utime and stime, in clock ticks of 1/100 s.
  return { rssMb: rssKb / 1024, cpuSeconds: (Number(fields[11]) + Number(fields[12])) / 100 };
}

const contact = (id: string, subject: string, reason: string) => ({
  specversion: '1.0',
  id,
  source: '/soak',
  type: 'contact.opened',
  subject,
  time: '2026-04-10T10:00:00Z',
  data: { caseId: `case-${id}`, contactId: 'c', channel: 'chat', reason, tags: [] },
});

const STREAMS = 2000;
const READERS_CUSTOMERS = 20;
const STALLED = 10;
const SOAK_MS = 60_000;

/**
 * A minute under load on one embedded backbone: 2,000 streams that read, on 20 customers whose
 * views change ten times a second, and 10 clients that never read, on customers whose views grow.
 * Memory and CPU stay bounded, the stalled clients are dropped, and every reader keeps up.
 */
describe('SSE soak: 2,000 streams and 10 clients that do not read, for a minute', () => {
  let app: BackboneProcess;
  const sockets: Socket[] = [];
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await app?.stop();
  });

  it('keeps memory and CPU bounded, drops the stalled clients and serves the readers', async () => {
    app = await startBackbone({ env: { SSE_MAX_BUFFER_BYTES: '16384', SSE_HEARTBEAT_MS: '5000' } });
    const pid = app.child.pid!;
    for (let c = 0; c < READERS_CUSTOMERS; c++)
      await postJson(`${app.url}/v1/events`, contact(`seed-${c}`, `c${c}`, 'seed'));
    for (let s = 0; s < STALLED; s++) await postJson(`${app.url}/v1/events`, contact(`seed-s${s}`, `s${s}`, 'seed'));
    const { hostname, port } = new URL(app.url);
    const open = (customer: string, read: boolean) => {
      const socket = connect(Number(port), hostname);
      sockets.push(socket);
      const state = { bytes: 0, text: '', closed: false };
      socket.on('error', () => undefined);
      socket.on('close', () => (state.closed = true));
      socket.write(`GET /v1/customers/${customer}/journey/stream HTTP/1.1\r\nHost: ${hostname}:${port}\r\n\r\n`);
      if (read) {
        socket.on('data', (d: Buffer) => {
          state.bytes += d.length;
          // The last few kilobytes, to find the newest view's reason.
          state.text = (state.text + d.toString('utf8')).slice(-8192);
        });
      } else {
        socket.pause();
      }
      return state;
    };
    const readers: Array<{ customer: string; state: ReturnType<typeof open> }> = [];
    for (let i = 0; i < STREAMS; i += 200) {
      for (let j = i; j < Math.min(STREAMS, i + 200); j++)
        readers.push({ customer: `c${j % READERS_CUSTOMERS}`, state: open(`c${j % READERS_CUSTOMERS}`, true) });
      await new Promise((r) => setTimeout(r, 100));
    }
    const stalled = Array.from({ length: STALLED }, (_, s) => open(`s${s}`, false));
    await waitFor(() => readers.every((r) => r.state.bytes > 0), {
      what: "every reader's first view",
      timeoutMs: 60_000,
    });
    const start = usage(pid);
    const samples: number[] = [];
    let n = 0;
    const began = Date.now();
    while (Date.now() - began < SOAK_MS) {
      const tick = Date.now();
      await postJson(`${app.url}/v1/events`, contact(`light-${n}`, `c${n % READERS_CUSTOMERS}`, `update ${n}`));
      await postJson(
        `${app.url}/v1/events`,
        contact(`heavy-${n}`, `s${n % STALLED}`, `grows ${n} ${'x'.repeat(4000)}`),
      );
      n++;
      if (n % 10 === 0) samples.push(usage(pid).rssMb);
      await new Promise((r) => setTimeout(r, Math.max(0, 100 - (Date.now() - tick))));
    }
    const end = usage(pid);
    const cpuShare = (end.cpuSeconds - start.cpuSeconds) / ((Date.now() - began) / 1000);
    const metrics = (await getJson(`${app.url}/metrics`)).body as string;
    const dropped = Number(/journey_sse_streams_dropped_total (\d+)/.exec(metrics)?.[1] ?? 0);
    console.log(
      `soak: ${n * 2} events, ${STREAMS} readers, RSS ${start.rssMb.toFixed(0)} -> ` +
        `max ${Math.max(...samples).toFixed(0)} -> ${end.rssMb.toFixed(0)} MB, ` +
        `CPU ${(cpuShare * 100).toFixed(1)}% of a core, ${dropped} stalled streams dropped`,
    );
    // Bounds generous enough for a busy 2-core machine, far below what unbounded buffers would use.
    expect(Math.max(...samples) - start.rssMb).toBeLessThan(150);
    expect(cpuShare).toBeLessThan(0.6);
    expect(dropped).toBe(STALLED);
    expect(stalled.every((s) => s.bytes === 0)).toBe(true);
    // Every reader is open and has its customer's newest view.
    const last = n - 1;
    await waitFor(
      () =>
        readers.every((r) => {
          const mine = Number(r.customer.slice(1));
          const newest = last - ((((last - mine) % READERS_CUSTOMERS) + READERS_CUSTOMERS) % READERS_CUSTOMERS);
          return !r.state.closed && r.state.text.includes(`"lastContactReason":"update ${newest}"`);
        }),
      { what: 'every reader up to date', timeoutMs: 30_000 },
    );
  }, 300_000);
});
