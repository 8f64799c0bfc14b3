import { CHANNELS, parseIsoInstant, type Channel } from '#schemas';
import { BackboneError } from '#errors';
import type { ReadOptions } from '#journey-read';

const MAX_WAIT_MS = 10_000;

export interface RawReadQuery {
  channel?: string;
  minPosition?: string;
  waitMs?: string;
  asOf?: string;
}

function invalid(parameter: string, message: string): BackboneError {
  return new BackboneError('invalid_parameter', message, { details: { parameter } });
}

/** Validates the query parameters shared by every read; a malformed one is a 400 naming it. */
export function parseReadQuery(query: RawReadQuery): ReadOptions {
  const options: ReadOptions = {};
  if (query.channel !== undefined) {
    if (!(CHANNELS as readonly string[]).includes(query.channel))
      throw invalid('channel', `channel must be one of ${CHANNELS.join(', ')}`);
    options.channel = query.channel as Channel;
  }
  if (query.asOf !== undefined) {
    // The rule of the CLI's --as-of: a time (any offset) or a date, normalised to UTC.
    const asOf = parseIsoInstant(query.asOf);
    if (asOf === null)
      throw invalid(
        'asOf',
        'asOf must be an ISO-8601 time or date such as 2026-03-01T12:00:00Z, 2026-03-01T13:00:00+01:00 or ' +
          '2026-03-01 (a real date)',
      );
    options.asOf = asOf;
  }
  if (query.waitMs !== undefined) {
    const waitMs = Number(query.waitMs);
    if (!/^\d+$/.test(query.waitMs) || waitMs > MAX_WAIT_MS)
      throw invalid('waitMs', `waitMs must be an integer from 0 to ${MAX_WAIT_MS}`);
    options.waitMs = waitMs;
  }
  if (query.minPosition !== undefined) options.minPosition = query.minPosition;
  return options;
}

/** A time range of the access log (`from`, `to`: ISO-8601 times); a malformed one is a 400 naming it. */
export function parseTimeRange(query: { from?: string; to?: string }): { from?: string; to?: string } {
  const instant = (parameter: 'from' | 'to') => {
    const value = query[parameter];
    if (value === undefined || value === '') return undefined;
    const parsed = parseIsoInstant(value);
    if (parsed === null) throw invalid(parameter, `${parameter} must be an ISO-8601 time`);
    return parsed;
  };
  return { from: instant('from'), to: instant('to') };
}
