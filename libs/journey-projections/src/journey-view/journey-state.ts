import { identityKey, type Channel, type JourneyEvent, type OrderItem, type Totals } from '#schemas';
import {
  formatMoney,
  nextStatus,
  settleOrder,
  statusSuggestedBy,
  UNSETTLED,
  type OrderSettlement,
  type StatusState,
} from '#journey-domain';

export interface TimelineEntry {
  type: string;
  time: string;
  summary: string;
}

export interface OrderState extends OrderSettlement {
  orderId: string;
  channel: Channel;
  placedAt: string;
  /** When the log received the order (its event's sequence): only policies received before it can govern it. */
  received: number;
  currency: string;
  items: OrderItem[];
  totals: Totals;
  status: StatusState;
  eta: string | null;
  /** Fact time of the event that set `eta`: a late, older ETA never replaces a newer one. */
  etaSetAt: string | null;
  etaHistory: Array<{ eta: string; reason: string | null; at: string }>;
  returns: Array<{ returnId: string; status: string; policyVersion: number | null }>;
  timeline: TimelineEntry[];
}

export interface PromiseRecord {
  promiseId: string;
  text: string;
  dueAt: string;
  owner: string;
  keptAt: string | null;
}

export interface CaseState {
  caseId: string;
  status: 'open' | 'resolved';
  openedAt: string;
  orderId: string | null;
  channels: Channel[];
  lastReason: string;
  tags: string[];
  handoffs: Array<{ fromChannel: Channel; toChannel: Channel; contextSummary: string | null }>;
  promises: PromiseRecord[];
}

/** The journey-view document of one customer: facts only; time-dependent judgements happen at read. */
export interface JourneyState {
  customerId: string;
  orders: OrderState[];
  cases: CaseState[];
  lastContactReason: string | null;
  lastContactAt: string | null;
  identities: Array<{ kind: string; value: string }>;
}

export function initialJourneyState(customerId: string): JourneyState {
  return { customerId, orders: [], cases: [], lastContactReason: null, lastContactAt: null, identities: [] };
}

/** Inserts keeping the timeline in fact-time order (late facts land where they happened). */
function withTimeline(order: OrderState, entry: TimelineEntry): TimelineEntry[] {
  const timeline = [...order.timeline];
  let i = timeline.length;
  while (i > 0 && Date.parse(timeline[i - 1].time) > Date.parse(entry.time)) i--;
  timeline.splice(i, 0, entry);
  return timeline;
}

/** One line saying what an event means, for timelines (the view's order timelines, analysts' replays). */
export function summariseEvent(event: JourneyEvent): string {
  switch (event.type) {
    case 'checkout.started':
      return `Checkout ${event.data.checkoutId} started on ${event.data.channel}`;
    case 'contact.opened':
      return (
        `Contact on ${event.data.channel} ` +
        `(case ${event.data.caseId}): ${event.data.reason}` +
        (event.data.tags.length > 0 ? ` [${event.data.tags.join(', ')}]` : '')
      );
    case 'contact.handed_off':
      return (
        `Handed off from ${event.data.fromChannel} to ${event.data.toChannel} ` +
        `(case ${event.data.caseId})` +
        (event.data.contextSummary ? `: ${event.data.contextSummary}` : ', without context')
      );
    case 'contact.resolved':
      return `Case ${event.data.caseId} resolved: ${event.data.resolution}`;
    case 'contact.reopened':
      return `Case ${event.data.caseId} reopened: ${event.data.reason}`;
    case 'promise.made':
      return `Promise (case ${event.data.caseId}, ${event.data.owner}, due ${event.data.dueAt}): ${event.data.text}`;
    case 'promise.kept':
      return `Promise ${event.data.promiseId} kept (case ${event.data.caseId})`;
    case 'feedback.received':
      return `Feedback ${event.data.score}/5${event.data.verbatim ? `: ${event.data.verbatim}` : ''}`;
    case 'identity.linked':
      return `Identity linked: ${event.data.kind} ${event.data.value}`;
    case 'identity.unlinked':
      return `Identity unlinked: ${event.data.kind} ${event.data.value}`;
    case 'policy.published':
      return (
        `Policy ${event.data.policyId} v${event.data.version} published (${event.data.kind}), in force ` +
        `from ${event.data.effectiveFrom}`
      );
    case 'channel.message_sent': {
      const shown = Object.entries(event.data.shown)
        .map(([k, v]) => `${k}=${String(v)}`)
        .join(', ');
      return (
        `Message ${event.data.templateId} sent ` +
        `on ${event.data.channel}` +
        (event.data.orderId ? ` about ${event.data.orderId}` : '') +
        (shown ? ` showing ${shown}` : '')
      );
    }
    case 'order.placed':
      return `Order placed on ${event.data.channel} for ${formatMoney(event.data.totals.total, event.data.currency)}`;
    case 'payment.captured':
      return `Payment of ${formatMoney(event.data.amount, event.data.currency)} captured (${event.data.method})`;
    case 'payment.failed':
      return `Payment of ${formatMoney(event.data.amount, event.data.currency)} failed: ${event.data.reason}`;
    case 'order.cancelled':
      return `Order cancelled: ${event.data.reason}`;
    case 'shipment.dispatched':
      return `Dispatched with ${event.data.carrier} (tracking ${event.data.trackingId})`;
    case 'shipment.progressed':
      return event.data.stage === 'in_transit'
        ? `In transit${event.data.location ? ` at ${event.data.location}` : ''}`
        : 'Out for delivery';
    case 'shipment.delayed':
      return `Delayed: ${event.data.reason}`;
    case 'shipment.delivered':
      return 'Delivered';
    case 'shipment.exception':
      return (
        `Delivery problem: ${event.data.kind.replace(/_/g, ' ')}` + (event.data.detail ? ` (${event.data.detail})` : '')
      );
    case 'return.requested':
      return `Return ${event.data.returnId} requested: ${event.data.reason}`;
    case 'return.approved':
      return `Return ${event.data.returnId} approved under ${event.data.policyId} v${event.data.policyVersion}`;
    case 'return.rejected':
      return `Return ${event.data.returnId} not accepted: ${event.data.reason}`;
    case 'return.received':
      return `Return ${event.data.returnId} received`;
    case 'refund.issued':
      return `Refund of ${formatMoney(event.data.amount, event.data.currency)} issued`;
    case 'customer.erased':
      return `Personal data erased (${event.data.reason})`;
    default:
      // Every type is named above; an event type added to the catalog shows by its name until it is.
      return (event as JourneyEvent).type;
  }
}

