/**
 * The server's configuration: the only module that reads `process.env`. The environment is parsed
 * once with a zod schema; a bad value fails fast with a message naming the variable.
 */
import { isIP } from 'node:net';
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
  /**
   * `SCHEDULER_API_READ_TOKEN`: a second token that may only read (GET, HEAD); any other method with
   * it is 403. Needs `apiToken` as well. Default null.
   */
  readonly apiReadToken: string | null;
  /**
   * `SCHEDULER_METRICS_TOKEN`: when set, `GET /metrics` requires `Authorization: Bearer <token>`
   * with this token, and the API tokens no longer open it (a scraper gets a token that reads only
   * metrics). Unset, `/metrics` takes the API's tokens like any other route. Default null.
   */
  readonly metricsToken: string | null;
  /**
   * `SCHEDULER_ALLOWED_HOSTS`: host names the API answers to besides IP literals, `localhost` and
   * `host`, lower case (`.example.com` also allows its subdomains; `*` allows any). Default empty.
   */
  readonly allowedHosts: readonly string[];
  /**
   * `SCHEDULER_ALLOWED_ORIGINS`: origins (`https://admin.example.com`) whose pages may change state
   * from a browser although they are not this service's origin. Default empty.
   */
  readonly allowedOrigins: readonly string[];
  /**
   * `SCHEDULER_ALLOW_UNAUTHENTICATED`: start on a `host` other machines can reach with no
   * `apiToken`. Default false: such a start is refused.
   */
  readonly allowUnauthenticated: boolean;
  /** `LOG_LEVEL`. Default `info`. */
  readonly logLevel: LogLevel;
  /** `MAX_BODY_BYTES`: the largest request body accepted. Default 1048576 (1 MiB). */
  readonly maxBodyBytes: number;
  /**
   * `SCHEDULER_WORKER`: whether this process runs the bundled log-file worker (it handles runs:
   * appends their lines to `<LOG_DIR>/<name>.log`). Default true.
   */
  readonly worker: boolean;
  /**
   * `SCHEDULER_API`: whether this process serves the HTTP API (jobs, cron, the UI and the
   * documentation). Default true. False still listens on HOST:PORT, for the probes and `/metrics`
   * only (`/healthcheck`, `/health/ready`, `/health/schedules`): a process that only fires or only
   * works still needs its liveness and readiness checked, and its firing and handling figures are
   * in its own metrics, nowhere else. With `SCHEDULER_FIRE` (the engine's `fire`) and
   * `SCHEDULER_WORKER`, one of the three roles of a process; at least one must be on.
   */
  readonly api: boolean;
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

/** A comma-separated list; blanks around and between entries are ignored. */
const commaList = z.string().transform((value) =>
  value
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== ''),
);

/**
 * `SCHEDULER_ALLOWED_HOSTS` entries: host names (`.example.com` for it and its subdomains), IP
 * literals, or `*`; lower case, without brackets or a final dot. A port or scheme is refused: the
 * check is on the name, and a URL there is a mistake worth saying so.
 */
const hostList = commaList.transform((entries, ctx) =>
  entries.map((entry) => {
    const bare = entry.replace(/^\[(.*)\]$/, '$1');
    if (entry === '*' || isIP(bare) !== 0 || /^\.?[a-z0-9_-]+(\.[a-z0-9_-]+)*\.?$/i.test(entry)) {
      return bare.toLowerCase().replace(/(.)\.$/, '$1');
    }
    ctx.addIssue({
      code: 'custom',
      message: `${JSON.stringify(entry)} is not a host name: expected names without scheme or port, separated by commas (.example.com also allows its subdomains, * allows any)`,
    });
    return z.NEVER;
  }),
);

/** `SCHEDULER_ALLOWED_ORIGINS` entries: `http(s)://host[:port]` with no path, kept as URL.origin. */
const originList = commaList.transform((entries, ctx) =>
  entries.map((entry) => {
    let url: URL | null = null;
    try {
      url = new URL(entry);
    } catch {}
    if (
      url &&
      (url.protocol === 'http:' || url.protocol === 'https:') &&
      url.pathname === '/' &&
      !url.search &&
      !url.hash &&
      !url.username &&
      !url.password
    ) {
      return url.origin;
    }
    ctx.addIssue({
      code: 'custom',
      message: `${JSON.stringify(entry)} is not an origin: expected http(s)://host[:port] with no path, separated by commas`,
    });
    return z.NEVER;
  }),
);

