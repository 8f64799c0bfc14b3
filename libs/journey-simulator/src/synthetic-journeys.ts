import type { Channel, EventData, EventType, JourneyEvent } from '../../../schemas/src';
import { seededRandom } from './seeded-random';

export interface SyntheticOptions {
  /** Stop after this many events. */
  events: number;
  /** @defaultValue 1 */
  seed?: number;
  /** Journeys generated side by side, their events interleaved as in a live log. @defaultValue 64 */
  concurrentJourneys?: number;
  /** Prefix of customer ids, so separate runs do not collide. @defaultValue 'cust' */
  customerPrefix?: string;
}

const CHANNELS: Channel[] = ['web', 'email', 'chat', 'phone', 'store'];
const POLICY_ID = 'returns-standard';
const HOUR = 3_600_000;
const BASE = Date.parse('2026-01-05T00:00:00Z');

/**
 * Realistic journeys that pass every ingestion rule (totals add up, refunds within captures, a
 * governing policy version): for benchmarks and crash tests. The returns policy comes first.
 */
export function* syntheticEvents(options: SyntheticOptions): Generator<JourneyEvent> {
  const random = seededRandom(options.seed ?? 1);
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)];
  const prefix = options.customerPrefix ?? 'cust';
  let emitted = 0;
  let id = 0;
  const make = <T extends EventType>(type: T, subject: string, time: number, data: EventData<T>): JourneyEvent =>
    ({
      specversion: '1.0',
      id: `${prefix}-e${++id}`,
      source: '/simulator',
      type,
      subject,
      time: new Date(time).toISOString(),
      datacontenttype: 'application/json',
      schemaversion: type === 'shipment.delayed' ? 2 : 1,
      data,
    }) as JourneyEvent;

  yield make('policy.published', `policy/${POLICY_ID}`, BASE - 30 * 24 * HOUR, {
    policyId: POLICY_ID,
    version: 1,
    kind: 'returns',
    wording: 'Return any item within 30 days of delivery for a full refund.',
    rules: { returnWindowDays: 30 },
    effectiveFrom: new Date(BASE - 30 * 24 * HOUR).toISOString(),
  });
  emitted++;

  const journey = function* (n: number): Generator<JourneyEvent> {
    const customer = `${prefix}-${n}`;
    const orderId = `${prefix}-o${n}`;
    let t = BASE + n * 60_000;
    const step = (hours: number) => (t += Math.max(1, Math.round(hours * HOUR * (0.5 + random()))));
    const channel = pick(CHANNELS);
    const items = Array.from({ length: 1 + Math.floor(random() * 3) }, (_, i) => ({ sku: `SKU-${i}-${Math.floor(random() * 500)}`, name: `Item ${i}`, qty: 1 + Math.floor(random() * 2), unitPrice: 500 + Math.floor(random() * 9500) }));
    const subtotal = items.reduce((s, i) => s + i.qty * i.unitPrice, 0);
    const discount = random() < 0.3 ? Math.floor(subtotal * 0.1) : 0;
    const shipping = 495;
    const tax = Math.floor((subtotal - discount) * 0.21);
    const total = subtotal - discount + shipping + tax;
    if (random() < 0.3) yield make('identity.linked', customer, step(0.1), { kind: 'email', value: `${customer}@example.com` });
    yield make('checkout.started', customer, step(0.1), { checkoutId: `${orderId}-chk`, channel, currency: 'EUR', items });
    yield make('order.placed', customer, step(0.2), {
      orderId, checkoutId: `${orderId}-chk`, channel, currency: 'EUR', items,
      totals: { subtotal, discount, shipping, fees: 0, tax, total },
      promisedDelivery: { from: new Date(t + 48 * HOUR).toISOString(), to: new Date(t + 72 * HOUR).toISOString() },
    });
    if (random() < 0.05) {
      yield make('payment.failed', customer, step(0.01), { orderId, paymentId: `${orderId}-p0`, amount: total, currency: 'EUR', reason: 'card declined' });
    }
    yield make('payment.captured', customer, step(0.02), { orderId, paymentId: `${orderId}-p1`, amount: total, currency: 'EUR', method: 'card' });
    const shipmentId = `${orderId}-s`;
    yield make('shipment.dispatched', customer, step(20), { orderId, shipmentId, carrier: 'PostNL', trackingId: `T${n}`, eta: new Date(t + 48 * HOUR).toISOString() });
    if (random() < 0.2) {
      yield make('shipment.delayed', customer, step(24), { orderId, shipmentId, newEta: new Date(t + 72 * HOUR).toISOString(), reason: 'Carrier backlog', reasonCode: 'carrier_capacity' });
    }
    yield make('shipment.progressed', customer, step(10), { orderId, shipmentId, stage: 'in_transit', location: 'Hub' });
    const delivered = random() < 0.92;
    if (delivered) yield make('shipment.delivered', customer, step(20), { orderId, shipmentId });
    else yield make('shipment.exception', customer, step(20), { orderId, shipmentId, kind: 'lost' });
    if (random() < 0.4) {
      const caseId = `${orderId}-case`;
      const first = pick(CHANNELS);
      yield make('contact.opened', customer, step(5), { caseId, contactId: `${caseId}-1`, channel: first, reason: delivered ? 'question about my order' : 'parcel lost', orderId, tags: random() < 0.2 ? ['confusion'] : [] });
      if (random() < 0.5) {
        yield make('contact.handed_off', customer, step(0.2), { caseId, contactId: `${caseId}-2`, fromChannel: first, toChannel: 'phone', contextSummary: random() < 0.8 ? 'Customer asks about the order' : undefined });
      }
      if (random() < 0.5) {
        yield make('promise.made', customer, step(0.2), { caseId, promiseId: `${caseId}-p`, text: 'Call back with an update', dueAt: new Date(t + 24 * HOUR).toISOString(), owner: 'support' });
        if (random() < 0.7) yield make('promise.kept', customer, step(10), { caseId, promiseId: `${caseId}-p` });
      }
      yield make('contact.resolved', customer, step(2), { caseId, resolution: 'answered' });
    }
    if (delivered && random() < 0.2) {
      const returnId = `${orderId}-r`;
      yield make('return.requested', customer, step(48), { returnId, orderId, items: [{ sku: items[0].sku, qty: 1 }], reason: 'does not fit' });
      yield make('return.approved', customer, step(2), { returnId, orderId, policyId: POLICY_ID, policyVersion: 1 });
      yield make('return.received', customer, step(48), { returnId, orderId });
      yield make('refund.issued', customer, step(5), { refundId: `${orderId}-f`, orderId, returnId, amount: items[0].unitPrice, currency: 'EUR' });
    }
  };

  const width = options.concurrentJourneys ?? 64;
  const active: Array<Generator<JourneyEvent>> = [];
  let next = 0;
  while (emitted < options.events) {
    while (active.length < width) active.push(journey(next++));
    const i = Math.floor(random() * active.length);
    const result = active[i].next();
    if (result.done) {
      active.splice(i, 1);
      continue;
    }
    yield result.value;
    emitted++;
  }
}
