/** One message of a Server-Sent Events stream. */
export interface ServerSentEvent {
  event: string;
  id: string | undefined;
  data: string;
}

/**
 * Splits a Server-Sent Events byte stream into messages, as the WHATWG spec reads it (`event`, `id`, `data` lines,
 * a blank line ends a message, comments ignored), from any `fetch` body: Node and browsers alike.
 */
export async function* readServerSentEvents(body: ReadableStream<Uint8Array>): AsyncGenerator<ServerSentEvent> {
  const decoder = new TextDecoder();
  const reader = body.getReader();
  let buffer = '';
  let message: { event: string; id: string | undefined; data: string[] } = {
    event: 'message',
    id: undefined,
    data: [],
  };
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      let end: number;
      while ((end = buffer.search(/\r\n|\r|\n/)) !== -1) {
        const line = buffer.slice(0, end);
        buffer = buffer.slice(end + (buffer.startsWith('\r\n', end) ? 2 : 1));
        if (line === '') {
          if (message.data.length > 0) yield { event: message.event, id: message.id, data: message.data.join('\n') };
          message = { event: 'message', id: message.id, data: [] };
          continue;
        }
        if (line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const field = colon === -1 ? line : line.slice(0, colon);
        const text = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'event') message.event = text;
        else if (field === 'data') message.data.push(text);
        else if (field === 'id') message.id = text;
      }
    }
  } finally {
    // A reader that stops early (an `erased` event, a stop) lets the connection go, rather than leave it half read.
    await reader.cancel().catch(() => undefined);
  }
}
