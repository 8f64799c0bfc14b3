import type { JourneyEvent } from '#schemas';
import { journeyEvent } from '#testing';
import {
  METRIC_NAMES,
  UnityMetrics,
  isoWeek,
  parseWindow,
  percentile,
  type MetricName,
  type MetricsOptions,
} from './unity-metrics';

const MARCH: MetricsOptions = { from: '2026-03-01T00:00:00Z', to: '2026-04-01T00:00:00Z' };

/** `received`: the sequence at which the log received each event (default: the order given). */
function run(
  events: JourneyEvent[],
  options: MetricsOptions = MARCH,
  received: number[] = events.map((_, i) => i + 1),
) {
  const metrics = new UnityMetrics(options);
  for (const [i, e] of events.entries()) metrics.add(e, received[i]);
  const rows = metrics.result();
  const get = (metric: MetricName, group = 'all') => rows.find((r) => r.metric === metric && r.group === group);
  return { rows, get };
}

const opened = (
  customer: string,
  caseId: string,
  time: string,
  data: { reason?: string; orderId?: string; channel?: string; tags?: string[]; contactId?: string } = {},
) =>
  journeyEvent(
    'contact.opened',
    {
      caseId,
      contactId: data.contactId ?? `${caseId}-1`,
      channel: data.channel ?? 'chat',
      reason: data.reason ?? 'question',
      tags: data.tags ?? [],
      ...(data.orderId ? { orderId: data.orderId } : {}),
    },
    { subject: customer, time },
  );
const resolved = (customer: string, caseId: string, time: string) =>
  journeyEvent('contact.resolved', { caseId, resolution: 'answered' }, { subject: customer, time });
const placed = (
  customer: string,
  orderId: string,
  time: string,
  extra: { checkoutId?: string; channel?: string; total?: number } = {},
) =>
  journeyEvent(
    'order.placed',
    {
      orderId,
      ...(extra.checkoutId ? { checkoutId: extra.checkoutId } : {}),
      channel: extra.channel ?? 'web',
      currency: 'EUR',
      items: [{ sku: 'A', name: 'A', qty: 1, unitPrice: extra.total ?? 1000 }],
      totals: { subtotal: extra.total ?? 1000, discount: 0, shipping: 0, fees: 0, tax: 0, total: extra.total ?? 1000 },
      promisedDelivery: { from: '2026-03-20T00:00:00Z', to: '2026-03-21T00:00:00Z' },
    },
    { subject: customer, time },
  );

describe('repeat contact rate', () => {
  it(
    'given contacts about the same order or reason, when replayed, then those followed within the window ' +
      'count, the boundary inclusive',
    () => {
      const { get } = run([
        opened('c1', 'A', '2026-03-01T10:00:00Z', { orderId: 'o1', reason: 'where is my parcel' }),
        // same order, 4 days: A is repeated
        opened('c1', 'B', '2026-03-05T10:00:00Z', { orderId: 'o1', reason: 'still waiting' }),
        opened('c1', 'C', '2026-03-20T10:00:00Z', { reason: 'refund' }),
        opened('c2', 'D', '2026-03-01T10:00:00Z', { orderId: 'o2', reason: 'x' }),
        // same reason, exactly 7 days: D is repeated
        opened('c2', 'E', '2026-03-08T10:00:00Z', { orderId: 'o3', reason: 'x' }),
        opened('c3', 'F', '2026-03-01T10:00:00Z', { reason: 'y' }),
        opened('c3', 'G', '2026-03-08T10:01:00Z', { reason: 'y' }), // 7 days and a minute: not
        opened('c9', 'Z', '2026-03-01T10:30:00Z', { reason: 'x' }), // another customer, same reason: not
      ]);
      expect(get('repeat_contact_rate')).toEqual({
        metric: 'repeat_contact_rate',
        group: 'all',
        numerator: 2,
        denominator: 8,
        value: 0.25,
      });
    },
  );

  it(
    'given a contact on the last day of the range, when its follow-up comes after the range, then it is ' +
      'repeated and the follow-up is not counted',
    () => {
      const { get } = run([
        opened('c4', 'H', '2026-03-31T20:00:00Z', { reason: 'r' }),
        opened('c4', 'I', '2026-04-02T09:00:00Z', { reason: 'r' }),
      ]);
      expect(get('repeat_contact_rate')).toMatchObject({ numerator: 1, denominator: 1, value: 1 });
    },
  );

  it(
    'given a late contact appended after one it happened before, when replayed, then the earlier in time is ' +
      'the repeated one',
    () => {
      const { get } = run([
        opened('c5', 'J', '2026-03-10T10:00:00Z', { reason: 'r' }),
        opened('c5', 'K', '2026-03-09T10:00:00Z', { reason: 'r' }),
      ]);
      expect(get('repeat_contact_rate')).toMatchObject({ numerator: 1, denominator: 2 });
    },
  );

  it('given a window of 2 days, when replayed, then a follow-up after 3 days does not count', () => {
    const events = [
      opened('c6', 'L', '2026-03-10T10:00:00Z', { reason: 'r' }),
      opened('c6', 'M', '2026-03-13T10:00:00Z', { reason: 'r' }),
    ];
    expect(run(events, { ...MARCH, windowMs: parseWindow('2d') }).get('repeat_contact_rate')).toMatchObject({
      numerator: 0,
      denominator: 2,
    });
    expect(run(events).get('repeat_contact_rate')).toMatchObject({ numerator: 1, denominator: 2 });
  });
});

