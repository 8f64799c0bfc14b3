import { defineProjection, type Projection } from './projection';

// Typed by the events it handles: checked by `npm run typecheck` (each `@ts-expect-error` must
// meet an error), and run here so the projection is also exercised.
describe('defineProjection', () => {
  const casesPerCustomer = defineProjection({
    name: 'cases-per-customer',
    version: 1,
    canHandle: ['contact.opened', 'contact.reopened'],
    documentId: (event) => event.subject,
    initialState: (): string[] => [],
    evolve(state, event) {
      // @ts-expect-error: a handoff is not among the types this projection handles
      const handoff: 'contact.handed_off' = event.type;
      void handoff;
      return state.includes(event.data.caseId) ? state : [...state, event.data.caseId];
    },
  });

  it('given a projection of some types, then evolve sees only them and the runtime holds it as any projection', () => {
    const held: Projection = casesPerCustomer;
    expect(held.canHandle).toEqual(['contact.opened', 'contact.reopened']);
    const opened = {
      specversion: '1.0' as const,
      id: 'e1',
      source: '/t',
      type: 'contact.reopened' as const,
      subject: 'cust-1',
      time: '2026-01-01T00:00:00Z',
      schemaversion: 1,
      data: { caseId: 'case-1', reason: 'again' },
    };
    expect(casesPerCustomer.evolve([], opened, undefined as never)).toEqual(['case-1']);
  });
});
