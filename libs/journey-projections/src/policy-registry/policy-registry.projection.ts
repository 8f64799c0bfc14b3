import { defineProjection } from '../../../projection-runtime/src';
import type { PolicyVersion } from '../../../journey-domain/src';

export interface RegisteredPolicyVersion extends PolicyVersion {
  /** Log position of the `policy.published` event: lets readers ignore versions published later. */
  position: string;
  publishedAt: string;
}

export interface PolicyRegistryState {
  kind: string;
  versions: RegisteredPolicyVersion[];
}

/** Every published policy version, one document per policy kind (`returns`, `shipping`, `pricing`). */
export const policyRegistryProjection = defineProjection<PolicyRegistryState>({
  name: 'policy-registry',
  version: 1,
  canHandle: ['policy.published'],
  documentId: (event) => (event.type === 'policy.published' ? event.data.kind : null),
  initialState: (kind) => ({ kind, versions: [] }),
  evolve(state, event, context) {
    if (event.type !== 'policy.published') return state;
    const { policyId, version, kind, wording, rules, effectiveFrom } = event.data;
    const entry: RegisteredPolicyVersion = {
      policyId,
      version,
      kind,
      wording,
      returnWindowDays: rules.returnWindowDays,
      effectiveFrom,
      position: context.position,
      publishedAt: event.time,
    };
    const others = state.versions.filter((v) => !(v.policyId === policyId && v.version === version));
    return { ...state, versions: [...others, entry].sort((a, b) => a.policyId.localeCompare(b.policyId) || a.version - b.version) };
  },
});