describe('time to resolution and first contact resolution', () => {
  const events = [
    opened('c1', 'case1', '2026-03-01T00:00:00Z'),
    resolved('c1', 'case1', '2026-03-01T10:00:00Z'), // 10 h, one contact
    opened('c2', 'case2', '2026-03-02T00:00:00Z'),
    journeyEvent(
      'contact.handed_off',
      {
        caseId: 'case2',
        contactId: 'case2-2',
        fromChannel: 'chat',
        toChannel: 'phone',
        contextSummary: 'asks about o2',
      },
      { subject: 'c2', time: '2026-03-02T01:00:00Z' },
    ),
    resolved('c2', 'case2', '2026-03-03T00:00:00Z'), // 24 h, two contacts
    opened('c3', 'case3', '2026-03-04T00:00:00Z'),
    resolved('c3', 'case3', '2026-03-04T02:00:00Z'),
    journeyEvent(
      'contact.reopened',
      { caseId: 'case3', reason: 'not fixed' },
      { subject: 'c3', time: '2026-03-05T00:00:00Z' },
    ),
    resolved('c3', 'case3', '2026-03-06T00:00:00Z'), // 48 h to the last resolution, reopened
    opened('c4', 'case4', '2026-03-30T00:00:00Z'), // still open at the end
    opened('c5', 'case5', '2026-03-31T00:00:00Z'),
    resolved('c5', 'case5', '2026-04-02T00:00:00Z'), // resolved after the range: open at its end
    opened('c6', 'case6', '2026-02-20T00:00:00Z'),
    resolved('c6', 'case6', '2026-03-02T00:00:00Z'), // opened before the range, resolved in it: 240 h
    resolved('c7', 'case7', '2026-03-10T18:00:00Z'), // out of order: the resolution appended first
    opened('c7', 'case7', '2026-03-10T12:00:00Z'), // 6 h
    opened('c8', 'case8', '2026-03-11T00:00:00Z'),
    resolved('c8', 'case8', '2026-03-11T01:00:00Z'),
    journeyEvent(
      'contact.reopened',
      { caseId: 'case8', reason: 'again' },
      { subject: 'c8', time: '2026-03-12T00:00:00Z' },
    ), // reopened, never resolved again: open
  ];

  it(
    'given cases resolved, reopened and still open, when replayed, then p50 and p90 are over the cases ' +
      'resolved in the range (nearest rank)',
    () => {
      const { get } = run(events);
      // durations 6, 10, 24, 48, 240 hours
      expect(get('time_to_resolution_p50_hours')).toMatchObject({ value: 24, numerator: 5 });
      expect(get('time_to_resolution_p90_hours')).toMatchObject({ value: 240, numerator: 5 });
      expect(get('cases_open_at_end')).toMatchObject({ value: 3 }); // case4, case5, case8
    },
  );

  it(
    'given the same cases, when replayed, then first contact resolution is one contact and no reopen, over ' +
      'resolved cases',
    () => {
      expect(run(events).get('first_contact_resolution')).toEqual({
        metric: 'first_contact_resolution',
        group: 'all',
        numerator: 3,
        denominator: 5,
        value: 0.6,
      });
    },
  );
});

