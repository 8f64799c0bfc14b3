import type { JourneyEvent } from '#schemas';
import { journeyEvent, projectionSpec } from '#testing';
import {
  PROJECTIONS,
  caseIndexProjection,
  identityIndexProjection,
  journeyViewProjection,
  orderIndexProjection,
  policiesDeciding,
  policyRegistryProjection,
  renderJourneyView,
  type JourneyState,
} from './index';
import { governingPolicy, type PolicyVersion } from '#journey-domain';
import { asStored } from '#testing';
import { applyEvents, type Projection } from '#projection-runtime';
import { kafkaPositions, sqlitePositions } from '#journey-log';

const C = 'cust-1';
const at = (day: number, hour = 10) =>
  `2026-03-${String(day).padStart(2, '0')}T${String(hour).padStart(2, '0')}:00:00Z`;
const policy = (version: number, days: number, effectiveFrom: string) =>
  journeyEvent(
    'policy.published',
    {
      policyId: 'std',
      version,
      kind: 'returns',
      wording: `Return within ${days} days.`,
      rules: { returnWindowDays: days },
      effectiveFrom,
    },
    { subject: 'policy/std', time: effectiveFrom },
  );
const placed = (orderId = 'o1', time = at(1)) =>
  journeyEvent(
    'order.placed',
    {
      orderId,
      channel: 'web',
      currency: 'EUR',
      items: [{ sku: 'a', name: 'A', qty: 1, unitPrice: 10000 }],
      totals: { subtotal: 10000, discount: 0, shipping: 0, fees: 0, tax: 0, total: 10000 },
      promisedDelivery: { from: at(4), to: at(5) },
    },
    { subject: C, time },
  );
const e = (type: Parameters<typeof journeyEvent>[0], data: Record<string, unknown>, time: string) =>
  journeyEvent(type, data, { subject: C, time });
const captured = e(
  'payment.captured',
  { orderId: 'o1', paymentId: 'p', amount: 10000, currency: 'EUR', method: 'card' },
  at(1, 11),
);
const dispatched = e(
  'shipment.dispatched',
  { orderId: 'o1', shipmentId: 's', carrier: 'DHL', trackingId: 't', eta: at(5) },
  at(2),
);
// Sent as v1 (no reasonCode), as an old producer does: the projection sees it upcast.
const delayed = journeyEvent(
  'shipment.delayed',
  { orderId: 'o1', shipmentId: 's', newEta: at(9), reason: 'Storm' },
  { subject: C, time: at(4), schemaversion: 1 },
);
const inTransitLate = e('shipment.progressed', { orderId: 'o1', shipmentId: 's', stage: 'in_transit' }, at(3));
const delivered = e('shipment.delivered', { orderId: 'o1', shipmentId: 's' }, at(9));
const journeySpec = () => projectionSpec(journeyViewProjection);
/** The registry's documents after these policies (received at sequence 1, 2, ...), as a store lists them. */
function registryDocuments(events: readonly JourneyEvent[], startAt = 1) {
  const documents = new Map<string, { value: unknown; position: string | null }>();
  applyEvents([policyRegistryProjection], asStored(events, startAt), documents, { positions: sqlitePositions });
  return [...documents]
    .map(([key, doc]) => ({ id: key.slice(key.indexOf('\u0001') + 1), value: doc.value as PolicyVersion }))
    .sort((a, b) => (a.id < b.id ? -1 : 1));
}
const registryOf = (...events: JourneyEvent[]) => registryDocuments(events).map((d) => d.value);
const order = (state: JourneyState | null | undefined) => state!.orders[0];

