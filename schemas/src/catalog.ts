import { z } from 'zod';
import * as checkout from './events/checkout.events';
import * as shipment from './events/shipment.events';
import * as contact from './events/contact.events';
import * as returns from './events/returns.events';

export const DOMAINS = ['checkout', 'shipment', 'contact', 'returns'] as const;
export type Domain = (typeof DOMAINS)[number];

/**
 * One event type: the domain (producer app) that owns it, its schema per version (index 0 is
 * version 1) and the upcaster from each version to the next, so old events stay readable.
 */
interface EventTypeDefinition<Versions extends readonly z.ZodType[]> {
  owner: Domain;
  versions: Versions;
  /** `upcasters[i]` turns data of version i+1 into data of version i+2. */
  upcasters: ReadonlyArray<(data: never) => unknown>;
}

function eventType<const Versions extends readonly [z.ZodType, ...z.ZodType[]]>(
  owner: Domain,
  versions: Versions,
  upcasters: EventTypeDefinition<Versions>['upcasters'] = [],
): EventTypeDefinition<Versions> {
  if (upcasters.length !== versions.length - 1) throw new Error('one upcaster per version step is required');
  return { owner, versions, upcasters };
}

export const catalog = {
  'checkout.started': eventType('checkout', [checkout.CheckoutStartedV1]),
  'order.placed': eventType('checkout', [checkout.OrderPlacedV1]),
  'payment.captured': eventType('checkout', [checkout.PaymentCapturedV1]),
  'payment.failed': eventType('checkout', [checkout.PaymentFailedV1]),
  'order.cancelled': eventType('checkout', [checkout.OrderCancelledV1]),
  'identity.linked': eventType('checkout', [checkout.IdentityLinkedV1]),
  'identity.unlinked': eventType('checkout', [checkout.IdentityUnlinkedV1]),
  'shipment.dispatched': eventType('shipment', [shipment.ShipmentDispatchedV1]),
  'shipment.progressed': eventType('shipment', [shipment.ShipmentProgressedV1]),
  'shipment.delayed': eventType(
    'shipment',
    [shipment.ShipmentDelayedV1, shipment.ShipmentDelayedV2],
    [shipment.upcastShipmentDelayedV1],
  ),
  'shipment.delivered': eventType('shipment', [shipment.ShipmentDeliveredV1]),
  'shipment.exception': eventType('shipment', [shipment.ShipmentExceptionV1]),
  'contact.opened': eventType('contact', [contact.ContactOpenedV1]),
  'contact.handed_off': eventType('contact', [contact.ContactHandedOffV1]),
  'contact.resolved': eventType('contact', [contact.ContactResolvedV1]),
  'contact.reopened': eventType('contact', [contact.ContactReopenedV1]),
  'promise.made': eventType('contact', [contact.PromiseMadeV1]),
  'promise.kept': eventType('contact', [contact.PromiseKeptV1]),
  'feedback.received': eventType('contact', [contact.FeedbackReceivedV1]),
  'channel.message_sent': eventType('contact', [contact.ChannelMessageSentV1]),
  'return.requested': eventType('returns', [returns.ReturnRequestedV1]),
  'return.approved': eventType('returns', [returns.ReturnApprovedV1]),
  'return.rejected': eventType('returns', [returns.ReturnRejectedV1]),
  'return.received': eventType('returns', [returns.ReturnReceivedV1]),
  'refund.issued': eventType('returns', [returns.RefundIssuedV1]),
  'policy.published': eventType('returns', [returns.PolicyPublishedV1]),
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
