import { readServerSentEvents, type ServerSentEvent } from './server-sent-events';

/** A body that arrives in the given chunks. */
function body(chunks: string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(encoder.encode(chunk));
      controller.close();
    },
  });
}

async function all(chunks: string[]): Promise<ServerSentEvent[]> {
  const out: ServerSentEvent[] = [];
  for await (const message of readServerSentEvents(body(chunks))) out.push(message);
  return out;
}

describe('reading Server-Sent Events', () => {
  it.each<[string, string[], ServerSentEvent[]]>([
    [
      'messages with event, id and data, a comment and a retry line between them',
      ['retry: 1000\n\n: heartbeat\n\nid: s5\nevent: journey\ndata: {"a":1}\n\n'],
      [{ event: 'journey', id: 's5', data: '{"a":1}' }],
    ],
    [
      'a message split across chunks anywhere, even inside a line break',
      ['id: s', '6\nevent: jour', 'ney\ndata: {"b"', ':2}\r', '\n\r\n'],
      [{ event: 'journey', id: 's6', data: '{"b":2}' }],
    ],
    [
      'several data lines, joined by a line break; the id carried to the next message',
      ['id: s7\ndata: one\ndata: two\n\nevent: erased\ndata: {}\n\n'],
      [
        { event: 'message', id: 's7', data: 'one\ntwo' },
        { event: 'erased', id: 's7', data: '{}' },
      ],
    ],
    ['a message the stream ends before its blank line (not delivered)', ['data: half'], []],
  ])('given %s, yields what the spec says', async (_given, chunks, expected) => {
    expect(await all(chunks)).toEqual(expected);
  });
});
