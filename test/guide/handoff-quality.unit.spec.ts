import { journeyEvent, projectionSpec } from '#testing';
import { handoffQualityProjection } from './handoff-quality.projection';

const handoff = (contextSummary?: string) =>
  journeyEvent('contact.handed_off', {
    caseId: 'k1',
    contactId: 'c2',
    fromChannel: 'chat',
    toChannel: 'phone',
    toTeam: 'returns desk',
    contextSummary,
  });

describe('handoff-quality projection (the guide example)', () => {
  it('given a handoff with context, when one comes without, then the team counts 2 received, 1 without', () => {
    projectionSpec(handoffQualityProjection)
      .given(handoff('Order 1001, jacket too small'))
      .when(handoff())
      .then('returns desk', (state) => expect(state).toEqual({ team: 'returns desk', received: 2, withoutContext: 1 }));
  });

  it('applied twice to the same events, gives the same state', () => {
    const { once, twice } = projectionSpec(handoffQualityProjection)
      .given(handoff('ctx'), handoff())
      .when()
      .thenIdempotent('returns desk');
    expect(twice).toEqual(once);
  });
});
