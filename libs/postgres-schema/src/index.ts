export { migrateSchema, assertSchemaName } from './migrate-schema';
