/**
 * The only module that imports pg-boss. It owns the PgBoss instance: start/stop, queues, bulk
 * enqueue inside the caller's transaction, cancelling, and workers.
 */

import { PgBoss } from 'pg-boss';
import { connectionSettings, type SchedulerConfig } from './config.ts';
import type { Run, RunJobData } from './types.ts';

/** Anything that can run a statement: a pool, or a client inside a transaction. */
export interface SqlExecutor {
  executeSql(text: string, values?: unknown[]): Promise<{ rows: unknown[] }>;
}

/** A job as a worker fetched it. */
export interface RunJob {
  id: string;
  data: RunJobData;
  /** 0 on the first attempt. */
  retryCount: number;
  retryLimit: number;
  /** pg-boss expires (and retries) an attempt that runs longer than this. */
  expireInSeconds: number;
}

export interface Boss {
  start(): Promise<void>;
  stop(timeoutMs: number): Promise<void>;
  /** Creates the queue, or brings an existing one's retry, expiry and retention settings in line with ours (cached per process). */
  ensureQueue(name: string): Promise<void>;
  /** Enqueues jobs with the given ids in the caller's transaction. */
  enqueue(queue: string, jobs: { id: string; data: RunJobData }[], db: SqlExecutor): Promise<void>;
  cancel(queue: string, ids: string[], db: SqlExecutor): Promise<void>;
  /** Takes up to `batchSize` ready jobs (they become active), in the caller's transaction when `db` is given. */
  fetch(queue: string, batchSize: number, db?: SqlExecutor): Promise<RunJob[]>;
  /** Completes these attempts; an attempt that pg-boss has since expired or retried is left alone. */
  complete(queue: string, attempts: RunJob[]): Promise<void>;
  /** Fails this attempt: pg-boss retries it while retries remain. */
  fail(queue: string, attempt: RunJob, message: string): Promise<void>;
  /**
   * Gives back an attempt this process will not finish (shutdown): it is retried, even when it was
   * the last attempt its retry limit allowed.
   */
  release(queue: string, attempt: RunJob, message: string): Promise<void>;
  onError(listener: (error: Error) => void): void;
}

const attempt = (job: RunJob) => ({ id: job.id, retryCount: job.retryCount });

/** The pg-boss job of a fired run: its id is the run's, its data what handlers and plain consumers read. */
export function runJob(
  run: Run,
  schedule: { id: string; name: string; fields: Record<string, unknown> },
): { id: string; data: RunJobData } {
  return {
    id: run.id,
    data: {
      runId: run.id,
      scheduleId: schedule.id,
      scheduleName: schedule.name,
      scheduledFor: run.scheduledFor.toISOString(),
      firedAt: (run.enqueuedAt ?? run.scheduledFor).toISOString(),
      trigger: run.trigger,
      fields: schedule.fields,
    },
  };
}

/** How often pg-boss looks for expired attempts: half the run timeout, from 1 s to its default 60 s. */
function supervisionSeconds(runTimeoutSeconds: number): number {
  return Math.min(60, Math.max(1, Math.floor(runTimeoutSeconds / 2)));
}

export function createBoss(config: SchedulerConfig): Boss {
  const boss = new PgBoss({
    // pg-boss keeps a pool and a LISTEN connection of its own, with the same settings as ours.
    ...(connectionSettings(config) as Record<string, unknown>),
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
    // pg-boss deletes jobs past their retention only in its maintenance pass (daily by default):
    // run it as often as the run history is pruned, so both stay within the retention bound.
    maintenanceIntervalSeconds: Math.min(86400, Math.max(60, Math.round(config.pruneIntervalMs / 1000))),
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
      const settings = {
        retryLimit: config.retryLimit,
        retryDelay: config.retryDelaySeconds,
        retryBackoff: config.retryBackoff,
        expireInSeconds: config.runTimeoutSeconds,
        deleteAfterSeconds: config.runRetentionSeconds,
      };
      const existing = await boss.getQueue(name);
      if (!existing) {
        try {
          // notify: plain pg-boss consumers of the queue are pushed new runs too.
          await boss.createQueue(name, { ...settings, notify: true, partition: true });
        } catch (error) {
          // Another instance created it between our look and our create: that is fine.
          if (!(await boss.getQueue(name))) throw error;
        }
      } else if (Object.entries(settings).some(([key, value]) => existing[key as keyof typeof existing] !== value)) {
        // Whoever created the queue first fixed its settings; the configured ones must still apply.
        await boss.updateQueue(name, settings);
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
    async fetch(queue, batchSize, db) {
      // Without metadata the fetch returns a third of the columns, which is measurably faster for a
      // burst; the retry limit is the queue's, which ensureQueue keeps equal to the config.
      const jobs = await boss.fetch<RunJobData>(queue, db ? { batchSize, db } : { batchSize });
      return jobs.map((job) => ({
        id: job.id,
        data: job.data,
        retryCount: job.retryCount,
        retryLimit: config.retryLimit,
        expireInSeconds: job.expireInSeconds,
      }));
    },
    async complete(queue, attempts) {
      if (attempts.length > 0) await boss.complete(queue, attempts.map(attempt));
    },
    async fail(queue, job, message) {
      await boss.fail(queue, attempt(job), { message });
    },
    async release(queue, job, message) {
      await boss.fail(queue, attempt(job), { message });
      // A shutdown is not the run's failure. When that was its last allowed attempt, the fail made
      // the job final; pg-boss's retry() gives it one more (it acts on failed jobs only, so a job
      // still due for a retry is left as it is).
      await boss.retry(queue, job.id);
    },
    onError(listener) {
      boss.on('error', listener);
    },
  };
}
