import { journeyEvent, orderPlacedData } from '#schemas/testing';
import type { JourneyEvent } from '#schemas';

/**
 * A customer's journey as the push and notifier tests need it: an email linked, an order placed and paid, shipped,
 * delayed, and part refunded. Event ids are `<idPrefix>-1` to `-6` (the delay is `-5`, the refund `-6`); times are
 * minutes after 2026-11-20T10:00Z.
 */
export function delayedRefundJourney(options: {
  customer: string;
  orderId: string;
  idPrefix: string;
  source: string;
  email: string;
  total?: number;
  refund?: number;
}): JourneyEvent[] {
  const { customer, orderId, idPrefix, source } = options;
  const total = options.total ?? 4000;
  const at = (n: number, minute: number) => ({
    id: `${idPrefix}-${n}`,
    source,
    subject: customer,
    time: new Date(Date.UTC(2026, 10, 20, 10, minute)).toISOString(),
  });
  const shipmentId = `${orderId}-s`;
  return [
    journeyEvent('identity.linked', { kind: 'email', value: options.email }, at(1, 0)),
    journeyEvent('order.placed', orderPlacedData(orderId, { unitPrice: total }), at(2, 1)),
    journeyEvent(
      'payment.captured',
      { orderId, paymentId: `${orderId}-p`, amount: total, currency: 'EUR', method: 'card' },
      at(3, 2),
    ),
    journeyEvent(
      'shipment.dispatched',
      { orderId, shipmentId, carrier: 'PostNL', trackingId: `${orderId}-t`, eta: '2026-11-23T18:00:00Z' },
      at(4, 3),
    ),
    journeyEvent(
      'shipment.delayed',
      { orderId, shipmentId, newEta: '2026-11-27T18:00:00Z', reason: 'Storm at the hub' },
      // As an old producer sends it (v1, no reasonCode): readers see it upcast.
      { ...at(5, 4), schemaversion: 1 },
    ),
    journeyEvent(
      'refund.issued',
      { refundId: `${orderId}-r`, orderId, amount: options.refund ?? 1000, currency: 'EUR' },
      at(6, 5),
    ),
  ];
}
