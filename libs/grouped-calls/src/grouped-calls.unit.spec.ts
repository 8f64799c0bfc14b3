import { GroupedCalls } from './grouped-calls';

/** A run that records the groups it was given and answers when released. */
function gate<I, O>(answer: (inputs: readonly I[]) => ReadonlyArray<O | Error>) {
  const groups: I[][] = [];
  const waiting: Array<() => void> = [];
  const run = (inputs: readonly I[]) =>
    new Promise<ReadonlyArray<O | Error>>((resolve) => {
      groups.push([...inputs]);
      waiting.push(() => resolve(answer(inputs)));
    });
  /** Answers groups one by one (each after the ones before it) until none is left. */
  const releaseAll = async () => {
    await new Promise((r) => setImmediate(r));
    while (waiting.length > 0) {
      waiting.shift()!();
      await new Promise((r) => setImmediate(r));
    }
  };
  return { groups, run, releaseAll };
}

describe('GroupedCalls', () => {
  it(
    'given one call in flight, when more calls arrive, then they go together in the next group, in ' + 'order',
    async () => {
      const g = gate<number, number>((inputs) => inputs.map((n) => n * 10));
      const calls = new GroupedCalls(g.run);
      const answers = [1, 2, 3, 4].map((n) => calls.call(n));
      await g.releaseAll();
      expect(await Promise.all(answers)).toEqual([10, 20, 30, 40]);
      expect(g.groups).toEqual([[1], [2, 3, 4]]);
    },
  );

  it('given maxInFlight 2, when calls arrive, then two groups run at once', async () => {
    const g = gate<number, number>((inputs) => inputs.map((n) => n));
    const calls = new GroupedCalls(g.run, { maxInFlight: 2 });
    const answers = [1, 2, 3].map((n) => calls.call(n));
    expect(g.groups).toEqual([]);
    await new Promise((r) => setImmediate(r));
    expect(g.groups).toEqual([[1], [2]]);
    await g.releaseAll();
    expect(await Promise.all(answers)).toEqual([1, 2, 3]);
    expect(g.groups).toEqual([[1], [2], [3]]);
  });

  it(
    'given a weight limit, when queued calls exceed it, then a group stops at the limit and a heavier call ' +
      'goes alone',
    async () => {
      const g = gate<number, number>((inputs) => inputs.map((n) => n));
      const calls = new GroupedCalls(g.run, { maxGroupWeight: 5, weight: (n) => n });
      const answers = [1, 2, 3, 9, 1].map((n) => calls.call(n));
      await g.releaseAll();
      await Promise.all(answers);
      expect(g.groups).toEqual([[1], [2, 3], [9], [1]]);
    },
  );

  it('given an Error for one input, when the group runs, then only that caller fails', async () => {
    const g = gate<number, number>((inputs) => inputs.map((n) => (n === 2 ? new Error('two') : n)));
    const calls = new GroupedCalls(g.run);
    const first = calls.call(0);
    const answers = [1, 2, 3].map((n) => calls.call(n).catch((e: Error) => e.message));
    await g.releaseAll();
    await first;
    expect(await Promise.all(answers)).toEqual([1, 'two', 3]);
  });

  it(
    'given run throws, when the group runs, then every caller of that group fails through failure, and the ' +
      'next group still runs',
    async () => {
      let fail = true;
      const calls = new GroupedCalls<number, number>(
        async (inputs) => {
          if (fail) {
            fail = false;
            throw new Error('down');
          }
          return inputs;
        },
        { failure: (e) => new Error(`wrapped: ${(e as Error).message}`) },
      );
      const failed = calls.call(1).catch((e: Error) => e.message);
      expect(await failed).toBe('wrapped: down');
      expect(await calls.call(2)).toBe(2);
    },
  );

  it('given run throws synchronously, when called, then the caller gets a rejection, not a crash', async () => {
    const calls = new GroupedCalls<number, number>(() => {
      throw new Error('sync');
    });
    await expect(calls.call(1)).rejects.toThrow('sync');
  });

  it(
    'given gatherOneTurn, when calls are made in the same turn with nothing in flight, then they go as one ' + 'group',
    async () => {
      const groups: number[][] = [];
      const calls = new GroupedCalls<number, number>(
        async (inputs) => (groups.push([...inputs]), inputs.map((n) => n + 1)),
        { gatherOneTurn: true },
      );
      const answers = [1, 2, 3].map((n) => calls.call(n));
      expect(groups).toEqual([]);
      expect(await Promise.all(answers)).toEqual([2, 3, 4]);
      expect(groups).toEqual([[1, 2, 3]]);
      await calls.call(9);
      expect(groups).toEqual([[1, 2, 3], [9]]);
    },
  );

  it(
    'given calls waiting or in flight, when idle() is awaited, then it resolves once every one has been ' + 'answered',
    async () => {
      const g = gate<number, number>((inputs) => inputs.map((n) => n));
      const calls = new GroupedCalls(g.run, { gatherOneTurn: true });
      await calls.idle();
      const answered: number[] = [];
      for (const n of [1, 2]) void calls.call(n).then((v) => answered.push(v));
      let idle = false;
      const waiting = calls.idle().then(() => (idle = true));
      await new Promise((r) => setImmediate(r));
      expect(idle).toBe(false);
      await g.releaseAll();
      await waiting;
      expect(answered).toEqual([1, 2]);
    },
  );
});
