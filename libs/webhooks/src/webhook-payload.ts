import type { JourneyEvent, JourneyView } from '#schemas';
import { redact } from '#journey-read';

/** A Standard Webhooks payload: `type`, `timestamp` and `data`. */
export interface WebhookPayload {
  type: string;
  timestamp: string;
  data: unknown;
}

/** An event delivered as it is on the log (personal fields masked unless the subscription is trusted with them). */
export function eventPayload(event: JourneyEvent, personalData: boolean): WebhookPayload {
  return { type: event.type, timestamp: event.time, data: personalData ? event : redact(event) };
}

/**
 * A change of a customer's journey view: the view as of the event that changed it, at its position; or, when the
 * customer was erased, that the view is gone (`journey.view.erased`), so the receiver drops its copy.
 */
export function viewPayload(
  change: { customerId: string; position: string; time: string },
  view: JourneyView | null,
  personalData: boolean,
): WebhookPayload {
  const { customerId, position, time } = change;
  if (view === null) return { type: 'journey.view.erased', timestamp: time, data: { customerId, position } };
  return {
    type: 'journey.view.changed',
    timestamp: time,
    data: { customerId, position, view: personalData ? view : redact(view) },
  };
}