function evolveOrder(order: OrderState, event: JourneyEvent): OrderState {
  const next: OrderState = { ...settleOrder(order, event) };
  switch (event.type) {
    case 'refund.issued': {
      const returnId = event.data.returnId;
      if (returnId !== undefined)
        next.returns = order.returns.map((r) => (r.returnId === returnId ? { ...r, status: 'refunded' } : r));
      break;
    }
    case 'shipment.dispatched':
    case 'shipment.delayed': {
      const eta = event.type === 'shipment.dispatched' ? event.data.eta : event.data.newEta;
      const reason = event.type === 'shipment.delayed' ? event.data.reason : null;
      next.etaHistory = [...order.etaHistory, { eta, reason, at: event.time }].sort(
        (a, b) => Date.parse(a.at) - Date.parse(b.at),
      );
      if (order.etaSetAt === null || Date.parse(event.time) >= Date.parse(order.etaSetAt)) {
        next.eta = eta;
        next.etaSetAt = event.time;
      }
      break;
    }
    case 'return.requested':
      next.returns = [...order.returns, { returnId: event.data.returnId, status: 'requested', policyVersion: null }];
      break;
    case 'return.approved':
    case 'return.rejected':
    case 'return.received': {
      const status =
        event.type === 'return.approved' ? 'approved' : event.type === 'return.rejected' ? 'rejected' : 'received';
      const policyVersion = event.type === 'return.received' ? undefined : event.data.policyVersion;
      next.returns = order.returns.map((r) =>
        r.returnId === event.data.returnId ? { ...r, status, policyVersion: policyVersion ?? r.policyVersion } : r,
      );
      break;
    }
    default:
      break;
  }
  const candidate = statusSuggestedBy(event, next);
  if (candidate) next.status = nextStatus(next.status, candidate, event.time);
  next.timeline = withTimeline(order, { type: event.type, time: event.time, summary: summariseEvent(event) });
  return next;
}

function evolveCase(state: JourneyState, caseId: string, change: (c: CaseState) => CaseState): JourneyState {
  const found = state.cases.some((c) => c.caseId === caseId);
  if (!found) throw new Error(`case ${caseId} was never opened for customer ${state.customerId}`);
  return { ...state, cases: state.cases.map((c) => (c.caseId === caseId ? change(c) : c)) };
}

function addChannel(channels: Channel[], channel: Channel): Channel[] {
  return channels[channels.length - 1] === channel || channels.includes(channel) ? channels : [...channels, channel];
}

/**
 * Evolves a customer's journey by one event, received by the log at `sequence`. Pure: returns a
 * new state, never mutates the old one. Throws on an event that contradicts the journey (e.g. a
 * shipment for an unknown order): the runtime parks such an event and goes on.
 */
