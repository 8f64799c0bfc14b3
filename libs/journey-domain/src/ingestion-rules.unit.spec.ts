import type { JourneyEvent } from '#schemas';
import { journeyEvent } from '#testing';
import { checkIngestionRules, emptyFacts, evolveFacts } from './ingestion-rules';
import type { PolicyVersion } from './policy';

const C = 'cust-1';
const placed = journeyEvent(
  'order.placed',
  {
    orderId: 'o1',
    channel: 'web',
    currency: 'EUR',
    items: [{ sku: 'a', name: 'A', qty: 1, unitPrice: 10000 }],
    totals: { subtotal: 10000, discount: 0, shipping: 0, fees: 0, tax: 0, total: 10000 },
    promisedDelivery: { from: '2026-03-03T00:00:00Z', to: '2026-03-04T00:00:00Z' },
  },
  { subject: C, time: '2026-03-01T10:00:00Z' },
);
const captured = (amount: number) =>
  journeyEvent(
    'payment.captured',
    { orderId: 'o1', paymentId: 'p', amount, currency: 'EUR', method: 'card' },
    { subject: C },
  );
const refund = (amount: number, extra: Record<string, unknown> = {}) =>
  journeyEvent('refund.issued', { refundId: 'r', orderId: 'o1', amount, currency: 'EUR', ...extra }, { subject: C });
const delivered = journeyEvent(
  'shipment.delivered',
  { orderId: 'o1', shipmentId: 's' },
  { subject: C, time: '2026-03-05T10:00:00Z' },
);
const requested = (time: string) =>
  journeyEvent(
    'return.requested',
    { returnId: 'ret', orderId: 'o1', items: [{ sku: 'a', qty: 1 }], reason: 'x' },
    { subject: C, time },
  );
const approved = (version: number) =>
  journeyEvent(
    'return.approved',
    { returnId: 'ret', orderId: 'o1', policyId: 'std', policyVersion: version },
    { subject: C },
  );
const policies: PolicyVersion[] = [
  {
    policyId: 'std',
    version: 1,
    kind: 'returns',
    wording: '30 days',
    returnWindowDays: 30,
    effectiveFrom: '2026-01-01T00:00:00Z',
    received: 1,
  },
  {
    policyId: 'std',
    version: 2,
    kind: 'returns',
    wording: '14 days',
    returnWindowDays: 14,
    effectiveFrom: '2026-03-10T00:00:00Z',
    received: 2,
  },
];

/** given the journey so far, when `event` arrives, then these violation paths. */
function check(given: JourneyEvent[], when: JourneyEvent): string[] {
  const facts = emptyFacts();
  // The journey's events are received after the policies.
  for (const [i, event] of given.entries()) evolveFacts(facts, event, 10 + i);
  return checkIngestionRules(facts, when, policies).map((v) => `${v.path}: ${v.message}`);
}

describe('domain rules at ingestion', () => {
  it.each<[string, JourneyEvent[], JourneyEvent, RegExp[]]>([
    ['a payment for an existing order', [placed], captured(10000), []],
    ['a payment for an unknown order', [], captured(10000), [/^data.orderId: order o1 does not exist/]],
    [
      'captures above the total',
      [placed, captured(6000)],
      captured(6000),
      [/^data.amount: captures would reach 12000/],
    ],
    [
      'a payment in another currency',
      [placed],
      journeyEvent(
        'payment.captured',
        { orderId: 'o1', paymentId: 'p', amount: 1, currency: 'USD', method: 'card' },
        { subject: C },
      ),
      [/^data.currency/],
    ],
    ['a refund within what was captured', [placed, captured(10000), refund(4000)], refund(6000), []],
    [
      'a refund above what was captured',
      [placed, captured(10000), refund(4000)],
      refund(6001),
      [/^data.amount: refunds would reach 10001, above the 10000 captured/],
    ],
    ['a refund before any capture', [placed], refund(1), [/^data.amount/]],
    [
      'a refund naming an unknown return',
      [placed, captured(10000)],
      refund(1, { returnId: 'nope' }),
      [/^data.returnId/],
    ],
    ['a shipment for an unknown order', [], delivered, [/^data.orderId/]],
    [
      'a return of an item not in the order',
      [placed],
      journeyEvent(
        'return.requested',
        { returnId: 'r', orderId: 'o1', items: [{ sku: 'zz', qty: 1 }], reason: 'x' },
        { subject: C },
      ),
      [/sku zz is not part of order o1/],
    ],
    [
      'an approval under the policy in force at purchase',
      [placed, delivered, requested('2026-03-28T00:00:00Z')],
      approved(1),
      [],
    ],
    [
      'an approval under a later policy version',
      [placed, delivered, requested('2026-03-28T00:00:00Z')],
      approved(2),
      [/governed by std v1 .* not std v2/],
    ],
    [
      'an approval naming another policy',
      [placed, delivered, requested('2026-03-28T00:00:00Z')],
      journeyEvent(
        'return.approved',
        { returnId: 'ret', orderId: 'o1', policyId: 'other', policyVersion: 1 },
        { subject: C },
      ),
      [/governed by std v1 .* not other v1/],
    ],
    [
      'an approval requested after the window',
      [placed, delivered, requested('2026-04-05T00:00:00Z')],
      approved(1),
      [/cannot be approved: The 30-day return window of policy v1 has ended/],
    ],
    [
      'an approval before delivery',
      [placed, requested('2026-03-02T00:00:00Z')],
      approved(1),
      [/once the order is delivered/],
    ],
    ['an approval for a return never requested', [placed, delivered], approved(1), [/return ret was not requested/]],
    [
      'a rejection naming the governing version',
      [placed, requested('2026-04-05T00:00:00Z')],
      journeyEvent(
        'return.rejected',
        { returnId: 'ret', orderId: 'o1', policyId: 'std', policyVersion: 1, reason: 'late' },
        { subject: C },
      ),
      [],
    ],
    [
      'an order whose totals do not add up',
      [],
      journeyEvent(
        'order.placed',
        {
          ...placed.data,
          orderId: 'o2',
          totals: { subtotal: 10000, discount: 0, shipping: 0, fees: 0, tax: 0, total: 9999 },
        },
        { subject: C },
      ),
      [/^data.totals.total/],
    ],
    [
      'an order id placed twice',
      [placed],
      journeyEvent('order.placed', placed.data as never, { subject: C }),
      [/already placed/],
    ],
    [
      'a republished policy version',
      [],
      journeyEvent(
        'policy.published',
        {
          policyId: 'std',
          version: 2,
          kind: 'returns',
          wording: 'w',
          rules: { returnWindowDays: 1 },
          effectiveFrom: '2026-01-01T00:00:00Z',
        },
        { subject: 'policy/std' },
      ),
      [/std v2 is already published/],
    ],
    [
      'a contact event (no state needed)',
      [],
      journeyEvent(
        'contact.opened',
        { caseId: 'c', contactId: 'x', channel: 'chat', reason: 'r', tags: [] },
        { subject: C },
      ),
      [],
    ],
  ])('given %s', (_case, given, when, expected) => {
    const violations = check(given, when);
    expect(violations).toHaveLength(expected.length);
    expected.forEach((pattern, i) => expect(violations[i]).toMatch(pattern));
  });
});
