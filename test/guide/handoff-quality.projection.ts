import { defineProjection } from '#projection-runtime';

/**
 * The example of docs/adding-a-consumer.md: handoffs each team received, and how many came
 * without a context summary (the customer had to tell the story again).
 */
export interface HandoffQuality {
  team: string;
  received: number;
  withoutContext: number;
}

export const handoffQualityProjection = defineProjection({
  name: 'handoff-quality',
  version: 1,
  canHandle: ['contact.handed_off'],
  documentId: (event) => event.data.toTeam ?? event.data.toChannel,
  initialState: (team): HandoffQuality => ({ team, received: 0, withoutContext: 0 }),
  evolve(state, event) {
    const missing = !event.data.contextSummary?.trim();
    return { ...state, received: state.received + 1, withoutContext: state.withoutContext + (missing ? 1 : 0) };
  },
});
