/**
 * The service process (`pg-cron-scheduler serve`, `npm start`): config -> database (embedded when
 * DATABASE_URL is unset) -> scheduler -> bundled worker -> app -> listen. The only owner of the
 * listener and of the signals; it ends the process itself (exit 0 after a clean stop, 1 otherwise).
 */
import { mkdir } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { serve } from '@hono/node-server';
import type { EmbeddedPostgres } from '../lib/embedded-postgres.ts';
import { createScheduler, type Scheduler, ValidationError } from '../lib/index.ts';
import { createApp } from './app.ts';
import { ConfigError, isLoopbackAddress, loadConfig, type ServerConfig, variableForEngineOption } from './config.ts';
import { createLogger, type Logger } from './logger.ts';
import { startLogWorker } from './worker.ts';

/** Longest the HTTP server waits for in-flight requests at shutdown before cutting connections. */
const HTTP_DRAIN_MS = 5000;
/** Slack beyond the engine's own shutdown bound before the process gives up and exits 1. */
const SHUTDOWN_SLACK_MS = 15_000;
/** The library's default `shutdownTimeoutSeconds`, used for the outer bound when unset. */
const DEFAULT_ENGINE_SHUTDOWN_SECONDS = 30;

function readConfig(): ServerConfig {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}

/**
 * Runs the service until SIGTERM or SIGINT, then exits the process. Resolves once it listens; a
 * failure to start is written to stderr (no stack trace for configuration errors) and exits 1.
 */
export async function runServer(): Promise<void> {
  try {
    await start();
  } catch (error) {
    process.stderr.write(`failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
}

/** The database and a scheduler on it (not started). Exits 1 on invalid engine options. */
async function open(
  config: ServerConfig,
  logger: Logger,
  overrides: { fire?: boolean } = {},
): Promise<{ scheduler: Scheduler; embedded: EmbeddedPostgres | null }> {
  let embedded: EmbeddedPostgres | null = null;
  let connectionString = config.databaseUrl;
  if (connectionString === null) {
    await mkdir(path.dirname(path.resolve(config.dataDir)), { recursive: true });
    logger.info({ data_dir: config.dataDir }, 'DATABASE_URL is unset: starting the embedded PostgreSQL');
    // Loaded only here: a service with DATABASE_URL never loads the launcher.
    const { startEmbeddedPostgres } = await import('../lib/embedded-postgres.ts');
    embedded = await startEmbeddedPostgres({
      dataDir: config.dataDir,
      onPlaced: (where) => logger.info(where, 'embedded PostgreSQL placed where its OS user can reach it'),
    });
    connectionString = embedded.connectionString;
  }
  try {
    return { scheduler: createScheduler({ ...config.engine, ...overrides, connectionString }), embedded };
  } catch (error) {
    // Engine options come from SCHEDULER_* variables: name the variable, not the option.
    if (error instanceof ValidationError) {
      // connectionString (and its parts, e.g. connectionString.target_session_attrs) is DATABASE_URL.
      const variable = (field: string) =>
        variableForEngineOption(field) ?? field.replace(/^connectionString(?=$|\.)/, 'DATABASE_URL');
      const names = error.issues.map((i) => `${variable(i.field)}: expected ${i.expected}`);
      process.stderr.write(`invalid configuration:\n  ${names.join('\n  ')}\n`);
      await embedded?.stop();
      process.exit(1);
    }
    throw error;
  }
}

/**
 * `pg-cron-scheduler migrate`: creates or updates the scheduler's and pg-boss's schemas (starting the
 * library migrates both, under advisory locks), then stops. Nothing fires meanwhile.
 */
export async function migrate(): Promise<{ schema: string; bossSchema: string }> {
  const config = readConfig();
  const logger = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel);
  const { scheduler, embedded } = await open(config, logger, { fire: false });
  try {
    await scheduler.start();
    await scheduler.stop();
  } finally {
    await embedded?.stop();
  }
  return { schema: config.engine.schema ?? 'scheduler', bossSchema: config.engine.bossSchema ?? 'pgboss' };
}

async function start(): Promise<void> {
  const config = readConfig();
  const logger = createLogger(config.logLevel);
  if (config.apiToken === null && !isLoopbackAddress(config.host)) {
    // loadConfig let this through only because SCHEDULER_ALLOW_UNAUTHENTICATED=true: say so each start.
    logger.warn({ host: config.host }, 'the API is reachable from other machines with no token');
  }
  const { scheduler, embedded } = await open(config, logger);
  scheduler.on('error', (error) => logger.error({ err: error }, 'scheduler error'));
  scheduler.on('failed', (run) =>
    logger.warn(
      { run_id: run.runId, job: run.scheduleName, attempt: run.attempt, final: run.final, err: run.error },
      'run failed',
    ),
  );
  await scheduler.start();
  if (config.worker) {
    // SCHEDULER_WORK_CONCURRENCY, when set, applies to the bundled sink too.
    await startLogWorker({ scheduler, logDir: config.logDir, logger, concurrency: config.engine.workConcurrency });
  }

  const app = createApp({ scheduler, config, logger, api: config.api });
  // One request through the app before listening: the first request of a process compiles the
  // whole request path (tens of milliseconds), which a probe should not be the one to wait for.
  await app.request('/healthcheck', { headers: { Host: 'localhost' } });
  const server = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, (info: AddressInfo) => {
    logger.info(
      {
        host: info.address,
        port: info.port,
        log_dir: config.logDir,
        auth: config.apiToken !== null,
        // The roles of this process: which of the three a split layout gave it.
        roles: { api: config.api, fire: config.engine.fire ?? true, worker: config.worker },
      },
      'listening',
    );
  });

  let stopping = false;
  const shutdown = async (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const engineSeconds = config.engine.shutdownTimeoutSeconds ?? DEFAULT_ENGINE_SHUTDOWN_SECONDS;
    const guard = setTimeout(
      () => {
        logger.error('shutdown took too long: exiting');
        process.exit(1);
      },
      HTTP_DRAIN_MS + engineSeconds * 1000 + SHUTDOWN_SLACK_MS,
    );
    guard.unref();

    // First stop taking requests (in-flight ones may still need the scheduler), then let running
    // runs finish within the engine's bound, and only then stop the database under them.
    await new Promise<void>((resolve) => {
      const drain = setTimeout(() => {
        if ('closeAllConnections' in server) server.closeAllConnections();
      }, HTTP_DRAIN_MS);
      server.close(() => {
        clearTimeout(drain);
        resolve();
      });
      if ('closeIdleConnections' in server) server.closeIdleConnections();
    });
    try {
      await scheduler.stop();
      await embedded?.stop();
    } catch (error) {
      logger.error({ err: error }, 'shutdown failed');
      process.exit(1);
    }
    logger.info('stopped');
    process.exit(0);
  };
  // A second signal while stopping exits at once (shutdown() handles the repeat).
  process.on('SIGTERM', (signal) => void shutdown(signal));
  process.on('SIGINT', (signal) => void shutdown(signal));
}
