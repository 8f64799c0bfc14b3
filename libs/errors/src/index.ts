export {
  BackboneError,
  ClaimConflictError,
  DuplicateIdError,
  VersionConflictError,
  isBackboneError,
  ERROR_CODES,
  type ErrorCode,
} from './backbone-error';