describe('repeated story rate', () => {
  it(
    'given channel switches with and without context, when replayed, then the ones without context over all ' +
      'switches in open cases',
    () => {
      const handoff = (customer: string, caseId: string, from: string, to: string, context?: string) =>
        journeyEvent(
          'contact.handed_off',
          {
            caseId,
            contactId: `${caseId}-2`,
            fromChannel: from,
            toChannel: to,
            ...(context ? { contextSummary: context } : {}),
          },
          { subject: customer, time: '2026-03-02T11:00:00Z' },
        );
      const { get } = run([
        opened('c1', 'S1', '2026-03-02T10:00:00Z', { channel: 'chat' }),
        handoff('c1', 'S1', 'chat', 'phone', 'wants a refund for o1'), // switch with context
        opened('c2', 'S2', '2026-03-02T10:00:00Z', { channel: 'web' }),
        handoff('c2', 'S2', 'web', 'phone'), // switch, no context: repeated story
        opened('c3', 'S3', '2026-03-02T10:00:00Z', { channel: 'email' }),
        // new contact elsewhere, no handoff
        opened('c3', 'S3', '2026-03-02T12:00:00Z', { channel: 'phone', contactId: 'S3-2' }),
        opened('c4', 'S4', '2026-03-02T10:00:00Z', { channel: 'chat' }),
        handoff('c4', 'S4', 'chat', 'chat'), // same channel, another team: no switch
        opened('c5', 'S5', '2026-03-02T10:00:00Z', { channel: 'chat' }),
        resolved('c5', 'S5', '2026-03-02T10:30:00Z'),
        // case closed: not a switch within an open case
        opened('c5', 'S5', '2026-03-03T10:00:00Z', { channel: 'phone', contactId: 'S5-2' }),
      ]);
      expect(get('repeated_story_rate')).toMatchObject({ numerator: 2, denominator: 3 });
    },
  );
});

describe('policy disputes and confusion volume', () => {
  it(
    'given tagged contacts, returns and orders, when replayed, then disputes per 100 returns and confusion ' +
      'per 1000 orders in the range',
    () => {
      const { get } = run([
        placed('c0', 'o0', '2026-02-27T10:00:00Z'), // before the range
        placed('c1', 'o1', '2026-03-02T10:00:00Z'),
        placed('c2', 'o2', '2026-03-03T10:00:00Z'),
        placed('c3', 'o3', '2026-03-04T10:00:00Z'),
        journeyEvent(
          'return.requested',
          { returnId: 'r1', orderId: 'o1', items: [{ sku: 'A', qty: 1 }], reason: 'too small' },
          { subject: 'c1', time: '2026-03-10T10:00:00Z' },
        ),
        journeyEvent(
          'return.requested',
          { returnId: 'r2', orderId: 'o2', items: [{ sku: 'A', qty: 1 }], reason: 'broken' },
          { subject: 'c2', time: '2026-03-11T10:00:00Z' },
        ),
        opened('c1', 'k1', '2026-03-12T10:00:00Z', { tags: ['policy_dispute'] }),
        opened('c2', 'k2', '2026-03-12T10:00:00Z', { tags: ['confusion'] }),
        opened('c0', 'k0', '2026-02-28T10:00:00Z', { tags: ['confusion'] }), // before the range
      ]);
      expect(get('policy_dispute_per_100_returns')).toMatchObject({ numerator: 1, denominator: 2, value: 50 });
      expect(get('confusion_per_1000_orders')!.value).toBeCloseTo(333.333, 3);
      expect(get('confusion_per_1000_orders')).toMatchObject({ numerator: 1, denominator: 3 });
    },
  );
});

