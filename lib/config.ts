/**
 * Scheduler options and their resolution into a frozen config. Pure: nothing here does I/O.
 */
import type pg from 'pg';
import type { Registry } from 'prom-client';
import { ValidationError } from './errors.ts';
import { type HostRouter, hostRouter, parseHostList } from './store/hosts.ts';
import { type DestinationPolicy, parseAllowList, type WebhookResolver } from './targets/guard.ts';
import { checkWebhookSecret } from './targets/signing.ts';
import type { RunOptionOverrides, RunOptions } from './types.ts';
import { checkIdentifier, checkQueueName } from './validate.ts';

/** Options of `createScheduler()`. Every field is optional but one of `connectionString` and `pool`. */
export interface SchedulerOptions {
  /**
   * PostgreSQL connection string. Either this or `pool`. It may list several hosts the way libpq does,
   * with `target_session_attrs` (`any`, `read-write` or `primary`), e.g.
   * `postgres://user@db1:5432,db2:5432/app?target_session_attrs=read-write`: every connection
   * (the scheduler's and pg-boss's) then goes to a host whose session fits, and after a failover
   * new connections find the promoted one by themselves. Hosts without a port use 5432.
   */
  connectionString?: string;
  /** An existing pg pool to use (not ended by `stop()`). Either this or `connectionString`. */
  pool?: pg.Pool;
  /**
   * Size of the pool the scheduler creates from `connectionString` (pg-boss gets its own). A firing
   * instance also opens up to half as many again for its claims, apart from this pool, so that API
   * traffic never queues ahead of a tick. Default 10.
   */
  poolSize?: number;
  /**
   * Whether `connectionString` (or `pool`) leads to a connection pooler such as PgBouncer rather
   * than to PostgreSQL itself. Connections then start with no server settings: PgBouncer refuses
   * `statement_timeout`, `idle_in_transaction_session_timeout` and `options` as startup parameters
   * (and, listed in its `ignore_startup_parameters`, drops them silently), so the server-side bounds
   * are the pooler's own (`query_timeout`, `idle_transaction_timeout`) or the role's
   * (`ALTER ROLE ... SET statement_timeout`). Client-side query timeouts still apply. Default false.
   */
  pooler?: boolean;
  /**
   * A connection string to PostgreSQL itself, not through a pooler, for the one connection that
   * must stay on one server session: the LISTEN connection that wakes tickers and workers. Needed
   * when `connectionString` goes through PgBouncer in transaction mode, where notifications never
   * reach a listener (start() refuses with a PoolerError). Default: the LISTEN connection goes where
   * the others do.
   */
  directConnectionString?: string;
  /** PostgreSQL schema of the scheduler's tables. Default `scheduler`. */
  schema?: string;
  /** PostgreSQL schema of pg-boss. Default `pgboss`. */
  bossSchema?: string;
  /** Default pg-boss queue for runs of schedules that name none. Default `scheduled-runs`. */
  queue?: string;
  /** Whether this instance claims and fires due ticks. Set false for an API-only or worker-only process. Default true. */
  fire?: boolean;
  /** Due schedules claimed per transaction. Default 1000. */
  claimBatchSize?: number;
  /**
   * How far ahead of a tick its claim is prepared. The claim's transaction (runs and pg-boss jobs)
   * is built this early and committed at the tick itself, so workers are woken at the tick and not
   * after the claim's work. A change to a schedule takes effect from its next tick further ahead
   * than this. 0 prepares nothing ahead. Default 1.
   */
  lookaheadSeconds?: number;
  /** A tick later than this many seconds when the engine sees it counts as missed (catch-up policy applies). Default 5. */
  misfireGraceSeconds?: number;
  /** Most catch-up runs fired for one schedule after one outage under the `all` policy. Default 100. */
  maxCatchUpRuns?: number;
  /** Longest the ticker sleeps without checking, should a notification be lost. Default 10. */
  pollIntervalSeconds?: number;
  /** Runs (and pg-boss jobs) older than this are pruned. Default 604800 (7 days). */
  runRetentionSeconds?: number;
  /** How often one instance prunes old runs. Default 3600. */
  pruneIntervalSeconds?: number;
  /** Retries of a failed run before it is final (pg-boss `retryLimit`). Default 2. */
  retryLimit?: number;
  /** Seconds between retries (pg-boss `retryDelay`). Default 1. */
  retryDelaySeconds?: number;
  /** Exponential backoff between retries (pg-boss `retryBackoff`). Default false. */
  retryBackoff?: boolean;
  /** An attempt running longer than this is expired and retried (pg-boss `expireInSeconds`). Default 900. */
  runTimeoutSeconds?: number;
  /** Handlers run at once per queue by `work()` unless it says otherwise. Default 100. */
  workConcurrency?: number;
  /**
   * Internal destinations webhook targets may reach: host names and CIDRs, comma-separated (the
   * server's SCHEDULER_WEBHOOK_ALLOW), e.g. `127.0.0.1,hooks.internal,10.0.0.0/8`. Default none:
   * loopback, private, link-local and cloud-metadata addresses are refused, at create and again at
   * each delivery after resolving the name.
   */
  webhookAllow?: string;
  /** The signing secret (`whsec_…`) of webhook targets that have none of their own. Default none: those are sent unsigned. */
  webhookSecret?: string;
  /**
   * Webhook deliveries at once per destination (scheme, host and port) in this process, and as
   * many more waiting; beyond that an attempt fails at once (and is retried by the run's policy),
   * so a slow or dead endpoint holds at most twice this many worker slots. Default 10.
   */
  webhookConcurrency?: number;
  /** Resolves webhook host names (tests inject one). Default: the system resolver (dns.lookup). */
  webhookResolver?: WebhookResolver;
  /** Seconds `stop()` waits for running handlers by default. Default 30. */
  shutdownTimeoutSeconds?: number;
  /**
   * How long an instance's lease lasts without a renewal (it is renewed four times as often). It
   * bounds how soon the runs a dead or cut-off instance holds are taken over by another: at most
   * this long after its last renewal, plus half a second. An instance whose renewals fail stops
   * starting the runs it holds before its lease could run out. Default 2.
   */
  leaseSeconds?: number;
  /**
   * How this instance is named in the `instances` table and in messages about it (which instance
   * holds what). Default `<hostname>:<pid>`.
   */
  instanceName?: string;
  /**
   * Prometheus metrics (the README's "Metrics and traces" lists them), read with
   * `scheduler.metrics.text()`. `true` keeps them in a registry of the scheduler's own; an object
   * may name your registry (to serve them beside your app's own metrics) and the names' prefix;
   * `false` records nothing, and `scheduler.metrics` is null. Default true (own registry, prefix
   * `pg_cron_scheduler_`).
   */
  metrics?: boolean | MetricsOptions;
}

