import type { JourneyEvent } from '#schemas';
import {
  governingPolicy,
  nextStatus,
  publishedPolicyVersion,
  settleOrder,
  UNSETTLED,
  type OrderSettlement,
  statusSuggestedBy,
  type OrderPlacement,
  type PolicyVersion,
  type StatusState,
} from '#journey-domain';

/**
 * The unity metrics, computed in one pass over the log (events in log order, each journey in the order it was
 * appended). Pure: no I/O, fed event by event. What each metric counts, and by which time an item falls in the range
 * [from, to), is defined in docs/unity-metrics.md; the tests below hold the code to it.
 */
export type Dimension = 'channel' | 'reason' | 'week';

export interface MetricsOptions {
  from: string;
  to: string;
  /** Repeat-contact window. @defaultValue 7 days */
  windowMs?: number;
  by?: Dimension;
}

export const METRIC_NAMES = [
  'repeat_contact_rate',
  'time_to_resolution_p50_hours',
  'time_to_resolution_p90_hours',
  'cases_open_at_end',
  'first_contact_resolution',
  'repeated_story_rate',
  'policy_dispute_per_100_returns',
  'confusion_per_1000_orders',
  'promise_kept_rate',
  'truth_drift_rate',
  'key_step_checkout_to_order',
  'key_step_order_to_payment',
  'key_step_checkout_to_payment',
  'key_step_return_to_refund',
] as const;
export type MetricName = (typeof METRIC_NAMES)[number];

export interface MetricRow {
  metric: MetricName;
  /** The group under `by`, or 'all'. */
  group: string;
  /** null when the denominator is 0 (nothing to judge). */
  value: number | null;
  numerator: number;
  denominator: number;
}

const DAY = 86_400_000;
const HOUR = 3_600_000;

interface Facets {
  channel?: string;
  reason?: string;
  time: number;
}

interface ContactRecord {
  time: number;
  orderId: string | undefined;
  /** What two contacts' reasons compare by: the keyed hash of the reason where the log gives one, else the text. */
  reason: string;
  group: string;
  inRange: boolean;
  repeated: boolean;
}

interface CaseRecord {
  openedAt: number | undefined;
  group: string | undefined;
  firstChannel: string | undefined;
  reason: string | undefined;
  lastChannel: string | undefined;
  open: boolean;
  contacts: Set<string>;
  reopens: number;
  lastReopenAt: number | undefined;
  lastResolvedAt: number | undefined;
}

interface OrderTruth extends OrderSettlement {
  placedAt: string;
  received: number;
  total: number;
  status: StatusState;
  channel: string;
}

/** Numerator and denominator per group. */
class Tally {
  readonly num = new Map<string, number>();
  readonly den = new Map<string, number>();
  add(group: string, counted: boolean): void {
    this.den.set(group, (this.den.get(group) ?? 0) + 1);
    if (counted) this.num.set(group, (this.num.get(group) ?? 0) + 1);
  }
  count(group: string): void {
    this.num.set(group, (this.num.get(group) ?? 0) + 1);
  }
  base(group: string): void {
    this.den.set(group, (this.den.get(group) ?? 0) + 1);
  }
}

export function isoWeek(time: number): string {
  const date = new Date(time);
  // The week's Thursday decides its year (ISO 8601).
  const thursday = new Date(
    Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate() + 3 - ((date.getUTCDay() + 6) % 7)),
  );
  const week = Math.floor((thursday.getTime() - Date.UTC(thursday.getUTCFullYear(), 0, 1)) / (7 * DAY)) + 1;
  return `${thursday.getUTCFullYear()}-W${String(week).padStart(2, '0')}`;
}

/** `7d`, `48h`, `30m`: the window of repeat contacts. */
export function parseWindow(text: string): number {
  const match = /^(\d+)(d|h|m)$/.exec(text);
  if (!match) throw new RangeError(`window "${text}" is not a duration like 7d, 48h or 30m`);
  const n = Number(match[1]);
  if (n <= 0) throw new RangeError(`window "${text}" must be longer than zero`);
  return n * (match[2] === 'd' ? DAY : match[2] === 'h' ? HOUR : 60_000);
}

export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  // Nearest rank: the smallest value with at least p% of the values at or below it.
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)];
}

