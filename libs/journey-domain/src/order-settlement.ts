import type { JourneyEvent } from '#schemas';

/** What later events add up on an order: the amounts captured and refunded, and when it was first delivered. */
export interface OrderSettlement {
  captured: number;
  refunded: number;
  deliveredAt: string | null;
}

export const UNSETTLED: OrderSettlement = { captured: 0, refunded: 0, deliveredAt: null };

/**
 * Folds one event about an order into its settlement: the one fold that ingestion's rules, the journey view and the
 * unity metrics share. Returns the same object when the event changes nothing. The earliest delivery counts (a late
 * duplicate delivery scan moves nothing).
 */
export function settleOrder<T extends OrderSettlement>(order: T, event: JourneyEvent): T {
  switch (event.type) {
    case 'payment.captured':
      return { ...order, captured: order.captured + event.data.amount };
    case 'refund.issued':
      return { ...order, refunded: order.refunded + event.data.amount };
    case 'shipment.delivered':
      return order.deliveredAt === null || Date.parse(event.time) < Date.parse(order.deliveredAt)
        ? { ...order, deliveredAt: event.time }
        : order;
    default:
      return order;
  }
}