describe('journey view projection', () => {
  it(
    'given an order, when a late in-transit scan arrives after delivery, then the status stays delivered and ' +
      'the scan is in the timeline',
    () => {
      journeySpec()
        .given(placed(), captured, dispatched, delivered)
        .when(inTransitLate)
        .then(C, (state) => {
          expect(order(state).status.code).toBe('delivered');
          expect(order(state).timeline.map((t) => t.type)).toEqual([
            'order.placed',
            'payment.captured',
            'shipment.dispatched',
            'shipment.progressed',
            'shipment.delivered',
          ]);
        });
    },
  );

  it(
    'given a dispatched order, when a delay arrives and then a late copy of the dispatch, then the delayed ' +
      'ETA stays with its reason',
    () => {
      journeySpec()
        .given(placed(), dispatched, delayed)
        .when(
          e(
            'shipment.dispatched',
            { orderId: 'o1', shipmentId: 's', carrier: 'DHL', trackingId: 't', eta: at(5) },
            at(2, 9),
          ),
        )
        .then(C, (state) => {
          expect(order(state).eta).toBe(at(9));
          expect(order(state).status.code).toBe('delayed');
          expect(order(state).etaHistory.find((h) => h.reason === 'Storm')).toMatchObject({ eta: at(9), at: at(4) });
        });
    },
  );

  it(
    'given policies v1 and v2, when orders are placed before and after v2 takes effect, then each shows the ' +
      'version in force when it was placed',
    () => {
      // The orders at sequence 1 and 2, the policies at 1 and 2 of a log that received them first.
      const { state } = journeySpec()
        .given(placed('o1', at(1)), placed('o2', at(11)))
        .when()
        .result();
      const policies = registryDocuments([policy(1, 30, '2026-01-01T00:00:00Z'), policy(2, 14, at(10))], -10).map(
        (d) => d.value,
      );
      const view = renderJourneyView(state(C)!, { asOf: at(12), position: 's2', returnsPolicies: policies });
      expect(view.orders.map((o) => o.policy.returns?.version)).toEqual([1, 2]);
      expect(view.orders[0].policy.returns).toMatchObject({ wording: 'Return within 30 days.', returnWindowDays: 30 });
    },
  );

  it(
    'given a version received after the order, even back-dated (time and effectiveFrom before the order), ' +
      'then it does not govern the order',
    () => {
      // The order is the 5th event the log received; v1 the 1st, the back-dated v2 the 6th.
      const { state } = journeySpec()
        .given(placed('o1', at(5)))
        .when()
        .result();
      const ordered = { ...state(C)!, orders: state(C)!.orders.map((o) => ({ ...o, received: 5 })) };
      const backdated = journeyEvent(
        'policy.published',
        {
          policyId: 'std',
          version: 2,
          kind: 'returns',
          wording: 'Return within 7 days.',
          rules: { returnWindowDays: 7 },
          effectiveFrom: at(1),
        },
        { subject: 'policy/std', time: at(2) },
      );
      const [v1] = registryDocuments([policy(1, 30, '2026-01-01T00:00:00Z')], 1).map((d) => d.value);
      const [v2] = registryDocuments([backdated], 6).map((d) => d.value);
      const view = renderJourneyView(ordered, { asOf: at(7), position: 's6', returnsPolicies: [v1, v2] });
      expect(view.orders[0].policy.returns?.version).toBe(1);
      const none = renderJourneyView(ordered, { asOf: at(7), position: 's6', returnsPolicies: [v2] });
      expect(none.orders[0].policy.returns).toBeNull();
      expect(none.orders[0].returnEligibility.reason).toMatch(/No returns policy/);
    },
  );

  it('given a case, when it is handed off with a promise, then channels, handoff context and promise are kept', () => {
    journeySpec()
      .given(
        placed(),
        e(
          'contact.opened',
          { caseId: 'k', contactId: 'c1', channel: 'chat', reason: 'where is it', orderId: 'o1', tags: ['confusion'] },
          at(6),
        ),
      )
      .when(
        e(
          'contact.handed_off',
          { caseId: 'k', contactId: 'c2', fromChannel: 'chat', toChannel: 'phone', contextSummary: 'Delayed by storm' },
          at(6, 11),
        ),
        e(
          'promise.made',
          { caseId: 'k', promiseId: 'p1', text: 'Call back', dueAt: at(7), owner: 'tier 2' },
          at(6, 12),
        ),
      )
      .then(C, (state) => {
        expect(state!.cases[0]).toMatchObject({
          channels: ['chat', 'phone'],
          handoffs: [{ fromChannel: 'chat', toChannel: 'phone', contextSummary: 'Delayed by storm' }],
          promises: [{ promiseId: 'p1', keptAt: null }],
        });
        const view = renderJourneyView(state!, { asOf: at(8), position: 's9', returnsPolicies: [] });
        expect(view.card.promises[0].state).toBe('overdue');
        expect(
          renderJourneyView(state!, { asOf: at(6, 13), position: 's9', returnsPolicies: [] }).card.promises[0].state,
        ).toBe('open');
      });
  });

  it('given a shipment for an order never placed, then the event is parked and the journey is unchanged', () => {
    const result = journeySpec()
      .given(placed())
      .when(e('shipment.delivered', { orderId: 'ghost', shipmentId: 's' }, at(3)))
      .then(C, (state) => {
        expect(order(state).status.code).toBe('placed');
      });
    expect(result.parked).toEqual([
      expect.objectContaining({
        projection: 'journey-view',
        type: 'shipment.delivered',
        error: expect.stringMatching(/never placed/),
      }),
    ]);
  });

  it('given a return and its refund, then the totals are never rewritten and the refund shows beside them', () => {
    journeySpec()
      .given(policy(1, 30, '2026-01-01T00:00:00Z'), placed(), captured, delivered)
      .when(
        e('return.requested', { returnId: 'r', orderId: 'o1', items: [{ sku: 'a', qty: 1 }], reason: 'x' }, at(12)),
        e('return.approved', { returnId: 'r', orderId: 'o1', policyId: 'std', policyVersion: 1 }, at(12, 11)),
        e('refund.issued', { refundId: 'f', orderId: 'o1', returnId: 'r', amount: 10000, currency: 'EUR' }, at(14)),
      )
      .then(C, (state) => {
        expect(order(state)).toMatchObject({
          totals: { total: 10000 },
          refunded: 10000,
          status: { code: 'refunded' },
          returns: [{ returnId: 'r', status: 'refunded', policyVersion: 1 }],
        });
      });
  });

  it('renders the same canonical fields whatever the channel; only messages differ', () => {
    const { state } = journeySpec().given(placed(), captured, dispatched, delayed).when().result();
    const returnsPolicies = registryOf(policy(1, 30, '2026-01-01T00:00:00Z'));
    const web = renderJourneyView(state(C)!, { asOf: at(6), position: 's5', channel: 'web', returnsPolicies });
    const phone = renderJourneyView(state(C)!, { asOf: at(6), position: 's5', channel: 'phone', returnsPolicies });
    const { messages: webMessages, ...webCanonical } = web;
    const { messages: phoneMessages, ...phoneCanonical } = phone;
    expect(phoneCanonical).toEqual(webCanonical);
    expect(webMessages).not.toEqual(phoneMessages);
  });
});

