import { z } from 'zod';
import { EVENT_TYPES, type EventType } from './catalog';

/** The views a webhook can follow: every change of a customer's journey view. */
export const WEBHOOK_VIEWS = ['journey'] as const;

/** Standard Webhooks' secret format: `whsec_` and the base64 of 24 to 64 random bytes. */
const SECRET = /^whsec_[A-Za-z0-9+/]{32,88}={0,2}$/;

const DAY_MS = 86_400_000;

/** A webhook subscription as `POST /v1/webhooks` and the `WEBHOOKS_FILE` take it. */
export const WebhookSubscriptionInput = z
  .strictObject({
    /** Chosen by the server when absent (`POST`); required in the file. */
    id: z
      .string()
      .regex(
        /^[a-z0-9][a-z0-9-]{0,62}$/,
        'lower-case letters, digits and -, at most 63, starting with one of the first',
      )
      .optional(),
    url: z
      .url({ protocol: /^https?$/, message: 'must be an http:// or https:// URL' })
      .max(2000, 'at most 2000 characters'),
    events: z
      .array(z.enum(EVENT_TYPES as [EventType, ...EventType[]], { message: 'must be an event type of the catalog' }))
      .min(1, 'name at least one event type, or leave it out')
      .optional(),
    views: z
      .array(z.enum(WEBHOOK_VIEWS, { message: `must be one of ${WEBHOOK_VIEWS.join(', ')}` }))
      .min(1, 'name at least one view, or leave it out')
      .optional(),
    /** Signs the deliveries (HMAC-SHA256); made by the server when absent (`POST`); required in the file. */
    secret: z.string().regex(SECRET, 'must be whsec_ and the base64 of 24 to 64 bytes').optional(),
    /** Personal fields in clear (the receiver is trusted with them); else masked as for a reader without pii:read. */
    personalData: z.boolean().default(false),
    /** How long a failing delivery is tried again (exponential backoff) before it is parked. */
    retryForMs: z
      .number()
      .int()
      .min(0)
      .max(7 * DAY_MS)
      .default(DAY_MS),
    /** The first pause after a failure, doubled after each, up to 5 minutes. */
    retryDelayMs: z.number().int().min(10).max(60_000).default(1000),
    /** A receiver that has not answered after this long has failed this attempt. */
    timeoutMs: z.number().int().min(100).max(60_000).default(10_000),
    description: z.string().max(500).optional(),
  })
  .refine((s) => s.events !== undefined || s.views !== undefined, {
    message: 'name the event types (events) or the views (views) to deliver',
    path: ['events'],
  });
export type WebhookSubscriptionInput = z.input<typeof WebhookSubscriptionInput>;

/** A subscription as kept and listed (never with its secret). */
export type WebhookSubscription = Omit<z.output<typeof WebhookSubscriptionInput>, 'secret' | 'id'> & {
  id: string;
  createdAt: string;
  /** `api` (`POST /v1/webhooks`) or `file` (`WEBHOOKS_FILE`: changed there, not over the API). */
  origin: 'api' | 'file';
};
