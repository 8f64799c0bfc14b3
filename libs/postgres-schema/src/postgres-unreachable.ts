/** Node's errors for a server that cannot be reached, or that went away. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

/**
 * Whether a PostgreSQL error says the server could not be reached or could not take the work now
 * (worth trying again later), rather than refusing what it was given. SQLSTATE classes: 08
 * connection, 53 insufficient resources, 57 operator intervention (shut down, cancelled), 58
 * system error; 40001/40P01 serialization failure and deadlock; 55P03 lock not available.
 */
const LOST_CONNECTION = new RegExp(
  [
    'Connection terminated',
    'connection timeout',
    'timeout exceeded when trying to connect',
    'Client has encountered a connection error',
    'Client was closed',
    'Cannot use a pool after calling end',
  ].join('|'),
  'i',
);

export function isPostgresUnreachable(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  if (typeof code === 'string') {
    if (
      NETWORK_CODES.has(code) ||
      /^(08|53|57|58)/.test(code) ||
      code === '40001' ||
      code === '40P01' ||
      code === '55P03'
    )
      return true;
  }
  // pg's own errors for a lost or impossible connection carry no code.
  return typeof message === 'string' && LOST_CONNECTION.test(message);
}
