import { validateEvent, type EventData, type EventType, type JourneyEvent } from '../index';

let counter = 0;

export interface EventOptions {
  subject?: string;
  time?: string;
  id?: string;
  schemaversion?: number;
}

/**
 * A valid journey event for tests: the envelope is filled in and the result is validated through
 * the catalog, so a fixture can never be an event the backbone would reject.
 */
export function journeyEvent<T extends EventType>(
  type: T,
  data: EventData<T> | Record<string, unknown>,
  options: EventOptions = {},
): JourneyEvent {
  counter += 1;
  const raw = {
    specversion: '1.0',
    id: options.id ?? `test-${process.pid}-${counter}`,
    source: '/test',
    type,
    subject: options.subject ?? 'cust-1',
    time: options.time ?? '2026-03-01T10:00:00Z',
    datacontenttype: 'application/json',
    ...(options.schemaversion !== undefined ? { schemaversion: options.schemaversion } : {}),
    data,
  };
  const result = validateEvent(raw);
  if (!result.ok) throw new Error(`invalid test event ${type}: ${JSON.stringify(result.errors)}`);
  return result.event;
}
