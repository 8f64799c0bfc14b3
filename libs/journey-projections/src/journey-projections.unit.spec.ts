import type { JourneyEvent } from '../../../schemas/src';
import { journeyEvent, projectionSpec } from '../../testing/src';
import {
  PROJECTIONS,
  caseIndexProjection,
  identityIndexProjection,
  journeyViewProjection,
  orderIndexProjection,
  policyRegistryProjection,
  renderJourneyView,
  type JourneyState,
} from './index';

const C = 'cust-1';
const at = (day: number, hour = 10) => `2026-03-${String(day).padStart(2, '0')}T${String(hour).padStart(2, '0')}:00:00Z`;
const policy = (version: number, days: number, effectiveFrom: string) =>
  journeyEvent('policy.published', { policyId: 'std', version, kind: 'returns', wording: `Return within ${days} days.`, rules: { returnWindowDays: days }, effectiveFrom }, { subject: 'policy/std', time: effectiveFrom });
const placed = (orderId = 'o1', time = at(1)) =>
  journeyEvent('order.placed', {
    orderId,
    channel: 'web',
    currency: 'EUR',
    items: [{ sku: 'a', name: 'A', qty: 1, unitPrice: 10000 }],
    totals: { subtotal: 10000, discount: 0, shipping: 0, fees: 0, tax: 0, total: 10000 },
    promisedDelivery: { from: at(4), to: at(5) },
  }, { subject: C, time });
const e = (type: Parameters<typeof journeyEvent>[0], data: Record<string, unknown>, time: string) => journeyEvent(type, data, { subject: C, time });
const captured = e('payment.captured', { orderId: 'o1', paymentId: 'p', amount: 10000, currency: 'EUR', method: 'card' }, at(1, 11));
const dispatched = e('shipment.dispatched', { orderId: 'o1', shipmentId: 's', carrier: 'DHL', trackingId: 't', eta: at(5) }, at(2));
const delayed = e('shipment.delayed', { orderId: 'o1', shipmentId: 's', newEta: at(9), reason: 'Storm' }, at(4));
const inTransitLate = e('shipment.progressed', { orderId: 'o1', shipmentId: 's', stage: 'in_transit' }, at(3));
const delivered = e('shipment.delivered', { orderId: 'o1', shipmentId: 's' }, at(9));
const journeySpec = () => projectionSpec(journeyViewProjection);
const registryOf = (...events: JourneyEvent[]) =>
  projectionSpec(policyRegistryProjection).given(...events).when().result().state('returns')?.versions ?? [];
const order = (state: JourneyState | undefined) => state!.orders[0];