describe('promise kept rate', () => {
  it(
    'given promises kept on time, late, never, and due after the range, when replayed, then kept by due time ' +
      'over promises due in the range',
    () => {
      const made = (id: string, dueAt: string) =>
        journeyEvent(
          'promise.made',
          { caseId: 'P', promiseId: id, text: 'call back', dueAt, owner: 'support' },
          { subject: 'c1', time: '2026-03-01T09:00:00Z' },
        );
      const kept = (id: string, time: string) =>
        journeyEvent('promise.kept', { caseId: 'P', promiseId: id }, { subject: 'c1', time });
      const { get } = run([
        opened('c1', 'P', '2026-03-01T08:00:00Z'),
        made('p1', '2026-03-05T00:00:00Z'),
        kept('p1', '2026-03-04T00:00:00Z'),
        made('p2', '2026-03-06T00:00:00Z'),
        kept('p2', '2026-03-07T00:00:00Z'),
        made('p3', '2026-03-08T00:00:00Z'),
        made('p4', '2026-04-05T00:00:00Z'),
      ]);
      expect(get('promise_kept_rate')).toMatchObject({ numerator: 1, denominator: 3 });
    },
  );
});

describe('truth drift', () => {
  it(
    'given messages showing the truth, an outdated status, a wrong total, and none about a known order, when ' +
      "replayed, then drift is judged at each message's log position",
    () => {
      const message = (shown: Record<string, unknown>, orderId?: string, customer = 'c1') =>
        journeyEvent(
          'channel.message_sent',
          { channel: 'email', templateId: 'order_status', ...(orderId ? { orderId } : {}), shown },
          { subject: customer, time: '2026-03-03T10:00:00Z' },
        );
      const { get } = run([
        journeyEvent(
          'policy.published',
          {
            policyId: 'returns-standard',
            version: 1,
            kind: 'returns',
            wording: '30 days',
            rules: { returnWindowDays: 30 },
            effectiveFrom: '2026-01-01T00:00:00Z',
          },
          { subject: 'policy/returns-standard', time: '2026-01-01T00:00:00Z' },
        ),
        placed('c1', 'o1', '2026-03-02T10:00:00Z', { total: 12855 }),
        journeyEvent(
          'payment.captured',
          { orderId: 'o1', paymentId: 'p1', amount: 12855, currency: 'EUR', method: 'card' },
          { subject: 'c1', time: '2026-03-02T10:01:00Z' },
        ),
        message({ status: 'confirmed', total: 12855, policyVersion: 1 }, 'o1'), // true
        journeyEvent(
          'shipment.dispatched',
          { orderId: 'o1', shipmentId: 's1', carrier: 'PostNL', trackingId: 'T1', eta: '2026-03-05T00:00:00Z' },
          { subject: 'c1', time: '2026-03-03T08:00:00Z' },
        ),
        message({ status: 'confirmed' }, 'o1'), // outdated: shipped now
        message({ total: 9999 }, 'o1'), // wrong total
        message({ status: 'shipped' }), // no order named: the customer's last order, true
        message({ policyVersion: 2 }, 'o1'), // wrong policy version
        journeyEvent(
          'shipment.delivered',
          { orderId: 'o1', shipmentId: 's1' },
          { subject: 'c1', time: '2026-03-04T12:00:00Z' },
        ),
        journeyEvent(
          'shipment.progressed',
          { orderId: 'o1', shipmentId: 's1', stage: 'in_transit' },
          { subject: 'c1', time: '2026-03-04T08:00:00Z' },
        ), // late: status stays delivered
        message({ status: 'delivered' }, 'o1'), // true
        message({ status: 'delivered' }, undefined, 'c-without-orders'), // not judged
      ]);
      expect(get('truth_drift_rate')).toMatchObject({ numerator: 3, denominator: 6, value: 0.5 });
    },
  );
});

