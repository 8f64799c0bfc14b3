export { BackboneError, VersionConflictError, isBackboneError, ERROR_CODES, type ErrorCode } from './backbone-error';
