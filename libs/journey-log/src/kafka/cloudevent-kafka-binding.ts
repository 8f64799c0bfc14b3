import { CloudEvent, Kafka } from 'cloudevents';
import type { JourneyEvent } from '#schemas';

/** A Kafka header beside the CloudEvent attributes: the event's place in its journey. */
export const JOURNEY_VERSION_HEADER = 'journey-version';
/**
 * A Kafka header beside the CloudEvent attributes: the event index's sequence number of the event (see
 * `StoredEvent.sequence`).
 */
export const JOURNEY_SEQUENCE_HEADER = 'journey-sequence';

const ATTRIBUTE_OF_HEADER = new Map<string, string>([
  ...['id', 'source', 'type', 'subject', 'time', 'specversion', 'datacontenttype', 'dataschema'].map(
    (a) => [`ce_${a}`, a] as const,
  ),
  // The binding's place for datacontenttype (records written before it left `ce_datacontenttype` too).
  ['content-type', 'datacontenttype'] as const,
]);

export interface KafkaRecord {
  key: string;
  value: string;
  headers: Record<string, string>;
}

/**
 * CloudEvents Kafka binary mode: attributes as `ce_*` headers (written by the cloudevents SDK),
 * data as the value, the journey id as the key.
 */
export function toKafkaRecord(event: JourneyEvent, journeyVersion: number, sequence?: number): KafkaRecord {
  const { data, ...attributes } = event;
  const message = Kafka.binary(new CloudEvent({ ...attributes, data }, false));
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.headers)) if (value !== undefined) headers[name] = String(value);
  // The binding maps datacontenttype to `content-type` alone; the SDK also writes it as an attribute header.
  delete headers.ce_datacontenttype;
  headers[JOURNEY_VERSION_HEADER] = String(journeyVersion);
  if (sequence !== undefined) headers[JOURNEY_SEQUENCE_HEADER] = String(sequence);
  return { key: event.subject, value: JSON.stringify(data), headers };
}

/**
 * Reads a record back. Decoded here rather than by the SDK's `Kafka.toEvent`, which rewrites
 * `time` (`...:00Z` becomes `...:00.000Z`): the backbone keeps every attribute exactly as sent.
 */
export function fromKafkaRecord(
  headers: Record<string, Buffer | string | undefined>,
  value: Buffer | string | null,
): { event: JourneyEvent; journeyVersion: number; sequence?: number } {
  const event: Record<string, unknown> = {};
  let journeyVersion = 0;
  let sequence: number | undefined;
  // A projector decodes every record: a plain loop, no intermediate arrays, and the attribute
  // names of the usual headers looked up rather than cut out of the header name each time.
  for (const name in headers) {
    const raw = headers[name];
    if (raw === undefined) continue;
    if (name === JOURNEY_VERSION_HEADER) journeyVersion = Number(raw.toString());
    else if (name === JOURNEY_SEQUENCE_HEADER) sequence = Number(raw.toString());
    else if (name === 'ce_schemaversion') event.schemaversion = Number(raw.toString());
    else {
      const attribute = ATTRIBUTE_OF_HEADER.get(name) ?? (name.startsWith('ce_') ? name.slice(3) : undefined);
      if (attribute !== undefined) event[attribute] = raw.toString();
    }
  }
  event.data = value === null ? null : JSON.parse(value.toString());
  return {
    event: event as JourneyEvent,
    journeyVersion,
    ...(sequence !== undefined && Number.isSafeInteger(sequence) ? { sequence } : {}),
  };
}
