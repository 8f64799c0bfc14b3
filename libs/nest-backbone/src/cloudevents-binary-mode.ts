import type { IncomingHttpHeaders } from 'node:http';

/** Attributes our envelope keeps as integers: a header is text. */
const INTEGER_ATTRIBUTES = new Set(['schemaversion']);

/**
 * A CloudEvent sent in HTTP binary mode (its attributes as `ce-*` headers, its data as the body, as the CloudEvents
 * SDK's emitter sends it) as the structured event the ingestion validates; null for a request in structured mode (no
 * `ce-specversion` header, or a CloudEvents content type).
 * Header values are percent-decoded (the binding's encoding of what a header cannot carry).
 */
export function fromBinaryMode(headers: IncomingHttpHeaders, body: unknown): Record<string, unknown> | null {
  // The content type says the mode: `application/cloudevents+json` (or a batch) is structured, whatever else is sent.
  const structured = headers['content-type']?.toLowerCase().startsWith('application/cloudevents') ?? false;
  if (headers['ce-specversion'] === undefined || structured) return null;
  const event: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (!name.startsWith('ce-') || typeof value !== 'string') continue;
    const attribute = name.slice('ce-'.length);
    let text = value;
    try {
      text = decodeURIComponent(value);
    } catch {
      // Not percent-encoded after all: taken as sent, and validated as any value.
    }
    event[attribute] = INTEGER_ATTRIBUTES.has(attribute) && /^\d{1,9}$/.test(text) ? Number(text) : text;
  }
  // The content type was checked before the body was read: JSON.
  event.datacontenttype = 'application/json';
  event.data = body;
  return event;
}
