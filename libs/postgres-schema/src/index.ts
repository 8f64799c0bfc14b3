export { migrateSchema, assertSchemaName, schemaNameProblem } from './migrate-schema';
export { sqlLiteral } from './sql-literal';
export { isPostgresUnreachable } from './postgres-unreachable';
