import type { EventData, JourneyEventOf, JourneyView } from '#schemas';
import { frameMessage, orderStatusText } from './channel-templates';
import { formatMoney } from './formatting';

/** The events a customer is told about by email, as they happen. */
export const NOTIFIED_TYPES = ['shipment.delayed', 'refund.issued'] as const;
export type NotifiedEvent = JourneyEventOf<(typeof NOTIFIED_TYPES)[number]>;

/** An email to send, with what it shows in the terms `channel.message_sent` records (for the truth-drift metric). */
export interface CustomerNotification {
  subject: string;
  text: string;
  sent: EventData<'channel.message_sent'>;
}

/**
 * The email for an event, rendered from the customer's view as of that event with the shared `order_status`
 * template (the wording every channel shows), or null when the view has no such order.
 */
export function customerNotification(
  event: NotifiedEvent,
  view: Pick<JourneyView, 'orders'>,
): CustomerNotification | null {
  const order = view.orders.find((o) => o.orderId === event.data.orderId);
  if (!order) return null;
  const subject =
    event.type === 'shipment.delayed'
      ? `Your order ${order.orderId} is delayed`
      : `Refund of ${formatMoney(event.data.amount, event.data.currency)} for order ${order.orderId}`;
  const text = frameMessage('email', orderStatusText(order));
  return {
    subject,
    text,
    sent: {
      text,
      channel: 'email',
      templateId: 'order_status',
      orderId: order.orderId,
      shown: {
        status: order.status.code,
        total: order.totals.total,
        ...(order.policy.returns ? { policyVersion: order.policy.returns.version } : {}),
      },
    },
  };
}