/** The `metrics` option as an object. */
export interface MetricsOptions {
  /**
   * The prom-client registry to register the metrics in. Two schedulers in one registry need
   * different prefixes. Default: a new registry of the scheduler's own.
   */
  registry?: Registry;
  /** The start of every metric name: letters, digits, `_` and `:`, not starting with a digit. Default `pg_cron_scheduler_`. */
  prefix?: string;
}

/** Metrics as resolved: the registry given (null: the scheduler makes its own) and the prefix. */
export interface MetricsConfig {
  readonly registry: Registry | null;
  readonly prefix: string;
}

/** The resolved, frozen configuration handed to every part of the engine. */
export interface SchedulerConfig {
  readonly connectionString: string | null;
  /** Set when connectionString lists several hosts or has target_session_attrs: how to reach them. */
  readonly hostRouter: HostRouter | null;
  readonly pool: pg.Pool | null;
  /** Connections (but the direct one) go through a pooler: no server settings at connection start. */
  readonly pooler: boolean;
  /** Where the LISTEN connection goes instead; null: where the others go. */
  readonly directConnectionString: string | null;
  readonly poolSize: number;
  /** Connections of the firing lane: the most claim transactions a tick holds open at once. */
  readonly fireConnections: number;
  readonly schema: string;
  readonly bossSchema: string;
  readonly queue: string;
  readonly fire: boolean;
  readonly claimBatchSize: number;
  readonly misfireGraceMs: number;
  readonly lookaheadMs: number;
  readonly maxCatchUpRuns: number;
  readonly pollIntervalMs: number;
  readonly runRetentionSeconds: number;
  readonly pruneIntervalMs: number;
  readonly retryLimit: number;
  readonly retryDelaySeconds: number;
  readonly retryBackoff: boolean;
  readonly runTimeoutSeconds: number;
  readonly workConcurrency: number;
  readonly webhookPolicy: DestinationPolicy;
  readonly webhookSecret: string | null;
  readonly webhookConcurrency: number;
  readonly webhookResolver: WebhookResolver | null;
  readonly shutdownTimeoutMs: number;
  readonly leaseMs: number;
  readonly instanceName: string | null;
  /** Null: metrics are off. */
  readonly metrics: MetricsConfig | null;
}

