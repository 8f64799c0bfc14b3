/**
 * A poll loop's pause: sleeps up to `ms`, or until `wake()`, whichever comes first. A wake that
 * comes while the loop is busy (not sleeping) is kept, so the next sleep returns at once: a
 * notification between a check and the sleep is never lost.
 */
export class WakeableSleep {
  private woken = false;
  private wakeUp: (() => void) | null = null;

  wake(): void {
    if (this.wakeUp) this.wakeUp();
    else this.woken = true;
  }

  sleep(ms: number): Promise<void> {
    if (this.woken) {
      this.woken = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wakeUp = null;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakeUp = done;
    });
  }
}
