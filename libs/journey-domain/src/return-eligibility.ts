import type { StatusCode } from './order-status';

const DAY_MS = 86_400_000;

export interface EligibilityInput {
  status: StatusCode;
  deliveredAt: string | null;
  policy: { version: number; returnWindowDays?: number } | null;
  /** Time the decision is judged at (the view's time, or the return request's time). */
  at: string;
}

export interface ReturnEligibility {
  eligible: boolean;
  until: string | null;
  policyVersion: number | null;
  reason: string;
}

/**
 * Whether an order can be returned at a given time, under the policy that governs it. One pure
 * function used by the returns app to decide and by the projections to explain.
 */
export function returnEligibility(input: EligibilityInput): ReturnEligibility {
  const { policy, status, deliveredAt } = input;
  const policyVersion = policy?.version ?? null;
  if (!policy || policy.returnWindowDays === undefined) {
    return {
      eligible: false,
      until: null,
      policyVersion,
      reason: 'No returns policy was in force when the order was placed.',
    };
  }
  if (status === 'cancelled')
    return { eligible: false, until: null, policyVersion, reason: 'The order was cancelled.' };
  if (status === 'refunded')
    return { eligible: false, until: null, policyVersion, reason: 'The order has been refunded.' };
  if (!deliveredAt) {
    return { eligible: false, until: null, policyVersion, reason: 'Returns open once the order is delivered.' };
  }
  const until = new Date(Date.parse(deliveredAt) + policy.returnWindowDays * DAY_MS).toISOString();
  const days = policy.returnWindowDays;
  if (Date.parse(input.at) > Date.parse(until)) {
    return {
      eligible: false,
      until,
      policyVersion,
      reason: `The ${days}-day return window of policy v${policy.version} has ended.`,
    };
  }
  return {
    eligible: true,
    until,
    policyVersion,
    reason: `Within the ${days}-day return window of policy v${policy.version}.`,
  };
}
