import type { AccessRecord, ReadStore } from '#read-store';
import { AccessLogRecorder } from './access-log-recorder';

/** A read store that keeps access records in memory and can be taken down. */
function storeThatCanFail() {
  const kept: AccessRecord[] = [];
  let down = false;
  const store = {
    recordAccess: async (records: readonly AccessRecord[]) => {
      if (down) throw new Error('store down');
      kept.push(...records);
    },
    pruneAccessLog: async () => 0,
  } as unknown as ReadStore;
  return { store, kept, setDown: (value: boolean) => (down = value) };
}

const read = (customerId: string) => ({
  credential: 'k1',
  customerId,
  route: '/v1/orders/{orderId}',
  channel: null,
  purpose: null,
  position: 's1',
});

describe('AccessLogRecorder', () => {
  it('given the store is down, when reads are recorded, then they wait and are written once it is back', async () => {
    const { store, kept, setDown } = storeThatCanFail();
    const errors: unknown[] = [];
    const recorder = new AccessLogRecorder(store, {
      retentionDays: 30,
      flushMs: 60_000,
      onError: (e) => errors.push(e),
    });
    setDown(true);
    recorder.record(read('c1'));
    recorder.record(read('c2'));
    await expect(recorder.flush()).rejects.toThrow('store down');
    expect(kept).toEqual([]);
    setDown(false);
    await recorder.flush();
    expect(kept.map((r) => r.customerId)).toEqual(['c1', 'c2']);
    expect(errors).toHaveLength(1);
    await recorder.close();
  });

  it('given a full queue, when one more read is recorded, then it is refused (503), never dropped', async () => {
    const { store, setDown } = storeThatCanFail();
    setDown(true);
    const recorder = new AccessLogRecorder(store, { retentionDays: 30, flushMs: 60_000, maxQueued: 2 });
    recorder.record(read('c1'));
    recorder.record(read('c2'));
    expect(() => recorder.record(read('c3'))).toThrow(expect.objectContaining({ code: 'store_unavailable' }));
    setDown(false);
    await recorder.close();
  });
});
