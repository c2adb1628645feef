/**
 * The only module that imports pg-boss. It owns the PgBoss instance: start/stop, queues, bulk
 * enqueue inside the caller's transaction, cancelling, and workers.
 */

import type pg from 'pg';
import type { Job, JobResult, JobWithMetadata } from 'pg-boss';
import { PgBoss } from 'pg-boss';
import type { SchedulerConfig } from './config.ts';
import type { RunJobData } from './types.ts';

/** Anything that can run a statement: a pool, or a client inside a transaction. */
export interface SqlExecutor {
  executeSql(text: string, values?: unknown[]): Promise<{ rows: unknown[] }>;
}

/** A job as a worker receives it. */
export interface RunJob {
  id: string;
  data: RunJobData;
  /** 0 on the first attempt. */
  retryCount: number;
  retryLimit: number;
  signal: AbortSignal;
}

export interface Boss {
  start(): Promise<void>;
  stop(timeoutMs: number): Promise<void>;
  /** Creates the queue if it does not exist yet (cached per process). */
  ensureQueue(name: string): Promise<void>;
  /** Enqueues jobs with the given ids in the caller's transaction. */
  enqueue(queue: string, jobs: { id: string; data: RunJobData }[], db: SqlExecutor): Promise<void>;
  cancel(queue: string, ids: string[], db: SqlExecutor): Promise<void>;
  /**
   * Runs `handle` for every job of `queue`; `handle` settles each job of a batch on its own
   * (returns 'completed' or the error), so one failure never fails its batch mates.
   */
  work(
    queue: string,
    options: { batchSize: number; localConcurrency: number },
    handle: (jobs: RunJob[]) => Promise<Map<string, Error | null>>,
  ): Promise<string>;
  onError(listener: (error: Error) => void): void;
}

/** pg-boss's own connection settings from ours: it keeps a pool and a LISTEN connection of its own. */
function connectionOptions(config: SchedulerConfig): Record<string, unknown> {
  if (config.connectionString) return { connectionString: config.connectionString };
  const o = (config.pool as unknown as { options: pg.PoolConfig }).options;
  return {
    connectionString: o.connectionString,
    host: o.host,
    port: o.port,
    user: o.user,
    password: o.password,
    database: o.database,
    ssl: o.ssl,
  };
}

/** How often pg-boss looks for expired attempts: half the run timeout, from 1 s to its default 60 s. */
function supervisionSeconds(runTimeoutSeconds: number): number {
  return Math.min(60, Math.max(1, Math.floor(runTimeoutSeconds / 2)));
}

export function createBoss(config: SchedulerConfig): Boss {
  const boss = new PgBoss({
    ...connectionOptions(config),
    schema: config.bossSchema,
    max: config.poolSize,
    // Workers are woken by NOTIFY the moment the engine commits a run, instead of polling.
    useListenNotify: true,
    // The engine does its own scheduling; pg-boss's cron timekeeper is not used.
    schedule: false,
    // pg-boss fails expired attempts (and so retries them) only in its supervision pass, every 60 s
    // by default: an attempt would outlive runTimeoutSeconds by up to a minute. Supervise often
    // enough that an expired attempt is retried within about half its timeout.
    superviseIntervalSeconds: supervisionSeconds(config.runTimeoutSeconds),
    monitorIntervalSeconds: supervisionSeconds(config.runTimeoutSeconds),
    application_name: 'pg-cron-scheduler:boss',
  });
  const known = new Set<string>();

  return {
    async start() {
      await boss.start();
    },
    async stop(timeoutMs) {
      await boss.stop({ graceful: true, timeout: Math.max(timeoutMs, 1000), close: true });
    },
    async ensureQueue(name) {
      if (known.has(name)) return;
      const existing = await boss.getQueue(name);
      if (!existing) {
        try {
          await boss.createQueue(name, {
            notify: true,
            partition: true,
            retryLimit: config.retryLimit,
            retryDelay: config.retryDelaySeconds,
            retryBackoff: config.retryBackoff,
            expireInSeconds: config.runTimeoutSeconds,
            deleteAfterSeconds: config.runRetentionSeconds,
          });
        } catch (error) {
          // Another instance created it between our look and our create: that is fine.
          if (!(await boss.getQueue(name))) throw error;
        }
      }
      known.add(name);
    },
    async enqueue(queue, jobs, db) {
      if (jobs.length === 0) return;
      await boss.insert(queue, jobs, { db });
    },
    async cancel(queue, ids, db) {
      if (ids.length === 0) return;
      await boss.cancel(queue, ids, { db });
    },
    async work(queue, options, handle) {
      return boss.work<
        RunJobData,
        unknown,
        {
          batchSize: number;
          localConcurrency: number;
          perJobResults: true;
          includeMetadata: true;
          pollingIntervalSeconds: number;
          notifyPollingIntervalSeconds: number;
          burstWhenBatchFull: boolean;
        }
      >(
        queue,
        {
          ...options,
          perJobResults: true,
          includeMetadata: true,
          // New runs wake workers through NOTIFY; polling finds what NOTIFY does not announce:
          // retries coming due and expired attempts. A full batch means more waits: fetch again.
          pollingIntervalSeconds: 1,
          notifyPollingIntervalSeconds: 2,
          burstWhenBatchFull: true,
        },
        async (jobs: JobWithMetadata<RunJobData>[]): Promise<JobResult[]> => {
          const outcomes = await handle(
            jobs.map((job: Job<RunJobData> & { retryLimit: number }) => ({
              id: job.id,
              data: job.data,
              retryCount: job.retryCount,
              retryLimit: job.retryLimit,
              signal: job.signal,
            })),
          );
          return jobs.map((job) => {
            const error = outcomes.get(job.id);
            return error
              ? { id: job.id, status: 'failed', output: { message: error.message } }
              : { id: job.id, status: 'completed' };
          });
        },
      );
    },
    onError(listener) {
      boss.on('error', listener);
    },
  };
}