describe('truth drift on a partitioned log', () => {
  it(
    'given the policies read after the messages (another partition) though received first, when replayed, ' +
      'then the version in force at placement still decides',
    () => {
      const message = (policyVersion: number) =>
        journeyEvent(
          'channel.message_sent',
          { channel: 'web', templateId: 'return_policy', orderId: 'o1', shown: { policyVersion } },
          { subject: 'c1', time: '2026-03-03T10:00:00Z' },
        );
      const policy = (version: number, effectiveFrom: string, published: string) =>
        journeyEvent(
          'policy.published',
          {
            policyId: 'returns-standard',
            version,
            kind: 'returns',
            wording: `v${version}`,
            rules: { returnWindowDays: 30 },
            effectiveFrom,
          },
          { subject: 'policy/returns-standard', time: published },
        );
      const events = [
        placed('c1', 'o1', '2026-03-02T10:00:00Z'),
        message(1), // true: v1 governs an order placed on March 2
        message(2), // v2 is in force only from March 10
        policy(1, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
        policy(2, '2026-03-10T00:00:00Z', '2026-03-01T00:00:00Z'),
      ];
      // Read in this order; received: the policies first.
      expect(run(events, MARCH, [3, 4, 5, 1, 2]).get('truth_drift_rate')).toMatchObject({
        numerator: 1,
        denominator: 2,
      });
    },
  );

  it('given a back-dated policy received after the order, when replayed, then it does not govern the order', () => {
    const message = (policyVersion: number) =>
      journeyEvent(
        'channel.message_sent',
        { channel: 'web', templateId: 'return_policy', orderId: 'o1', shown: { policyVersion } },
        { subject: 'c1', time: '2026-03-03T10:00:00Z' },
      );
    const policy = (version: number, effectiveFrom: string) =>
      journeyEvent(
        'policy.published',
        {
          policyId: 'returns-standard',
          version,
          kind: 'returns',
          wording: `v${version}`,
          rules: { returnWindowDays: 30 },
          effectiveFrom,
        },
        { subject: 'policy/returns-standard', time: effectiveFrom },
      );
    const { get } = run([
      policy(1, '2026-01-01T00:00:00Z'),
      placed('c1', 'o1', '2026-03-02T10:00:00Z'),
      policy(2, '2026-02-01T00:00:00Z'), // effective and "published" before the order, but received after it
      message(1), // true
      message(2), // drift
    ]);
    expect(get('truth_drift_rate')).toMatchObject({ numerator: 1, denominator: 2 });
  });
});

describe('key step completion', () => {
  it(
    'given checkouts completed, unpaid and abandoned, and returns refunded or not, when replayed, then each ' +
      'step over the one before',
    () => {
      const started = (customer: string, checkoutId: string) =>
        journeyEvent(
          'checkout.started',
          { checkoutId, channel: 'web', currency: 'EUR', items: [{ sku: 'A', name: 'A', qty: 1, unitPrice: 1000 }] },
          { subject: customer, time: '2026-03-02T10:00:00Z' },
        );
      const { get } = run([
        started('c1', 'k1'),
        placed('c1', 'o1', '2026-03-02T10:05:00Z', { checkoutId: 'k1' }),
        journeyEvent(
          'payment.captured',
          { orderId: 'o1', paymentId: 'p1', amount: 1000, currency: 'EUR', method: 'card' },
          { subject: 'c1', time: '2026-03-02T10:06:00Z' },
        ),
        started('c2', 'k2'),
        placed('c2', 'o2', '2026-03-02T10:05:00Z', { checkoutId: 'k2' }),
        journeyEvent(
          'payment.failed',
          { orderId: 'o2', paymentId: 'p2', amount: 1000, currency: 'EUR', reason: 'declined' },
          { subject: 'c2', time: '2026-03-02T10:06:00Z' },
        ),
        started('c3', 'k3'),
        journeyEvent(
          'return.requested',
          { returnId: 'r1', orderId: 'o1', items: [{ sku: 'A', qty: 1 }], reason: 'too small' },
          { subject: 'c1', time: '2026-03-10T10:00:00Z' },
        ),
        journeyEvent(
          'refund.issued',
          { refundId: 'f1', orderId: 'o1', returnId: 'r1', amount: 1000, currency: 'EUR' },
          { subject: 'c1', time: '2026-03-15T10:00:00Z' },
        ),
        journeyEvent(
          'return.requested',
          { returnId: 'r2', orderId: 'o2', items: [{ sku: 'A', qty: 1 }], reason: 'too big' },
          { subject: 'c2', time: '2026-03-10T10:00:00Z' },
        ),
      ]);
      expect(get('key_step_checkout_to_order')).toMatchObject({ numerator: 2, denominator: 3 });
      expect(get('key_step_order_to_payment')).toMatchObject({ numerator: 1, denominator: 2 });
      expect(get('key_step_checkout_to_payment')).toMatchObject({ numerator: 1, denominator: 3 });
      expect(get('key_step_return_to_refund')).toMatchObject({ numerator: 1, denominator: 2 });
    },
  );
});

describe('breakdowns', () => {
  const events = [
    opened('c1', 'A', '2026-03-01T10:00:00Z', { reason: 'late', channel: 'chat' }),
    opened('c1', 'B', '2026-03-03T10:00:00Z', { reason: 'late', channel: 'phone' }),
    opened('c2', 'C', '2026-03-10T10:00:00Z', { reason: 'refund', channel: 'chat', tags: ['confusion'] }),
    placed('c2', 'o2', '2026-03-09T10:00:00Z'),
  ];

  it('given --by channel, when replayed, then each contact counts under its own channel', () => {
    const { get } = run(events, { ...MARCH, by: 'channel' });
    expect(get('repeat_contact_rate', 'chat')).toMatchObject({ numerator: 1, denominator: 2 });
    expect(get('repeat_contact_rate', 'phone')).toMatchObject({ numerator: 0, denominator: 1 });
  });

  it('given --by reason, when replayed, then contact metrics split by reason and volumes are over all orders', () => {
    const { get } = run(events, { ...MARCH, by: 'reason' });
    expect(get('repeat_contact_rate', 'late')).toMatchObject({ numerator: 1, denominator: 2 });
    expect(get('confusion_per_1000_orders', 'refund')).toMatchObject({ numerator: 1, denominator: 1, value: 1000 });
  });

  it('given --by week, when replayed, then items group by ISO week', () => {
    const { get } = run(events, { ...MARCH, by: 'week' });
    expect(get('repeat_contact_rate', '2026-W09')).toMatchObject({ numerator: 1, denominator: 1 });
    expect(get('repeat_contact_rate', '2026-W10')).toMatchObject({ numerator: 0, denominator: 1 });
    expect(get('repeat_contact_rate', '2026-W11')).toMatchObject({ numerator: 0, denominator: 1 });
  });
});

describe('an empty range', () => {
  it(
    'given no events, when replayed without a breakdown, then every metric has its row, with no value where ' +
      'nothing was counted',
    () => {
      const { rows } = run([]);
      expect(rows.map((r) => r.metric)).toEqual([...METRIC_NAMES]);
      expect(rows.find((r) => r.metric === 'cases_open_at_end')).toMatchObject({ value: 0 });
      expect(
        rows.filter((r) => r.metric !== 'cases_open_at_end').every((r) => r.value === null && r.denominator === 0),
      ).toBe(true);
    },
  );
});

describe('helpers', () => {
  it.each([
    ['2026-01-01T00:00:00Z', '2026-W01'],
    ['2026-03-01T10:00:00Z', '2026-W09'],
    ['2026-03-02T00:00:00Z', '2026-W10'],
    ['2026-12-31T12:00:00Z', '2026-W53'],
    ['2027-01-01T00:00:00Z', '2026-W53'],
    ['2027-01-04T00:00:00Z', '2027-W01'],
    ['2024-12-30T00:00:00Z', '2025-W01'],
  ])('given %s, the ISO week is %s', (time, week) => {
    expect(isoWeek(Date.parse(time))).toBe(week);
  });

  it.each([
    ['7d', 7 * 86_400_000],
    ['48h', 48 * 3_600_000],
    ['30m', 30 * 60_000],
  ])('given window %s, it is %s ms', (text, ms) => expect(parseWindow(text)).toBe(ms));

  it.each(['7', '0d', '-1d', '1w', 'd7'])('given window %s, it is refused', (text) =>
    expect(() => parseWindow(text)).toThrow(RangeError),
  );

  it('nearest-rank percentiles', () => {
    expect(percentile([], 50)).toBeNull();
    expect(percentile([5], 90)).toBe(5);
    expect(percentile([1, 2, 3, 4], 50)).toBe(2);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90)).toBe(9);
  });

  it('refuses a range that ends before it starts', () => {
    expect(() => new UnityMetrics({ from: '2026-03-02T00:00:00Z', to: '2026-03-01T00:00:00Z' })).toThrow(
      /to must be after from/,
    );
    expect(() => new UnityMetrics({ from: 'yesterday', to: '2026-03-01T00:00:00Z' })).toThrow(/ISO-8601/);
  });
});
