export { migrateSchema, assertSchemaName, schemaNameProblem, type Migration } from './migrate-schema';
export { sqlLiteral } from './sql-literal';
export { isPostgresUnreachable } from './postgres-unreachable';
