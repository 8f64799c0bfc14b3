/**
 * What a log line may say about an error: its code and class, the driver's code (a PostgreSQL
 * SQLSTATE, a Node errno) and where it was thrown. Not its message: messages of drivers and
 * validators quote the values involved (an id, an email, a JSON token), which may be personal data.
 */
export function errorFields(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { errorType: typeof error };
  const fields: Record<string, unknown> = { errorType: error.constructor?.name ?? error.name };
  const coded = error as Error & { code?: unknown; errno?: unknown; cause?: unknown };
  if (typeof coded.code === 'string' || typeof coded.code === 'number') fields.code = coded.code;
  if (typeof coded.errno === 'string' || typeof coded.errno === 'number') fields.errno = coded.errno;
  const frames = (error.stack ?? '')
    .split('\n')
    .filter((line) => /^\s+at /.test(line))
    .slice(0, 8)
    .map((line) => line.trim());
  if (frames.length > 0) fields.stack = frames;
  if (coded.cause instanceof Error) fields.cause = errorFields(coded.cause);
  return fields;
}
