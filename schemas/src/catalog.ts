import { z } from 'zod';
import * as checkout from './events/checkout.events';
import * as shipment from './events/shipment.events';
import * as contact from './events/contact.events';
import * as returns from './events/returns.events';
import * as privacy from './events/privacy.events';

export const DOMAINS = ['checkout', 'shipment', 'contact', 'returns', 'privacy'] as const;
export type Domain = (typeof DOMAINS)[number];

/** The names of `Data`'s fields that hold a string (or may: optional fields count). */
type StringField<Data> = { [K in keyof Data]-?: NonNullable<Data[K]> extends string ? K : never }[keyof Data] & string;

/**
 * What the backbone must check about a type beyond its schema, declared with the type (field names are checked against
 * its latest data by TypeScript). Ingestion, the claims every log enforces and the subject check read these; none of
 * them names an event type.
 */
export interface EventRules<Data> {
  /** The event places the order in this field: it becomes its customer's, and its domain rules (totals) apply. */
  placesOrder?: StringField<Data>;
  /** The event is about the order in this field (when present): it must be an order of this customer. */
  namesOrder?: StringField<Data>;
  /** The event is about the support case in this field: the case becomes its customer's (one case, one customer). */
  claimsCase?: StringField<Data>;
  /** The event links (`claim`) or gives up (`release`) the identity in its `kind` and `value`. */
  identity?: 'claim' | 'release';
  /** The event belongs to the journey of the policy in this field (subject `policy/<value>`), not to a customer's. */
  policyJourney?: StringField<Data>;
  /** Its domain rules need every policy version the log holds (it publishes one, or decides under one). */
  readsPolicies?: boolean;
  /** Only the backbone appends it (the erasure): `POST /v1/events` refuses it. */
  appendedByBackbone?: boolean;
}

/**
 * One event type: the domain (producer app) that owns it, its schema per version (index 0 is
 * version 1), the upcaster from each version to the next, so old events stay readable, and its rules.
 */
interface EventTypeDefinition<Versions extends readonly z.ZodType[]> {
  owner: Domain;
  versions: Versions;
  /** `upcasters[i]` turns data of version i+1 into data of version i+2. */
  upcasters: ReadonlyArray<(data: never) => unknown>;
  rules: EventRules<z.infer<Last<Versions>>>;
}

function eventType<const Versions extends readonly [z.ZodType, ...z.ZodType[]]>(
  owner: Domain,
  versions: Versions,
  options: {
    upcasters?: EventTypeDefinition<Versions>['upcasters'];
    rules?: EventRules<z.infer<Last<Versions>>>;
  } = {},
): EventTypeDefinition<Versions> {
  const upcasters = options.upcasters ?? [];
  if (upcasters.length !== versions.length - 1) throw new Error('one upcaster per version step is required');
  return { owner, versions, upcasters, rules: options.rules ?? {} };
}

