/**
 * Every error the backbone raises on purpose: a stable `code` that callers switch on (the HTTP
 * layer maps codes to status codes in one place), a `retriable` flag and the underlying cause.
 */
export class BackboneError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly options: { retriable?: boolean; cause?: unknown; details?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'BackboneError';
  }

  get retriable(): boolean {
    return this.options.retriable ?? false;
  }

  get details(): unknown {
    return this.options.details;
  }
}

export const ERROR_CODES = [
  'validation_failed',
  'type_not_owned',
  'domain_rule_violated',
  'version_conflict',
  'payload_too_large',
  'invalid_position',
  'invalid_parameter',
  'not_found',
  'not_caught_up',
  'configuration_invalid',
  'log_unavailable',
  'store_unavailable',
  'projections_locked',
  'duplicate_id',
  'already_claimed',
  'invalid_request',
  'request_aborted',
  'request_timeout',
  'headers_too_large',
  'host_not_allowed',
  'too_many_streams',
  'internal_error',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** The journey was not at the version the writer expected (optimistic concurrency). */
export class VersionConflictError extends BackboneError {
  constructor(
    readonly journeyId: string,
    readonly expected: number,
    readonly actual: number,
  ) {
    super('version_conflict', `journey ${journeyId} is at version ${actual}, expected ${expected}`, {
      retriable: true,
      details: { journeyId, expected, actual },
    });
  }
}

export function isBackboneError(error: unknown, code?: ErrorCode): error is BackboneError {
  return error instanceof BackboneError && (code === undefined || error.code === code);
}
