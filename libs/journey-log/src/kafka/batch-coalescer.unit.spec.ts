import { BatchCoalescer } from './batch-coalescer';

const tick = () => new Promise((r) => setTimeout(r, 5));

/** A flush that records its groups and finishes when released. */
function gatedFlush() {
  const groups: number[][] = [];
  const waiting: Array<() => void> = [];
  const flush = (records: number[]) =>
    new Promise<void>((resolve) => {
      groups.push(records);
      waiting.push(resolve);
    });
  const releaseAll = async () => {
    for (let i = 0; i < 50; i++) {
      while (waiting.length > 0) waiting.shift()!();
      await tick();
    }
  };
  return { groups, flush, releaseAll };
}

describe('BatchCoalescer', () => {
  it(
    'given records arriving in pieces, when flushed, then groups hold at most the limit, in arrival ' + 'order',
    async () => {
      const g = gatedFlush();
      const coalescer = new BatchCoalescer<number>(4, g.flush, (e) => {
        throw e;
      });
      for (let i = 0; i < 10; i += 2) await coalescer.add([i, i + 1]);
      await g.releaseAll();
      expect(g.groups.flat()).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      expect(g.groups.every((group) => group.length <= 4)).toBe(true);
    },
  );

  it(
    'given a flush that does not end, when two groups wait, then add waits (backpressure), and not ' + 'before',
    async () => {
      const g = gatedFlush();
      const coalescer = new BatchCoalescer<number>(4, g.flush, (e) => {
        throw e;
      });
      await coalescer.add([1, 2, 3, 4]);
      await tick();
      expect(g.groups).toEqual([[1, 2, 3, 4]]);
      // The first group is being flushed: four more are taken without waiting, the next four wait.
      await coalescer.add([5, 6, 7, 8]);
      let returned = false;
      const blocked = coalescer.add([9, 10, 11, 12]).then(() => (returned = true));
      await tick();
      expect(returned).toBe(false);
      await g.releaseAll();
      await blocked;
      expect(g.groups.flat()).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    },
  );

  it('given a lone record, when nothing follows, then the timer flushes it', async () => {
    const g = gatedFlush();
    const coalescer = new BatchCoalescer<number>(100, g.flush, (e) => {
      throw e;
    });
    await coalescer.add([7]);
    await tick();
    expect(g.groups).toEqual([[7]]);
  });

  it('given records discarded on a reassignment, when new ones come, then only the new ones are flushed', async () => {
    const g = gatedFlush();
    const coalescer = new BatchCoalescer<number>(2, g.flush, (e) => {
      throw e;
    });
    await coalescer.add([1, 2]);
    await tick();
    await coalescer.add([3, 4]);
    coalescer.discard();
    await coalescer.add([5]);
    await g.releaseAll();
    expect(g.groups.flat()).toEqual([1, 2, 5]);
  });

  it('given a flush that fails, when it fails, then failed hears of it once', async () => {
    const errors: unknown[] = [];
    let calls = 0;
    const coalescer = new BatchCoalescer<number>(
      1,
      async () => {
        calls++;
        throw new Error('store down');
      },
      (e) => errors.push(e),
    );
    await coalescer.add([1]);
    await coalescer.idle();
    await tick();
    expect(errors).toHaveLength(1);
    expect(calls).toBe(1);
  });
});
