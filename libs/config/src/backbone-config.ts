import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { AuthSettings } from '#auth';
import { z } from 'zod';
import { BackboneError } from '#errors';
import { parseIsoInstant } from '#schemas';
import { schemaNameProblem } from '#postgres-schema';
import { LOG_LEVELS, type LogLevel } from '#logging';
import { DEFAULT_EVENT_TIME_WINDOW } from '#ingestion';

const Bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');
const PositiveInt = z.coerce.number().int().positive();

/**
 * Configuration by environment, validated at start: a wrong or missing value stops the process
 * with a message naming the variable. Every variable is listed in the README.
 */
const EnvSchema = z.object({
  JOURNEY_LOG: z
    .enum(['sqlite', 'kafka', 'eventstoredb'], { message: 'must be "sqlite", "kafka" or "eventstoredb"' })
    .default('sqlite'),
  KAFKA_BROKERS: z
    .string()
    .regex(/^[^\s,:]+:\d+(,[^\s,:]+:\d+)*$/, 'must be host:port[,host:port...]')
    .optional(),
  KAFKA_TOPIC: z
    .string()
    .regex(/^[a-zA-Z0-9._-]{1,249}$/, 'must be a Kafka topic name')
    .default('journey-events'),
  KAFKA_PARTITIONS: PositiveInt.max(1000).default(6),
  KAFKA_CLIENT_ID: z.string().min(1).default('journey-backbone'),
  PROJECTOR_GROUP: z.string().min(1).optional(),
  EVENTSTOREDB_CONNECTION_STRING: z
    .string()
    .regex(/^esdb(\+discover)?:\/\/.+/, 'must be an esdb:// or esdb+discover:// connection string')
    .optional(),
  EVENTSTOREDB_STREAM_PREFIX: z
    .string()
    .regex(/^[^$\s][^\s]*$/, 'must be a stream name prefix without spaces, not starting with $ (system streams)')
    .default('journey-'),
  READ_STORE: z.enum(['sqlite', 'postgres'], { message: 'must be "sqlite" or "postgres"' }).default('sqlite'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\/.+/, 'must be a postgres:// connection string')
    .optional(),
  DATABASE_POOL_SIZE: PositiveInt.max(500).default(16),
  DATABASE_SCHEMA: z
    .string()
    .default('journey')
    .superRefine((schema, ctx) => {
      const problem = schemaNameProblem(schema);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    }),
  DATA_DIR: z.string().min(1).default('./data'),
  JOURNEY_LOG_FILE: z.string().min(1).optional(),
  READ_STORE_FILE: z.string().min(1).optional(),
  SQLITE_SYNCHRONOUS: z.enum(['NORMAL', 'FULL'], { message: 'must be NORMAL or FULL' }).default('NORMAL'),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  ALLOWED_HOSTS: z
    .string()
    .regex(/^[^\s,]+(,[^\s,]+)*$/, 'must be host names separated by commas')
    .optional(),
  CORS_ORIGINS: z
    .string()
    .refine(
      (list) =>
        list.split(',').every((o) => /^https?:\/\/[^/\s,]+$/.test(o) && URL.canParse(o) && new URL(o).origin === o),
      'must be origins (scheme://host[:port], no path) separated by commas',
    )
    .optional(),
  MAX_BODY_BYTES: PositiveInt.default(1_048_576),
  MAX_BATCH_EVENTS: PositiveInt.default(500),
  REQUEST_TIMEOUT_MS: PositiveInt.default(30_000),
  HEADERS_TIMEOUT_MS: PositiveInt.default(10_000),
  MAX_SSE_STREAMS: PositiveInt.default(5000),
  SSE_MAX_BUFFER_BYTES: PositiveInt.default(262_144),
  SSE_HEARTBEAT_MS: PositiveInt.default(15_000),
  EVENT_TIME_NOT_BEFORE: z
    .string()
    .default(DEFAULT_EVENT_TIME_WINDOW.notBefore)
    .refine(
      (v) => parseIsoInstant(v, { utcOnly: true }) !== null,
      'must be an ISO-8601 UTC time such as 2000-01-01T00:00:00Z',
    )
    .transform((v) => parseIsoInstant(v, { utcOnly: true })!),
  EVENT_TIME_MAX_AHEAD_SECONDS: z.coerce
    .number()
    .int()
    .min(0)
    .default(DEFAULT_EVENT_TIME_WINDOW.maxAheadMs / 1000),
  HEALTH_MAX_LAG_EVENTS: PositiveInt.default(10_000),
  HEALTH_STALL_SECONDS: PositiveInt.default(30),
  PROJECTOR_BATCH_SIZE: PositiveInt.default(5000),
  PROJECTOR_POLL_MS: PositiveInt.default(50),
  RUN_PROJECTOR: Bool.default(true),
  LOG_LEVEL: z.enum(LOG_LEVELS, { message: `must be one of ${LOG_LEVELS.join(', ')}` }).default('info'),
  AUTH: z.enum(['required', 'off'], { message: 'must be "required" or "off"' }).optional(),
  AUTH_KEYS_FILE: z.string().min(1).optional(),
  AUTH_JWT_ISSUER: z.string().min(1).optional(),
  AUTH_JWT_AUDIENCE: z.string().min(1).optional(),
  AUTH_JWT_JWKS_URL: z
    .string()
    .regex(/^https?:\/\/.+/, 'must be an http(s):// URL')
    .optional(),
  AUTH_JWT_PUBLIC_KEY_FILE: z.string().min(1).optional(),
  RATE_LIMIT_PER_MINUTE: PositiveInt.default(60_000),
  IDENTITY_RATE_LIMIT_PER_MINUTE: PositiveInt.default(60),
  ACCESS_LOG_RETENTION_DAYS: PositiveInt.default(365),
  PERSONAL_DATA_MASTER_KEY_FILE: z.string().min(1).optional(),
  KAFKA_LOG_DIRS: z.string().min(1).optional(),
  WEBHOOKS_FILE: z.string().min(1).optional(),
  VIEWS_TOPIC: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,249}$/, 'must be a Kafka topic name (letters, digits, . _ -)')
    .optional(),
});

