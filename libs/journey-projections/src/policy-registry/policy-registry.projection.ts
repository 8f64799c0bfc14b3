import { defineProjection } from '../../../projection-runtime/src';
import type { PolicyVersion } from '../../../journey-domain/src';

export interface PolicyRegistryState {
  kind: string;
  versions: PolicyVersion[];
}

/** Every published policy version, one document per policy kind (`returns`, `shipping`, `pricing`). */
export const policyRegistryProjection = defineProjection<PolicyRegistryState>({
  name: 'policy-registry',
  version: 2,
  canHandle: ['policy.published'],
  documentId: (event) => (event.type === 'policy.published' ? event.data.kind : null),
  initialState: (kind) => ({ kind, versions: [] }),
  evolve(state, event) {
    if (event.type !== 'policy.published') return state;
    const { policyId, version, kind, wording, rules, effectiveFrom } = event.data;
    const entry: PolicyVersion = { policyId, version, kind, wording, returnWindowDays: rules.returnWindowDays, effectiveFrom, publishedAt: event.time };
    const others = state.versions.filter((v) => !(v.policyId === policyId && v.version === version));
    return { ...state, versions: [...others, entry].sort((a, b) => a.policyId.localeCompare(b.policyId) || a.version - b.version) };
  },
});
