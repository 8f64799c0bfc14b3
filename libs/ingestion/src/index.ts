export { EventIngestion, IngestionError, type IngestOptions, type IngestResult, type IngestionLimits } from './event-ingestion';
