import type { JourneyLog } from '#journey-log';
import type { JourneyReader } from '#journey-read';
import { errorFields, silentLogger, type StructuredLogger } from '#logging';
import { ReactorRunner } from '#projection-runtime';
import type { ReadStore } from '#read-store';
import type { WebhookSubscription } from '#schemas';
import { webhookReactor, webhookReactorName } from './webhook-reactor';
import type { WebhookSubscriptions } from './webhook-subscriptions';

export interface WebhookDispatcherOptions {
  log: JourneyLog;
  store: ReadStore;
  reader: Pick<JourneyReader, 'journey'>;
  subscriptions: WebhookSubscriptions;
  /** The consumer group a subscription's deliverers share (on Kafka), by reactor name. */
  groupOf?: (reactorName: string) => string | undefined;
  /** Told of each runner started and stopped (`/health`, `/metrics`). */
  onRunner?: { add(runner: ReactorRunner): void; remove(runner: ReactorRunner): void };
  /** How often subscriptions made or removed (by any process) are looked for. @defaultValue 1000 */
  pollMs?: number;
  logger?: StructuredLogger;
}

/**
 * Runs a reactor per webhook subscription (each its own checkpoint, retries and parked events: a receiver that is
 * down or slow holds up no other), starting and stopping them as subscriptions come and go.
 */
export class WebhookDispatcher {
  private readonly runners = new Map<string, { runner: ReactorRunner; subscription: WebhookSubscription }>();
  private timer: NodeJS.Timeout | null = null;
  private syncing: Promise<void> = Promise.resolve();
  private stopped = true;

  constructor(private readonly options: WebhookDispatcherOptions) {}

  private get logger(): StructuredLogger {
    return this.options.logger ?? silentLogger;
  }

  async start(): Promise<void> {
    this.stopped = false;
    await this.sync();
    const tick = () => {
      this.timer = setTimeout(() => {
        void this.sync().finally(() => {
          if (!this.stopped) tick();
        });
      }, this.options.pollMs ?? 1000);
    };
    tick();
  }

  /** Starts runners for new subscriptions and stops those of subscriptions removed (one sync at a time). */
  sync(): Promise<void> {
    this.syncing = this.syncing
      .then(() => this.syncOnce())
      .catch((error: unknown) => {
        this.logger.error({ error: errorFields(error) }, 'cannot read the webhook subscriptions; trying again');
      });
    return this.syncing;
  }

  private async syncOnce(): Promise<void> {
    if (this.stopped) return;
    const current = await this.options.subscriptions.list();
    const ids = new Set(current.map((s) => s.id));
    for (const [id, { runner, subscription }] of this.runners) {
      const replaced = current.find((s) => s.id === id && s.createdAt !== subscription.createdAt);
      if (ids.has(id) && !replaced) continue;
      await this.stopRunner(id, runner);
    }
    for (const subscription of current) {
      if (this.runners.has(subscription.id)) continue;
      const secret = await this.options.subscriptions.secretOf(subscription);
      const reactor = webhookReactor(subscription, secret, this.options.reader);
      const runner = new ReactorRunner({
        log: this.options.log,
        store: this.options.store,
        reactor,
        group: this.options.groupOf?.(webhookReactorName(subscription.id)),
        logger: this.logger.child({ webhook: subscription.id }),
      });
      await runner.start();
      this.runners.set(subscription.id, { runner, subscription });
      this.options.onRunner?.add(runner);
      this.logger.info({ webhook: subscription.id }, 'delivering a webhook subscription');
    }
  }

  private async stopRunner(id: string, runner: ReactorRunner): Promise<void> {
    this.runners.delete(id);
    await runner.stop();
    this.options.onRunner?.remove(runner);
    this.logger.info({ webhook: id }, 'stopped delivering a webhook subscription');
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.syncing;
    for (const [id, { runner }] of [...this.runners]) await this.stopRunner(id, runner);
  }
}
