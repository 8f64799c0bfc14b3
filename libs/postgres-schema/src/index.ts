export { migrateSchema, assertSchemaName } from './migrate-schema';
export { sqlLiteral } from './sql-literal';
