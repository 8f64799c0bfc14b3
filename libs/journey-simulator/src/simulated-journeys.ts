import type { Channel, EventData, EventType, JourneyEvent } from '#schemas';
import {
  governingPolicy,
  nextStatus,
  publishedPolicyVersion,
  statusSuggestedBy,
  type PolicyVersion,
  type StatusState,
} from '#journey-domain';
import { seededRandom } from './seeded-random';

/**
 * How often each defect happens, each a probability in [0, 1] per occasion (per checkout, per
 * order, per contact, ...). `journey metrics` on the simulated log finds them back.
 */
export interface DefectRates {
  /** Checkouts started and never turned into an order. */
  abandonedCheckout: number;
  /** Orders whose payment fails and is never captured. */
  paymentFailure: number;
  /** Shipments delayed once. */
  delay: number;
  /** Shipments lost (refunded in full). */
  lost: number;
  /** Orders with a contact (a case). */
  contact: number;
  /** Contacts followed within three days by another contact about the same order. */
  repeatContact: number;
  /** Cases handed off to another channel. */
  handoff: number;
  /** Handoffs that carry no context summary (the customer repeats the story). */
  handoffWithoutContext: number;
  /** Cases where the agent makes a promise. */
  promise: number;
  /** Promises kept late or never. */
  brokenPromise: number;
  /** Resolved cases reopened once. */
  reopen: number;
  /** Contacts tagged `confusion`. */
  confusion: number;
  /** Delivered orders returned. */
  returned: number;
  /** Returns rejected (no refund). */
  returnRejected: number;
  /** Returns followed by a contact tagged `policy_dispute`. */
  policyDispute: number;
  /** At each milestone of an order (paid or failed, delivered or lost, refunded), a channel message about it. */
  message: number;
  /** Messages whose shown status or total contradicts the truth. */
  contradiction: number;
}

export const DEFAULT_DEFECT_RATES: DefectRates = {
  abandonedCheckout: 0.1,
  paymentFailure: 0.05,
  delay: 0.2,
  lost: 0.04,
  contact: 0.4,
  repeatContact: 0.15,
  handoff: 0.5,
  handoffWithoutContext: 0.2,
  promise: 0.5,
  brokenPromise: 0.3,
  reopen: 0.1,
  confusion: 0.2,
  returned: 0.2,
  returnRejected: 0.1,
  policyDispute: 0.3,
  message: 0.3,
  contradiction: 0.1,
};

export interface SimulationOptions {
  /** Customers, one order journey each (unbounded when absent: stop with `events`). */
  customers?: number;
  /** Stop after this many events. */
  events?: number;
  /** @defaultValue 1 */
  seed?: number;
  /** Prefix of customer ids, so separate runs do not collide. @defaultValue 'cust' */
  customerPrefix?: string;
  /** When the first journey starts. @defaultValue 2026-01-05T00:00:00Z */
  start?: string;
  /** Days over which journeys start. @defaultValue 90 */
  days?: number;
  /** Journeys in progress side by side, interleaved as in a live log. @defaultValue 64 */
  concurrentJourneys?: number;
  rates?: Partial<DefectRates>;
  /**
   * Policy versions the log already holds (received before anything simulated): a return decision names the version
   * that governs its order among them and the simulation's own, as the returns app must.
   */
  existingPolicies?: readonly PolicyVersion[];
}

/** What the simulation put in, counted as it was generated: the answers `journey metrics` should find. */
export interface SimulationCounts {
  checkouts: number;
  orders: number;
  captured: number;
  contacts: number;
  repeatedContacts: number;
  confusionContacts: number;
  handoffs: number;
  handoffsWithoutContext: number;
  promises: number;
  promisesKeptOnTime: number;
  returns: number;
  refundedReturns: number;
  disputeContacts: number;
  messages: number;
  contradictions: number;
  events: number;
}

const CHANNELS: Channel[] = ['web', 'email', 'chat', 'phone', 'store'];
const CONTACT_REASONS = [
  'where is my order',
  'change delivery address',
  'question about the invoice',
  'item not as described',
];
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/**
 * Realistic customer journeys that pass every ingestion rule (totals add up, refunds within
 * captures, return decisions under the governing policy version and inside its window), with
 * defects at the given rates: failed payments, delays and lost parcels, contacts across channels
 * with handoffs (some without context), promises (some broken), repeat contacts, returns under a
 * policy that changes half-way (v1: 30 days, v2: 14 days), refunds, and channel messages (some
 * contradicting the truth). Seeded: the same options give the same events.
 */
