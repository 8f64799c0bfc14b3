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
    { level, base: { app, pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime },
    pino.destination({ dest: to === 'stdout' ? 1 : 2, sync: true }),
  );
}

/** A logger that drops everything (tests, libraries used without one). */
export const silentLogger: StructuredLogger = pino({ level: 'silent' });
