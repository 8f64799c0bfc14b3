import { CloudEvent, Kafka } from 'cloudevents';
import type { JourneyEvent } from '../../../../schemas/src';

/** A Kafka header beside the CloudEvent attributes: the event's place in its journey. */
export const JOURNEY_VERSION_HEADER = 'journey-version';

export interface KafkaRecord {
  key: string;
  value: string;
  headers: Record<string, string>;
}

/**
 * CloudEvents Kafka binary mode: attributes as `ce_*` headers (written by the cloudevents SDK),
 * data as the value, the journey id as the key.
 */
export function toKafkaRecord(event: JourneyEvent, journeyVersion: number): KafkaRecord {
  const { data, ...attributes } = event;
  const message = Kafka.binary(new CloudEvent({ ...attributes, data }, false));
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.headers)) if (value !== undefined) headers[name] = String(value);
  headers[JOURNEY_VERSION_HEADER] = String(journeyVersion);
  return { key: event.subject, value: JSON.stringify(data), headers };
}

/**
 * Reads a record back. Decoded here rather than by the SDK's `Kafka.toEvent`, which rewrites
 * `time` (`...:00Z` becomes `...:00.000Z`): the backbone keeps every attribute exactly as sent.
 */
export function fromKafkaRecord(headers: Record<string, Buffer | string | undefined>, value: Buffer | string | null): { event: JourneyEvent; journeyVersion: number } {
  const event: Record<string, unknown> = {};
  let journeyVersion = 0;
  // A projector decodes every record: a plain loop, no intermediate arrays.
  for (const name in headers) {
    const raw = headers[name];
    if (raw === undefined) continue;
    if (name === JOURNEY_VERSION_HEADER) journeyVersion = Number(raw.toString());
    else if (name.startsWith('ce_')) event[name.slice(3)] = name === 'ce_schemaversion' ? Number(raw.toString()) : raw.toString();
  }
  event.data = value === null ? null : JSON.parse(value.toString());
  return { event: event as JourneyEvent, journeyVersion };
}