/**
 * Bounds on every connection the library opens (its pool, the firing connections, the LISTEN and
 * lease connections, pg-boss's pool), so a dead server or a silently dropped socket is noticed.
 * A pool the user brings keeps the user's own settings.
 */
export const CONNECTION_BOUNDS = Object.freeze({
  /** Giving up on a connection attempt. */
  connectTimeoutMs: 10_000,
  /** Server side: the longest statement of the library's own pool. */
  statementTimeoutMs: 30_000,
  /** Client side: a query with no answer by then (a silent socket) fails and its connection is closed. */
  queryTimeoutMs: 35_000,
  /** pg-boss's pool: its maintenance statements on a large queue take longer. */
  bossStatementTimeoutMs: 120_000,
  bossQueryTimeoutMs: 125_000,
  /** Server side: a transaction left idle this long is ended and its locks released. */
  idleInTransactionMs: 10_000,
  /** Firing connections: their statements and transactions are short, and a stuck one holds schedules. */
  firingStatementTimeoutMs: 5_000,
  firingQueryTimeoutMs: 6_000,
  firingIdleInTransactionMs: 2_000,
  /** TCP keepalive on both ends: first probe after this much silence. */
  keepAliveIdleMs: 10_000,
  /** Server side: a socket with data unacknowledged this long is dead (a LISTEN backend blocked on a lost client). */
  tcpUserTimeoutMs: 10_000,
});

/** What a side connection is for: its timeouts differ. */
export type ConnectionRole = 'main' | 'firing' | 'listen' | 'lease' | 'boss';

function number(
  field: string,
  value: number | undefined,
  fallback: number,
  min: number,
  max: number,
  integer = true,
): number {
  if (value === undefined) return fallback;
  if (
    typeof value !== 'number' ||
    !Number.isFinite(value) ||
    value < min ||
    value > max ||
    (integer && !Number.isInteger(value))
  ) {
    throw new ValidationError({
      field,
      value,
      expected: `${integer ? 'an integer' : 'a number'} from ${min} to ${max}`,
    });
  }
  return value;
}

function checkInstanceName(value: unknown): string | null {
  if (value === undefined) return null;
  if (typeof value !== 'string' || value.length === 0 || value.length > 200 || value.includes('\0')) {
    throw new ValidationError({ field: 'instanceName', value, expected: 'a name of 1-200 characters' });
  }
  return value;
}

function checkBoolean(field: string, value: unknown): boolean {
  if (value === undefined) return false;
  if (typeof value !== 'boolean') throw new ValidationError({ field, value, expected: 'true or false' });
  return value;
}

function checkConnectionString(field: string, value: unknown): string | null {
  if (value === undefined) return null;
  if (typeof value !== 'string' || !/^postgres(ql)?:\/\//.test(value)) {
    // The value is not echoed back: a connection string may hold a password.
    throw new ValidationError({ field, expected: 'a postgres:// or postgresql:// connection string' });
  }
  return value;
}

/** The start of every metric name unless the `metrics.prefix` option says otherwise. */
export const DEFAULT_METRICS_PREFIX = 'pg_cron_scheduler_';

/** A Prometheus metric name's start (the name rule of the exposition format). */
const METRIC_PREFIX = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

