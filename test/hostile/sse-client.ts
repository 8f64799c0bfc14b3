import { connect, type Socket } from 'node:net';

/**
 * One Server-Sent Events connection read by hand: its messages (`id`, data), comments, and whether it is still open.
 */
export interface SseClient {
  socket: Socket;
  status: Promise<number>;
  messages: Array<{ id: string; data: any }>;
  comments: string[];
  closed: Promise<void>;
  /** Resolves with the first message (after `from` messages) matching `predicate`. */
  next(predicate?: (data: any) => boolean, timeoutMs?: number, from?: number): Promise<{ id: string; data: any }>;
  close(): void;
}

/**
 * Opens `GET path` with the given headers. `read: false` reads nothing at all after the request
 * (a client that stalls): what the server sends piles up on its side.
 */
export function openSse(
  url: string,
  path: string,
  options: { headers?: Record<string, string>; read?: boolean } = {},
): SseClient {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  const headers = Object.entries({ Host: `${hostname}:${port}`, Accept: 'text/event-stream', ...options.headers })
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('');
  socket.write(`GET ${path} HTTP/1.1\r\n${headers}\r\n`);
  const messages: SseClient['messages'] = [];
  const comments: string[] = [];
  let buffer = '';
  let head: string | null = null;
  let setStatus: (status: number) => void = () => undefined;
  const status = new Promise<number>((resolve) => (setStatus = resolve));
  const closed = new Promise<void>((resolve) =>
    socket.once('close', () => {
      setStatus(0);
      resolve();
    }),
  );
  const waiters = new Set<() => void>();
  socket.on('error', () => undefined);
  if (options.read === false) {
    socket.pause();
  } else {
    let payload = '';
    socket.on('data', (d: Buffer) => {
      buffer += d.toString('latin1');
      if (head === null) {
        const end = buffer.indexOf('\r\n\r\n');
        if (end < 0) return;
        head = buffer.slice(0, end);
        buffer = buffer.slice(end + 4);
        setStatus(Number(head.split(' ')[1]));
      }
      // Chunked transfer: <size in hex>CRLF<bytes>CRLF, as many as have arrived whole.
      for (;;) {
        const line = buffer.indexOf('\r\n');
        if (line < 0) break;
        const size = parseInt(buffer.slice(0, line), 16);
        if (Number.isNaN(size) || buffer.length < line + 2 + size + 2) break;
        payload += Buffer.from(buffer.slice(line + 2, line + 2 + size), 'latin1').toString('utf8');
        buffer = buffer.slice(line + 2 + size + 2);
      }
      const blocks = payload.split('\n\n');
      payload = blocks.pop() ?? '';
      for (const block of blocks) {
        const lines = block.split('\n').filter((l) => l.length > 0);
        const data = lines.find((l) => l.startsWith('data: '));
        const id = lines.find((l) => l.startsWith('id: '));
        if (data) messages.push({ id: id ? id.slice(4) : '', data: JSON.parse(data.slice(6)) });
        for (const l of lines) if (l.startsWith(':')) comments.push(l);
      }
      for (const wake of [...waiters]) wake();
    });
  }
  const next = (predicate: (data: any) => boolean = () => true, timeoutMs = 10_000, from = 0) =>
    new Promise<{ id: string; data: any }>((resolve, reject) => {
      const check = () => {
        const found = messages.slice(from).find((m) => predicate(m.data));
        if (!found) return false;
        waiters.delete(wake);
        clearTimeout(timer);
        resolve(found);
        return true;
      };
      const wake = () => void check();
      const timer = setTimeout(() => {
        waiters.delete(wake);
        reject(new Error(`no matching message within ${timeoutMs} ms (${messages.length} received)`));
      }, timeoutMs);
      if (!check()) waiters.add(wake);
    });
  return { socket, status, messages, comments, closed, next, close: () => socket.destroy() };
}
