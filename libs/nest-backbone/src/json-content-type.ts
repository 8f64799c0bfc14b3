/** The media types `POST /v1/events` takes: one event, or a batch (CloudEvents structured and batched modes). */
const JSON_MEDIA_TYPES = new Set([
  'application/json',
  'application/cloudevents+json',
  'application/cloudevents-batch+json',
]);

/**
 * Why a `Content-Type` header does not announce a JSON body we read, or null when it does: one of
 * the three media types, with no parameter but `charset=utf-8` (JSON is UTF-8; a body announced
 * in another charset would be misread). Parsed exactly, not by prefix: `application/json-seq`
 * and `application/jsonx` are other types.
 */
export function jsonContentTypeProblem(header: string | undefined): string | null {
  const expected =
    'content-type must be application/json, application/cloudevents+json or application/cloudevents-batch+json (UTF-8)';
  if (header === undefined || header.trim() === '') return `${expected}; none was given`;
  const [mediaType, ...parameters] = header.split(';');
  if (!JSON_MEDIA_TYPES.has(mediaType.trim().toLowerCase())) return `${expected}, not ${JSON.stringify(header)}`;
  for (const parameter of parameters) {
    if (parameter.trim() === '') continue;
    const match = /^\s*charset\s*=\s*"?([^";\s]*)"?\s*$/i.exec(parameter);
    if (!match) return `${expected}; the parameter ${JSON.stringify(parameter.trim())} is not taken`;
    if (match[1].toLowerCase() !== 'utf-8')
      return `${expected}; the charset must be utf-8, not ${JSON.stringify(match[1])}`;
  }
  return null;
}
