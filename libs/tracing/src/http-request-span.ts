import { ROOT_CONTEXT, SpanKind, SpanStatusCode, context, propagation, trace, type Span } from '@opentelemetry/api';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { tracingEnabled } from './tracing-setup';

/**
 * A server span per HTTP request (`POST /v1/events`), continuing the caller's trace when it sends a `traceparent`
 * header. The rest of the request runs in its context, so the spans made while answering (the append) are its
 * children and log lines carry its trace id. Registered first, before any other hook; nothing when tracing is off.
 */
export function traceHttpRequest(fastify: FastifyInstance): void {
  if (!tracingEnabled()) return;
  const spans = new WeakMap<FastifyRequest, Span>();
  const tracer = trace.getTracer('journey-backbone');
  fastify.addHook('onRequest', (request, _reply, done) => {
    const parent = propagation.extract(ROOT_CONTEXT, request.headers);
    const route = request.routeOptions.url;
    const span = tracer.startSpan(
      route === undefined ? request.method : `${request.method} ${route}`,
      {
        kind: SpanKind.SERVER,
        attributes: {
          'http.request.method': request.method,
          ...(route === undefined ? {} : { 'http.route': route }),
          'url.scheme': 'http',
        },
      },
      parent,
    );
    spans.set(request, span);
    // Fastify goes on from `done`: everything after it, handlers included, runs in the span's context.
    context.with(trace.setSpan(parent, span), done);
  });
  fastify.addHook('onResponse', (request, reply, done) => {
    const span = spans.get(request);
    if (span) {
      span.setAttribute('http.response.status_code', reply.statusCode);
      if (reply.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    }
    done();
  });
}
