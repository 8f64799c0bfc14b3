import { EventEmitter } from 'node:events';
import type { StoredEvent } from '../journey-log.port';
import { batchedSubscription, type DecodedRecord } from './eventstoredb-subscription';

/** A stream of records as the EventStoreDB client emits them (what the adapter's `subscribeToAll` returns). */
class FakeStream extends EventEmitter {
  paused = 0;
  resumed = 0;
  unsubscribed = 0;
  pause() {
    this.paused++;
  }
  resume() {
    this.resumed++;
  }
  unsubscribe() {
    this.unsubscribed++;
    return Promise.resolve();
  }
}

const stored = (n: number) => ({ position: `p${n}` }) as unknown as StoredEvent;
const decode = (record: DecodedRecord) => record;
const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('EventStoreDB subscription batches', () => {
  it('given records, then they come in batches of batchSize, in order, the stream paused meanwhile', async () => {
    const stream = new FakeStream();
    const batches: string[][] = [];
    const ended = jest.fn();
    const subscription = batchedSubscription(
      stream,
      decode,
      async (batch, upTo) => {
        batches.push([...batch.map((s) => s.position), `upTo ${upTo}`]);
        await tick();
      },
      { batchSize: 2, onEnd: ended },
    );
    for (let n = 1; n <= 5; n++) stream.emit('data', { stored: stored(n) });
    await tick();
    await tick();
    await tick();
    expect(batches).toEqual([
      ['p1', 'p2', 'upTo p2'],
      ['p3', 'p4', 'upTo p4'],
      ['p5', 'upTo p5'],
    ]);
    expect(stream.paused).toBeGreaterThan(0);
    expect(stream.resumed).toBe(stream.paused);
    await subscription.stop();
    await expect(subscription.done).resolves.toBeUndefined();
    expect(ended).toHaveBeenCalledTimes(1);
    expect(stream.unsubscribed).toBe(1);
  });

  it('given an invalid record and no onInvalid, when it arrives, then the subscription fails naming it', async () => {
    const stream = new FakeStream();
    const handler = jest.fn();
    const ended = jest.fn();
    const subscription = batchedSubscription(stream, decode, handler, { onEnd: ended });
    stream.emit('data', { stored: null, invalid: { position: 'p9', id: 'x', type: 'y', error: 'bad' } });
    await expect(subscription.done).rejects.toThrow(/invalid record on the log at p9: bad/);
    expect(handler).not.toHaveBeenCalled();
    expect(ended).toHaveBeenCalledTimes(1);
  });

  it('given onInvalid, an invalid record between good ones is reported first, and the batch follows', async () => {
    const stream = new FakeStream();
    const seen: string[] = [];
    batchedSubscription(stream, decode, async (batch) => void seen.push(...batch.map((s) => s.position)), {
      onEnd: () => undefined,
      onInvalid: async (invalid) => void seen.push(...invalid.map((i) => `invalid ${i.position}`)),
    });
    stream.emit('data', { stored: stored(1) });
    stream.emit('data', { stored: null, invalid: { position: 'p2', id: 'x', type: 'y', error: 'bad' } });
    stream.emit('data', { stored: stored(3) });
    await tick();
    await tick();
    expect(seen).toEqual(['invalid p2', 'p1', 'p3']);
  });

  it('given the server closes the subscription, then done fails as retriable and the end is told once', async () => {
    const stream = new FakeStream();
    const ended = jest.fn();
    const subscription = batchedSubscription(stream, decode, jest.fn(), { onEnd: ended });
    stream.emit('close');
    stream.emit('error', new Error('after the close'));
    await expect(subscription.done).rejects.toMatchObject({ code: 'log_unavailable', retriable: true });
    expect(ended).toHaveBeenCalledTimes(1);
  });
});
