import type { ErrorCode } from '#errors';

/** The one place error codes become HTTP status codes. */
export const STATUS_BY_CODE: Record<ErrorCode, number> = {
  validation_failed: 400,
  invalid_parameter: 400,
  invalid_position: 400,
  type_not_owned: 403,
  not_found: 404,
  version_conflict: 409,
  payload_too_large: 413,
  domain_rule_violated: 422,
  not_caught_up: 503,
  log_unavailable: 503,
  store_unavailable: 503,
  projections_locked: 409,
  configuration_invalid: 500,
  duplicate_id: 409,
  already_claimed: 422,
  invalid_request: 400,
  // The client is gone: nothing is sent, but a status is counted.
  request_aborted: 400,
  request_timeout: 408,
  headers_too_large: 431,
  host_not_allowed: 403,
  too_many_streams: 503,
  internal_error: 500,
  unauthenticated: 401,
  forbidden: 403,
  rate_limited: 429,
  erased: 410,
};
