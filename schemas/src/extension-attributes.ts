import { z } from 'zod';
import { EnvelopeSchema } from './envelope';

/**
 * CloudEvents extension attributes: any attribute of an event beyond the envelope's own. A producer's (a
 * `traceparent`, a tenant, a partner's reference) is kept as sent, on every log, and read back with the event: a
 * contract that drops what it is given cannot be trusted. They are not personal data (they are stored in clear).
 */

/** The spec's rule (lower-case ASCII letters and digits), with a bound: a name is also a Kafka header name. */
const EXTENSION_NAME = /^[a-z0-9]{1,64}$/;
const MAX_EXTENSIONS = 32;
/** What the spec allows in a String: no control characters (they have no agreed form in HTTP or Kafka headers). */
// eslint-disable-next-line no-control-regex -- control characters are what this refuses
const ATTRIBUTE_TEXT = /^[^\u0000-\u001f\u007f-\u009f]*$/;

/**
 * A value as the CloudEvents type system has it in JSON (String, Integer, Boolean), kept in its canonical string
 * form: the form binary modes (HTTP and Kafka headers) carry, so every log answers the same value.
 */
export const ExtensionValue = z
  .union(
    [
      z.string().max(2000).regex(ATTRIBUTE_TEXT, 'must not contain control characters'),
      z.int().min(-2147483648).max(2147483647),
      z.boolean(),
    ],
    { error: 'must be a string, a 32-bit integer or a boolean (a CloudEvents attribute value)' },
  )
  .transform(String);

export const ExtensionAttributes = z.record(z.string().regex(EXTENSION_NAME), ExtensionValue);
export type ExtensionAttributes = z.output<typeof ExtensionAttributes>;

/**
 * The JSON Schema (draft 2020-12, as OpenAPI 3.1 has it too) of what an envelope takes beside its own attributes:
 * extension attributes, String, Integer or Boolean, under a name the spec allows.
 */
export function extensionAttributesJsonSchema(): Record<string, unknown> {
  const value = {
    description:
      'CloudEvents extension attributes (names: lower-case letters and digits, at most 64; at most ' +
      `${MAX_EXTENSIONS}), kept and returned in their canonical string form`,
    anyOf: [
      { type: 'string', maxLength: 2000 },
      { type: 'integer', minimum: -2147483648, maximum: 2147483647 },
      { type: 'boolean' },
    ],
  };
  // `unevaluatedProperties`, not `additionalProperties`: code generators (openapi-typescript) turn the latter into an
  // index signature every declared property must fit, `data` included, which no event then does.
  return { propertyNames: { pattern: EXTENSION_NAME.source }, unevaluatedProperties: value };
}

/** The envelope's own attributes, and what CloudEvents JSON has beside them that is not an attribute. */
const NOT_EXTENSIONS = new Set([...Object.keys(EnvelopeSchema.shape), 'data', 'data_base64']);

/** The extension attributes of an event (its attributes that are not the envelope's). */
export function extensionAttributesOf(event: object): ExtensionAttributes {
  const attributes: ExtensionAttributes = {};
  for (const [name, value] of Object.entries(event)) if (!NOT_EXTENSIONS.has(name)) attributes[name] = String(value);
  return attributes;
}

/**
 * The extension attributes of an event as sent, checked: each name and value, at the attribute's name as its path.
 * `data_base64` (CloudEvents JSON's binary data) is refused: the backbone's data is JSON.
 */
export function checkExtensionAttributes(
  raw: object,
): { ok: true; attributes: ExtensionAttributes } | { ok: false; errors: Array<{ path: string; message: string }> } {
  const attributes: ExtensionAttributes = {};
  const errors: Array<{ path: string; message: string }> = [];
  let count = 0;
  for (const [name, value] of Object.entries(raw)) {
    if (name === 'data_base64') {
      errors.push({
        path: name,
        message: 'binary data is not accepted: data is JSON (datacontenttype application/json)',
      });
      continue;
    }
    if (NOT_EXTENSIONS.has(name)) continue;
    if (++count > MAX_EXTENSIONS) {
      errors.push({ path: name, message: `at most ${MAX_EXTENSIONS} extension attributes` });
      continue;
    }
    if (!EXTENSION_NAME.test(name)) {
      errors.push({
        path: name,
        message:
          'not a CloudEvents attribute name (lower-case letters a-z and digits, at most 64), nor one of the envelope',
      });
      continue;
    }
    const parsed = ExtensionValue.safeParse(value);
    if (parsed.success) attributes[name] = parsed.data;
    else errors.push({ path: name, message: parsed.error.issues[0].message });
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, attributes };
}

/** An event with extension attributes added (or changed): they are not in the envelope's type, being anyone's. */
export function withExtensionAttributes<E extends object>(event: E, attributes: ExtensionAttributes): E {
  return { ...event, ...attributes };
}
