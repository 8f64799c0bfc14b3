import { z } from 'zod';
import { catalog, isEventType, latestVersion, policyJourneyOf, rulesOf, type EventType } from './catalog';
import { utcTime } from './common';
import { EnvelopeSchema, POLICY_SUBJECT_PREFIX } from './envelope';
import { checkExtensionAttributes } from './extension-attributes';
import type { JourneyEvent } from './journey-event';
import { jsonProblems } from './json-safety';

/** One problem with one event of a request: which event, which field, why. */
export interface FieldError {
  index: number;
  path: string;
  message: string;
}

export type ValidationResult = { ok: true; event: JourneyEvent } | { ok: false; errors: FieldError[] };

function toFieldErrors(index: number, prefix: Array<string | number>, error: z.ZodError): FieldError[] {
  const at = (path: PropertyKey[]) => [...prefix, ...path].map(String).join('.') || '(event)';
  return error.issues.flatMap((issue) =>
    // One error per unknown field, at its own path: a producer's typo is named, not dropped.
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({ index, path: at([...issue.path, key]), message: UNKNOWN_FIELD }))
      : [{ index, path: at(issue.path), message: issue.message }],
  );
}

const UNKNOWN_FIELD = 'unknown field: not in the schema of this type and version (a misspelt name?)';

/**
 * The data's errors of an event whose envelope is wrong, when its type and version still say which schema applies: a
 * producer learns of both at once, not of the data's after mending the envelope.
 */
function dataErrorsBeside(raw: unknown, index: number): FieldError[] {
  if (raw === null || typeof raw !== 'object' || !('data' in raw)) return [];
  const { type, schemaversion, data } = raw as { type?: unknown; schemaversion?: unknown; data: unknown };
  if (typeof type !== 'string' || !isEventType(type)) return [];
  const version = schemaversion === undefined ? 1 : schemaversion;
  const schema =
    typeof version === 'number' ? (catalog[type].versions[version - 1] as z.ZodType | undefined) : undefined;
  const parsed = schema?.safeParse(data);
  return parsed && !parsed.success ? toFieldErrors(index, ['data'], parsed.error) : [];
}

/**
 * Validates one CloudEvent as sent by a producer: envelope, type, version, data, subject rule.
 * The event keeps the schema version it was sent with; `upcast` brings it to the latest.
 */
export function validateEvent(raw: unknown, index = 0): ValidationResult {
  // Text and structure that no store can keep faithfully, before any schema walks the value.
  const unstorable = jsonProblems(raw);
  if (unstorable.length > 0) return { ok: false, errors: unstorable.map((p) => ({ index, ...p })) };
  const extensions =
    raw !== null && typeof raw === 'object' && !Array.isArray(raw)
      ? checkExtensionAttributes(raw)
      : { ok: true as const, attributes: {} };
  const extensionErrors = extensions.ok ? [] : extensions.errors.map((e) => ({ index, ...e }));
  const envelope = EnvelopeSchema.safeParse(raw);
  if (!envelope.success)
    return {
      ok: false,
      errors: [...toFieldErrors(index, [], envelope.error), ...extensionErrors, ...dataErrorsBeside(raw, index)],
    };
  const { type } = envelope.data;
  if (!isEventType(type)) {
    return {
      ok: false,
      errors: [{ index, path: 'type', message: `unknown event type "${type}"` }, ...extensionErrors],
    };
  }
  const version = envelope.data.schemaversion ?? 1;
  const schema = catalog[type].versions[version - 1] as z.ZodType | undefined;
  if (!schema) {
    return {
      ok: false,
      errors: [
        { index, path: 'schemaversion', message: `${type} has versions 1 to ${latestVersion(type)}, not ${version}` },
        ...extensionErrors,
      ],
    };
  }
  const data = schema.safeParse(envelope.data.data);
  if (!data.success) return { ok: false, errors: [...extensionErrors, ...toFieldErrors(index, ['data'], data.error)] };
  if (!extensions.ok) return { ok: false, errors: extensionErrors };
  const policyField = rulesOf(type).policyJourney;
  const subject = envelope.data.subject;
  if (policyField !== undefined && subject !== POLICY_SUBJECT_PREFIX + policyJourneyOf({ type, data: data.data })) {
    return {
      ok: false,
      errors: [{ index, path: 'subject', message: `${type} has subject ${POLICY_SUBJECT_PREFIX}<${policyField}>` }],
    };
  }
  if (policyField === undefined && subject.startsWith(POLICY_SUBJECT_PREFIX)) {
    return {
      ok: false,
      errors: [{ index, path: 'subject', message: 'the subject of a journey event is a customer id' }],
    };
  }
  const event = {
    ...envelope.data,
    ...extensions.attributes,
    // Stored in UTC, whatever offset it was sent with: one time, one spelling, on every log.
    time: utcTime(envelope.data.time),
    datacontenttype: 'application/json',
    schemaversion: version,
    data: data.data,
  } as JourneyEvent;
  return { ok: true, event };
}

/** Brings an event stored at any schema version to the latest version of its type. */
export function upcast<E extends { type: string; schemaversion?: number; data: unknown }>(event: E): JourneyEvent {
  const type = event.type as EventType;
  const definition = catalog[type];
  let version = event.schemaversion ?? 1;
  if (!definition || version >= definition.versions.length) return event as unknown as JourneyEvent;
  let data = event.data;
  while (version < definition.versions.length) {
    data = definition.upcasters[version - 1](data as never);
    version += 1;
  }
  return { ...event, schemaversion: version, data } as unknown as JourneyEvent;
}
