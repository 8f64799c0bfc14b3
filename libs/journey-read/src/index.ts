export { JourneyReader, journeyStateAsOf, type Read, type ReadOptions } from './journey-reader';
export { ProjectionProgress, type ProjectionProgressOptions } from './projection-progress';
export { redact, redactText } from './redaction';
export { AccessLogRecorder, type AccessLogOptions } from './access-log-recorder';
export { CustomerErasure, ERASURE_SOURCE, erasedDocuments, type ErasureAnswer } from './customer-erasure';