export function evolveJourney(state: JourneyState, event: JourneyEvent, sequence: number): JourneyState {
  switch (event.type) {
    case 'order.placed': {
      if (state.orders.some((o) => o.orderId === event.data.orderId)) return state;
      const order: OrderState = {
        orderId: event.data.orderId,
        channel: event.data.channel,
        placedAt: event.time,
        received: sequence,
        currency: event.data.currency,
        items: event.data.items,
        totals: event.data.totals,
        status: { code: 'placed', since: event.time },
        eta: event.data.promisedDelivery.to,
        etaSetAt: event.time,
        etaHistory: [{ eta: event.data.promisedDelivery.to, reason: null, at: event.time }],
        ...UNSETTLED,
        returns: [],
        timeline: [{ type: event.type, time: event.time, summary: summariseEvent(event) }],
      };
      return { ...state, orders: [...state.orders, order] };
    }
    case 'payment.captured':
    case 'payment.failed':
    case 'order.cancelled':
    case 'shipment.dispatched':
    case 'shipment.progressed':
    case 'shipment.delayed':
    case 'shipment.delivered':
    case 'shipment.exception':
    case 'return.requested':
    case 'return.approved':
    case 'return.rejected':
    case 'return.received':
    case 'refund.issued': {
      const orderId = event.data.orderId;
      if (!state.orders.some((o) => o.orderId === orderId)) {
        throw new Error(`${event.type} names order ${orderId}, which customer ${state.customerId} never placed`);
      }
      return { ...state, orders: state.orders.map((o) => (o.orderId === orderId ? evolveOrder(o, event) : o)) };
    }
    case 'contact.opened': {
      const contact = event.data;
      const base = { ...state, lastContactReason: contact.reason, lastContactAt: event.time };
      if (!state.cases.some((c) => c.caseId === contact.caseId)) {
        const opened: CaseState = {
          caseId: contact.caseId,
          status: 'open',
          openedAt: event.time,
          orderId: contact.orderId ?? null,
          channels: [contact.channel],
          lastReason: contact.reason,
          tags: [...new Set(contact.tags)],
          handoffs: [],
          promises: [],
        };
        return { ...base, cases: [...state.cases, opened] };
      }
      // Another contact on the same case: the case continues on this channel.
      return evolveCase(base, contact.caseId, (c) => ({
        ...c,
        status: 'open',
        channels: addChannel(c.channels, contact.channel),
        lastReason: contact.reason,
        tags: [...new Set([...c.tags, ...contact.tags])],
      }));
    }
    case 'contact.handed_off':
      return evolveCase(state, event.data.caseId, (c) => ({
        ...c,
        channels: addChannel(c.channels, event.data.toChannel),
        handoffs: [
          ...c.handoffs,
          {
            fromChannel: event.data.fromChannel,
            toChannel: event.data.toChannel,
            contextSummary: event.data.contextSummary ?? null,
          },
        ],
      }));
    case 'contact.resolved':
      return evolveCase(state, event.data.caseId, (c) => ({ ...c, status: 'resolved' }));
    case 'contact.reopened':
      return evolveCase(
        { ...state, lastContactReason: event.data.reason, lastContactAt: event.time },
        event.data.caseId,
        (c) => ({
          ...c,
          status: 'open',
          lastReason: event.data.reason,
        }),
      );
    case 'promise.made':
      return evolveCase(state, event.data.caseId, (c) => ({
        ...c,
        promises: [
          ...c.promises.filter((p) => p.promiseId !== event.data.promiseId),
          {
            promiseId: event.data.promiseId,
            text: event.data.text,
            dueAt: event.data.dueAt,
            owner: event.data.owner,
            keptAt: null,
          },
        ],
      }));
    case 'promise.kept':
      return evolveCase(state, event.data.caseId, (c) => {
        if (!c.promises.some((p) => p.promiseId === event.data.promiseId)) {
          throw new Error(`promise ${event.data.promiseId} was never made on case ${c.caseId}`);
        }
        return {
          ...c,
          promises: c.promises.map((p) => (p.promiseId === event.data.promiseId ? { ...p, keptAt: event.time } : p)),
        };
      });
    case 'identity.linked':
      if (state.identities.some((i) => i.kind === event.data.kind && i.value === event.data.value)) return state;
      return { ...state, identities: [...state.identities, { kind: event.data.kind, value: event.data.value }] };
    case 'identity.unlinked': {
      const key = identityKey(event.data.kind, event.data.value);
      if (!state.identities.some((i) => identityKey(i.kind, i.value) === key)) return state;
      return { ...state, identities: state.identities.filter((i) => identityKey(i.kind, i.value) !== key) };
    }
    default:
      return state;
  }
}
