import type { Projection } from '#projection-runtime';
import { journeyViewProjection } from './journey-view/journey-view.projection';
import {
  caseIndexProjection,
  identityIndexProjection,
  orderIndexProjection,
} from './lookup-indexes/lookup-indexes.projection';
import { policyRegistryProjection } from './policy-registry/policy-registry.projection';

export { journeyViewProjection } from './journey-view/journey-view.projection';
export { renderJourneyView, renderOrder, renderCase, type RenderOptions } from './journey-view/journey-view.render';
export {
  evolveJourney,
  initialJourneyState,
  summariseEvent,
  type JourneyState,
  type OrderState,
  type CaseState,
} from './journey-view/journey-state';
export {
  policyDocumentId,
  policiesDeciding,
  policyRegistryProjection,
  type ListRegistryBefore,
} from './policy-registry/policy-registry.projection';
export {
  caseIndexProjection,
  identityIndexProjection,
  identityKey,
  identityLookupKey,
  orderIndexProjection,
  type CustomerRef,
} from './lookup-indexes/lookup-indexes.projection';

/**
 * Every projection the backbone runs, in dependency order (a projection reads only those before
 * it). Registering a new projection is one line here.
 */
export const PROJECTIONS: readonly Projection[] = [
  policyRegistryProjection,
  orderIndexProjection,
  caseIndexProjection,
  identityIndexProjection,
  journeyViewProjection,
];
