import { EVENT_TYPES } from '../../../../schemas/src';
import { governingPolicy } from '../../../journey-domain/src';
import { defineProjection } from '../../../projection-runtime/src';
import type { PolicyRegistryState } from '../policy-registry/policy-registry.projection';
import { evolveJourney, initialJourneyState, type JourneyState } from './journey-state';

/** The unified journey view: one document per customer, every channel reads it. */
export const journeyViewProjection = defineProjection<JourneyState>({
  name: 'journey-view',
  version: 1,
  canHandle: EVENT_TYPES.filter((type) => type !== 'policy.published'),
  documentId: (event) => event.subject,
  initialState: initialJourneyState,
  reads: [{ projection: 'policy-registry', documentIds: (event) => (event.type === 'order.placed' ? ['returns'] : []) }],
  evolve(state, event, context) {
    return evolveJourney(state, event, (kind, placedAt) => {
      const registry = context.read<PolicyRegistryState>('policy-registry', kind);
      // Only versions published before this order in the log: the registry may be ahead of us.
      const known = (registry?.versions ?? []).filter((v) => context.comparePositions(v.position, context.position) < 0);
      const policy = governingPolicy(known, placedAt);
      return policy
        ? { policyId: policy.policyId, version: policy.version, wording: policy.wording, returnWindowDays: policy.returnWindowDays ?? null }
        : null;
    });
  },
});
