import { latestVersion, validateEvent, type EventData, type EventType, type JourneyEvent } from '../index';

let counter = 0;

export interface EventOptions {
  /** @defaultValue '/test' */
  source?: string;
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
    source: options.source ?? '/test',
    type,
    subject: options.subject ?? 'cust-1',
    time: options.time ?? '2026-03-01T10:00:00Z',
    datacontenttype: 'application/json',
    // The data's type is the newest version's: so is the default version (an older one is asked for by number).
    schemaversion: options.schemaversion ?? latestVersion(type),
    data,
  };
  const result = validateEvent(raw);
  if (!result.ok) throw new Error(`invalid test event ${type}: ${JSON.stringify(result.errors)}`);
  return result.event;
}

/** An order's data for tests: `qty` of one item at `unitPrice` (minor units), totals that add up, delivery promised. */
export function orderPlacedData(
  orderId: string,
  options: { qty?: number; unitPrice?: number; currency?: string } = {},
): EventData<'order.placed'> {
  const qty = options.qty ?? 1;
  const subtotal = qty * (options.unitPrice ?? 1000);
  return {
    orderId,
    channel: 'web',
    currency: options.currency ?? 'EUR',
    items: [{ sku: 'A', name: 'Lamp', qty, unitPrice: options.unitPrice ?? 1000 }],
    totals: { subtotal, discount: 0, shipping: 0, fees: 0, tax: 0, total: subtotal },
    promisedDelivery: { from: '2026-11-22T00:00:00Z', to: '2026-11-24T00:00:00Z' },
  };
}
