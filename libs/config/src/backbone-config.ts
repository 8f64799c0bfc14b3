import { join } from 'node:path';
import { z } from 'zod';
import { BackboneError } from '../../errors/src';

const Bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');
const PositiveInt = z.coerce.number().int().positive();

/**
 * Configuration by environment, validated at start: a wrong or missing value stops the process
 * with a message naming the variable. Every variable is listed in the README.
 */
const EnvSchema = z.object({
  JOURNEY_LOG: z.enum(['sqlite'], { message: 'must be "sqlite" (the embedded log; kafka and eventstoredb adapters are not in this build)' }).default('sqlite'),
  READ_STORE: z.enum(['sqlite', 'postgres'], { message: 'must be "sqlite" or "postgres"' }).default('sqlite'),
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\/.+/, 'must be a postgres:// connection string').optional(),
  DATABASE_SCHEMA: z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, 'must be a lower-case SQL identifier').default('journey'),
  DATA_DIR: z.string().min(1).default('./data'),
  JOURNEY_LOG_FILE: z.string().min(1).optional(),
  READ_STORE_FILE: z.string().min(1).optional(),
  SQLITE_SYNCHRONOUS: z.enum(['NORMAL', 'FULL'], { message: 'must be NORMAL or FULL' }).default('NORMAL'),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  MAX_BODY_BYTES: PositiveInt.default(1_048_576),
  MAX_BATCH_EVENTS: PositiveInt.default(500),
  PROJECTOR_BATCH_SIZE: PositiveInt.default(5000),
  PROJECTOR_POLL_MS: PositiveInt.default(50),
  RUN_PROJECTOR: Bool.default(true),
});

export interface BackboneConfig {
  journeyLog: { kind: 'sqlite'; file: string; synchronous: 'NORMAL' | 'FULL'; pollIntervalMs: number };
  readStore:
    | { kind: 'sqlite'; file: string; synchronous: 'NORMAL' | 'FULL' }
    | { kind: 'postgres'; connectionString: string; schema: string };
  http: { host: string; port: number; maxBodyBytes: number; maxBatchEvents: number };
  projector: { enabled: boolean; batchSize: number };
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): BackboneConfig {
  const relevant = Object.fromEntries(Object.keys(EnvSchema.shape).flatMap((k) => (env[k] === undefined || env[k] === '' ? [] : [[k, env[k]]])));
  const parsed = EnvSchema.safeParse(relevant);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}=${JSON.stringify(env[String(i.path[0])])}: ${i.message}`);
    throw new BackboneError('configuration_invalid', `invalid configuration:\n  ${problems.join('\n  ')}`);
  }
  const e = parsed.data;
  if (e.READ_STORE === 'postgres' && !e.DATABASE_URL) {
    throw new BackboneError('configuration_invalid', 'invalid configuration:\n  READ_STORE=postgres needs DATABASE_URL (postgres://user@host:5432/database)');
  }
  return {
    journeyLog: {
      kind: e.JOURNEY_LOG,
      file: e.JOURNEY_LOG_FILE ?? join(e.DATA_DIR, 'journey-log.db'),
      synchronous: e.SQLITE_SYNCHRONOUS,
      pollIntervalMs: e.PROJECTOR_POLL_MS,
    },
    readStore:
      e.READ_STORE === 'postgres'
        ? { kind: 'postgres', connectionString: e.DATABASE_URL!, schema: e.DATABASE_SCHEMA }
        : { kind: 'sqlite', file: e.READ_STORE_FILE ?? join(e.DATA_DIR, 'read-store.db'), synchronous: e.SQLITE_SYNCHRONOUS },
    http: { host: e.HOST, port: e.PORT, maxBodyBytes: e.MAX_BODY_BYTES, maxBatchEvents: e.MAX_BATCH_EVENTS },
    projector: { enabled: e.RUN_PROJECTOR, batchSize: e.PROJECTOR_BATCH_SIZE },
  };
}

/** The variables, their defaults and meaning: printed by `--help` and kept in step with the README. */
export const CONFIG_VARIABLES = Object.keys(EnvSchema.shape);
