/**
 * The server's configuration: the only module that reads `process.env`. The environment is parsed
 * once with a zod schema; a bad value fails fast with a message naming the variable.
 */
import { z } from 'zod';
import type { SchedulerOptions } from '../lib/index.ts';

/** pino's levels, plus `silent`. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** The engine options the server passes to `createScheduler()` (all but the connection). */
export type EngineOptions = Omit<SchedulerOptions, 'connectionString' | 'pool'>;

/** The resolved, frozen server configuration. */
export interface ServerConfig {
  /** `DATABASE_URL`. Null: start the embedded PostgreSQL in `dataDir`. */
  readonly databaseUrl: string | null;
  /** `DATA_DIR`: the embedded PostgreSQL's data folder. Default `.data/postgres`. */
  readonly dataDir: string;
  /** `PORT`. Default 8000; 0 picks a free port. */
  readonly port: number;
  /** `HOST`: the address to listen on. Default `127.0.0.1` (this machine only). */
  readonly host: string;
  /** `LOG_DIR`: where the bundled worker appends `<name>.log`. Default `./logs`. */
  readonly logDir: string;
  /** `SCHEDULER_API_TOKEN`: when set, the API requires `Authorization: Bearer <token>`. */
  readonly apiToken: string | null;
  /** `LOG_LEVEL`. Default `info`. */
  readonly logLevel: LogLevel;
  /** `MAX_BODY_BYTES`: the largest request body accepted. Default 1048576 (1 MiB). */
  readonly maxBodyBytes: number;
  /** `SCHEDULER_WORKER`: whether this process runs the bundled log-file worker. Default true. */
  readonly worker: boolean;
  /** The engine options, from the `SCHEDULER_*` variables; unset ones keep the library's defaults. */
  readonly engine: Readonly<EngineOptions>;
}

/** The configuration was refused; the message names every bad variable. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

const integer = (min: number, max: number) =>
  z.coerce
    .number({ error: 'expected an integer' })
    .int('expected an integer')
    .min(min, `expected at least ${min}`)
    .max(max, `expected at most ${max}`);
const seconds = (min: number, max: number) =>
  z.coerce
    .number({ error: 'expected a number of seconds' })
    .min(min, `expected at least ${min}`)
    .max(max, `expected at most ${max}`);
const boolean = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'expected true or false' })
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

/**
 * Every variable read, with its default. Engine variables have no default here: an unset one is
 * left out of the options so the library's own default applies (listed in .env.example).
 */
const envSchema = z.object({
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'expected a postgres:// or postgresql:// connection string')
    .optional(),
  DATA_DIR: z.string().default('.data/postgres'),
  PORT: integer(0, 65535).default(8000),
  HOST: z.string().min(1).default('127.0.0.1'),
  LOG_DIR: z.string().min(1).default('./logs'),
  SCHEDULER_API_TOKEN: z.string().min(16, 'expected at least 16 characters').optional(),
  LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
  MAX_BODY_BYTES: integer(1024, 1024 * 1024 * 1024).default(1024 * 1024),
  SCHEDULER_WORKER: boolean.default(true),
  SCHEDULER_SCHEMA: z.string().optional(),
  SCHEDULER_BOSS_SCHEMA: z.string().optional(),
  SCHEDULER_QUEUE: z.string().optional(),
  SCHEDULER_FIRE: boolean.optional(),
  SCHEDULER_POOL_SIZE: integer(2, 1000).optional(),
  SCHEDULER_CLAIM_BATCH_SIZE: integer(1, 10000).optional(),
  SCHEDULER_MISFIRE_GRACE_SECONDS: seconds(0, 86400).optional(),
  SCHEDULER_LOOKAHEAD_SECONDS: seconds(0, 60).optional(),
  SCHEDULER_MAX_CATCH_UP_RUNS: integer(1, 100000).optional(),
  SCHEDULER_POLL_INTERVAL_SECONDS: seconds(0.1, 3600).optional(),
  SCHEDULER_RUN_RETENTION_SECONDS: integer(60, 10 * 365 * 86400).optional(),
  SCHEDULER_PRUNE_INTERVAL_SECONDS: seconds(1, 86400).optional(),
  SCHEDULER_RETRY_LIMIT: integer(0, 1000).optional(),
  SCHEDULER_RETRY_DELAY_SECONDS: integer(0, 86400).optional(),
  SCHEDULER_RETRY_BACKOFF: boolean.optional(),
  SCHEDULER_RUN_TIMEOUT_SECONDS: integer(1, 86400).optional(),
  SCHEDULER_WORK_CONCURRENCY: integer(1, 1000).optional(),
  SCHEDULER_SHUTDOWN_TIMEOUT_SECONDS: seconds(0, 3600).optional(),
});

