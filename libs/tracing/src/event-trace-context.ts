import { TraceFlags, isSpanContextValid, type SpanContext } from '@opentelemetry/api';

/**
 * The CloudEvents distributed-tracing extension: an event carries the W3C `traceparent` (and `tracestate`) of the
 * operation that produced it, as extension attributes, on every log (they are kept like any extension attribute).
 */

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** The W3C `traceparent` of a span context (version 00). */
export function traceparentOf(context: SpanContext): string {
  const sampled = (context.traceFlags & TraceFlags.SAMPLED) !== 0 ? '01' : '00';
  return `00-${context.traceId}-${context.spanId}-${sampled}`;
}

/** The span context an event carries (remote: it was made elsewhere), or undefined when it carries none valid. */
export function eventSpanContext(event: object): SpanContext | undefined {
  const { traceparent } = event as { traceparent?: unknown };
  if (typeof traceparent !== 'string') return undefined;
  const match = TRACEPARENT.exec(traceparent);
  if (!match) return undefined;
  const context: SpanContext = {
    traceId: match[1],
    spanId: match[2],
    traceFlags: parseInt(match[3], 16) & TraceFlags.SAMPLED,
    isRemote: true,
  };
  return isSpanContextValid(context) ? context : undefined;
}
