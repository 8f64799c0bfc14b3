import { trace } from '@opentelemetry/api';
import pino, { type Logger, type LevelWithSilent } from 'pino';

/** The levels `LOG_LEVEL` takes. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = LevelWithSilent;

/**
 * What the backbone logs through: pino's call shape (fields first, then a fixed message), so any
 * pino logger (Fastify's own) fits. Fields never carry personal data: see `errorFields`.
 */
export type StructuredLogger = Pick<Logger, 'error' | 'warn' | 'info' | 'debug'> & {
  child(bindings: Record<string, unknown>): StructuredLogger;
};

/**
 * One JSON line per entry on stdout (pino, the logger Fastify is built with): `level`, `time`,
 * `app`, `msg`, and the entry's fields. Request lines are not logged: a URL can hold an email
 * address (`/v1/identities/email/...`), and a log is no place for personal data.
 */
export function createLogger(
  app: string,
  level: LogLevel = 'info',
  to: 'stdout' | 'stderr' = 'stdout',
): StructuredLogger {
  return pino(
    { level, base: { app, pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime, mixin: traceFields },
    pino.destination({ dest: to === 'stdout' ? 1 : 2, sync: true }),
  );
}

/**
 * The trace and span of the line (`trace_id`, `span_id`, as OpenTelemetry's log data model names them), when it is
 * written while a span is active: a request's lines are found from its trace, and the other way round. Without a
 * tracer provider (tracing off) there is never an active span.
 */
function traceFields(): Record<string, string> {
  const span = trace.getActiveSpan();
  if (!span) return {};
  const { traceId, spanId } = span.spanContext();
  return { trace_id: traceId, span_id: spanId };
}

/** A logger that drops everything (tests, libraries used without one). */
export const silentLogger: StructuredLogger = pino({ level: 'silent' });
