import { connect } from 'node:net';

/** What came back on a raw connection: the status line's code, headers, body, and whether the server closed it. */
export interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** Bytes of the request body written before the answer came (or the connection closed). */
  written: number;
}

/**
 * Sends a request byte for byte on a TCP connection (what `fetch` will not send: bad framing,
 * huge or slow bodies, any Host header), then `body` chunk by chunk until the server answers or
 * closes, and reads the answer.
 */
export function rawRequest(
  url: string,
  head: string,
  body: { chunk?: Buffer; chunks?: number; pauseMs?: number } = {},
  timeoutMs = 30_000,
): Promise<RawAnswer> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    let received = '';
    let written = 0;
    let answered = false;
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer within ${timeoutMs} ms; got ${JSON.stringify(received.slice(0, 200))}`));
    }, timeoutMs);
    const finish = () => {
      clearTimeout(timer);
      const [headText, ...rest] = received.split('\r\n\r\n');
      const [statusLine, ...headerLines] = headText.split('\r\n');
      const headers = Object.fromEntries(
        headerLines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]),
      );
      resolve({ status: Number(statusLine.split(' ')[1] ?? 0), headers, body: rest.join('\r\n\r\n'), written });
    };
    socket.on('data', (d) => {
      received += d.toString('utf8');
      answered = true;
    });
    socket.on('error', () => undefined);
    socket.on('close', finish);
    socket.write(head);
    void (async () => {
      for (let i = 0; i < (body.chunks ?? 0) && !answered && !socket.destroyed; i++) {
        const ok = socket.write(body.chunk!);
        written += body.chunk!.length;
        if (!ok) await new Promise((r) => socket.once('drain', r).once('close', r));
        // A client reads while it writes (as curl does): an early answer stops the upload.
        await new Promise((r) => setImmediate(r));
        if (body.pauseMs) await new Promise((r) => setTimeout(r, body.pauseMs));
      }
      // Enough sent: the answer (or the close) decides; give the server a moment, then stop writing.
      if (!answered && !socket.destroyed) await new Promise((r) => setTimeout(r, 2000));
      if (!socket.destroyed) socket.end();
    })().catch(reject);
  });
}
