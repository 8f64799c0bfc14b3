import type { JourneyEvent } from '../../../schemas/src';
/** One version of a policy, as published. */
export interface PolicyVersion {
  policyId: string;
  version: number;
  kind: 'returns' | 'shipping' | 'pricing';
  wording: string;
  returnWindowDays?: number;
  effectiveFrom: string;
  /** When the version was published (its event's time); a version published later never governs. */
  publishedAt?: string;
}

/**
 * The version that governs an order placed at `placedAt`: the one in force then, i.e. among the
 * versions already published at `placedAt`, the latest `effectiveFrom` not after it (the higher
 * version on a tie). Customers keep the terms they bought under, whatever is published later,
 * even a later version that claims an earlier `effectiveFrom`.
 */
export function governingPolicy<P extends PolicyVersion>(versions: readonly P[], placedAt: string): P | null {
  const placed = Date.parse(placedAt);
  let best: P | null = null;
  for (const candidate of versions) {
    const from = Date.parse(candidate.effectiveFrom);
    if (from > placed) continue;
    if (candidate.publishedAt !== undefined && Date.parse(candidate.publishedAt) > placed) continue;
    if (!best) {
      best = candidate;
      continue;
    }
    const bestFrom = Date.parse(best.effectiveFrom);
    if (from > bestFrom || (from === bestFrom && candidate.version > best.version)) best = candidate;
  }
  return best;
}

/** The version a `policy.published` event publishes, with its publication time. */
export function publishedPolicyVersion(event: Extract<JourneyEvent, { type: 'policy.published' }>): PolicyVersion {
  const { policyId, version, kind, wording, rules, effectiveFrom } = event.data;
  return { policyId, version, kind, wording, returnWindowDays: rules.returnWindowDays, effectiveFrom, publishedAt: event.time };
}
