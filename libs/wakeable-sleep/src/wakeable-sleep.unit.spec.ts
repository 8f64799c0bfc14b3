import { WakeableSleep } from './wakeable-sleep';

describe('WakeableSleep', () => {
  it('given nobody wakes it, when sleeping, then it returns after the time', async () => {
    const t = performance.now();
    await new WakeableSleep().sleep(30);
    expect(performance.now() - t).toBeGreaterThanOrEqual(25);
  });

  it('given a wake during the sleep, when sleeping for long, then it returns at once', async () => {
    const nap = new WakeableSleep();
    const t = performance.now();
    setTimeout(() => nap.wake(), 10);
    await nap.sleep(10_000);
    expect(performance.now() - t).toBeLessThan(1_000);
  });

  it(
    'given a wake while not sleeping, when the next sleep starts, then it returns at once, and only that ' + 'one',
    async () => {
      const nap = new WakeableSleep();
      nap.wake();
      nap.wake();
      const t = performance.now();
      await nap.sleep(10_000);
      expect(performance.now() - t).toBeLessThan(1_000);
      const t2 = performance.now();
      await nap.sleep(30);
      expect(performance.now() - t2).toBeGreaterThanOrEqual(25);
    },
  );
});
