import { TraceFlags, isSpanContextValid, type SpanContext } from '@opentelemetry/api';
import { parseTraceParent } from '@opentelemetry/core';

/**
 * The CloudEvents distributed-tracing extension: an event carries the W3C `traceparent` (and `tracestate`) of the
 * operation that produced it, as extension attributes, on every log (they are kept like any extension attribute).
 */

/** The W3C `traceparent` of a span context (version 00). */
export function traceparentOf(context: SpanContext): string {
  const sampled = (context.traceFlags & TraceFlags.SAMPLED) !== 0 ? '01' : '00';
  return `00-${context.traceId}-${context.spanId}-${sampled}`;
}

/** The span context an event carries (remote: it was made elsewhere), or undefined when it carries none valid. */
export function eventSpanContext(event: object): SpanContext | undefined {
  const { traceparent } = event as { traceparent?: unknown };
  if (typeof traceparent !== 'string') return undefined;
  // The W3C propagator's own parser (any version the spec allows, ids not all zeros).
  const parsed = parseTraceParent(traceparent);
  if (!parsed) return undefined;
  const context: SpanContext = { ...parsed, traceFlags: parsed.traceFlags & TraceFlags.SAMPLED, isRemote: true };
  return isSpanContextValid(context) ? context : undefined;
}
