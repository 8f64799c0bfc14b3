import { Webhook } from 'standardwebhooks';
import { isBackboneError } from '#errors';
import type { JourneyReader } from '#journey-read';
import { journeyViewProjection } from '#journey-projections';
import type { Reactor, ReactionContext } from '#projection-runtime';
import { POLICY_SUBJECT_PREFIX, type EventType, type JourneyEvent, type WebhookSubscription } from '#schemas';
import { eventPayload, viewPayload, type WebhookPayload } from './webhook-payload';

/** The event types that change a journey view (its projection's), and the erasure that ends it. */
const VIEW_TYPES: readonly EventType[] = journeyViewProjection.canHandle;

/** The longest pause between two attempts at one delivery. */
const MAX_RETRY_DELAY_MS = 300_000;

/** The reactor delivering one subscription: its own checkpoint, retries and parked events (`webhook.<id>`). */
export function webhookReactorName(subscriptionId: string): string {
  return `webhook.${subscriptionId}`;
}

/**
 * Delivers a subscription's events and view changes to its URL, signed as Standard Webhooks says (`webhook-id`,
 * `webhook-timestamp`, `webhook-signature`: HMAC-SHA256 with the subscription's secret, by the `standardwebhooks`
 * package). A 2xx answer is a delivery; anything else, no answer within `timeoutMs`, or no connection is tried again
 * with growing pauses for `retryForMs`, then parked. In log order, so in order per customer.
 */
export function webhookReactor(
  subscription: WebhookSubscription,
  secret: string,
  reader: Pick<JourneyReader, 'journey'>,
): Reactor {
  const events = new Set<EventType>(subscription.events ?? []);
  const views = subscription.views !== undefined;
  const signer = new Webhook(secret);
  const send = async (messageId: string, payload: WebhookPayload, signal: AbortSignal) => {
    const body = JSON.stringify(payload);
    const now = new Date();
    let response: Response;
    try {
      response = await fetch(subscription.url, {
        method: 'POST',
        redirect: 'manual',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'journey-backbone-webhooks',
          'webhook-id': messageId,
          'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
          'webhook-signature': signer.sign(messageId, now, body),
        },
        body,
        signal: AbortSignal.any([signal, AbortSignal.timeout(subscription.timeoutMs)]),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code;
      const why = (error as Error).name === 'TimeoutError' ? `no answer in ${subscription.timeoutMs} ms` : cause;
      throw new Error(`the receiver could not be reached (${why ?? (error as Error).message})`, { cause: error });
    }
    await response.body?.cancel();
    if (response.status < 200 || response.status > 299) throw new Error(`the receiver answered ${response.status}`);
  };
  const viewOf = async (event: JourneyEvent, context: ReactionContext): Promise<WebhookPayload | null> => {
    const change = { customerId: event.subject, position: context.position, time: event.time };
    if (event.type === 'customer.erased') return viewPayload(change, null, subscription.personalData);
    try {
      const read = await reader.journey(event.subject, { atPosition: context.position });
      return viewPayload(change, read.body, subscription.personalData);
    } catch (error) {
      // Erased since (its erasure is delivered in its turn), or no view: nothing to deliver for this event.
      if (isBackboneError(error, 'erased') || isBackboneError(error, 'not_found')) return null;
      throw error;
    }
  };
  return {
    name: webhookReactorName(subscription.id),
    canHandle: [...new Set([...events, ...(views ? VIEW_TYPES : [])])],
    startFrom: 'end',
    maxAttempts: 1,
    retryForMs: subscription.retryForMs,
    retryDelayMs: subscription.retryDelayMs,
    maxRetryDelayMs: MAX_RETRY_DELAY_MS,
    timeoutMs: subscription.timeoutMs + 5_000,
    handle: async (event, context) => {
      const messages: Array<[string, () => Promise<WebhookPayload | null>]> = [];
      if (events.has(event.type))
        messages.push([`msg_${context.idempotencyKey}`, async () => eventPayload(event, subscription.personalData)]);
      if (views && VIEW_TYPES.includes(event.type) && !event.subject.startsWith(POLICY_SUBJECT_PREFIX))
        messages.push([`msg_${context.idempotencyKey}_view`, () => viewOf(event, context)]);
      for (const [messageId, payload] of messages) {
        const deliver = async () => {
          const message = await payload();
          if (message !== null) await send(messageId, message, context.signal);
        };
        // Two messages for one event: one delivered is not delivered again while the other is retried.
        if (messages.length > 1) await context.once(messageId, deliver);
        else await deliver();
      }
    },
  };
}