export class UnityMetrics {
  private readonly from: number;
  private readonly to: number;
  private readonly windowMs: number;
  private readonly contacts = new Map<string, ContactRecord[]>();
  private readonly cases = new Map<string, CaseRecord>();
  private readonly promises = new Map<string, { dueAt: number; keptAt: number | undefined; group: string }>();
  private readonly orders = new Map<string, OrderTruth>();
  private readonly lastOrder = new Map<string, string>();
  private readonly checkouts = new Map<string, { group: string; inRange: boolean; orderId: string | undefined }>();
  private readonly returns = new Map<string, { group: string; inRange: boolean; refunded: boolean }>();
  private readonly returnsPolicies: PolicyVersion[] = [];
  private readonly switches = new Tally();
  private readonly disputes = new Tally();
  private readonly confusion = new Tally();
  private readonly messages: Array<{
    group: string;
    differs: boolean;
    policyVersion: number | undefined;
    order: OrderPlacement;
  }> = [];
  /** Events read. */
  events = 0;

  constructor(private readonly options: MetricsOptions) {
    this.from = Date.parse(options.from);
    this.to = Date.parse(options.to);
    if (Number.isNaN(this.from) || Number.isNaN(this.to)) throw new RangeError('from and to must be ISO-8601 times');
    if (this.to <= this.from) throw new RangeError('to must be after from');
    this.windowMs = options.windowMs ?? 7 * DAY;
  }

  private inRange(time: number): boolean {
    return time >= this.from && time < this.to;
  }

  private group(facets: Facets): string {
    switch (this.options.by) {
      case 'channel':
        return facets.channel ?? '-';
      case 'reason':
        return facets.reason ?? '-';
      case 'week':
        return isoWeek(facets.time);
      default:
        return 'all';
    }
  }

  private caseOf(caseId: string): CaseRecord {
    let record = this.cases.get(caseId);
    if (!record) {
      record = {
        openedAt: undefined,
        group: undefined,
        firstChannel: undefined,
        reason: undefined,
        lastChannel: undefined,
        open: true,
        contacts: new Set(),
        reopens: 0,
        lastReopenAt: undefined,
        lastResolvedAt: undefined,
      };
      this.cases.set(caseId, record);
    }
    return record;
  }

  /**
   * `sequence`: when the log received the event (see `StoredEvent.sequence`); a policy governs only orders received
   * after it.
   */
  add(event: JourneyEvent, sequence: number, lookups?: Readonly<Record<string, string>>): void {
    this.events++;
    const time = Date.parse(event.time);
    const customer = event.subject;
    switch (event.type) {
      case 'policy.published':
        if (event.data.kind === 'returns') {
          this.returnsPolicies.push(publishedPolicyVersion(event, sequence));
        }
        break;
      case 'checkout.started':
        this.checkouts.set(event.data.checkoutId, {
          group: this.group({ channel: event.data.channel, time }),
          inRange: this.inRange(time),
          orderId: this.checkouts.get(event.data.checkoutId)?.orderId,
        });
        break;
      case 'order.placed': {
        const d = event.data;
        this.orders.set(d.orderId, {
          placedAt: event.time,
          received: sequence,
          total: d.totals.total,
          status: { code: 'placed', since: event.time },
          ...UNSETTLED,
          channel: d.channel,
        });
        this.lastOrder.set(customer, d.orderId);
        if (d.checkoutId !== undefined) {
          const checkout = this.checkouts.get(d.checkoutId);
          if (checkout) checkout.orderId = d.orderId;
          else this.checkouts.set(d.checkoutId, { group: '-', inRange: false, orderId: d.orderId });
        }
        if (this.inRange(time)) this.confusion.base(this.group({ channel: d.channel, time }));
        break;
      }
      case 'contact.opened': {
        const d = event.data;
        const facets = { channel: d.channel, reason: d.reason, time };
        const group = this.group(facets);
        const inRange = this.inRange(time);
        const reason = lookups?.reason ?? d.reason;
        this.recordContact(customer, { time, orderId: d.orderId, reason, group, inRange, repeated: false });
        if (inRange && d.tags.includes('policy_dispute')) this.disputes.count(group);
        if (inRange && d.tags.includes('confusion')) this.confusion.count(group);
        const record = this.caseOf(d.caseId);
        if (record.openedAt === undefined || time < record.openedAt) {
          record.openedAt = time;
          record.firstChannel = d.channel;
          record.reason = d.reason;
          record.group = group;
        }
        if (record.lastChannel !== undefined && record.lastChannel !== d.channel && record.open && this.inRange(time)) {
          this.switches.add(this.group({ channel: d.channel, reason: record.reason, time }), true);
        }
        record.lastChannel = d.channel;
        record.contacts.add(d.contactId);
        break;
      }
      case 'contact.handed_off': {
        const d = event.data;
        const record = this.caseOf(d.caseId);
        record.contacts.add(d.contactId);
        if (d.fromChannel !== d.toChannel && record.open && this.inRange(time)) {
          const withContext = (d.contextSummary ?? '').trim() !== '';
          this.switches.add(this.group({ channel: d.toChannel, reason: record.reason, time }), !withContext);
        }
        record.lastChannel = d.toChannel;
        break;
      }
      case 'contact.resolved': {
        const record = this.caseOf(event.data.caseId);
        record.open = false;
        if (record.lastResolvedAt === undefined || time > record.lastResolvedAt) record.lastResolvedAt = time;
        break;
      }
      case 'contact.reopened': {
        const record = this.caseOf(event.data.caseId);
        record.open = true;
        record.reopens++;
        if (record.lastReopenAt === undefined || time > record.lastReopenAt) record.lastReopenAt = time;
        break;
      }
      case 'promise.made': {
        const d = event.data;
        const record = this.caseOf(d.caseId);
        const dueAt = Date.parse(d.dueAt);
        const key = `${d.caseId}\u0001${d.promiseId}`;
        const kept = this.promises.get(key)?.keptAt;
        this.promises.set(key, {
          dueAt,
          keptAt: kept,
          group: this.group({ channel: record.firstChannel, reason: record.reason, time: dueAt }),
        });
        break;
      }
      case 'promise.kept': {
        const key = `${event.data.caseId}\u0001${event.data.promiseId}`;
        const promise = this.promises.get(key);
        if (promise && (promise.keptAt === undefined || time < promise.keptAt)) promise.keptAt = time;
        else if (!promise) this.promises.set(key, { dueAt: Number.NaN, keptAt: time, group: '-' });
        break;
      }
      case 'return.requested': {
        const order = this.orders.get(event.data.orderId);
        const inRange = this.inRange(time);
        const group = this.group({ channel: order?.channel, time });
        this.returns.set(event.data.returnId, {
          group,
          inRange,
          refunded: this.returns.get(event.data.returnId)?.refunded ?? false,
        });
        if (inRange) this.disputes.base(group);
        break;
      }
      case 'channel.message_sent':
        this.judgeMessage(customer, event, time);
        break;
      default:
        break;
    }
    if (event.type === 'refund.issued' && event.data.returnId !== undefined) {
      const ret = this.returns.get(event.data.returnId);
      if (ret) ret.refunded = true;
      else this.returns.set(event.data.returnId, { group: '-', inRange: false, refunded: true });
    }
    this.evolveTruth(event);
  }

