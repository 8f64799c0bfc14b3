import { EVENT_TYPES } from '#schemas';
import { defineProjection } from '#projection-runtime';
import { evolveJourney, initialJourneyState, type JourneyState } from './journey-state';

/**
 * The unified journey view: one document per customer, every channel reads it. The policy that
 * governs each order is not copied in: it is resolved when the view is rendered, from the policy
 * registry and the sequence at which the log received the order, so the view does not depend on
 * the order in which a partitioned log delivers policies and orders.
 */
export const journeyViewProjection = defineProjection({
  name: 'journey-view',
  version: 4,
  canHandle: EVENT_TYPES.filter((type) => type !== 'policy.published'),
  documentId: (event) => event.subject,
  initialState: (customerId): JourneyState | null => initialJourneyState(customerId),
  // An erased customer's view is dropped (null deletes the document) and stays dropped: a rebuild, which reads their
  // events back with "[erased]" in place of personal fields, ends without it.
  evolve: (state, event, context) =>
    state === null || event.type === 'customer.erased' ? null : evolveJourney(state, event, context.sequence),
});
