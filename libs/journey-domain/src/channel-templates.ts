import type { Channel, ChannelMessage, JourneyView, OrderView } from '#schemas';
import { formatDay, formatMoney } from './formatting';

/**
 * Shared message templates: one wording per template, so every channel says the same thing;
 * only the framing differs per channel (a greeting in email, a script for phone and store).
 */
export const TEMPLATE_IDS = ['order_status', 'return_policy', 'next_step', 'promise'] as const;
export type TemplateId = (typeof TEMPLATE_IDS)[number];

/** The wording of each template for one view, independent of channel. */
export function templateTexts(
  view: Pick<JourneyView, 'card' | 'orders'>,
): Array<{ templateId: TemplateId; text: string }> {
  const texts: Array<{ templateId: TemplateId; text: string }> = [];
  const order = view.card.lastOrder ? view.orders.find((o) => o.orderId === view.card.lastOrder!.orderId) : undefined;
  if (order) {
    texts.push({ templateId: 'order_status', text: orderStatusText(order) });
    const policy = order.policy.returns;
    if (policy) {
      texts.push({
        templateId: 'return_policy',
        text: `Returns policy v${policy.version}: ${policy.wording} ${order.returnEligibility.reason}`,
      });
    }
  }
  texts.push({ templateId: 'next_step', text: view.card.nextStep.text });
  for (const promise of view.card.promises) {
    if (promise.state === 'kept') continue;
    texts.push({
      templateId: 'promise',
      text: `We promised: ${promise.text} (by ${formatDay(promise.dueAt)}, ${promise.state}).`,
    });
  }
  return texts;
}

/** The `order_status` template's wording for one order: its status, what to expect, when, and its total. */
export function orderStatusText(order: OrderView): string {
  const eta =
    order.eta && !['delivered', 'cancelled', 'refunded'].includes(order.status.code)
      ? ` Expected by ${formatDay(order.eta)}.`
      : '';
  return (
    `Order ${order.orderId}: ${order.status.label}. ${order.status.expect}${eta} Order ` +
    `total ${formatMoney(order.totals.total, order.currency)}.`
  );
}

const FRAMES: Record<Channel, (text: string) => string> = {
  web: (text) => text,
  chat: (text) => text,
  email: (text) => `Hello,\n\n${text}\n\nKind regards,\nCustomer care`,
  phone: (text) => `Say to the customer: "${text}"`,
  store: (text) => `Tell the customer: "${text}"`,
};

/** The messages a channel shows for a view: the shared wording, framed for that channel. */
export function renderMessages(view: Pick<JourneyView, 'card' | 'orders'>, channel: Channel): ChannelMessage[] {
  return templateTexts(view).map(({ templateId, text }) => ({
    channel,
    templateId,
    text: frameMessage(channel, text),
  }));
}

/** A template's wording framed for a channel (a greeting in email, a script for phone and store). */
export function frameMessage(channel: Channel, text: string): string {
  return FRAMES[channel](text);
}