export function simulatedJourneys(options: SimulationOptions, counts?: SimulationCounts): Generator<JourneyEvent> {
  return generate(options, counts ?? emptyCounts());
}

export function emptyCounts(): SimulationCounts {
  return {
    checkouts: 0,
    orders: 0,
    captured: 0,
    contacts: 0,
    repeatedContacts: 0,
    confusionContacts: 0,
    handoffs: 0,
    handoffsWithoutContext: 0,
    promises: 0,
    promisesKeptOnTime: 0,
    returns: 0,
    refundedReturns: 0,
    disputeContacts: 0,
    messages: 0,
    contradictions: 0,
    events: 0,
  };
}

function* generate(options: SimulationOptions, counts: SimulationCounts): Generator<JourneyEvent> {
  const rates = { ...DEFAULT_DEFECT_RATES, ...options.rates };
  const random = seededRandom(options.seed ?? 1);
  const chance = (p: number) => random() < p;
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)];
  const prefix = options.customerPrefix ?? 'cust';
  // The simulation's own returns policy, named after its prefix so that runs and other data never share one.
  const policyId = `${prefix}-returns`;
  const existing = options.existingPolicies ?? [];
  const base = Date.parse(options.start ?? '2026-01-05T00:00:00Z');
  const span = (options.days ?? 90) * DAY;
  const customers = options.customers ?? Number.POSITIVE_INFINITY;
  // Journeys start evenly over the span (an unbounded run: one a minute).
  const spacing = Number.isFinite(customers) ? span / Math.max(1, customers) : 60_000;
  const maxEvents = options.events ?? Number.POSITIVE_INFINITY;
  let id = 0;
  const make = <T extends EventType>(type: T, subject: string, time: number, data: EventData<T>): JourneyEvent => {
    counts.events++;
    return {
      specversion: '1.0',
      id: `${prefix}-e${++id}`,
      source: '/simulator',
      type,
      subject,
      time: new Date(time).toISOString(),
      datacontenttype: 'application/json',
      schemaversion: type === 'shipment.delayed' ? 2 : 1,
      data,
    } as JourneyEvent;
  };

  const policyEvents = [
    make('policy.published', `policy/${policyId}`, base - 30 * DAY, {
      policyId,
      version: 1,
      kind: 'returns',
      wording: 'Return any item within 30 days of delivery for a full refund.',
      rules: { returnWindowDays: 30 },
      effectiveFrom: new Date(base - 30 * DAY).toISOString(),
    }),
    make('policy.published', `policy/${policyId}`, base + span / 2 - DAY, {
      policyId,
      version: 2,
      kind: 'returns',
      wording: 'Return any item within 14 days of delivery for a full refund.',
      rules: { returnWindowDays: 14 },
      effectiveFrom: new Date(base + span / 2).toISOString(),
    }),
  ];
  // Received by the log after what it holds, in this order, before any order (they are emitted first).
  const firstReceived = Math.max(-1, ...existing.map((p) => p.received)) + 1;
  const policies: PolicyVersion[] = [
    ...existing,
    ...policyEvents.map((e, i) =>
      publishedPolicyVersion(e as Extract<JourneyEvent, { type: 'policy.published' }>, firstReceived + i),
    ),
  ];

  const journey = function* (n: number): Generator<JourneyEvent> {
    const customer = `${prefix}-${n}`;
    const orderId = `${prefix}-o${n}`;
    const checkoutId = `${orderId}-chk`;
    let t = base + n * spacing;
    const step = (hours: number) => (t += Math.max(60_000, Math.round(hours * HOUR * (0.5 + random()))));
    const channel = pick(CHANNELS);
    const items = Array.from({ length: 1 + Math.floor(random() * 3) }, (_, i) => ({
      sku: `SKU-${i}-${Math.floor(random() * 500)}`,
      name: `Item ${i}`,
      qty: 1 + Math.floor(random() * 2),
      unitPrice: 500 + Math.floor(random() * 9500),
    }));
    const subtotal = items.reduce((s, i) => s + i.qty * i.unitPrice, 0);
    const discount = chance(0.3) ? Math.floor(subtotal * 0.1) : 0;
    const shipping = 495;
    const tax = Math.floor((subtotal - discount) * 0.21);
    const total = subtotal - discount + shipping + tax;

    if (chance(0.3))
      yield make('identity.linked', customer, step(0.1), { kind: 'email', value: `${customer}@example.com` });
    counts.checkouts++;
    yield make('checkout.started', customer, step(0.1), { checkoutId, channel, currency: 'EUR', items });
    if (chance(rates.abandonedCheckout)) return;

    // The truth of the order as the log has it so far: what an honest message shows.
    let status: StatusState = { code: 'placed', since: '' };
    let captured = 0;
    let refunded = 0;
    const track = (event: JourneyEvent) => {
      if (event.type === 'payment.captured') captured += event.data.amount;
      if (event.type === 'refund.issued') refunded += event.data.amount;
      const candidate = statusSuggestedBy(event, { captured, refunded });
      if (candidate) status = nextStatus(status, candidate, event.time);
      return event;
    };
    const placedAt = step(0.2);
    const placed = make('order.placed', customer, placedAt, {
      orderId,
      checkoutId,
      channel,
      currency: 'EUR',
      items,
      totals: { subtotal, discount, shipping, fees: 0, tax, total },
      promisedDelivery: { from: new Date(t + 48 * HOUR).toISOString(), to: new Date(t + 72 * HOUR).toISOString() },
    });
    status = { code: 'placed', since: placed.time };
    counts.orders++;
    yield placed;
    const message = function* (): Generator<JourneyEvent> {
      if (!chance(rates.message)) return;
      counts.messages++;
      const contradict = chance(rates.contradiction);
      if (contradict) counts.contradictions++;
      const shown = contradict
        ? chance(0.5)
          ? { status: status.code === 'placed' ? 'delivered' : 'placed', total }
          : { status: status.code, total: total + 100 }
        : { status: status.code, total };
      yield make('channel.message_sent', customer, step(0.5), {
        channel: pick(CHANNELS),
        templateId: 'order_status',
        orderId,
        shown,
      });
    };

    if (chance(rates.paymentFailure)) {
      yield track(
        make('payment.failed', customer, step(0.01), {
          orderId,
          paymentId: `${orderId}-p0`,
          amount: total,
          currency: 'EUR',
          reason: 'card declined',
        }),
      );
      yield* message();
      return;
    }
    yield track(
      make('payment.captured', customer, step(0.02), {
        orderId,
        paymentId: `${orderId}-p1`,
        amount: total,
        currency: 'EUR',
        method: 'card',
      }),
    );
    counts.captured++;
    yield* message();
    const shipmentId = `${orderId}-s`;
    yield track(
      make('shipment.dispatched', customer, step(20), {
        orderId,
        shipmentId,
        carrier: 'PostNL',
        trackingId: `T${n}`,
        eta: new Date(t + 48 * HOUR).toISOString(),
      }),
    );
    if (chance(rates.delay)) {
      yield track(
        make('shipment.delayed', customer, step(24), {
          orderId,
          shipmentId,
          newEta: new Date(t + 72 * HOUR).toISOString(),
          reason: 'Carrier backlog',
          reasonCode: 'carrier_capacity',
        }),
      );
    }
    yield track(
      make('shipment.progressed', customer, step(10), { orderId, shipmentId, stage: 'in_transit', location: 'Hub' }),
    );
    const lost = chance(rates.lost);
    if (lost) yield track(make('shipment.exception', customer, step(20), { orderId, shipmentId, kind: 'lost' }));
    else yield track(make('shipment.delivered', customer, step(20), { orderId, shipmentId }));
    const deliveredAt = t;
    yield* message();

    if (chance(rates.contact)) {
      const caseId = `${orderId}-case`;
      const first = pick(CHANNELS);
      const reason = lost ? 'parcel lost' : pick(CONTACT_REASONS);
      const confused = chance(rates.confusion);
      counts.contacts++;
      if (confused) counts.confusionContacts++;
      const openedAt = step(5);
      yield make('contact.opened', customer, openedAt, {
        caseId,
        contactId: `${caseId}-1`,
        channel: first,
        reason,
        orderId,
        tags: confused ? ['confusion'] : [],
      });
      if (chance(rates.handoff)) {
        const to = pick(CHANNELS.filter((c) => c !== first));
        const withoutContext = chance(rates.handoffWithoutContext);
        counts.handoffs++;
        if (withoutContext) counts.handoffsWithoutContext++;
        yield make('contact.handed_off', customer, step(0.2), {
          caseId,
          contactId: `${caseId}-2`,
          fromChannel: first,
          toChannel: to,
          ...(withoutContext ? {} : { contextSummary: `Customer asks about ${orderId}: ${reason}` }),
        });
      }
      if (chance(rates.promise)) {
        const madeAt = step(0.2);
        const dueAt = madeAt + 24 * HOUR;
        counts.promises++;
        yield make('promise.made', customer, madeAt, {
          caseId,
          promiseId: `${caseId}-p`,
          text: 'Call back with an update',
          dueAt: new Date(dueAt).toISOString(),
          owner: 'support',
        });
        if (!chance(rates.brokenPromise)) {
          counts.promisesKeptOnTime++;
          yield make('promise.kept', customer, madeAt + (2 + random() * 18) * HOUR, {
            caseId,
            promiseId: `${caseId}-p`,
          });
          t = Math.max(t, madeAt + 20 * HOUR);
        } else if (chance(0.5)) {
          // Kept, but too late.
          yield make('promise.kept', customer, dueAt + (6 + random() * 30) * HOUR, {
            caseId,
            promiseId: `${caseId}-p`,
          });
          t = Math.max(t, dueAt + 36 * HOUR);
        }
      }
      yield make('contact.resolved', customer, step(2), { caseId, resolution: 'answered' });
      if (chance(rates.reopen)) {
        yield make('contact.reopened', customer, step(12), { caseId, reason: 'still not sorted' });
        yield make('contact.resolved', customer, step(6), { caseId, resolution: 'answered again' });
      }
      if (chance(rates.repeatContact)) {
        // Within three days of the first contact, about the same order: the first one repeated.
        counts.contacts++;
        counts.repeatedContacts++;
        const again = `${orderId}-case2`;
        yield make('contact.opened', customer, Math.max(t, openedAt) + 60_000, {
          caseId: again,
          contactId: `${again}-1`,
          channel: pick(CHANNELS),
          reason: 'following up',
          orderId,
          tags: [],
        });
        t = Math.max(t, openedAt) + 60_000;
        yield make('contact.resolved', customer, step(1), { caseId: again, resolution: 'answered' });
      }
    }

    if (lost) {
      yield track(
        make('refund.issued', customer, step(24), {
          refundId: `${orderId}-f`,
          orderId,
          amount: total,
          currency: 'EUR',
        }),
      );
      yield* message();
      return;
    }
    if (chance(rates.returned)) {
      const returnId = `${orderId}-r`;
      counts.returns++;
      t = Math.max(t, deliveredAt) + (1 + random() * 4) * DAY;
      yield track(
        make('return.requested', customer, t, {
          returnId,
          orderId,
          items: [{ sku: items[0].sku, qty: 1 }],
          reason: 'does not fit',
        }),
      );
      const governing = governingPolicy(policies, { placedAt: placed.time, received: Number.POSITIVE_INFINITY })!;
      if (chance(rates.returnRejected)) {
        yield track(
          make('return.rejected', customer, step(2), {
            returnId,
            orderId,
            policyId: governing.policyId,
            policyVersion: governing.version,
            reason: 'item was used',
          }),
        );
      } else {
        yield track(
          make('return.approved', customer, step(2), {
            returnId,
            orderId,
            policyId: governing.policyId,
            policyVersion: governing.version,
          }),
        );
        yield track(make('return.received', customer, step(48), { returnId, orderId }));
        counts.refundedReturns++;
        yield track(
          make('refund.issued', customer, step(5), {
            refundId: `${orderId}-f`,
            orderId,
            returnId,
            amount: items[0].unitPrice,
            currency: 'EUR',
          }),
        );
      }
      if (chance(rates.policyDispute)) {
        // Not about the order itself, and a reason of its own: it does not make another contact a repeat.
        counts.disputeContacts++;
        counts.contacts++;
        const dispute = `${orderId}-dispute`;
        yield make('contact.opened', customer, step(3), {
          caseId: dispute,
          contactId: `${dispute}-1`,
          channel: pick(CHANNELS),
          reason: 'disagrees with the return decision',
          tags: ['policy_dispute'],
        });
        yield make('contact.resolved', customer, step(2), { caseId: dispute, resolution: 'policy explained' });
      }
      yield* message();
    }
  };

  // The policy versions first (a producer publishes before the orders they govern).
  let emitted = 0;
  for (const event of policyEvents) {
    if (emitted >= maxEvents) return;
    yield event;
    emitted++;
  }
  const width = options.concurrentJourneys ?? 64;
  const active: Array<Generator<JourneyEvent>> = [];
  let next = 0;
  while (emitted < maxEvents) {
    while (active.length < width && next < customers) active.push(journey(next++));
    if (active.length === 0) return;
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
