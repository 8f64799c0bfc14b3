import type { CaseView, OrderView } from '#schemas';
import { CHANNELS } from '#schemas';
import { renderMessages, templateTexts } from './channel-templates';
import { helpPath, nextStep, recoveryPath } from './context-card';
import { describeStatus, type StatusCode } from './order-status';

function order(code: StatusCode, extra: Partial<OrderView> = {}): OrderView {
  return {
    orderId: 'ord-1',
    channel: 'web',
    placedAt: '2026-03-01T10:00:00Z',
    currency: 'EUR',
    items: [{ sku: 'a', name: 'A', qty: 1, unitPrice: 12855 }],
    totals: { subtotal: 12855, discount: 0, shipping: 0, fees: 0, tax: 0, total: 12855 },
    status: describeStatus(code),
    eta: '2026-03-09T18:00:00Z',
    etaHistory: [],
    policy: { returns: { policyId: 'returns', version: 1, wording: 'Return within 30 days.', returnWindowDays: 30 } },
    returnEligibility: {
      eligible: false,
      until: null,
      policyVersion: 1,
      reason: 'Returns open once the order is delivered.',
    },
    returns: [],
    refunded: 0,
    timeline: [],
    ...extra,
  };
}

function openCase(promises: CaseView['promises'] = []): CaseView {
  return {
    caseId: 'case-1',
    status: 'open',
    channels: ['chat', 'phone'],
    lastReason: 'r',
    tags: [],
    handoffs: [],
    promises,
  };
}

const promise = (state: 'open' | 'kept' | 'overdue', dueAt = '2026-03-13T17:00:00Z') => ({
  promiseId: `p-${state}`,
  text: 'Email a prepaid return label',
  dueAt,
  owner: 'returns desk',
  state,
});

describe('next step', () => {
  it.each<[string, OrderView | null, CaseView | null, RegExp, string | undefined]>([
    ['no order, no case', null, null, /Nothing to do/, undefined],
    [
      'an open promise',
      order('delivered'),
      openCase([promise('open')]),
      /returns desk will email a prepaid return label by Fri 13 Mar 2026/,
      '2026-03-13T17:00:00Z',
    ],
    [
      'an overdue promise comes first',
      order('delivered'),
      openCase([promise('open', '2026-03-20T00:00:00Z'), promise('overdue')]),
      /We are late/,
      '2026-03-13T17:00:00Z',
    ],
    [
      'a kept promise is not a next step',
      order('in_transit'),
      openCase([promise('kept')]),
      /should arrive by Mon 9 Mar 2026/,
      '2026-03-09T18:00:00Z',
    ],
    ['a delayed parcel', order('delayed'), null, /should arrive by Mon 9 Mar 2026/, '2026-03-09T18:00:00Z'],
    ['a failed payment', order('payment_failed'), null, /Update your payment method/, undefined],
    [
      'a delivered order within its window',
      order('delivered', {
        returnEligibility: { eligible: true, until: '2026-04-08T11:20:00Z', policyVersion: 1, reason: '' },
      }),
      null,
      /return items until Wed 8 Apr 2026/,
      undefined,
    ],
    ['a refund', order('refunded', { refunded: 8900 }), null, /refund of EUR 89\.00/, undefined],
  ])('given %s, then the next step says %s', (_case, lastOrder, c, text, by) => {
    const step = nextStep({ lastOrder, openCase: c });
    expect(step.text).toMatch(text);
    expect(step.by).toBe(by);
  });
});

describe('help and recovery paths', () => {
  it.each<[string, OrderView | null, CaseView | null, RegExp, RegExp]>([
    [
      'an open case continues on its last channel',
      order('delivered'),
      openCase(),
      /Reply on phone or any channel quoting case case-1/,
      /.+/,
    ],
    [
      'a delayed order',
      order('delayed'),
      null,
      /quoting order ord-1/,
      /has not arrived by Wed 11 Mar 2026, we send a replacement/,
    ],
    [
      'a delivery problem',
      order('delivery_problem'),
      null,
      /quoting order ord-1/,
      /replacement or refund you in full, your choice/,
    ],
    [
      'a return in progress',
      order('return_in_progress'),
      null,
      /quoting order ord-1/,
      /5 working days after we receive the items/,
    ],
    ['no order', null, null, /chat, phone or email\.$/, /put it right/],
  ])('given %s', (_case, lastOrder, c, help, recovery) => {
    expect(helpPath({ lastOrder, openCase: c }).text).toMatch(help);
    expect(recoveryPath({ lastOrder, openCase: c }).text).toMatch(recovery);
  });
});

describe('channel message templates', () => {
  const view = {
    orders: [order('delayed')],
    card: {
      lastOrder: { orderId: 'ord-1', status: 'delayed', total: 12855, currency: 'EUR' },
      openCase: null,
      lastContactReason: null,
      promises: [promise('open'), promise('kept')],
      nextStep: { text: 'Your parcel should arrive by Mon 9 Mar 2026.' },
      helpPath: { text: '' },
      recoveryPath: { text: '' },
    },
  };

  it('words each template once: status, policy, next step and the promises not yet kept', () => {
    expect(templateTexts(view)).toEqual([
      {
        templateId: 'order_status',
        text:
          'Order ord-1: Delayed. Your parcel is running late; the new delivery date is shown. Expected by ' +
          'Mon 9 Mar 2026. Order total EUR 128.55.',
      },
      {
        templateId: 'return_policy',
        text: 'Returns policy v1: Return within 30 days. Returns open once the order is delivered.',
      },
      { templateId: 'next_step', text: 'Your parcel should arrive by Mon 9 Mar 2026.' },
      { templateId: 'promise', text: 'We promised: Email a prepaid return label (by Fri 13 Mar 2026, open).' },
    ]);
  });

  it.each(CHANNELS)('given channel %s, then every message carries the shared wording unchanged', (channel) => {
    const messages = renderMessages(view, channel);
    const shared = templateTexts(view);
    expect(messages.map((m) => m.templateId)).toEqual(shared.map((t) => t.templateId));
    messages.forEach((m, i) => {
      expect(m.channel).toBe(channel);
      expect(m.text).toContain(shared[i].text);
    });
  });

  it('frames per channel: a greeting by email, a script on the phone', () => {
    expect(renderMessages(view, 'email')[0].text).toMatch(/^Hello,\n\nOrder ord-1/);
    expect(renderMessages(view, 'phone')[0].text).toMatch(/^Say to the customer: "Order ord-1/);
    expect(renderMessages(view, 'web')[0].text).toMatch(/^Order ord-1/);
  });
});
