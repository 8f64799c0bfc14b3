import type { LoggerService } from '@nestjs/common';
import type { StructuredLogger } from '#logging';

/**
 * Nest's own log calls, into the app's JSON log: its errors and warnings as such, its start-up
 * chatter (route mapping, "started") at debug. Only Nest's fixed texts and context are written.
 */
export class NestLogger implements LoggerService {
  constructor(private readonly logger: StructuredLogger) {}

  error(message: unknown, ...rest: unknown[]): void {
    this.logger.error({ context: contextOf(rest), source: 'nest' }, String(message));
  }

  warn(message: unknown, ...rest: unknown[]): void {
    this.logger.warn({ context: contextOf(rest), source: 'nest' }, String(message));
  }

  log(message: unknown, ...rest: unknown[]): void {
    this.logger.debug({ context: contextOf(rest), source: 'nest' }, String(message));
  }

  debug(message: unknown, ...rest: unknown[]): void {
    this.logger.debug({ context: contextOf(rest), source: 'nest' }, String(message));
  }

  verbose(message: unknown, ...rest: unknown[]): void {
    this.logger.debug({ context: contextOf(rest), source: 'nest' }, String(message));
  }
}

function contextOf(rest: unknown[]): string | undefined {
  const last = rest[rest.length - 1];
  return typeof last === 'string' ? last : undefined;
}