describe('journey view projection', () => {
  it('given an order, when a late in-transit scan arrives after delivery, then the status stays delivered and the scan is in the timeline', () => {
    journeySpec()
      .given(placed(), captured, dispatched, delivered)
      .when(inTransitLate)
      .then(C, (state) => {
        expect(order(state).status.code).toBe('delivered');
        expect(order(state).timeline.map((t) => t.type)).toEqual(['order.placed', 'payment.captured', 'shipment.dispatched', 'shipment.progressed', 'shipment.delivered']);
      });
  });

  it('given a dispatched order, when a delay arrives and then a late copy of the dispatch, then the delayed ETA stays with its reason', () => {
    journeySpec()
      .given(placed(), dispatched, delayed)
      .when(e('shipment.dispatched', { orderId: 'o1', shipmentId: 's', carrier: 'DHL', trackingId: 't', eta: at(5) }, at(2, 9)))
      .then(C, (state) => {
        expect(order(state).eta).toBe(at(9));
        expect(order(state).status.code).toBe('delayed');
        expect(order(state).etaHistory.find((h) => h.reason === 'Storm')).toMatchObject({ eta: at(9), at: at(4) });
      });
  });

  it('given policies v1 and v2, when orders are placed before and after v2 takes effect, then each shows the version in force when it was placed', () => {
    const { state } = journeySpec().given(placed('o1', at(1)), placed('o2', at(11))).when().result();
    const policies = registryOf(policy(1, 30, '2026-01-01T00:00:00Z'), policy(2, 14, at(10)));
    const view = renderJourneyView(state(C)!, { asOf: at(12), position: 's2', returnsPolicies: policies });
    expect(view.orders.map((o) => o.policy.returns?.version)).toEqual([1, 2]);
    expect(view.orders[0].policy.returns).toMatchObject({ wording: 'Return within 30 days.', returnWindowDays: 30 });
  });

  it('given a version published after the order, even with an earlier effectiveFrom, then it does not govern the order', () => {
    const { state } = journeySpec().given(placed('o1', at(5))).when().result();
    const retroactive = journeyEvent('policy.published', { policyId: 'std', version: 2, kind: 'returns', wording: 'Return within 7 days.', rules: { returnWindowDays: 7 }, effectiveFrom: at(1) }, { subject: 'policy/std', time: at(6) });
    const view = renderJourneyView(state(C)!, { asOf: at(7), position: 's1', returnsPolicies: registryOf(policy(1, 30, '2026-01-01T00:00:00Z'), retroactive) });
    expect(view.orders[0].policy.returns?.version).toBe(1);
    const none = renderJourneyView(state(C)!, { asOf: at(7), position: 's1', returnsPolicies: registryOf(retroactive) });
    expect(none.orders[0].policy.returns).toBeNull();
    expect(none.orders[0].returnEligibility.reason).toMatch(/No returns policy/);
  });

  it('given a case, when it is handed off with a promise, then channels, handoff context and promise are kept', () => {
    journeySpec()
      .given(placed(), e('contact.opened', { caseId: 'k', contactId: 'c1', channel: 'chat', reason: 'where is it', orderId: 'o1', tags: ['confusion'] }, at(6)))
      .when(
        e('contact.handed_off', { caseId: 'k', contactId: 'c2', fromChannel: 'chat', toChannel: 'phone', contextSummary: 'Delayed by storm' }, at(6, 11)),
        e('promise.made', { caseId: 'k', promiseId: 'p1', text: 'Call back', dueAt: at(7), owner: 'tier 2' }, at(6, 12)),
      )
      .then(C, (state) => {
        expect(state!.cases[0]).toMatchObject({ channels: ['chat', 'phone'], handoffs: [{ fromChannel: 'chat', toChannel: 'phone', contextSummary: 'Delayed by storm' }], promises: [{ promiseId: 'p1', keptAt: null }] });
        const view = renderJourneyView(state!, { asOf: at(8), position: 's9', returnsPolicies: [] });
        expect(view.card.promises[0].state).toBe('overdue');
        expect(renderJourneyView(state!, { asOf: at(6, 13), position: 's9', returnsPolicies: [] }).card.promises[0].state).toBe('open');
      });
  });

  it('given a shipment for an order never placed, then the event is parked and the journey is unchanged', () => {
    const result = journeySpec().given(placed()).when(e('shipment.delivered', { orderId: 'ghost', shipmentId: 's' }, at(3))).then(C, (state) => {
      expect(order(state).status.code).toBe('placed');
    });
    expect(result.parked).toEqual([expect.objectContaining({ projection: 'journey-view', type: 'shipment.delivered', error: expect.stringMatching(/never placed/) })]);
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
        expect(order(state)).toMatchObject({ totals: { total: 10000 }, refunded: 10000, status: { code: 'refunded' }, returns: [{ returnId: 'r', status: 'refunded', policyVersion: 1 }] });
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
    expect(projectionSpec(orderIndexProjection).given(...events).when().result().state('o9')).toEqual({ customerId: C });
    expect(projectionSpec(caseIndexProjection).given(...events).when().result().state('k9')).toEqual({ customerId: C });
    expect(projectionSpec(identityIndexProjection).given(...events).when().result().state('email/ada@example.com')).toEqual({ customerId: C });
  });
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
    e('contact.opened', { caseId: 'k', contactId: 'c1', channel: 'chat', reason: 'r', orderId: 'o1', tags: [] }, at(10)),
    e('promise.made', { caseId: 'k', promiseId: 'p', text: 't', dueAt: at(11), owner: 'o' }, at(10, 11)),
    e('promise.kept', { caseId: 'k', promiseId: 'p' }, at(10, 12)),
    e('refund.issued', { refundId: 'f', orderId: 'o1', amount: 500, currency: 'EUR' }, at(12)),
  ];
  const ids: Record<string, string> = { 'policy-registry': 'returns', 'order-index': 'o1', 'case-index': 'k', 'identity-index': 'phone/+31612345678', 'journey-view': C };
  it.each(PROJECTIONS.map((p) => [p.name, p] as const))('%s', (name, projection) => {
    const dependencies = PROJECTIONS.slice(0, PROJECTIONS.indexOf(projection));
    const { once, twice } = projectionSpec(projection, { dependencies }).given(...events).when().thenIdempotent(ids[name]);
    expect(once).toBeDefined();
    expect(twice).toEqual(once);
  });
});