export const catalog = {
  'checkout.started': eventType('checkout', [checkout.CheckoutStartedV1]),
  'order.placed': eventType('checkout', [checkout.OrderPlacedV1], { rules: { placesOrder: 'orderId' } }),
  'payment.captured': eventType('checkout', [checkout.PaymentCapturedV1], { rules: { namesOrder: 'orderId' } }),
  'payment.failed': eventType('checkout', [checkout.PaymentFailedV1], { rules: { namesOrder: 'orderId' } }),
  'order.cancelled': eventType('checkout', [checkout.OrderCancelledV1], { rules: { namesOrder: 'orderId' } }),
  'identity.linked': eventType('checkout', [checkout.IdentityLinkedV1], { rules: { identity: 'claim' } }),
  'identity.unlinked': eventType('checkout', [checkout.IdentityUnlinkedV1], { rules: { identity: 'release' } }),
  'shipment.dispatched': eventType('shipment', [shipment.ShipmentDispatchedV1], { rules: { namesOrder: 'orderId' } }),
  'shipment.progressed': eventType('shipment', [shipment.ShipmentProgressedV1], { rules: { namesOrder: 'orderId' } }),
  'shipment.delayed': eventType('shipment', [shipment.ShipmentDelayedV1, shipment.ShipmentDelayedV2], {
    upcasters: [shipment.upcastShipmentDelayedV1],
    rules: { namesOrder: 'orderId' },
  }),
  'shipment.delivered': eventType('shipment', [shipment.ShipmentDeliveredV1], { rules: { namesOrder: 'orderId' } }),
  'shipment.exception': eventType('shipment', [shipment.ShipmentExceptionV1], { rules: { namesOrder: 'orderId' } }),
  'contact.opened': eventType('contact', [contact.ContactOpenedV1], {
    rules: { claimsCase: 'caseId', namesOrder: 'orderId' },
  }),
  'contact.handed_off': eventType('contact', [contact.ContactHandedOffV1], { rules: { claimsCase: 'caseId' } }),
  'contact.resolved': eventType('contact', [contact.ContactResolvedV1], { rules: { claimsCase: 'caseId' } }),
  'contact.reopened': eventType('contact', [contact.ContactReopenedV1], { rules: { claimsCase: 'caseId' } }),
  'promise.made': eventType('contact', [contact.PromiseMadeV1], { rules: { claimsCase: 'caseId' } }),
  'promise.kept': eventType('contact', [contact.PromiseKeptV1], { rules: { claimsCase: 'caseId' } }),
  'feedback.received': eventType('contact', [contact.FeedbackReceivedV1], { rules: { claimsCase: 'caseId' } }),
  'channel.message_sent': eventType('contact', [contact.ChannelMessageSentV1, contact.ChannelMessageSentV2], {
    upcasters: [contact.upcastChannelMessageSentV1],
    rules: { namesOrder: 'orderId' },
  }),
  'return.requested': eventType('returns', [returns.ReturnRequestedV1], { rules: { namesOrder: 'orderId' } }),
  'return.approved': eventType('returns', [returns.ReturnApprovedV1], {
    rules: { namesOrder: 'orderId', readsPolicies: true },
  }),
  'return.rejected': eventType('returns', [returns.ReturnRejectedV1], {
    rules: { namesOrder: 'orderId', readsPolicies: true },
  }),
  'return.received': eventType('returns', [returns.ReturnReceivedV1], { rules: { namesOrder: 'orderId' } }),
  'refund.issued': eventType('returns', [returns.RefundIssuedV1], { rules: { namesOrder: 'orderId' } }),
  'policy.published': eventType('returns', [returns.PolicyPublishedV1], {
    rules: { policyJourney: 'policyId', readsPolicies: true },
  }),
  'customer.erased': eventType('privacy', [privacy.CustomerErasedV1], { rules: { appendedByBackbone: true } }),
} as const;

export type Catalog = typeof catalog;
export type EventType = keyof Catalog;
export const EVENT_TYPES = Object.keys(catalog) as EventType[];

type Last<T extends readonly unknown[]> = T extends readonly [...unknown[], infer L] ? L : never;
/** The data of an event type at its current (latest) schema version. */
export type EventData<T extends EventType> = z.infer<Last<Catalog[T]['versions']>>;

export function isEventType(type: string): type is EventType {
  return Object.prototype.hasOwnProperty.call(catalog, type);
}

export function latestVersion(type: EventType): number {
  return catalog[type].versions.length;
}

export function typesOwnedBy(domain: Domain): EventType[] {
  return EVENT_TYPES.filter((type) => catalog[type].owner === domain);
}

/** The rules declared with a type in the catalog. */
export function rulesOf(type: EventType): EventRules<Record<string, string>> {
  return catalog[type].rules as EventRules<Record<string, string>>;
}

/** The string in one of an event's data fields, if it holds one. */
function field(data: unknown, name: string | undefined): string | undefined {
  if (name === undefined) return undefined;
  const value = (data as Record<string, unknown>)[name];
  return typeof value === 'string' ? value : undefined;
}

/** The order an event places (`placesOrder`), if it places one. */
export function orderPlacedBy(event: { type: EventType; data: unknown }): string | undefined {
  return field(event.data, rulesOf(event.type).placesOrder);
}

/** The order an event is about (`namesOrder`), if it names one. */
export function orderNamedBy(event: { type: EventType; data: unknown }): string | undefined {
  return field(event.data, rulesOf(event.type).namesOrder);
}

/** The support case an event is about (`claimsCase`), if it names one. */
export function caseNamedBy(event: { type: EventType; data: unknown }): string | undefined {
  return field(event.data, rulesOf(event.type).claimsCase);
}

/** The policy whose journey an event belongs to (`policyJourney`), or undefined for a customer's event. */
export function policyJourneyOf(event: { type: EventType; data: unknown }): string | undefined {
  return field(event.data, rulesOf(event.type).policyJourney);
}
