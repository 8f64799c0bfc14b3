import type { JourneyEvent } from '#schemas';
/**
 * One order status model for every channel. Each code has one customer-facing label, one line
 * on what to expect, and a rank: facts arrive late and out of order, so a status only replaces
 * one of lower rank, or of equal rank when it happened later (e.g. delayed <-> in_transit).
 */
export const ORDER_STATUSES = {
  placed: { rank: 0, label: 'Order placed', expect: 'We are confirming your payment.' },
  payment_failed: { rank: 0, label: 'Payment failed', expect: 'Please update your payment method to keep your order.' },
  confirmed: { rank: 1, label: 'Order confirmed', expect: 'We are preparing your order for dispatch.' },
  shipped: { rank: 2, label: 'Shipped', expect: 'Your parcel is with the carrier.' },
  in_transit: { rank: 3, label: 'On its way', expect: 'Your parcel is travelling to you.' },
  delayed: { rank: 3, label: 'Delayed', expect: 'Your parcel is running late; the new delivery date is shown.' },
  out_for_delivery: { rank: 4, label: 'Out for delivery', expect: 'Your parcel arrives today.' },
  delivery_problem: { rank: 4, label: 'Delivery problem', expect: 'We are sorting out a problem with your delivery.' },
  delivered: { rank: 5, label: 'Delivered', expect: 'Your parcel was delivered.' },
  return_requested: { rank: 6, label: 'Return requested', expect: 'We are reviewing your return request.' },
  return_rejected: {
    rank: 7,
    label: 'Return not accepted',
    expect: 'Your return is outside the policy; the reason is given.',
  },
  return_in_progress: {
    rank: 7,
    label: 'Return in progress',
    expect: 'Send the items back; we refund once they arrive.',
  },
  refunded: { rank: 8, label: 'Refunded', expect: 'Your refund is on its way to your payment method.' },
  cancelled: { rank: 9, label: 'Cancelled', expect: 'Your order was cancelled; nothing more to pay.' },
} as const;

export type StatusCode = keyof typeof ORDER_STATUSES;
export const STATUS_CODES = Object.keys(ORDER_STATUSES) as StatusCode[];

export interface StatusState {
  code: StatusCode;
  /** Fact time of the event that set the status. */
  since: string;
}

/** Which status wins when a fact suggesting `candidate` (at `at`) meets the current status. */
export function nextStatus(current: StatusState, candidate: StatusCode, at: string): StatusState {
  const currentRank = ORDER_STATUSES[current.code].rank;
  const candidateRank = ORDER_STATUSES[candidate].rank;
  if (candidateRank > currentRank) return { code: candidate, since: at };
  if (candidateRank === currentRank && Date.parse(at) >= Date.parse(current.since))
    return { code: candidate, since: at };
  return current;
}

/**
 * The status an event suggests for its order (null: none). `amounts` are the order's captured and
 * refunded totals after the event: a refund closing a return, or refunding everything, is the end
 * state; a goodwill partial refund without a return shows as a refund, not as a new status.
 */
export function statusSuggestedBy(
  event: JourneyEvent,
  amounts: { captured: number; refunded: number },
): StatusCode | null {
  switch (event.type) {
    case 'payment.captured':
      return 'confirmed';
    case 'payment.failed':
      return 'payment_failed';
    case 'order.cancelled':
      return 'cancelled';
    case 'shipment.dispatched':
      return 'shipped';
    case 'shipment.progressed':
      return event.data.stage;
    case 'shipment.delayed':
      return 'delayed';
    case 'shipment.delivered':
      return 'delivered';
    case 'shipment.exception':
      return 'delivery_problem';
    case 'return.requested':
      return 'return_requested';
    case 'return.approved':
    case 'return.received':
      return 'return_in_progress';
    case 'return.rejected':
      return 'return_rejected';
    case 'refund.issued':
      return event.data.returnId !== undefined || (amounts.captured > 0 && amounts.refunded >= amounts.captured)
        ? 'refunded'
        : null;
    default:
      return null;
  }
}

export function describeStatus(code: StatusCode): { code: StatusCode; label: string; expect: string } {
  const { label, expect } = ORDER_STATUSES[code];
  return { code, label, expect };
}