  private recordContact(customer: string, contact: ContactRecord): void {
    let list = this.contacts.get(customer);
    if (!list) this.contacts.set(customer, (list = []));
    for (const other of list) {
      const sameSubject =
        (contact.orderId !== undefined && contact.orderId === other.orderId) || contact.reason === other.reason;
      if (!sameSubject) continue;
      // The earlier of the two (by fact time; on a tie, the one appended first) is followed by the later.
      if (other.time <= contact.time && contact.time - other.time <= this.windowMs) other.repeated = true;
      else if (contact.time < other.time && other.time - contact.time <= this.windowMs) contact.repeated = true;
    }
    list.push(contact);
  }

  private evolveTruth(event: JourneyEvent): void {
    if (
      !('orderId' in event.data) ||
      event.type === 'order.placed' ||
      event.type === 'channel.message_sent' ||
      event.type === 'contact.opened'
    )
      return;
    const order = this.orders.get(event.data.orderId);
    if (!order) return;
    // The order is shared with the messages judged against it: settled in place.
    Object.assign(order, settleOrder(order, event));
    const candidate = statusSuggestedBy(event, order);
    if (candidate) order.status = nextStatus(order.status, candidate, event.time);
  }

  private judgeMessage(
    customer: string,
    event: Extract<JourneyEvent, { type: 'channel.message_sent' }>,
    time: number,
  ): void {
    if (!this.inRange(time)) return;
    const orderId = event.data.orderId ?? this.lastOrder.get(customer);
    const order = orderId === undefined ? undefined : this.orders.get(orderId);
    if (!order) return;
    const shown = event.data.shown;
    const differs =
      (shown.status !== undefined && shown.status !== order.status.code) ||
      (shown.total !== undefined && shown.total !== order.total);
    // The policy version is judged at the end: which version governs depends on publication and
    // placement times only, and on a partitioned log the policy's events may be read after the order's.
    this.messages.push({
      group: this.group({ channel: event.data.channel, time }),
      differs,
      policyVersion: shown.policyVersion,
      order,
    });
  }

