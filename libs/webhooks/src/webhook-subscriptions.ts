import { randomBytes, randomUUID } from 'node:crypto';
import { BackboneError } from '#errors';
import type { PersonalDataKeys } from '#personal-data';
import { REACTOR_VERSION, reactorStoreNames } from '#projection-runtime';
import type { ReadStore } from '#read-store';
import { WebhookSubscriptionInput, type WebhookSubscription } from '#schemas';
import { webhookReactorName } from './webhook-reactor';

/** Where subscriptions made over the API are kept: documents of the read store. */
const SUBSCRIPTIONS = 'webhook-subscriptions';

/** A subscription as stored: with the name of its secret in the key store (wrapped by the master key there). */
type StoredSubscription = WebhookSubscription & { secretName: string };

/** A subscription from the file, with its secret (kept in the file, never stored). */
export type FileSubscription = WebhookSubscription & { secret: string };

/** The field errors of an input, as the API reports them (`validation_failed`). */
export function subscriptionInput(body: unknown, where = 'the subscription') {
  const parsed = WebhookSubscriptionInput.safeParse(body);
  if (parsed.success) return parsed.data;
  throw new BackboneError('validation_failed', `${where} is not valid`, {
    details: parsed.error.issues.map((i) => ({
      path: i.path.length > 0 ? i.path.join('.') : '(body)',
      message: i.message,
    })),
  });
}

/**
 * The webhook subscriptions: those of `WEBHOOKS_FILE` (read-only here) and those made with `POST /v1/webhooks`.
 * A subscription made over the API starts at the head of the log when it is made: its reactor's checkpoint is
 * written with it, in one commit, so no event appended after the answer is missed.
 */
export class WebhookSubscriptions {
  constructor(
    private readonly store: ReadStore,
    private readonly keys: PersonalDataKeys,
    private readonly file: readonly FileSubscription[] = [],
    private readonly now: () => Date = () => new Date(),
  ) {}

  async create(body: unknown, head: string | null): Promise<WebhookSubscription & { secret: string }> {
    const input = subscriptionInput(body);
    const id = input.id ?? `wh-${randomUUID()}`;
    if (await this.get(id))
      throw new BackboneError('duplicate_id', `a webhook subscription ${id} exists`, {
        details: [{ path: 'id', message: 'taken: delete it first, or choose another id' }],
      });
    const secret = input.secret ?? `whsec_${randomBytes(32).toString('base64')}`;
    // A name of its own each time: a subscription made again under the same id does not get the old secret.
    const secretName = `webhook/${id}/${randomUUID()}`;
    await this.keys.namedSecret(secretName, () => Buffer.from(secret, 'utf8'));
    const { secret: _given, id: _id, ...settings } = input;
    const subscription: WebhookSubscription = { id, ...settings, createdAt: this.now().toISOString(), origin: 'api' };
    await this.store.commit({
      documents: [
        {
          projection: SUBSCRIPTIONS,
          id,
          value: { ...subscription, secretName } satisfies StoredSubscription,
          position: null,
        },
      ],
      checkpoints: [
        { projection: reactorStoreNames(webhookReactorName(id)).checkpoint, version: REACTOR_VERSION, position: head },
      ],
      parked: [],
    });
    return { ...subscription, secret };
  }

  async list(): Promise<WebhookSubscription[]> {
    const stored: StoredSubscription[] = [];
    for (let after: string | null = null; ;) {
      const page: Array<{ id: string; value: StoredSubscription }> = await this.store.list<StoredSubscription>(
        SUBSCRIPTIONS,
        after,
        500,
      );
      stored.push(...page.map((d) => d.value));
      if (page.length < 500) break;
      after = page[page.length - 1].id;
    }
    return [...this.file.map(({ secret: _secret, ...s }) => s), ...stored.map(({ secretName: _name, ...s }) => s)];
  }

  async get(id: string): Promise<WebhookSubscription | undefined> {
    return (await this.list()).find((s) => s.id === id);
  }

  /** Stops deliveries (its runner stops within a second); what it had parked stays listed until replayed or reset. */
  async remove(id: string): Promise<void> {
    if (this.file.some((s) => s.id === id))
      throw new BackboneError(
        'invalid_request',
        `webhook subscription ${id} comes from WEBHOOKS_FILE: change it there`,
      );
    if (!(await this.store.get(SUBSCRIPTIONS, id)))
      throw new BackboneError('not_found', `no webhook subscription ${id}`);
    await this.store.commit({
      documents: [{ projection: SUBSCRIPTIONS, id, value: null, position: null }],
      checkpoints: [],
      parked: [],
    });
  }

  /** The secret deliveries of `subscription` are signed with. */
  async secretOf(subscription: WebhookSubscription): Promise<string> {
    const fromFile = this.file.find((s) => s.id === subscription.id);
    if (fromFile) return fromFile.secret;
    const stored = await this.store.get<StoredSubscription>(SUBSCRIPTIONS, subscription.id);
    if (!stored) throw new BackboneError('not_found', `no webhook subscription ${subscription.id}`);
    return (await this.keys.namedSecret(stored.value.secretName, () => Buffer.alloc(0))).toString('utf8');
  }
}