function checkMetrics(value: unknown): MetricsConfig | null {
  if (value === undefined || value === true) return Object.freeze({ registry: null, prefix: DEFAULT_METRICS_PREFIX });
  if (value === false) return null;
  if (typeof value !== 'object' || value === null) {
    throw new ValidationError({ field: 'metrics', value, expected: 'true, false, or { registry?, prefix? }' });
  }
  const { registry, prefix = DEFAULT_METRICS_PREFIX } = value as MetricsOptions;
  // A registry is checked by what the metrics call on it (a prom-client copy of another version still works).
  if (
    registry !== undefined &&
    (typeof registry !== 'object' ||
      registry === null ||
      typeof registry.registerMetric !== 'function' ||
      typeof registry.metrics !== 'function')
  ) {
    throw new ValidationError({ field: 'metrics.registry', expected: 'a prom-client Registry' });
  }
  if (typeof prefix !== 'string' || !METRIC_PREFIX.test(prefix)) {
    throw new ValidationError({
      field: 'metrics.prefix',
      value: prefix,
      expected: 'letters, digits, _ and :, not starting with a digit (a Prometheus metric name)',
    });
  }
  return Object.freeze({ registry: registry ?? null, prefix });
}

/** Validates options and fills defaults. Throws ValidationError naming the bad option. */
export function resolveConfig(options: SchedulerOptions): SchedulerConfig {
  if (!options || (!options.connectionString && !options.pool)) {
    throw new ValidationError({
      field: 'connectionString',
      expected: 'a PostgreSQL connection string, or a pg pool in `pool`',
    });
  }
  const schema = options.schema ?? 'scheduler';
  checkIdentifier('schema', schema);
  const bossSchema = options.bossSchema ?? 'pgboss';
  checkIdentifier('bossSchema', bossSchema);
  if (schema === bossSchema) {
    throw new ValidationError({
      field: 'schema',
      value: schema,
      expected: 'a schema other than pg-boss’s own (`bossSchema`)',
    });
  }
  const queue = options.queue ?? 'scheduled-runs';
  checkQueueName('queue', queue);
  const poolSize = number('poolSize', options.poolSize, 10, 2, 1000);
  const hosts = options.connectionString ? parseHostList(options.connectionString) : null;
  return Object.freeze({
    connectionString: options.connectionString ?? null,
    // One router per scheduler: all its connections share what it learnt of which host fits.
    hostRouter: hosts ? hostRouter(hosts) : null,
    pool: options.pool ?? null,
    pooler: checkBoolean('pooler', options.pooler),
    directConnectionString: checkConnectionString('directConnectionString', options.directConnectionString),
    poolSize,
    fireConnections: Math.max(1, Math.floor(poolSize / 2)),
    schema,
    bossSchema,
    queue,
    fire: options.fire ?? true,
    claimBatchSize: number('claimBatchSize', options.claimBatchSize, 1000, 1, 10000),
    lookaheadMs: number('lookaheadSeconds', options.lookaheadSeconds, 1, 0, 60, false) * 1000,
    misfireGraceMs: number('misfireGraceSeconds', options.misfireGraceSeconds, 5, 0, 86400, false) * 1000,
    maxCatchUpRuns: number('maxCatchUpRuns', options.maxCatchUpRuns, 100, 1, 100000),
    pollIntervalMs: number('pollIntervalSeconds', options.pollIntervalSeconds, 10, 0.1, 3600, false) * 1000,
    runRetentionSeconds: number('runRetentionSeconds', options.runRetentionSeconds, 604800, 60, 10 * 365 * 86400),
    pruneIntervalMs: number('pruneIntervalSeconds', options.pruneIntervalSeconds, 3600, 1, 86400, false) * 1000,
    retryLimit: number('retryLimit', options.retryLimit, 2, 0, 1000),
    retryDelaySeconds: number('retryDelaySeconds', options.retryDelaySeconds, 1, 0, 86400),
    retryBackoff: options.retryBackoff ?? false,
    runTimeoutSeconds: number('runTimeoutSeconds', options.runTimeoutSeconds, 900, 1, 86400),
    workConcurrency: number('workConcurrency', options.workConcurrency, 100, 1, 1000),
    shutdownTimeoutMs: number('shutdownTimeoutSeconds', options.shutdownTimeoutSeconds, 30, 0, 3600, false) * 1000,
    leaseMs: number('leaseSeconds', options.leaseSeconds, 2, 1, 300, false) * 1000,
    instanceName: checkInstanceName(options.instanceName),
    webhookPolicy: parseAllowList(options.webhookAllow, 'webhookAllow'),
    webhookSecret:
      options.webhookSecret === undefined ? null : checkWebhookSecret('webhookSecret', options.webhookSecret),
    webhookConcurrency: number('webhookConcurrency', options.webhookConcurrency, 10, 1, 1000),
    webhookResolver: options.webhookResolver ?? null,
    metrics: checkMetrics(options.metrics),
  });
}

