export {
  ANONYMOUS_ADMIN,
  FIXED_SCOPES,
  WRITE_SCOPE_PREFIX,
  allows,
  canSpeakFor,
  canWrite,
  hasScope,
  matchesPattern,
  scopeProblem,
  sourcePatternProblem,
  type Access,
  type FixedScope,
  type Principal,
} from './scopes';
export { parseApiKey } from './api-key';
export { createKey, revokeKey, readKeyFile, KeyFileError, type KeyRecord, type NewKey } from './key-file';
export { Authenticator, unauthenticated, type AuthSettings } from './authenticator';
export type { JwtSettings } from './jwt-verifier';