export interface BackboneConfig {
  journeyLog:
    | { kind: 'sqlite'; file: string; synchronous: 'NORMAL' | 'FULL'; pollIntervalMs: number }
    | {
        kind: 'kafka';
        brokers: string[];
        topic: string;
        partitions: number;
        clientId: string;
        index: { connectionString: string; schema: string; poolSize: number };
      }
    | { kind: 'eventstoredb'; connectionString: string; streamPrefix: string };
  readStore:
    | { kind: 'sqlite'; file: string; synchronous: 'NORMAL' | 'FULL' }
    | { kind: 'postgres'; connectionString: string; schema: string; poolSize: number };
  http: {
    host: string;
    port: number;
    /** Host header values accepted; null: any (an app listening beyond loopback, with no list configured). */
    allowedHosts: string[] | null;
    /** Origins of browser pages allowed to call the API (CORS); none by default. */
    corsOrigins: string[];
    maxBodyBytes: number;
    maxBatchEvents: number;
    requestTimeoutMs: number;
    headersTimeoutMs: number;
  };
  sse: { maxStreams: number; maxBufferBytes: number; heartbeatMs: number };
  /** The window an event's `time` must fall in (see `IngestionLimits.eventTime`). */
  eventTime: { notBefore: string; maxAheadMs: number };
  /** When `/health` says a projection is degraded: behind by more events, or not advancing for longer. */
  health: { maxLagEvents: number; stallMs: number };
  logLevel: LogLevel;
  /** Who may do what (see the README's Security section); `rateLimit`: requests per minute and credential. */
  auth: AuthSettings & { rateLimit: { perMinute: number; identityPerMinute: number } };
  /** Who read whom: kept this many days. */
  accessLog: { retentionDays: number };
  /**
   * The master key file wrapping personal-data keys (created, mode 0600, when missing); `kafkaLogDirs`: the local
   * broker's data directories, which `journey verify-erasure` scans.
   */
  personalData: { masterKeyFile: string; kafkaLogDirs: string[] };
  /** `group`: the consumer group projectors share on a partitioned log. */
  projector: { enabled: boolean; batchSize: number; group: string | undefined };
  /**
   * `file`: webhook subscriptions kept in a file (beside those made with `POST /v1/webhooks`); `viewsTopic`: the
   * compacted Kafka topic the projector writes journey views to (Kafka only; none when unset).
   */
  push: { webhooksFile: string | undefined; viewsTopic: string | undefined };
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): BackboneConfig {
  const relevant = Object.fromEntries(
    Object.keys(EnvSchema.shape).flatMap((k) => (env[k] === undefined || env[k] === '' ? [] : [[k, env[k]]])),
  );
  const parsed = EnvSchema.safeParse(relevant);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (i) => `${i.path.join('.')}=${JSON.stringify(env[String(i.path[0])])}: ${i.message}`,
    );
    throw new BackboneError('configuration_invalid', `invalid configuration:\n  ${problems.join('\n  ')}`);
  }
  const e = parsed.data;
  const missing: string[] = [];
  if (e.READ_STORE === 'postgres' && !e.DATABASE_URL)
    missing.push('READ_STORE=postgres needs DATABASE_URL (postgres://user@host:5432/database)');
  if (e.JOURNEY_LOG === 'kafka' && !e.KAFKA_BROKERS)
    missing.push('JOURNEY_LOG=kafka needs KAFKA_BROKERS (host:port[,host:port...])');
  if (e.JOURNEY_LOG === 'kafka' && !e.DATABASE_URL) {
    missing.push(
      'JOURNEY_LOG=kafka needs DATABASE_URL: ids, journey versions and per-journey reads are indexed in PostgreSQL',
    );
  }
  if (e.JOURNEY_LOG === 'eventstoredb' && !e.EVENTSTOREDB_CONNECTION_STRING) {
    missing.push('JOURNEY_LOG=eventstoredb needs EVENTSTOREDB_CONNECTION_STRING (esdb://host:2113?tls=false)');
  }
  if (e.JOURNEY_LOG !== 'kafka' && e.VIEWS_TOPIC)
    missing.push(`VIEWS_TOPIC is a Kafka topic: it needs JOURNEY_LOG=kafka (the brokers it is written to)`);
  if (e.JOURNEY_LOG !== 'kafka' && e.PROJECTOR_GROUP) {
    missing.push(
      `PROJECTOR_GROUP is for a partitioned log (JOURNEY_LOG=kafka); ${e.JOURNEY_LOG} runs one projector per ` +
        `read store`,
    );
  }
  const auth = authSettings(e, missing);
  if (e.HEADERS_TIMEOUT_MS > e.REQUEST_TIMEOUT_MS)
    missing.push(
      `HEADERS_TIMEOUT_MS (${e.HEADERS_TIMEOUT_MS}) must not exceed REQUEST_TIMEOUT_MS (${e.REQUEST_TIMEOUT_MS})`,
    );
  if (missing.length > 0)
    throw new BackboneError('configuration_invalid', `invalid configuration:\n  ${missing.join('\n  ')}`);
  return {
    journeyLog:
      e.JOURNEY_LOG === 'eventstoredb'
        ? {
            kind: 'eventstoredb',
            connectionString: e.EVENTSTOREDB_CONNECTION_STRING!,
            streamPrefix: e.EVENTSTOREDB_STREAM_PREFIX,
          }
        : e.JOURNEY_LOG === 'kafka'
          ? {
              kind: 'kafka',
              brokers: e.KAFKA_BROKERS!.split(','),
              topic: e.KAFKA_TOPIC,
              partitions: e.KAFKA_PARTITIONS,
              clientId: e.KAFKA_CLIENT_ID,
              index: { connectionString: e.DATABASE_URL!, schema: e.DATABASE_SCHEMA, poolSize: e.DATABASE_POOL_SIZE },
            }
          : {
              kind: 'sqlite',
              file: e.JOURNEY_LOG_FILE ?? join(e.DATA_DIR, 'journey-log.db'),
              synchronous: e.SQLITE_SYNCHRONOUS,
              pollIntervalMs: e.PROJECTOR_POLL_MS,
            },
    readStore:
      e.READ_STORE === 'postgres'
        ? {
            kind: 'postgres',
            connectionString: e.DATABASE_URL!,
            schema: e.DATABASE_SCHEMA,
            poolSize: e.DATABASE_POOL_SIZE,
          }
        : {
            kind: 'sqlite',
            file: e.READ_STORE_FILE ?? join(e.DATA_DIR, 'read-store.db'),
            synchronous: e.SQLITE_SYNCHRONOUS,
          },
    http: {
      host: e.HOST,
      port: e.PORT,
      allowedHosts: e.ALLOWED_HOSTS
        ? e.ALLOWED_HOSTS.split(',').map((h) => h.toLowerCase())
        : isLoopback(e.HOST)
          ? LOOPBACK_NAMES
          : null,
      corsOrigins: e.CORS_ORIGINS ? e.CORS_ORIGINS.split(',') : [],
      maxBodyBytes: e.MAX_BODY_BYTES,
      maxBatchEvents: e.MAX_BATCH_EVENTS,
      requestTimeoutMs: e.REQUEST_TIMEOUT_MS,
      headersTimeoutMs: e.HEADERS_TIMEOUT_MS,
    },
    sse: { maxStreams: e.MAX_SSE_STREAMS, maxBufferBytes: e.SSE_MAX_BUFFER_BYTES, heartbeatMs: e.SSE_HEARTBEAT_MS },
    eventTime: { notBefore: e.EVENT_TIME_NOT_BEFORE, maxAheadMs: e.EVENT_TIME_MAX_AHEAD_SECONDS * 1000 },
    health: { maxLagEvents: e.HEALTH_MAX_LAG_EVENTS, stallMs: e.HEALTH_STALL_SECONDS * 1000 },
    logLevel: e.LOG_LEVEL,
    auth: {
      ...auth,
      rateLimit: { perMinute: e.RATE_LIMIT_PER_MINUTE, identityPerMinute: e.IDENTITY_RATE_LIMIT_PER_MINUTE },
    },
    accessLog: { retentionDays: e.ACCESS_LOG_RETENTION_DAYS },
    personalData: {
      masterKeyFile: e.PERSONAL_DATA_MASTER_KEY_FILE ?? join(e.DATA_DIR, 'personal-data-master.key'),
      kafkaLogDirs: e.KAFKA_LOG_DIRS ? e.KAFKA_LOG_DIRS.split(',') : [],
    },
    projector: {
      enabled: e.RUN_PROJECTOR,
      batchSize: e.PROJECTOR_BATCH_SIZE,
      group: e.JOURNEY_LOG === 'kafka' ? (e.PROJECTOR_GROUP ?? `journey-projector.${e.KAFKA_TOPIC}`) : undefined,
    },
    push: { webhooksFile: e.WEBHOOKS_FILE, viewsTopic: e.VIEWS_TOPIC },
  };
}