/** The run settings in force for a schedule: its own where it has them, the scheduler's otherwise. */
export function runOptionsOf(overrides: RunOptionOverrides, config: SchedulerConfig): RunOptions {
  return {
    retryLimit: overrides.retryLimit ?? config.retryLimit,
    retryDelaySeconds: overrides.retryDelaySeconds ?? config.retryDelaySeconds,
    retryBackoff: overrides.retryBackoff ?? config.retryBackoff,
    runTimeoutSeconds: overrides.runTimeoutSeconds ?? config.runTimeoutSeconds,
    priority: overrides.priority ?? 0,
  };
}

/**
 * Settings for the connections the library opens (its pool, the firing and side connections,
 * pg-boss's pool): where to connect, from the connection string or from the user's pool's own
 * settings, and the bounds of CONNECTION_BOUNDS for the connection's role.
 */
export function connectionSettings(config: SchedulerConfig, role: ConnectionRole): pg.PoolConfig {
  const b = CONNECTION_BOUNDS;
  const firing = role === 'firing';
  const router = config.hostRouter;
  const target: pg.PoolConfig = router
    ? // pg cannot parse a host list: its Client class picks the host (pools and pg-boss's pool pass
      // `Client` on).
      { connectionString: router.list.hosts[0]!.connectionString, Client: router.Client }
    : config.connectionString
      ? { connectionString: config.connectionString }
      : (({ connectionString, host, port, user, password, database, ssl }) => ({
          connectionString,
          host,
          port,
          user,
          password,
          database,
          ssl,
        }))((config.pool as pg.Pool).options);
  return {
    ...target,
    connectionTimeoutMillis: b.connectTimeoutMs,
    keepAlive: true,
    keepAliveInitialDelayMillis: b.keepAliveIdleMs,
    statement_timeout: firing
      ? b.firingStatementTimeoutMs
      : role === 'boss'
        ? b.bossStatementTimeoutMs
        : b.statementTimeoutMs,
    // LISTEN and lease connections bound each query themselves (a ping, a renewal).
    ...(role === 'listen' || role === 'lease'
      ? {}
      : {
          query_timeout: firing ? b.firingQueryTimeoutMs : role === 'boss' ? b.bossQueryTimeoutMs : b.queryTimeoutMs,
        }),
    idle_in_transaction_session_timeout: firing ? b.firingIdleInTransactionMs : b.idleInTransactionMs,
    // The server's side of the same socket: it notices a client that vanished (a LISTEN backend
    // blocked on a dead peer would otherwise hold back every NOTIFY of the database).
    options: [
      `-c tcp_keepalives_idle=${b.keepAliveIdleMs / 1000}`,
      '-c tcp_keepalives_interval=5',
      '-c tcp_keepalives_count=3',
      `-c tcp_user_timeout=${b.tcpUserTimeoutMs}`,
    ].join(' '),
    application_name: role === 'main' ? 'pg-cron-scheduler' : `pg-cron-scheduler:${role}`,
  };
}

/** Server settings that connectionSettings sends as startup parameters and PgBouncer refuses. */
const SERVER_SETTINGS = ['statement_timeout', 'idle_in_transaction_session_timeout', 'options'] as const;

/**
 * connectionSettings for the way this connection goes: the LISTEN connection to
 * `directConnectionString` when there is one (with the server settings: it reaches PostgreSQL
 * itself); any other through a `pooler` without them.
 */
export function connectionFor(config: SchedulerConfig, role: ConnectionRole): pg.ClientConfig {
  const settings = connectionSettings(config, role);
  if (role === 'listen' && config.directConnectionString) {
    // Only the connection string: the pool's host, user and so on must not override it, nor a host
    // list's Client class, which would pick a host of the list instead.
    const { host, port, user, password, database, ssl, Client, ...bounds } = settings as pg.PoolConfig;
    return { ...bounds, connectionString: config.directConnectionString };
  }
  if (!config.pooler) return settings;
  const stripped: Record<string, unknown> = { ...settings };
  for (const name of SERVER_SETTINGS) delete stripped[name];
  return stripped as pg.ClientConfig;
}
