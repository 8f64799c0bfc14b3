import type { CaseView, Channel, JourneyView, OrderView } from '#schemas';
import {
  describeStatus,
  governingPolicy,
  helpPath,
  nextStep,
  type PolicyVersion,
  promiseState,
  recoveryPath,
  renderMessages,
  returnEligibility,
} from '#journey-domain';
import type { CaseState, JourneyState, OrderState } from './journey-state';

export interface RenderOptions {
  /** The time the view is judged at: the request's `asOf`, else the time of the read. */
  asOf: string;
  /** Log position the state reflects (sent as `Journey-Position`). */
  position: string | null;
  /** Adds that channel's rendered messages; nothing else changes with the channel. */
  channel?: Channel;
  /**
   * Published returns policy versions, to find the one governing each order (`governingPolicy`):
   * all of them, or at least, for each order, its governing version and any that rank above it.
   */
  returnsPolicies: readonly PolicyVersion[];
}

export function renderOrder(order: OrderState, asOf: string, returnsPolicies: readonly PolicyVersion[]): OrderView {
  const governing = governingPolicy(returnsPolicies, order);
  const policy = governing && {
    policyId: governing.policyId,
    version: governing.version,
    wording: governing.wording,
    returnWindowDays: governing.returnWindowDays ?? null,
  };
  return {
    orderId: order.orderId,
    channel: order.channel,
    placedAt: order.placedAt,
    currency: order.currency,
    items: order.items,
    totals: order.totals,
    status: describeStatus(order.status.code),
    eta: order.eta,
    etaHistory: order.etaHistory,
    policy: { returns: policy },
    returnEligibility: returnEligibility({
      status: order.status.code,
      deliveredAt: order.deliveredAt,
      policy: policy && { version: policy.version, returnWindowDays: policy.returnWindowDays ?? undefined },
      at: asOf,
    }),
    returns: order.returns,
    refunded: order.refunded,
    timeline: order.timeline,
  };
}

export function renderCase(c: CaseState, asOf: string): CaseView {
  return {
    caseId: c.caseId,
    status: c.status,
    channels: c.channels,
    lastReason: c.lastReason,
    tags: c.tags,
    handoffs: c.handoffs,
    promises: c.promises.map((p) => ({
      promiseId: p.promiseId,
      text: p.text,
      dueAt: p.dueAt,
      owner: p.owner,
      state: promiseState(p, asOf),
    })),
  };
}

/**
 * The journey view of the wire contract, from the projected state, judged at `asOf`: promise
 * states, eligibility and next step depend on the time of the view, not on when it was projected.
 */
export function renderJourneyView(state: JourneyState, options: RenderOptions): JourneyView {
  const orders = state.orders.map((o) => renderOrder(o, options.asOf, options.returnsPolicies));
  const cases = state.cases.map((c) => renderCase(c, options.asOf));
  const lastOrder =
    orders.length > 0 ? orders.reduce((a, b) => (Date.parse(b.placedAt) >= Date.parse(a.placedAt) ? b : a)) : null;
  const openCases = cases.filter((c) => c.status === 'open');
  const openCase = openCases.length > 0 ? openCases[openCases.length - 1] : null;
  const cardInput = { lastOrder, openCase };
  const view: JourneyView = {
    customerId: state.customerId,
    position: options.position,
    asOf: options.asOf,
    card: {
      lastOrder: lastOrder && {
        orderId: lastOrder.orderId,
        status: lastOrder.status.code,
        total: lastOrder.totals.total,
        currency: lastOrder.currency,
      },
      openCase: openCase && { caseId: openCase.caseId, channels: openCase.channels },
      lastContactReason: state.lastContactReason,
      promises: openCase?.promises ?? [],
      nextStep: nextStep(cardInput),
      helpPath: helpPath(cardInput),
      recoveryPath: recoveryPath(cardInput),
    },
    orders,
    cases,
  };
  if (options.channel) view.messages = renderMessages(view, options.channel);
  return view;
}
