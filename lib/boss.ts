/**
 * The only module that imports pg-boss. It owns the PgBoss instance: start/stop, queues, bulk
 * enqueue inside the caller's transaction, cancelling, fetching and settling jobs. Only pg-boss's
 * public API is used: nothing reads its tables.
 *
 * pg-boss carries the runs that leave the process that fired them: runs for queues this process
 * does not work, what its own worker has no room for, retries, manual runs, and runs taken over
 * from a dead instance. Each job's id is its run's id.
 */

import { PgBoss } from 'pg-boss';
import { connectionFor, type SchedulerConfig } from './config.ts';
import type { Target } from './targets/target.ts';
import type { RunJobData, RunOptionOverrides, RunOptions, RunTrigger } from './types.ts';

/** Anything that can run a statement: a pool, or a client inside a transaction. */
export interface SqlExecutor {
  executeSql(text: string, values?: unknown[]): Promise<{ rows: unknown[] }>;
}

/** A job as a worker fetched it. */
export interface RunJob {
  id: string;
  data: RunJobData;
  /** 0 on the job's first attempt. */
  retryCount: number;
  /** The job's own retry limit: the attempt with retryCount === retryLimit is its last. */
  retryLimit: number;
  /** pg-boss expires (and retries) an attempt that runs longer than this. */
  expireInSeconds: number;
}

/** A job to enqueue for a run. */
export interface NewJob {
  id: string;
  data: RunJobData;
  /** Not fetched before this instant (the run's tick, or a retry's delay). */
  startAfter: Date;
  /** Retries left to the run (the job's own retry limit). */
  retryLimit: number;
  /** Higher first; catch-up and backfill runs go behind fresh ticks. */
  priority: number;
  /** The run's own settings: pg-boss's retry delay, backoff and expiry of each attempt. */
  retryDelaySeconds: number;
  retryBackoff: boolean;
  expireInSeconds: number;
}

/** No run settings of a schedule's own: the scheduler's options throughout. */
export const NO_OVERRIDES: RunOptionOverrides = {
  retryLimit: null,
  retryDelaySeconds: null,
  retryBackoff: null,
  runTimeoutSeconds: null,
  priority: null,
};

/** Catch-up and backfill runs: they go behind fresh ticks (a lower priority, the workers' backlog lane). */
export function isBacklog(run: { trigger: RunTrigger }): boolean {
  return run.trigger === 'catch_up' || run.trigger === 'backfill';
}

/**
 * The pg-boss settings of a job from its run's settings: retries (`retriesLeft` when some were
 * used up), delay, backoff, expiry, and priority (catch-up and backfill runs one below).
 */
export function jobOptions(
  options: RunOptions,
  run: { trigger: RunTrigger },
  retriesLeft: number = options.retryLimit,
): Pick<NewJob, 'retryLimit' | 'priority' | 'retryDelaySeconds' | 'retryBackoff' | 'expireInSeconds'> {
  return {
    retryLimit: Math.max(0, retriesLeft),
    priority: options.priority - (isBacklog(run) ? 1 : 0),
    retryDelaySeconds: options.retryDelaySeconds,
    retryBackoff: options.retryBackoff,
    expireInSeconds: options.runTimeoutSeconds,
  };
}

export interface Boss {
  start(): Promise<void>;
  stop(timeoutMs: number): Promise<void>;
  /** Creates the queue, or brings an existing one's retry, expiry and retention settings in line with ours (cached per process). */
  ensureQueue(name: string): Promise<void>;
  /** Enqueues jobs with the given ids in the caller's transaction. */
  enqueue(queue: string, jobs: NewJob[], db: SqlExecutor): Promise<void>;
  cancel(queue: string, ids: string[], db: SqlExecutor): Promise<void>;
  /** Deletes jobs that should never have existed (runs withdrawn before their tick). */
  deleteJobs(queue: string, ids: string[], db: SqlExecutor): Promise<void>;
  /** Takes up to `batchSize` ready jobs (they become active), in the caller's transaction when `db` is given. */
  fetch(queue: string, batchSize: number, db?: SqlExecutor): Promise<RunJob[]>;
  /** Completes these attempts; an attempt that pg-boss has since expired or retried is left alone. */
  complete(queue: string, attempts: RunJob[], db: SqlExecutor): Promise<void>;
  /** Fails this attempt: pg-boss retries it while retries remain. */
  fail(queue: string, attempt: RunJob, message: string, db: SqlExecutor): Promise<void>;
  /**
   * Gives back the active attempt of a job that its worker will not finish (it stopped, or died):
   * it is retried, even when it was the last attempt its retry limit allowed.
   */
  release(queue: string, id: string, message: string, db: SqlExecutor): Promise<void>;
  /** A job's state as pg-boss's public API tells it; null when pg-boss has no such job (any more). */
  state(queue: string, id: string): Promise<JobState | null>;
  onError(listener: (error: Error) => void): void;
}

