export {
  DEFAULT_EVENT_TIME_WINDOW,
  EventIngestion,
  IngestionError,
  type IngestOptions,
  type IngestResult,
  type IngestionLimits,
} from './event-ingestion';
