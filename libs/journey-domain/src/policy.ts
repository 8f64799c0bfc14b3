import type { JourneyEvent } from '#schemas';

/** One version of a policy, as published. */
export interface PolicyVersion {
  policyId: string;
  version: number;
  kind: 'returns' | 'shipping' | 'pricing';
  wording: string;
  returnWindowDays?: number;
  effectiveFrom: string;
  /** When the log received its publication: the `sequence` of its event (see `StoredEvent.sequence`). */
  received: number;
}

/** What of an order decides its policy: when it was placed (fact time), and when the log received it. */
export interface OrderPlacement {
  placedAt: string;
  received: number;
}

/**
 * Whether `a` is preferred to `b` among versions in force: the later `effectiveFrom`, then the higher version, then the
 * later publication.
 */
function preferred(a: PolicyVersion, b: PolicyVersion): boolean {
  const fromA = Date.parse(a.effectiveFrom);
  const fromB = Date.parse(b.effectiveFrom);
  if (fromA !== fromB) return fromA > fromB;
  if (a.version !== b.version) return a.version > b.version;
  return a.received > b.received;
}

/**
 * The version of a policy kind that governs an order: among the versions the log received
 * before it received the order, the one in force when the order was placed (the latest
 * `effectiveFrom` not after `placedAt`; see `preferred` for ties). Customers keep the terms they
 * bought under: a version published after the order never governs it, whatever its `time` or
 * `effectiveFrom` say (producers choose those). The view, the returns rules at ingestion and the
 * analysts' metrics all decide with this one function.
 */
export function governingPolicy<P extends PolicyVersion>(
  versions: readonly P[],
  order: OrderPlacement,
  kind: PolicyVersion['kind'] = 'returns',
): P | null {
  const placed = Date.parse(order.placedAt);
  let best: P | null = null;
  for (const candidate of versions) {
    if (candidate.kind !== kind || candidate.received >= order.received || Date.parse(candidate.effectiveFrom) > placed)
      continue;
    if (!best || preferred(candidate, best)) best = candidate;
  }
  return best;
}

/** The version a `policy.published` event publishes, received at `received` (the event's sequence). */
export function publishedPolicyVersion(
  event: Extract<JourneyEvent, { type: 'policy.published' }>,
  received: number,
): PolicyVersion {
  const { policyId, version, kind, wording, rules, effectiveFrom } = event.data;
  return { policyId, version, kind, wording, returnWindowDays: rules.returnWindowDays, effectiveFrom, received };
}

/** The policy version an event publishes, if it publishes one: for callers that hold events of every type. */
export function policyVersionPublishedBy(event: JourneyEvent, received: number): PolicyVersion | null {
  return event.type === 'policy.published' ? publishedPolicyVersion(event, received) : null;
}