/** What pg-boss says of one job. */
export interface JobState {
  state: 'created' | 'retry' | 'active' | 'completed' | 'cancelled' | 'failed';
  retryCount: number;
  data: Partial<RunJobData> | null;
  startedOn: Date | null;
  completedOn: Date | null;
  output: unknown;
}

const attempt = (job: RunJob) => ({ id: job.id, retryCount: job.retryCount });

/**
 * The pg-boss job data of a run: what handlers and plain consumers read. `trace`: the W3C trace
 * context the run was triggered in, carried to whichever worker handles it.
 */
export function runJobData(
  run: { id: string; scheduledFor: Date; enqueuedAt: Date | null; trigger: RunTrigger },
  schedule: { id: string; name: string; fields: Record<string, unknown>; target: Target },
  attemptsBefore: number,
  options: RunOptions,
  trace?: { traceparent: string; tracestate?: string },
): RunJobData {
  return {
    runId: run.id,
    scheduleId: schedule.id,
    scheduleName: schedule.name,
    scheduledFor: run.scheduledFor.toISOString(),
    firedAt: (run.enqueuedAt ?? run.scheduledFor).toISOString(),
    trigger: run.trigger,
    fields: schedule.fields,
    attemptsBefore,
    options,
    target: schedule.target,
    ...trace,
  };
}

/** How often pg-boss looks for expired attempts: half the run timeout, from 1 s to its default 60 s. */
function supervisionSeconds(runTimeoutSeconds: number): number {
  return Math.min(60, Math.max(1, Math.floor(runTimeoutSeconds / 2)));
}

export function createBoss(config: SchedulerConfig): Boss {
  const boss = new PgBoss({
    // pg-boss keeps a pool of its own, with the same settings and bounds.
    ...(connectionFor(config, 'boss') as Record<string, unknown>),
    schema: config.bossSchema,
    max: config.poolSize,
    // No LISTEN connection of pg-boss's: it only wakes pg-boss's own work() loops, and the engine
    // never calls work() (its workers fetch, woken by the engine's listener). It held a connection
    // for nothing, and behind PgBouncer in transaction mode it would lose its subscription and
    // reconnect forever. Plain pg-boss consumers of our queues are still woken: the NOTIFY is sent
    // by whoever enqueues, because the queues are created with `notify: true`.
    useListenNotify: false,
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
      await boss.insert(
        queue,
        jobs.map((job) => ({
          id: job.id,
          data: job.data,
          startAfter: job.startAfter,
          retryLimit: job.retryLimit,
          priority: job.priority,
          retryDelay: job.retryDelaySeconds,
          retryBackoff: job.retryBackoff,
          expireInSeconds: job.expireInSeconds,
        })),
        { db },
      );
    },
    async cancel(queue, ids, db) {
      if (ids.length === 0) return;
      await boss.cancel(queue, ids, { db });
    },
    async deleteJobs(queue, ids, db) {
      if (ids.length === 0) return;
      await boss.deleteJob(queue, ids, { db });
    },
    async fetch(queue, batchSize, db) {
      // With metadata: a job's own retry limit decides whether a failure is final, and it can
      // differ from the queue's (a run handed over after a failed or lost attempt has fewer left).
      const jobs = await boss.fetch<RunJobData>(
        queue,
        db ? { batchSize, includeMetadata: true, db } : { batchSize, includeMetadata: true },
      );
      return jobs.map((job) => ({
        id: job.id,
        data: job.data,
        retryCount: job.retryCount,
        retryLimit: job.retryLimit,
        expireInSeconds: job.expireInSeconds,
      }));
    },
    async complete(queue, attempts, db) {
      if (attempts.length > 0) await boss.complete(queue, attempts.map(attempt), null, { db });
    },
    async fail(queue, job, message, db) {
      await boss.fail(queue, attempt(job), { message }, { db });
    },
    async release(queue, id, message, db) {
      await boss.fail(queue, id, { message }, { db });
      // A stop or a death is not the run's failure. When that was its last allowed attempt, the
      // fail made the job final; pg-boss's retry() gives it one more (it acts on failed jobs only,
      // so a job now waiting for a retry is left as it is).
      await boss.retry(queue, id, { db });
    },
    async state(queue, id) {
      const [job] = await boss.findJobs<RunJobData>(queue, { id });
      if (!job) return null;
      return {
        state: job.state,
        retryCount: job.retryCount,
        data: job.data ?? null,
        startedOn: job.startedOn ?? null,
        completedOn: job.completedOn ?? null,
        output: job.output ?? null,
      };
    },
    onError(listener) {
      boss.on('error', listener);
    },
  };
}
