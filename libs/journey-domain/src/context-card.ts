import type { CaseView, OrderView, PromiseView } from '#schemas';
import { addDays, formatDay, formatMoney } from './formatting';

export interface CardInput {
  lastOrder: OrderView | null;
  openCase: CaseView | null;
}

/** What happens next and when: an open promise first, else what the last order's status implies. */
export function nextStep({ lastOrder, openCase }: CardInput): { text: string; by?: string } {
  const pending = (openCase?.promises ?? [])
    .filter((p) => p.state !== 'kept')
    .sort((a, b) => Date.parse(a.dueAt) - Date.parse(b.dueAt))[0] as PromiseView | undefined;
  if (pending) {
    const text =
      pending.state === 'overdue'
        ? `We are late: "${pending.text}" was due ${formatDay(pending.dueAt)}; ${pending.owner} is on it.`
        : `${pending.owner} will ${lowerFirst(pending.text)} by ${formatDay(pending.dueAt)}.`;
    return { text, by: pending.dueAt };
  }
  if (!lastOrder) return { text: 'Nothing to do right now.' };
  const { code } = lastOrder.status;
  const eta = lastOrder.eta;
  switch (code) {
    case 'placed':
      return { text: 'We confirm your payment, then prepare your order.' };
    case 'payment_failed':
      return { text: 'Update your payment method to keep your order.' };
    case 'confirmed':
      return eta
        ? { text: `We dispatch your order; it should arrive by ${formatDay(eta)}.`, by: eta }
        : { text: 'We dispatch your order.' };
    case 'shipped':
    case 'in_transit':
    case 'delayed':
      return eta
        ? { text: `Your parcel should arrive by ${formatDay(eta)}.`, by: eta }
        : { text: 'Your parcel is on its way.' };
    case 'out_for_delivery':
      return { text: 'Your parcel arrives today.' };
    case 'delivery_problem':
      return { text: 'We contact you with a replacement or a refund for your delivery.' };
    case 'delivered':
      return lastOrder.returnEligibility.eligible && lastOrder.returnEligibility.until
        ? { text: `Nothing to do. You can return items until ${formatDay(lastOrder.returnEligibility.until)}.` }
        : { text: 'Nothing to do.' };
    case 'return_requested':
      return { text: 'We review your return request.' };
    case 'return_in_progress':
      return { text: 'Send the items back; we refund you once they arrive.' };
    case 'return_rejected':
      return { text: 'Nothing to do; the reason your return was not accepted is shown with it.' };
    case 'refunded':
      return {
        text:
          `Your refund of ${formatMoney(lastOrder.refunded, lastOrder.currency)} reaches your account ` +
          `within 5 working days.`,
      };
    default:
      return { text: 'Nothing to do.' };
  }
}

/** How to reach us about this: continue the open case wherever the customer is. */
export function helpPath({ lastOrder, openCase }: CardInput): { text: string } {
  if (openCase) {
    const last = openCase.channels[openCase.channels.length - 1];
    return { text: `Reply on ${last} or any channel quoting case ${openCase.caseId}; we continue where we left off.` };
  }
  if (lastOrder) return { text: `Contact us on chat, phone or email quoting order ${lastOrder.orderId}.` };
  return { text: 'Contact us on chat, phone or email.' };
}

/** What happens if it goes wrong. */
export function recoveryPath({ lastOrder }: CardInput): { text: string } {
  if (!lastOrder) return { text: 'If anything goes wrong, contact us and we put it right.' };
  const { code } = lastOrder.status;
  if ((code === 'shipped' || code === 'in_transit' || code === 'delayed' || code === 'confirmed') && lastOrder.eta) {
    return {
      text:
        `If your parcel has not arrived by ${formatDay(addDays(lastOrder.eta, 2))}, we send a replacement ` +
        `or refund you in full.`,
    };
  }
  if (code === 'delivery_problem' || code === 'out_for_delivery') {
    return { text: 'If the delivery fails, we send a replacement or refund you in full, your choice.' };
  }
  if (code === 'delivered' && lastOrder.returnEligibility.eligible && lastOrder.returnEligibility.until) {
    const policy = lastOrder.returnEligibility.policyVersion;
    return {
      text:
        `If something is wrong, return it by ${formatDay(lastOrder.returnEligibility.until)} under returns ` +
        `policy v${policy}.`,
    };
  }
  if (code === 'return_requested' || code === 'return_in_progress') {
    return {
      text:
        'If your refund has not arrived 5 working days after we receive the items, contact us and we pay ' +
        'it at once.',
    };
  }
  return { text: `If anything goes wrong with order ${lastOrder.orderId}, contact us and we put it right.` };
}

function lowerFirst(text: string): string {
  return text.length > 0 ? text[0].toLowerCase() + text.slice(1) : text;
}
