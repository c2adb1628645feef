/**
 * Keeps the run history true for runs worked outside this library: a plain pg-boss consumer of a
 * run's queue reports nothing to us. A few times a minute one instance (an advisory lock decides)
 * reads, through pg-boss's public API (findJobs), the state of the open runs that no worker of ours
 * has reported on for a while, and writes what it learns: running, succeeded, failed or cancelled,
 * with their times and attempts. At most RECONCILE_BATCH runs a pass, least recently checked first,
 * so a queue nobody works costs a bounded number of look-ups.
 */
import type { Boss, JobState } from '../boss.ts';
import type { PausedSchedule, Store } from '../store/store.ts';
import type { RunStatus } from '../types.ts';

type ReportError = (error: Error) => void;

/** How often a pass runs. */
const RECONCILE_MS = 5000;
/** Runs looked up per pass. */
const RECONCILE_BATCH = 100;
/** A run is looked up once it has been this long with no report from a worker of ours. */
const QUIET_MS = 5000;

function outputMessage(output: unknown): string | null {
  if (output === null || output === undefined) return null;
  if (typeof output === 'object' && typeof (output as { message?: unknown }).message === 'string') {
    return (output as { message: string }).message;
  }
  return typeof output === 'string' ? output : JSON.stringify(output);
}

/** What a job's state means for its run (null fields: nothing new to write). */
export function runStateOf(job: JobState | null): {
  status: RunStatus | null;
  attempts: number | null;
  startedAt: Date | null;
  finishedAt: Date | null;
  error: string | null;
} {
  const none = { status: null, attempts: null, startedAt: null, finishedAt: null, error: null };
  if (!job) return none;
  const attempts = (job.data?.attemptsBefore ?? 0) + job.retryCount + (job.startedOn ? 1 : 0);
  switch (job.state) {
    case 'active':
      return { ...none, status: 'running', attempts, startedAt: job.startedOn };
    case 'completed':
      return { status: 'succeeded', attempts, startedAt: job.startedOn, finishedAt: job.completedOn, error: null };
    case 'failed':
      return {
        status: 'failed',
        attempts,
        startedAt: job.startedOn,
        finishedAt: job.completedOn,
        error: outputMessage(job.output),
      };
    case 'cancelled':
      return { ...none, status: 'cancelled', finishedAt: job.completedOn };
    case 'retry':
      return { ...none, attempts, error: outputMessage(job.output) };
    default:
      return none;
  }
}

export class Reconciler {
  readonly #store: Store;
  readonly #boss: Boss;
  readonly #reportError: ReportError;
  #timer: NodeJS.Timeout | null = null;
  #pass: Promise<void> | null = null;
  #stopped = true;

  readonly #onPaused: (schedule: PausedSchedule) => void;

  constructor(store: Store, boss: Boss, reportError: ReportError, onPaused: (schedule: PausedSchedule) => void) {
    this.#store = store;
    this.#boss = boss;
    this.#reportError = reportError;
    this.#onPaused = onPaused;
  }

  start(): void {
    this.#stopped = false;
    this.#schedule();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    await this.#pass;
  }

  #schedule(): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(
      () => {
        this.#pass = this.reconcile()
          .then(
            () => {},
            (error: Error) => this.#reportError(error),
          )
          .finally(() => {
            this.#pass = null;
            this.#schedule();
          });
      },
      RECONCILE_MS * (0.75 + Math.random() / 2),
    );
    this.#timer.unref();
  }

  /** One pass; returns how many runs it looked up (0 when another instance holds the pass). */
  async reconcile(): Promise<number> {
    return (
      (await this.#store.exclusively('reconcile', async () => {
        const runs = await this.#store.queries.unreportedRuns(RECONCILE_BATCH, QUIET_MS);
        const states = [];
        for (const run of runs) {
          states.push({ id: run.id, ...runStateOf(await this.#boss.state(run.queue, run.id)) });
        }
        // Autocommit: the statement is its own transaction, so what it paused is committed.
        for (const schedule of await this.#store.queries.recordJobStates(states)) this.#onPaused(schedule);
        return runs.length;
      })) ?? 0
    );
  }
}
