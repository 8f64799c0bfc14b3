/**
 * What makes an event the same event. CloudEvents makes `source` + `id` unique: two producers may
 * both use id `42`, and neither may take the other's. A repeat of a key is the same event only
 * when everything it says is the same; anything else under a known key is refused, never dropped.
 */

/** One string per (source, id), unambiguous whatever the two hold (the source's length first). */
export function eventKey(event: { source: string; id: string }): string {
  return `${event.source.length}:${event.source}${event.id}`;
}

/** JSON with object keys sorted at every level: equal for equal content, whatever order the fields came in. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value))
    return `[${value.map((item) => (item === undefined ? 'null' : canonicalJson(item))).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.keys(value)
      .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * The trace an event was sent in (the CloudEvents distributed-tracing extension) says how it travelled, not what it
 * says: a retry sent in another trace is the same event.
 */
const NOT_CONTENT = ['traceparent', 'tracestate'];

/** Whether two events (as stored, before upcasting) say exactly the same. */
export function sameEvent(a: unknown, b: unknown): boolean {
  return canonicalJson(withoutTrace(a)) === canonicalJson(withoutTrace(b));
}

function withoutTrace(event: unknown): unknown {
  if (event === null || typeof event !== 'object' || !NOT_CONTENT.some((k) => k in event)) return event;
  const copy = { ...(event as Record<string, unknown>) };
  for (const key of NOT_CONTENT) delete copy[key];
  return copy;
}
