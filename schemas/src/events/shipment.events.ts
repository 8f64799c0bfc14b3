import { z } from 'zod';
import { Id, IsoTime } from '../common';
import { notPersonal, personal } from '../personal-data';

export const ShipmentDispatchedV1 = z.strictObject({
  orderId: Id,
  shipmentId: Id,
  carrier: notPersonal(z.string().min(1), "a carrier's name"),
  trackingId: notPersonal(z.string().min(1), "a carrier's parcel id"),
  eta: IsoTime,
});

export const ShipmentProgressedV1 = z.strictObject({
  orderId: Id,
  shipmentId: Id,
  stage: z.enum(['in_transit', 'out_for_delivery']),
  location: notPersonal(z.string(), 'a carrier hub or city').optional(),
});

export const ShipmentDelayedV1 = z.strictObject({
  orderId: Id,
  shipmentId: Id,
  newEta: IsoTime,
  // The carrier's wording, which the v1 upcaster reads to infer the reason code: not a person's words.
  reason: notPersonal(z.string().min(1), "the carrier's explanation"),
});

export const DELAY_REASON_CODES = [
  'weather',
  'carrier_capacity',
  'address_issue',
  'customs',
  'stock',
  'other',
] as const;

/**
 * v2 adds a machine-readable `reasonCode` beside the free-text `reason`, so analysts can group
 * delays without parsing text. v1 events are upcast by inferring the code from the text.
 */
export const ShipmentDelayedV2 = ShipmentDelayedV1.extend({ reasonCode: z.enum(DELAY_REASON_CODES) });

const REASON_KEYWORDS: ReadonlyArray<[RegExp, (typeof DELAY_REASON_CODES)[number]]> = [
  [/weather|storm|snow|flood/i, 'weather'],
  [/capacity|volume|backlog|peak/i, 'carrier_capacity'],
  [/address/i, 'address_issue'],
  [/customs|border/i, 'customs'],
  [/stock|inventory|warehouse/i, 'stock'],
];

export function upcastShipmentDelayedV1(data: z.infer<typeof ShipmentDelayedV1>): z.infer<typeof ShipmentDelayedV2> {
  const match = REASON_KEYWORDS.find(([pattern]) => pattern.test(data.reason));
  return { ...data, reasonCode: match ? match[1] : 'other' };
}

export const ShipmentDeliveredV1 = z.strictObject({ orderId: Id, shipmentId: Id });

export const ShipmentExceptionV1 = z.strictObject({
  orderId: Id,
  shipmentId: Id,
  kind: z.enum(['lost', 'damaged', 'failed_attempt', 'returned_to_sender']),
  detail: personal(z.string()).optional(),
});
