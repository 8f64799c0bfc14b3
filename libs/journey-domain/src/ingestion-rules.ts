import { eventKey, orderNamedBy, orderPlacedBy, rulesOf, type JourneyEvent } from '#schemas';
import { settleOrder, UNSETTLED, type OrderSettlement } from './order-settlement';
import { governingPolicy, type PolicyVersion } from './policy';
import { returnEligibility } from './return-eligibility';
import { checkTotals, type RuleViolation } from './totals';

/** What the ingestion rules need to know about one journey, folded from its events. */
export interface JourneyFacts {
  /** The events folded in, by `eventKey` (source and id). */
  eventKeys: Set<string>;
  orders: Map<string, OrderFacts>;
  returns: Map<string, { orderId: string; requestedAt: string }>;
}

export interface OrderFacts extends OrderSettlement {
  placedAt: string;
  /** When the log received the order (its event's sequence): only policies received before it can govern it. */
  received: number;
  total: number;
  currency: string;
  skus: Set<string>;
  cancelled: boolean;
}

export function emptyFacts(): JourneyFacts {
  return { eventKeys: new Set(), orders: new Map(), returns: new Map() };
}

/** A working copy, so checks can fold a batch in without touching the original. */
export function cloneFacts(facts: JourneyFacts): JourneyFacts {
  return {
    eventKeys: new Set(facts.eventKeys),
    orders: new Map([...facts.orders].map(([id, order]) => [id, { ...order }])),
    returns: new Map(facts.returns),
  };
}

/**
 * Folds one event into the facts (mutates: the facts are a private working copy of the decider).
 * `received`: the event's sequence in the log (see `StoredEvent.sequence`).
 */
export function evolveFacts(facts: JourneyFacts, event: JourneyEvent, received: number): JourneyFacts {
  facts.eventKeys.add(eventKey(event));
  switch (event.type) {
    case 'order.placed':
      facts.orders.set(event.data.orderId, {
        placedAt: event.time,
        received,
        total: event.data.totals.total,
        currency: event.data.currency,
        skus: new Set(event.data.items.map((i) => i.sku)),
        ...UNSETTLED,
        cancelled: false,
      });
      break;
    case 'payment.captured':
    case 'refund.issued':
    case 'shipment.delivered': {
      const order = facts.orders.get(event.data.orderId);
      if (order) facts.orders.set(event.data.orderId, settleOrder(order, event));
      break;
    }
    case 'order.cancelled': {
      const order = facts.orders.get(event.data.orderId);
      if (order) order.cancelled = true;
      break;
    }
    case 'return.requested':
      facts.returns.set(event.data.returnId, { orderId: event.data.orderId, requestedAt: event.time });
      break;
    default:
      break;
  }
  return facts;
}

/** The events whose rules need their journey's facts: they place an order, or name one (the catalog's rules). */
export function needsJourneyFacts(event: JourneyEvent): boolean {
  return orderPlacedBy(event) !== undefined || orderNamedBy(event) !== undefined;
}

/**
 * The domain rules checked at ingestion (422, nothing appended): totals add up; a payment,
 * shipment, return or refund names an order of this customer; refunds never exceed what was
 * captured; a return decision names the policy version governing the order (the one the journey
 * view shows: `governingPolicy` over every published version), and an approval respects its
 * window (judged at the time the return was requested). `policies`: every policy version the log
 * holds, of every kind.
 */
export function checkIngestionRules(
  facts: JourneyFacts,
  event: JourneyEvent,
  policies: readonly PolicyVersion[],
): RuleViolation[] {
  if (event.type === 'order.placed') {
    const violations = checkTotals(event.data.items, event.data.totals);
    if (facts.orders.has(event.data.orderId))
      violations.push({ path: 'data.orderId', message: `order ${event.data.orderId} was already placed` });
    return violations;
  }
  if (event.type === 'policy.published') {
    const taken = policies.some((p) => p.policyId === event.data.policyId && p.version === event.data.version);
    return taken
      ? [{ path: 'data.version', message: `policy ${event.data.policyId} v${event.data.version} is already published` }]
      : [];
  }
  const orderId = orderNamedBy(event);
  if (orderId === undefined) return [];
  const order = facts.orders.get(orderId);
  if (!order) {
    const path = `data.${rulesOf(event.type).namesOrder}`;
    return [{ path, message: `order ${orderId} does not exist for customer ${event.subject}` }];
  }
  const sameCurrency = (currency: string): RuleViolation[] =>
    currency === order.currency
      ? []
      : [{ path: 'data.currency', message: `order ${orderId} is in ${order.currency}, not ${currency}` }];

  switch (event.type) {
    case 'payment.captured': {
      const violations = sameCurrency(event.data.currency);
      if (order.captured + event.data.amount > order.total) {
        violations.push({
          path: 'data.amount',
          message: `captures would reach ${order.captured + event.data.amount}, above the order total ${order.total}`,
        });
      }
      return violations;
    }
    case 'payment.failed':
      return sameCurrency(event.data.currency);
    case 'refund.issued': {
      const violations = sameCurrency(event.data.currency);
      if (order.refunded + event.data.amount > order.captured) {
        violations.push({
          path: 'data.amount',
          message:
            `refunds would reach ${order.refunded + event.data.amount}, above the ${order.captured} ` +
            `captured on order ${orderId}`,
        });
      }
      if (event.data.returnId !== undefined && facts.returns.get(event.data.returnId)?.orderId !== orderId) {
        violations.push({
          path: 'data.returnId',
          message: `return ${event.data.returnId} does not exist for order ${orderId}`,
        });
      }
      return violations;
    }
    case 'return.requested': {
      const unknown = event.data.items.filter((item) => !order.skus.has(item.sku));
      return unknown.map((item) => ({
        path: 'data.items',
        message: `sku ${item.sku} is not part of order ${orderId}`,
      }));
    }
    case 'return.received':
      return returnExists(facts, event.data.returnId, orderId);
    case 'return.approved':
    case 'return.rejected': {
      const missing = returnExists(facts, event.data.returnId, orderId);
      if (missing.length > 0) return missing;
      const governing = governingPolicy(policies, order);
      if (!governing || governing.policyId !== event.data.policyId || governing.version !== event.data.policyVersion) {
        return [
          {
            path: 'data.policyVersion',
            message: governing
              ? `order ${orderId} is governed by ${governing.policyId} v${governing.version} (in force when it ` +
                `was placed), not ${event.data.policyId} v${event.data.policyVersion}`
              : `no returns policy was in force when order ${orderId} was placed`,
          },
        ];
      }
      if (event.type === 'return.approved') {
        const requestedAt = facts.returns.get(event.data.returnId)!.requestedAt;
        const eligibility = returnEligibility({
          status: order.cancelled ? 'cancelled' : order.deliveredAt ? 'delivered' : 'placed',
          deliveredAt: order.deliveredAt,
          policy: governing,
          at: requestedAt,
        });
        if (!eligibility.eligible)
          return [{ path: 'data.returnId', message: `the return cannot be approved: ${eligibility.reason}` }];
      }
      return [];
    }
    default:
      return [];
  }
}

function returnExists(facts: JourneyFacts, returnId: string, orderId: string): RuleViolation[] {
  return facts.returns.get(returnId)?.orderId === orderId
    ? []
    : [{ path: 'data.returnId', message: `return ${returnId} was not requested for order ${orderId}` }];
}
