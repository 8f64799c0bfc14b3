import type { OrderView } from '#schemas';
import { journeyEvent } from '#testing';
import { customerNotification, type NotifiedEvent } from './customer-notification';

const order = (status: OrderView['status'], policyVersion: number | null): OrderView =>
  ({
    orderId: 'o-1',
    currency: 'EUR',
    totals: { subtotal: 10_000, discount: 0, shipping: 495, fees: 0, tax: 0, total: 10_495 },
    status,
    eta: '2026-12-09T12:00:00Z',
    policy: {
      returns:
        policyVersion === null
          ? null
          : { policyId: 'returns', version: policyVersion, wording: '30 days', returnWindowDays: 30 },
    },
  }) as unknown as OrderView;

const delayed = journeyEvent(
  'shipment.delayed',
  {
    orderId: 'o-1',
    shipmentId: 's-1',
    newEta: '2026-12-09T12:00:00Z',
    reason: 'storm',
    reasonCode: 'weather',
  },
  { subject: 'c-1' },
) as NotifiedEvent;
const refunded = journeyEvent(
  'refund.issued',
  { refundId: 'r-1', orderId: 'o-1', amount: 1_250, currency: 'EUR' },
  { subject: 'c-1' },
) as NotifiedEvent;
const DELAYED = { code: 'delayed', label: 'Delayed', expect: 'The carrier has a new delivery date.' };
const REFUNDED = { code: 'refunded', label: 'Refunded', expect: 'The money is on its way back.' };

describe('customer notification (the notifier email)', () => {
  it.each([
    {
      given: 'a delayed order with a returns policy',
      event: delayed,
      view: [order(DELAYED, 3)],
      subject: 'Your order o-1 is delayed',
      text: /^Hello,\n\nOrder o-1: Delayed\. The carrier has a new delivery date\. Expected by .+ total .*104\.95/,
      shown: { status: 'delayed', total: 10_495, policyVersion: 3 },
    },
    {
      given: 'a refunded order without a policy',
      event: refunded,
      view: [order(REFUNDED, null)],
      subject: 'Refund of EUR 12.50 for order o-1',
      text: /^Hello,\n\nOrder o-1: Refunded\. The money is on its way back\. Order total .*104\.95\.\n\nKind regards/,
      shown: { status: 'refunded', total: 10_495 },
    },
  ])('given $given, when notified, then it shows the shared order_status wording', (row) => {
    const mail = customerNotification(row.event, { orders: row.view });
    expect(mail?.subject).toBe(row.subject);
    expect(mail?.text).toMatch(row.text);
    expect(mail?.sent).toEqual({
      channel: 'email',
      templateId: 'order_status',
      orderId: 'o-1',
      shown: row.shown,
      text: mail?.text,
    });
  });

  it('given a view without the order, when notified, then there is nothing to send', () => {
    expect(customerNotification(delayed, { orders: [] })).toBeNull();
  });
});
