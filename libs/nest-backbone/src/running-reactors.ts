import type { ReactorDelivery, ReactorRunner } from '#projection-runtime';
import { traceReactorDelivery } from '#tracing';
import type { Metrics } from './metrics';

/**
 * The reactors this process runs (from `JourneyConsumersModule`, webhook subscriptions, the views topic): `/health`
 * and `/metrics`, which also get each one's handling times.
 */
export class RunningReactors {
  private readonly runners = new Map<ReactorRunner, (delivery: ReactorDelivery) => void>();

  constructor(private readonly metrics: Metrics) {}

  add(runner: ReactorRunner): void {
    if (this.runners.has(runner)) return;
    const observe = (delivery: ReactorDelivery) => {
      this.metrics.observeDelivery(delivery);
      traceReactorDelivery(delivery);
    };
    runner.on('handled', observe);
    this.runners.set(runner, observe);
  }

  remove(runner: ReactorRunner): void {
    const observe = this.runners.get(runner);
    if (observe) runner.off('handled', observe);
    this.runners.delete(runner);
  }

  list(): ReactorRunner[] {
    return [...this.runners.keys()];
  }
}
