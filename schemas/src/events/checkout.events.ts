import { z } from 'zod';
import { personal, notPersonal } from '../personal-data';
import { Channel, Currency, Id, IdentityKind, IsoTime, MinorUnits, OrderItem, Totals, visibleText } from '../common';

export const CheckoutStartedV1 = z.strictObject({
  checkoutId: Id,
  channel: Channel,
  currency: Currency,
  items: z.array(OrderItem),
});

export const OrderPlacedV1 = z.strictObject({
  orderId: Id,
  checkoutId: Id.optional(),
  channel: Channel,
  currency: Currency,
  items: z.array(OrderItem).min(1, 'an order has at least one item'),
  totals: Totals,
  promisedDelivery: z.strictObject({ from: IsoTime, to: IsoTime }),
});

export const PaymentCapturedV1 = z.strictObject({
  orderId: Id,
  paymentId: Id,
  amount: MinorUnits,
  currency: Currency,
  method: notPersonal(z.string().min(1), 'a payment method such as card'),
});

export const PaymentFailedV1 = z.strictObject({
  orderId: Id,
  paymentId: Id,
  amount: MinorUnits,
  currency: Currency,
  reason: notPersonal(z.string().min(1), "the payment provider's decline reason"),
});

export const OrderCancelledV1 = z.strictObject({ orderId: Id, reason: personal(z.string().min(1)) });

export const IdentityLinkedV1 = z.strictObject({
  kind: IdentityKind,
  value: personal(visibleText(z.string().trim().min(1).max(320))),
});

/** The customer gives an identity up (it is no longer theirs): the one way another customer may then link it. */
export const IdentityUnlinkedV1 = IdentityLinkedV1;
