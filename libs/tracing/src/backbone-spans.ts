import {
  SpanKind,
  SpanStatusCode,
  context,
  trace,
  type Context,
  type Link,
  type SpanContext,
} from '@opentelemetry/api';
import { eventSpanContext, traceparentOf } from './event-trace-context';
import { tracingEnabled } from './tracing-setup';

/** The backbone's spans: what each step of an event's way is called, and how it hangs in its trace. */

const tracer = () => trace.getTracer('journey-backbone');

/** Links per span, at most: a batch of thousands of events links to the first ones (the SDK's own default limit). */
const MAX_LINKS = 128;

/**
 * Runs `append` in a `journey.append` span (a child of the request's), and gives the events that carry no trace
 * context this span's, so that whoever reads them later (projections, reactors) continues the request's trace.
 */
export async function traceAppend<T>(
  events: ReadonlyArray<Record<string, unknown>>,
  attributes: Record<string, string | number>,
  append: () => Promise<T>,
): Promise<T> {
  if (!tracingEnabled()) return append();
  return tracer().startActiveSpan(
    'journey.append',
    { kind: SpanKind.INTERNAL, attributes: { 'journey.events': events.length, ...attributes } },
    async (span) => {
      const traceparent = traceparentOf(span.spanContext());
      for (const event of events) if (event.traceparent === undefined) event.traceparent = traceparent;
      try {
        return await append();
      } catch (error) {
        span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
        throw error;
      } finally {
        span.end();
      }
    },
  );
}

/**
 * The parent of a span handling these events: the trace they all came in, when they came in one (a request's
 * batch), else none; in both cases the span links to each event's context.
 */
function parentAndLinks(events: ReadonlyArray<{ event: object }>): { parent: Context; links: Link[] } {
  const contexts: SpanContext[] = [];
  for (const stored of events) {
    const spanContext = eventSpanContext(stored.event);
    if (spanContext) contexts.push(spanContext);
  }
  const oneTrace = contexts.length > 0 && contexts.every((c) => c.traceId === contexts[0].traceId);
  const parent = oneTrace ? trace.setSpanContext(context.active(), contexts[0]) : trace.deleteSpan(context.active());
  return { parent, links: contexts.slice(0, MAX_LINKS).map((c) => ({ context: c })) };
}

/**
 * A committed projector batch, as a `journey.projection.commit` span (from the batch reaching the projector to its
 * commit), in the trace of its events; `then` runs in it, so what the commit sets off (the SSE pushes) is its child.
 */
export function traceCommit(
  batch: { events: ReadonlyArray<{ event: object; position: string }>; seconds: number; position: string },
  attributes: Record<string, string | number>,
  then: () => void,
): void {
  if (!tracingEnabled() || batch.events.length === 0) return then();
  const { parent, links } = parentAndLinks(batch.events);
  const span = tracer().startSpan(
    'journey.projection.commit',
    {
      kind: SpanKind.CONSUMER,
      startTime: Date.now() - batch.seconds * 1000,
      links,
      attributes: { 'journey.events': batch.events.length, 'journey.position': batch.position, ...attributes },
    },
    parent,
  );
  try {
    context.with(trace.setSpan(parent, span), then);
  } finally {
    span.end();
  }
}

/** An event a reactor handled, as a `journey.reactor.handle` span in the event's trace (retries and pauses in it). */
export function traceReactorDelivery(delivery: {
  reactor: string;
  type: string;
  position: string;
  seconds: number;
  parked: boolean;
  attempts: number;
  traceparent?: string;
}): void {
  if (!tracingEnabled()) return;
  const { parent, links } = parentAndLinks(
    delivery.traceparent === undefined ? [] : [{ event: { traceparent: delivery.traceparent } }],
  );
  const span = tracer().startSpan(
    'journey.reactor.handle',
    {
      kind: SpanKind.CONSUMER,
      startTime: Date.now() - delivery.seconds * 1000,
      links,
      attributes: {
        'journey.reactor': delivery.reactor,
        'journey.event.type': delivery.type,
        'journey.position': delivery.position,
        'journey.attempts': delivery.attempts,
      },
    },
    parent,
  );
  if (delivery.parked) span.setStatus({ code: SpanStatusCode.ERROR, message: 'parked' });
  span.end();
}

/** A view pushed to a customer's SSE streams: `journey.sse.push`, in the active trace (the commit that changed it). */
export function traceSsePush(streams: number, position: string | null): void {
  if (!tracingEnabled()) return;
  tracer()
    .startSpan('journey.sse.push', {
      kind: SpanKind.PRODUCER,
      attributes: { 'journey.streams': streams, 'journey.position': position ?? '' },
    })
    .end();
}
