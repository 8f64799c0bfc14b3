export { createLogger, silentLogger, LOG_LEVELS, type LogLevel, type StructuredLogger } from './logger';
export { errorFields } from './error-fields';
