export type {
  AccessRecord,
  Checkpoint,
  DocumentAddress,
  DocumentsAtCheckpoint,
  DocumentWrite,
  ParkedEvent,
  ProjectionCommit,
  ProjectionsLock,
  ProjectionsLockMode,
  ReadStore,
  StoredDocument,
} from './read-store.port';
export { SqliteReadStore, type SqliteReadStoreOptions } from './sqlite-read-store';
export { PostgresReadStore, type PostgresReadStoreOptions } from './postgres-read-store';
export type { ErasedDocuments, ErasureRecord, KeyStore, StoredKey, StoredSecret } from './key-store.port';
