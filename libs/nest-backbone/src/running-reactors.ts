import type { ReactorRunner } from '#projection-runtime';

/** The reactors this process runs (from `JourneyConsumersModule`, webhook subscriptions): `/health` and `/metrics`. */
export class RunningReactors {
  private readonly runners = new Set<ReactorRunner>();

  add(runner: ReactorRunner): void {
    this.runners.add(runner);
  }

  remove(runner: ReactorRunner): void {
    this.runners.delete(runner);
  }

  list(): ReactorRunner[] {
    return [...this.runners];
  }
}