describe('lookup indexes', () => {
  it('map order, case and identity to the customer', () => {
    const events: JourneyEvent[] = [
      placed('o9'),
      e('contact.opened', { caseId: 'k9', contactId: 'c', channel: 'email', reason: 'r', tags: [] }, at(2)),
      e('identity.linked', { kind: 'email', value: 'Ada@Example.com' }, at(1)),
    ];
    expect(
      projectionSpec(orderIndexProjection)
        .given(...events)
        .when()
        .result()
        .state('o9'),
    ).toEqual({ customerId: C, at: 1 });
    expect(
      projectionSpec(caseIndexProjection)
        .given(...events)
        .when()
        .result()
        .state('k9'),
    ).toEqual({ customerId: C, at: 2 });
    expect(
      projectionSpec(identityIndexProjection)
        .given(...events)
        .when()
        .result()
        .state('email/ada@example.com'),
    ).toEqual({ customerId: C, at: 3 });
  });

  const link = (subject: string) =>
    journeyEvent('identity.linked', { kind: 'email', value: 'x@example.com' }, { subject });
  const unlink = (subject: string) =>
    journeyEvent('identity.unlinked', { kind: 'email', value: 'x@example.com' }, { subject });
  /**
   * Applies the events in the order given, each at the sequence the log received it, as a
   * partitioned log delivers them: each customer's events on a partition of its own, in order.
   */
  const holder = (arrivals: Array<[JourneyEvent, number]>) => {
    const documents = new Map<string, { value: unknown; position: string | null }>();
    for (const [event, sequence] of arrivals) {
      const position = `k.${event.subject === 'a' ? 0 : 1}:${sequence}`;
      applyEvents([identityIndexProjection], [{ event, position, journeyVersion: 1, sequence }], documents, {
        positions: kafkaPositions,
      });
    }
    return (documents.get(`identity-index\u0001email/x@example.com`)?.value as { customerId: string | null })
      .customerId;
  };
  it.each<[string, Array<[string, number]>, string | null]>([
    ['linked', [['link a', 1]], 'a'],
    [
      'linked, then unlinked',
      [
        ['link a', 1],
        ['unlink a', 2],
      ],
      null,
    ],
    [
      'passed on, in log order',
      [
        ['link a', 1],
        ['unlink a', 2],
        ['link b', 3],
      ],
      'b',
    ],
    [
      'passed on, the new link delivered before the unlink',
      [
        ['link a', 1],
        ['link b', 3],
        ['unlink a', 2],
      ],
      'b',
    ],
    [
      'passed on, the new link delivered first of all',
      [
        ['link b', 3],
        ['link a', 1],
        ['unlink a', 2],
      ],
      'b',
    ],
    [
      'unlinked by someone else',
      [
        ['link a', 1],
        ['unlink b', 2],
      ],
      'a',
    ],
  ])('given an identity %s, its holder is %s', (_case, steps, expected) => {
    const events = {
      'link a': link('a'),
      'link b': link('b'),
      'unlink a': unlink('a'),
      'unlink b': unlink('b'),
    } as Record<string, JourneyEvent>;
    expect(holder(steps.map(([step, sequence]) => [events[step], sequence]))).toBe(expected);
  });

  it(
    'keeps an order with the customer whose claim the log received first, whatever order they are delivered ' + 'in',
    () => {
      const documents = new Map<string, { value: unknown; position: string | null }>();
      const first = { ...placed('o5'), subject: 'first' } as JourneyEvent;
      const later = { ...placed('o5'), subject: 'later' } as JourneyEvent;
      // On two partitions: delivered in either order.
      applyEvents(
        [orderIndexProjection],
        [{ event: later, position: 'k.1:9', journeyVersion: 1, sequence: 9 }],
        documents,
        { positions: kafkaPositions },
      );
      applyEvents(
        [orderIndexProjection],
        [{ event: first, position: 'k.0:4', journeyVersion: 1, sequence: 4 }],
        documents,
        { positions: kafkaPositions },
      );
      expect(documents.get('order-index\u0001o5')?.value).toEqual({ customerId: 'first', at: 4 });
    },
  );
});