/**
 * Whether listening on `host` keeps the API on this machine: `localhost`, 127.0.0.0/8 and ::1
 * (also as ::ffff:127.x.x.x). Any other address or name may be reachable from other machines.
 */
export function isLoopbackAddress(host: string): boolean {
  const bare = host.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  if (bare === 'localhost') return true;
  if (isIP(bare) === 4) return bare.startsWith('127.');
  if (isIP(bare) === 6) return bare === '::1' || /^::ffff:127\./.test(bare);
  return false;
}

/**
 * Every variable read, with its default. Engine variables have no default here: an unset one is
 * left out of the options so the library's own default applies (listed in .env.example).
 */
const envSchema = z.object({
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'expected a postgres:// or postgresql:// connection string')
    .optional(),
  DATABASE_DIRECT_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'expected a postgres:// or postgresql:// connection string')
    .optional(),
  DATA_DIR: z.string().default('.data/postgres'),
  PORT: integer(0, 65535).default(8000),
  HOST: z.string().min(1).default('127.0.0.1'),
  LOG_DIR: z.string().min(1).default('./logs'),
  SCHEDULER_API_TOKEN: z.string().min(16, 'expected at least 16 characters').optional(),
  SCHEDULER_API_READ_TOKEN: z.string().min(16, 'expected at least 16 characters').optional(),
  SCHEDULER_METRICS_TOKEN: z.string().min(16, 'expected at least 16 characters').optional(),
  SCHEDULER_ALLOWED_HOSTS: hostList.default([]),
  SCHEDULER_ALLOWED_ORIGINS: originList.default([]),
  SCHEDULER_ALLOW_UNAUTHENTICATED: boolean.default(false),
  LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
  MAX_BODY_BYTES: integer(1024, 1024 * 1024 * 1024).default(1024 * 1024),
  SCHEDULER_WORKER: boolean.default(true),
  SCHEDULER_API: boolean.default(true),
  SCHEDULER_SCHEMA: z.string().optional(),
  SCHEDULER_BOSS_SCHEMA: z.string().optional(),
  SCHEDULER_QUEUE: z.string().optional(),
  SCHEDULER_FIRE: boolean.optional(),
  SCHEDULER_POOLER: boolean.optional(),
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
  // Checked by the library (hosts and CIDRs; a whsec_ secret); its message names the variable.
  SCHEDULER_WEBHOOK_ALLOW: z.string().optional(),
  SCHEDULER_WEBHOOK_SECRET: z.string().optional(),
  SCHEDULER_WEBHOOK_CONCURRENCY: integer(1, 1000).optional(),
});

/** Which engine option each `SCHEDULER_*` variable (and DATABASE_DIRECT_URL) sets. */
const ENGINE_VARIABLES = {
  SCHEDULER_SCHEMA: 'schema',
  SCHEDULER_BOSS_SCHEMA: 'bossSchema',
  SCHEDULER_QUEUE: 'queue',
  SCHEDULER_FIRE: 'fire',
  SCHEDULER_POOLER: 'pooler',
  DATABASE_DIRECT_URL: 'directConnectionString',
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
  SCHEDULER_WEBHOOK_ALLOW: 'webhookAllow',
  SCHEDULER_WEBHOOK_SECRET: 'webhookSecret',
  SCHEDULER_WEBHOOK_CONCURRENCY: 'webhookConcurrency',
} as const satisfies Partial<Record<keyof z.input<typeof envSchema>, keyof EngineOptions>>;

/** The engine option a `SCHEDULER_*` variable sets, reversed: used to name the variable in errors. */
export function variableForEngineOption(option: string): string | undefined {
  return Object.entries(ENGINE_VARIABLES).find(([, name]) => name === option)?.[0];
}

/** Never quoted back in an error: tokens, and connection strings that may hold a password. */
const SECRET_VARIABLES: ReadonlySet<string> = new Set([
  'SCHEDULER_API_TOKEN',
  'SCHEDULER_API_READ_TOKEN',
  'SCHEDULER_WEBHOOK_SECRET',
  'SCHEDULER_METRICS_TOKEN',
  'DATABASE_URL',
  'DATABASE_DIRECT_URL',
]);

