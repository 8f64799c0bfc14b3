import { defineProjection } from '../../../projection-runtime/src';
import { publishedPolicyVersion, type PolicyVersion } from '../../../journey-domain/src';

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
    const entry = publishedPolicyVersion(event);
    const others = state.versions.filter((v) => !(v.policyId === entry.policyId && v.version === entry.version));
    return { ...state, versions: [...others, entry].sort((a, b) => a.policyId.localeCompare(b.policyId) || a.version - b.version) };
  },
});