/** Which engine option each `SCHEDULER_*` variable sets. */
const ENGINE_VARIABLES = {
  SCHEDULER_SCHEMA: 'schema',
  SCHEDULER_BOSS_SCHEMA: 'bossSchema',
  SCHEDULER_QUEUE: 'queue',
  SCHEDULER_FIRE: 'fire',
  SCHEDULER_POOL_SIZE: 'poolSize',
  SCHEDULER_CLAIM_BATCH_SIZE: 'claimBatchSize',
  SCHEDULER_MISFIRE_GRACE_SECONDS: 'misfireGraceSeconds',
  SCHEDULER_LOOKAHEAD_SECONDS: 'lookaheadSeconds',
  SCHEDULER_MAX_CATCH_UP_RUNS: 'maxCatchUpRuns',
  SCHEDULER_POLL_INTERVAL_SECONDS: 'pollIntervalSeconds',
  SCHEDULER_RUN_RETENTION_SECONDS: 'runRetentionSeconds',
  SCHEDULER_PRUNE_INTERVAL_SECONDS: 'pruneIntervalSeconds',
  SCHEDULER_RETRY_LIMIT: 'retryLimit',
  SCHEDULER_RETRY_DELAY_SECONDS: 'retryDelaySeconds',
  SCHEDULER_RETRY_BACKOFF: 'retryBackoff',
  SCHEDULER_RUN_TIMEOUT_SECONDS: 'runTimeoutSeconds',
  SCHEDULER_WORK_CONCURRENCY: 'workConcurrency',
  SCHEDULER_SHUTDOWN_TIMEOUT_SECONDS: 'shutdownTimeoutSeconds',
} as const satisfies Partial<Record<keyof z.input<typeof envSchema>, keyof EngineOptions>>;

/** The engine option a `SCHEDULER_*` variable sets, reversed: used to name the variable in errors. */
export function variableForEngineOption(option: string): string | undefined {
  return Object.entries(ENGINE_VARIABLES).find(([, name]) => name === option)?.[0];
}

/**
 * Reads the configuration from `env` (default `process.env`). Empty values count as unset, as a
 * `.env` file copied from .env.example leaves them. Throws ConfigError naming each bad variable.
 */
export function loadConfig(env: Record<string, string | undefined> = process.env): ServerConfig {
  const present = Object.fromEntries(
    Object.keys(envSchema.shape)
      .map((key) => [key, env[key]?.trim()] as const)
      .filter(([, value]) => value !== undefined && value !== ''),
  );
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => {
      const name = String(issue.path[0] ?? 'environment');
      const secret = name === 'SCHEDULER_API_TOKEN' || name === 'DATABASE_URL';
      const shown = secret ? '' : ` (got ${JSON.stringify(present[name])})`;
      return `${name}: ${issue.message}${shown}`;
    });
    throw new ConfigError(`invalid configuration:\n  ${lines.join('\n  ')}`);
  }
  const e = parsed.data;
  const engine: Record<string, unknown> = {};
  for (const [variable, option] of Object.entries(ENGINE_VARIABLES)) {
    const value = e[variable as keyof typeof ENGINE_VARIABLES];
    if (value !== undefined) engine[option] = value;
  }
  return Object.freeze({
    databaseUrl: e.DATABASE_URL ?? null,
    dataDir: e.DATA_DIR,
    port: e.PORT,
    host: e.HOST,
    logDir: e.LOG_DIR,
    apiToken: e.SCHEDULER_API_TOKEN ?? null,
    logLevel: e.LOG_LEVEL,
    maxBodyBytes: e.MAX_BODY_BYTES,
    worker: e.SCHEDULER_WORKER,
    engine: Object.freeze(engine as EngineOptions),
  });
}