/**
 * Auth is required as soon as a key file (`AUTH_KEYS_FILE`, by default `$DATA_DIR/auth-keys.json` once it exists) or
 * an identity provider is configured; otherwise it is off, which only an app on loopback may be. Problems go to
 * `problems`.
 */
function authSettings(e: z.infer<typeof EnvSchema>, problems: string[]): AuthSettings {
  const keysFile = authKeysFile(e);
  const hasKeys = e.AUTH_KEYS_FILE !== undefined || existsSync(keysFile);
  const jwtVariables = [e.AUTH_JWT_ISSUER, e.AUTH_JWT_AUDIENCE, e.AUTH_JWT_JWKS_URL ?? e.AUTH_JWT_PUBLIC_KEY_FILE];
  const jwt =
    e.AUTH_JWT_ISSUER && e.AUTH_JWT_AUDIENCE && (e.AUTH_JWT_JWKS_URL || e.AUTH_JWT_PUBLIC_KEY_FILE)
      ? {
          issuer: e.AUTH_JWT_ISSUER,
          audience: e.AUTH_JWT_AUDIENCE,
          jwksUrl: e.AUTH_JWT_JWKS_URL ?? null,
          publicKeyFile: e.AUTH_JWT_JWKS_URL ? null : e.AUTH_JWT_PUBLIC_KEY_FILE!,
        }
      : null;
  if (!jwt && jwtVariables.some((v) => v !== undefined))
    problems.push(
      'a JWT provider needs AUTH_JWT_ISSUER, AUTH_JWT_AUDIENCE and AUTH_JWT_JWKS_URL or AUTH_JWT_PUBLIC_KEY_FILE',
    );
  if (e.AUTH_JWT_JWKS_URL && e.AUTH_JWT_PUBLIC_KEY_FILE)
    problems.push('give AUTH_JWT_JWKS_URL or AUTH_JWT_PUBLIC_KEY_FILE, not both');
  const mode = e.AUTH ?? (hasKeys || jwt ? 'required' : 'off');
  if (mode === 'required' && !hasKeys && !jwt)
    problems.push(
      `AUTH=required needs a key file (AUTH_KEYS_FILE, or ${keysFile} from \`journey keys create\`) or a JWT ` +
        'provider',
    );
  if (mode === 'off' && !isLoopback(e.HOST))
    problems.push(
      `AUTH=off is allowed only on loopback, not with HOST=${e.HOST}: create keys (journey keys create) or configure ` +
        'a JWT provider',
    );
  return { mode, keysFile: hasKeys ? keysFile : null, jwt };
}

/** The key file's name under DATA_DIR when AUTH_KEYS_FILE is not given. */
const DEFAULT_KEYS_FILE = 'auth-keys.json';

/** The API key file the apps read, and `journey keys` writes: AUTH_KEYS_FILE, else auth-keys.json under DATA_DIR. */
export function authKeysFile(env: { AUTH_KEYS_FILE?: string; DATA_DIR?: string } = process.env): string {
  return env.AUTH_KEYS_FILE || join(env.DATA_DIR || './data', DEFAULT_KEYS_FILE);
}

/** Names a browser may use for an app on loopback; any other Host header is a DNS-rebinding attempt. */
const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]'];

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127(\.\d{1,3}){3}$/.test(host);
}

/** The variables, their defaults and meaning: printed by `--help` and kept in step with the README. */
export const CONFIG_VARIABLES = Object.keys(EnvSchema.shape);