  result(): MetricRow[] {
    const rows: MetricRow[] = [];
    /**
     * `volume`: a count per orders or returns, which have no contact reason: by reason, every group is over all of
     * them.
     */
    const ratio = (metric: MetricName, tally: Tally, scale = 1, volume = false) => {
      const groups = new Set([...tally.den.keys(), ...tally.num.keys()]);
      const overAll = volume && this.options.by === 'reason';
      const all = [...tally.den.values()].reduce((a, b) => a + b, 0);
      if (overAll) groups.delete('-');
      // Without a breakdown every metric has its row, 'not applicable' (null) when nothing was counted.
      if (groups.size === 0 && this.options.by === undefined) groups.add('all');
      for (const group of [...groups].sort()) {
        const numerator = tally.num.get(group) ?? 0;
        const denominator = overAll ? all : (tally.den.get(group) ?? 0);
        rows.push({
          metric,
          group,
          numerator,
          denominator,
          value: denominator === 0 ? null : (numerator / denominator) * scale,
        });
      }
    };

    const repeat = new Tally();
    for (const list of this.contacts.values()) for (const c of list) if (c.inRange) repeat.add(c.group, c.repeated);
    ratio('repeat_contact_rate', repeat);

    const durations = new Map<string, number[]>();
    const openAtEnd = new Tally();
    const fcr = new Tally();
    for (const record of this.cases.values()) {
      if (record.openedAt === undefined) continue;
      const group = record.group ?? '-';
      const resolvedAt = record.lastResolvedAt;
      const resolved =
        resolvedAt !== undefined && (record.lastReopenAt === undefined || resolvedAt > record.lastReopenAt);
      if (resolved && this.inRange(resolvedAt)) {
        let list = durations.get(group);
        if (!list) durations.set(group, (list = []));
        list.push((resolvedAt - record.openedAt) / HOUR);
        fcr.add(group, record.contacts.size === 1 && record.reopens === 0);
      }
      if (record.openedAt < this.to && !(resolved && resolvedAt < this.to)) openAtEnd.count(group);
    }
    if (durations.size === 0 && this.options.by === undefined) durations.set('all', []);
    for (const [metric, p] of [
      ['time_to_resolution_p50_hours', 50],
      ['time_to_resolution_p90_hours', 90],
    ] as const) {
      for (const group of [...durations.keys()].sort()) {
        const sorted = durations.get(group)!.sort((a, b) => a - b);
        rows.push({
          metric,
          group,
          value: percentile(sorted, p),
          numerator: sorted.length,
          denominator: sorted.length,
        });
      }
    }
    if (openAtEnd.num.size === 0 && this.options.by === undefined) openAtEnd.num.set('all', 0);
    for (const [group, n] of [...openAtEnd.num].sort())
      rows.push({ metric: 'cases_open_at_end', group, value: n, numerator: n, denominator: n });
    ratio('first_contact_resolution', fcr);
    ratio('repeated_story_rate', this.switches);
    ratio('policy_dispute_per_100_returns', this.disputes, 100, true);
    ratio('confusion_per_1000_orders', this.confusion, 1000, true);

    const kept = new Tally();
    for (const p of this.promises.values())
      if (!Number.isNaN(p.dueAt) && this.inRange(p.dueAt))
        kept.add(p.group, p.keptAt !== undefined && p.keptAt <= p.dueAt);
    ratio('promise_kept_rate', kept);
    const drift = new Tally();
    for (const m of this.messages) {
      const policyDiffers =
        m.policyVersion !== undefined &&
        m.policyVersion !== (governingPolicy(this.returnsPolicies, m.order)?.version ?? null);
      drift.add(m.group, m.differs || policyDiffers);
    }
    ratio('truth_drift_rate', drift);

    const toOrder = new Tally();
    const toPayment = new Tally();
    const checkoutToPayment = new Tally();
    for (const checkout of this.checkouts.values()) {
      if (!checkout.inRange) continue;
      const order = checkout.orderId === undefined ? undefined : this.orders.get(checkout.orderId);
      toOrder.add(checkout.group, order !== undefined);
      if (order) toPayment.add(checkout.group, order.captured > 0);
      checkoutToPayment.add(checkout.group, order !== undefined && order.captured > 0);
    }
    ratio('key_step_checkout_to_order', toOrder);
    ratio('key_step_order_to_payment', toPayment);
    ratio('key_step_checkout_to_payment', checkoutToPayment);
    const refunds = new Tally();
    for (const ret of this.returns.values()) if (ret.inRange) refunds.add(ret.group, ret.refunded);
    ratio('key_step_return_to_refund', refunds);
    return rows;
  }
}