/**
 * What no single variable shows: settings that are each valid but wrong together. Above all, a
 * service reachable from other machines with no token lets anyone on the network (and, through a
 * browser, any page its users open) run and change every job, so it starts only when asked to.
 */
function combinationProblems(e: z.output<typeof envSchema>): string[] {
  const problems: string[] = [];
  if (e.SCHEDULER_API_READ_TOKEN !== undefined && e.SCHEDULER_API_TOKEN === undefined) {
    problems.push(
      'SCHEDULER_API_READ_TOKEN: needs SCHEDULER_API_TOKEN as well (the full token, beside the read-only one)',
    );
  } else if (e.SCHEDULER_API_READ_TOKEN !== undefined && e.SCHEDULER_API_READ_TOKEN === e.SCHEDULER_API_TOKEN) {
    problems.push('SCHEDULER_API_READ_TOKEN: must differ from SCHEDULER_API_TOKEN');
  }
  // A scraper's token is kept in more places (Prometheus's configuration): it must open nothing else.
  if (
    e.SCHEDULER_METRICS_TOKEN !== undefined &&
    (e.SCHEDULER_METRICS_TOKEN === e.SCHEDULER_API_TOKEN || e.SCHEDULER_METRICS_TOKEN === e.SCHEDULER_API_READ_TOKEN)
  ) {
    problems.push('SCHEDULER_METRICS_TOKEN: must differ from SCHEDULER_API_TOKEN and SCHEDULER_API_READ_TOKEN');
  }
  if (!isLoopbackAddress(e.HOST) && e.SCHEDULER_API_TOKEN === undefined && !e.SCHEDULER_ALLOW_UNAUTHENTICATED) {
    // Without the API, what is left open is /metrics and /health/schedules (job names): less, but
    // still not for anyone on the network.
    const exposed = e.SCHEDULER_API
      ? 'could create, run, change and delete jobs'
      : 'could read /metrics and /health/schedules (which names jobs)';
    problems.push(
      `HOST: ${JSON.stringify(e.HOST)} lets other machines reach the ${e.SCHEDULER_API ? 'API' : 'probes and /metrics'}, and SCHEDULER_API_TOKEN is unset, so anyone who can reach port ${e.PORT} ${exposed}. Set SCHEDULER_API_TOKEN to a long random secret (openssl rand -hex 32), or set SCHEDULER_ALLOW_UNAUTHENTICATED=true if something in front of the service already decides who may connect.`,
    );
  }
  // SCHEDULER_FIRE unset means the library's default, which fires.
  if (!e.SCHEDULER_API && !e.SCHEDULER_WORKER && e.SCHEDULER_FIRE === false) {
    problems.push(
      'SCHEDULER_API, SCHEDULER_WORKER, SCHEDULER_FIRE: all false, so this process would serve no API, handle no run and fire no tick. Turn on at least one role.',
    );
  }
  return problems;
}

/**
 * Reads the configuration from `env` (default `process.env`). Empty values count as unset, as a
 * `.env` file copied from .env.example leaves them. Throws ConfigError naming each bad variable,
 * and refuses a HOST other machines can reach without SCHEDULER_API_TOKEN (see combinationProblems).
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
      const secret = SECRET_VARIABLES.has(name);
      const shown = secret ? '' : ` (got ${JSON.stringify(present[name])})`;
      return `${name}: ${issue.message}${shown}`;
    });
    throw new ConfigError(`invalid configuration:\n  ${lines.join('\n  ')}`);
  }
  const e = parsed.data;
  const problems = combinationProblems(e);
  if (problems.length > 0) throw new ConfigError(`invalid configuration:\n  ${problems.join('\n  ')}`);
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
    apiReadToken: e.SCHEDULER_API_READ_TOKEN ?? null,
    metricsToken: e.SCHEDULER_METRICS_TOKEN ?? null,
    allowedHosts: Object.freeze(e.SCHEDULER_ALLOWED_HOSTS),
    allowedOrigins: Object.freeze(e.SCHEDULER_ALLOWED_ORIGINS),
    allowUnauthenticated: e.SCHEDULER_ALLOW_UNAUTHENTICATED,
    logLevel: e.LOG_LEVEL,
    maxBodyBytes: e.MAX_BODY_BYTES,
    worker: e.SCHEDULER_WORKER,
    api: e.SCHEDULER_API,
    engine: Object.freeze(engine as EngineOptions),
  });
}