describe('the policy registry, as read for an order', () => {
  it(
    'gives, for random policies and orders, the version governingPolicy gives over every published ' + 'version',
    async () => {
      let seed = 11;
      const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
      for (let round = 0; round < 100; round++) {
        const events = Array.from({ length: 1 + Math.floor(random() * 40) }, (_, i) =>
          ((policyId: string) =>
            journeyEvent(
              'policy.published',
              {
                policyId,
                version: 1 + Math.floor(random() * 4) + i * 10,
                kind: random() < 0.85 ? 'returns' : 'shipping',
                wording: 'w',
                rules: { returnWindowDays: 30 },
                effectiveFrom:
                  `2026-0${1 + Math.floor(random() * 6)}-0${1 + Math.floor(random() * 3)}T00:00:00` +
                  (random() < 0.5 ? 'Z' : '.000Z'),
              },
              { subject: `policy/${policyId}` },
            ))(random() < 0.7 ? 'std' : `p${Math.floor(random() * 3)}`),
        );
        const documents = registryDocuments(events);
        const all = documents.map((d) => d.value);
        const list = async (before: string, limit: number) =>
          documents
            .filter((d) => d.id < before)
            .reverse()
            .slice(0, limit);
        for (let o = 0; o < 5; o++) {
          const order = {
            placedAt: `2026-0${1 + Math.floor(random() * 7)}-02T00:00:00Z`,
            received: Math.floor(random() * (events.length + 2)),
          };
          const deciding = await policiesDeciding(list, order);
          expect(governingPolicy(deciding, order)).toEqual(governingPolicy(all, order));
          // Not the whole registry: what ranks above the order's placement is never read.
          expect(deciding.every((p) => Date.parse(p.effectiveFrom) <= Date.parse(order.placedAt))).toBe(true);
        }
      }
    },
  );
});

describe('every projection applied twice to the same events gives the same state', () => {
  const events: JourneyEvent[] = [
    policy(1, 30, '2026-01-01T00:00:00Z'),
    e('identity.linked', { kind: 'phone', value: '+31 6 1234 5678' }, at(1)),
    placed(),
    captured,
    dispatched,
    delayed,
    delivered,
    inTransitLate,
    e(
      'contact.opened',
      { caseId: 'k', contactId: 'c1', channel: 'chat', reason: 'r', orderId: 'o1', tags: [] },
      at(10),
    ),
    e('promise.made', { caseId: 'k', promiseId: 'p', text: 't', dueAt: at(11), owner: 'o' }, at(10, 11)),
    e('promise.kept', { caseId: 'k', promiseId: 'p' }, at(10, 12)),
    e('refund.issued', { refundId: 'f', orderId: 'o1', amount: 500, currency: 'EUR' }, at(12)),
  ];
  // The first document each projection keeps for these events.
  const firstDocument = (projection: Projection) =>
    events.flatMap((event) => (projection.canHandle.includes(event.type) ? [projection.documentId(event)] : []))[0];
  it.each(PROJECTIONS.map((p) => [p.name, p] as const))('%s', (name, projection) => {
    const dependencies = PROJECTIONS.slice(0, PROJECTIONS.indexOf(projection));
    const { once, twice } = projectionSpec(projection, { dependencies })
      .given(...events)
      .when()
      .thenIdempotent(firstDocument(projection) ?? `no event of ${name}`);
    expect(once).toBeDefined();
    expect(twice).toEqual(once);
  });
});
