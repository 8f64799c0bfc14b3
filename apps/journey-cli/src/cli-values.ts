import { parseIsoInstant } from '#schemas';
import { UsageError } from './usage-error';

/** Flag values as the commands take them: a clear usage error naming the flag when one is wrong. */

export function positiveInt(flag: string, value: string | undefined, fallback?: number): number {
  if (value === undefined) {
    if (fallback === undefined) throw new UsageError(`--${flag} is required`);
    return fallback;
  }
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new UsageError(`--${flag} must be a whole number above 0, not "${value}"`);
  return n;
}

/** An ISO-8601 time or date, normalised (undefined when the flag is absent). */
export function optionalIsoTime(flag: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const time = parseIsoInstant(value);
  if (time === null)
    throw new UsageError(
      `--${flag} "${value}" is not an ISO-8601 time or date (e.g. 2026-03-01 or 2026-03-01T10:00:00Z)`,
    );
  return time;
}

export function isoTime(flag: string, value: string | undefined): string {
  const time = optionalIsoTime(flag, value);
  if (time === undefined) throw new UsageError(`--${flag} is required (an ISO-8601 time or date, e.g. 2026-03-01)`);
  return time;
}
