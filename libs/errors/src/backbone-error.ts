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
  'unauthenticated',
  'forbidden',
  'rate_limited',
  'erased',
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

/** An event's source and id are taken by an event with other content: the append is refused whole (409). */
export class DuplicateIdError extends BackboneError {
  constructor(readonly keys: ReadonlyArray<{ source: string; id: string }>) {
    super('duplicate_id', `an event with source ${keys[0].source} and id ${keys[0].id} exists with other content`, {
      details: { keys },
    });
  }
}

/** Facts an event claims are another customer's (see `claimsOf`): the append is refused whole (422). */
export class ClaimConflictError extends BackboneError {
  /** `event`: the event's place in the append; `claim`: its claim key. */
  constructor(readonly refused: ReadonlyArray<{ event: number; key: string; path: string }>) {
    super('already_claimed', `${refused[0].path} is another customer's`, { details: { refused } });
  }
}

export function isBackboneError(error: unknown, code?: ErrorCode): error is BackboneError {
  return error instanceof BackboneError && (code === undefined || error.code === code);
}
