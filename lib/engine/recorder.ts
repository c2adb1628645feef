/**
 * Writes what workers see happen to runs (an attempt starts, ends) into the run history, in batches
 * off the path of the handlers: a handler starts at once and its start is recorded a moment later.
 * A short handler's start and end usually share one write. The pg-boss side of an attempt (complete,
 * fail, a retry job for a run that failed in this process) commits in the same transaction as its
 * record, so the two never disagree.
 *
 * A batch that cannot be written (database down) is kept and written again, in order, later.
 */
import type { Boss, NewJob, RunJob } from '../boss.ts';
import type { PausedSchedule, Queries, RunEvent, Store } from '../store/store.ts';

type ReportError = (error: Error) => void;

/** How long events gather before they are written. */
const FLUSH_DELAY_MS = 20;
/**
 * While workers are still starting the handlers of a tick, a write waits (in steps of
 * YIELD_STEP_MS, at most YIELD_MAX_MS in all): building a write of a thousand events costs the
 * event loop milliseconds that the tick's last handlers would otherwise start late by.
 */
const YIELD_STEP_MS = 5;
const YIELD_MAX_MS = 250;
const MAX_BACKOFF_MS = 2000;
/** A write that has finished (see the constructor). */
const SETTLED: Promise<void> = Promise.resolve();

/** The pg-boss side of an ended attempt of a job-carried run. */
export type Settlement = { queue: string; job: RunJob } & (
  | { kind: 'complete' }
  | { kind: 'fail'; message: string }
  | { kind: 'release'; message: string }
  /** The attempt's job is deleted and the retry that goes with it (same id) replaces it: a delay pg-boss cannot set. */
  | { kind: 'replace' }
);

/** A retry handed to pg-boss: enqueued only if the failure it follows was recorded (the run was still ours). */
export interface RetryJob {
  queue: string;
  job: NewJob;
}

/** What one write carries. */
interface Batch {
  events: Map<string, RunEvent>;
  retries: Map<string, RetryJob>;
  settlements: Settlement[];
}

function emptyBatch(): Batch {
  return { events: new Map(), retries: new Map(), settlements: [] };
}

/** What ended() is told: the run's state after the attempt. */
export type EndedEvent = Omit<RunEvent, 'isStart' | 'startedAt' | 'response'> & { response?: RunEvent['response'] };

/**
 * An attempt's end merged into its still unwritten start, in place: one write for both. The start's
 * object is the recorder's own (made by started()), and not part of a write under way.
 */
function merge(start: RunEvent, end: EndedEvent & { startedAt?: Date | null }): void {
  start.status = end.status;
  start.startedAt ??= end.startedAt ?? null;
  start.finishedAt = end.finishedAt;
  start.error = end.error;
  start.outcome = end.outcome;
  start.attemptStartedAt = end.attemptStartedAt;
  start.job = end.job;
  start.response = end.response ?? null;
  start.owner = end.owner;
}

export class RunRecorder {
  readonly #store: Store;
  readonly #boss: Boss;
  readonly #reportError: ReportError;
  readonly #announce: (tx: Queries, retries: RetryJob[]) => Promise<void>;
  readonly #onPaused: (schedule: PausedSchedule) => void;
  readonly #wakeChannel: string;
  readonly #starting: () => boolean;
  #batch = emptyBatch();
  /** Events of a later attempt of a run whose earlier attempt is still in #batch: written after it. */
  #later: { event: RunEvent; retry?: RetryJob }[] = [];
  #timer: NodeJS.Timeout | null = null;
  /** When the gathered events' write first came due while handlers were starting (Date.now()). */
  #yieldingSince: number | null = null;
  #flushing: Promise<void> | null = null;
  #backoffMs = 0;
  #closed = false;

  /**
   * @param announce called in the transaction that hands retries to pg-boss (to wake workers when they come due)
   * @param onPaused told of each schedule paused by its consecutive failures, once that is committed
   * @param wakeChannel the tickers' channel: the end of a run a tick waits for (buffer_one) is told there
   * @param starting whether workers are starting a tick's handlers right now (a write waits for them)
   */
  constructor(
    store: Store,
    boss: Boss,
    reportError: ReportError,
    announce: (tx: Queries, retries: RetryJob[]) => Promise<void>,
    onPaused: (schedule: PausedSchedule) => void,
    wakeChannel: string,
    starting: () => boolean,
  ) {
    this.#wakeChannel = wakeChannel;
    this.#starting = starting;
    this.#store = store;
    this.#boss = boss;
    this.#reportError = reportError;
    this.#announce = announce;
    this.#onPaused = onPaused;
    // Every field that changes is written a second time now, so that V8 never compiles it as a
    // constant: the first flush (in the first tick) would otherwise throw away the optimized code of
    // every run's start, and the second tick would run unoptimized while it was compiled again.
    this.#batch = emptyBatch();
    this.#later = [];
    this.#timer = null;
    this.#yieldingSince = null;
    this.#flushing = SETTLED;
    this.#flushing = null;
    this.#backoffMs = 0;
    this.#closed = false;
  }

  /** An attempt's handler started. */
  started(id: string, owner: string, attempt: number, startedAt: Date, job: boolean): void {
    this.#add({
      id,
      owner,
      attempt,
      status: 'running',
      startedAt,
      finishedAt: null,
      error: null,
      isStart: true,
      outcome: null,
      attemptStartedAt: startedAt,
      job,
      response: null,
    });
  }

  /**
   * An attempt ended: `event` is the run's state afterwards; a retry job or a pg-boss settlement may
   * go with it. An end whose start is still unwritten (a short handler's, usually) is written into
   * it in place, building no event of its own: at a 1,000-run tick the events built here were a
   * fifth of what a run's start and end allocated.
   */
  ended(event: EndedEvent, extra: { retry?: RetryJob; settlement?: Settlement } = {}): void {
    const pending = this.#batch.events.get(event.id);
    if (pending !== undefined && pending.attempt === event.attempt) {
      merge(pending, event);
      if (extra.retry) this.#batch.retries.set(event.id, extra.retry);
    } else {
      // Every event has one shape (the properties in one order), so the code that handles them stays fast.
      this.#add(
        {
          id: event.id,
          owner: event.owner,
          attempt: event.attempt,
          status: event.status,
          startedAt: null,
          finishedAt: event.finishedAt,
          error: event.error,
          isStart: false,
          outcome: event.outcome,
          attemptStartedAt: event.attemptStartedAt,
          job: event.job,
          response: event.response ?? null,
        },
        extra.retry,
      );
    }
    if (extra.settlement) this.#batch.settlements.push(extra.settlement);
    this.#arm();
  }

  /** A pg-boss settlement with no run history to write (a job whose run the engine does not know). */
  settle(settlement: Settlement): void {
    this.#batch.settlements.push(settlement);
    this.#arm();
  }

  /** Writes everything gathered so far (and what gathers meanwhile), retrying until it is written or `deadline` passes. */
  async drain(deadlineMs: number): Promise<void> {
    while (this.#pending() && Date.now() < deadlineMs) {
      if (this.#timer) clearTimeout(this.#timer);
      this.#timer = null;
      await (this.#flushing ?? this.#flush());
      if (this.#pending() && this.#backoffMs > 0) {
        await new Promise((resolve) =>
          setTimeout(resolve, Math.max(0, Math.min(this.#backoffMs, deadlineMs - Date.now()))),
        );
      }
    }
  }

  /**
   * Stops writing: what is still unwritten is dropped (the caller drained first; a run whose end
   * is lost stays open under this instance, and is handed over like any run a stopped instance held).
   */
  close(): void {
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }

  #pending(): boolean {
    const b = this.#batch;
    return b.events.size > 0 || b.settlements.length > 0 || this.#later.length > 0 || this.#flushing !== null;
  }

  #add(event: RunEvent, retry?: RetryJob): void {
    const pending = this.#batch.events.get(event.id);
    if (pending && pending.attempt !== event.attempt) {
      // One row per run in a write: a later attempt waits for the write of the earlier one.
      this.#later.push({ event, ...(retry && { retry }) });
    } else {
      if (pending && !event.isStart) merge(pending, event);
      else this.#batch.events.set(event.id, event);
      if (retry) this.#batch.retries.set(event.id, retry);
    }
    this.#arm();
  }

  #arm(delayMs = FLUSH_DELAY_MS + this.#backoffMs): void {
    if (this.#timer || this.#flushing || this.#closed) return;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      if (this.#starting()) {
        const now = Date.now();
        this.#yieldingSince ??= now;
        if (now - this.#yieldingSince < YIELD_MAX_MS) {
          this.#arm(YIELD_STEP_MS);
          return;
        }
      }
      this.#yieldingSince = null;
      void this.#flush();
    }, delayMs);
  }

  #flush(): Promise<void> {
    const batch = this.#batch;
    this.#batch = emptyBatch();
    const later = this.#later;
    this.#later = [];
    for (const { event, retry } of later) this.#add(event, retry);
    this.#flushing = this.#write(batch)
      .then(() => {
        this.#backoffMs = 0;
      })
      .catch((error: Error) => {
        this.#reportError(error);
        this.#backoffMs = Math.min(MAX_BACKOFF_MS, Math.max(100, this.#backoffMs * 2));
        this.#restore(batch);
      })
      .finally(() => {
        this.#flushing = null;
        if (this.#batch.events.size > 0 || this.#batch.settlements.length > 0 || this.#later.length > 0) this.#arm();
      });
    return this.#flushing;
  }

  /** A batch that failed goes back ahead of what gathered since. */
  #restore(failed: Batch): void {
    const newer = this.#batch;
    this.#batch = emptyBatch();
    const later = this.#later;
    this.#later = [];
    for (const [id, event] of failed.events) this.#add(event, failed.retries.get(id));
    for (const [id, event] of newer.events) this.#add(event, newer.retries.get(id));
    for (const item of later) this.#add(item.event, item.retry);
    this.#batch.settlements.push(...failed.settlements, ...newer.settlements);
  }

  /** Writes a batch in one transaction. */
  async #write(batch: Batch): Promise<void> {
    if (batch.events.size === 0 && batch.settlements.length === 0) return;
    const pausedNow: PausedSchedule[] = [];
    await this.#store.transaction(async (tx) => {
      const { applied, paused } = await tx.recordRunEvents([...batch.events.values()], this.#wakeChannel);
      pausedNow.push(...paused);
      // A retry follows a failure this process recorded; a run taken over meanwhile is not its to retry.
      const handed = [...batch.retries].filter(([id]) => applied.has(id)).map(([, retry]) => retry);
      // A job replaced by its own retry (a receiver's Retry-After) goes first: the retry takes its id.
      const replaced = batch.settlements.filter((s) => s.kind === 'replace' && applied.has(s.job.id));
      for (const [queue, gone] of Map.groupBy(replaced, (s) => s.queue))
        await this.#boss.deleteJobs(
          queue,
          gone.map((s) => s.job.id),
          tx.executor,
        );
      for (const [queue, jobs] of Map.groupBy(handed, (retry) => retry.queue))
        await this.#boss.enqueue(
          queue,
          jobs.map((r) => r.job),
          tx.executor,
        );
      const completions = Map.groupBy(
        batch.settlements.filter((s) => s.kind === 'complete'),
        (s) => s.queue,
      );
      for (const [queue, done] of completions)
        await this.#boss.complete(
          queue,
          done.map((s) => s.job),
          tx.executor,
        );
      for (const s of batch.settlements) {
        if (s.kind === 'fail') await this.#boss.fail(s.queue, s.job, s.message, tx.executor);
        if (s.kind === 'release') await this.#boss.release(s.queue, s.job.id, s.message, tx.executor);
      }
      if (handed.length > 0) await this.#announce(tx, handed);
    });
    // Told once committed: a rolled-back batch paused nothing.
    for (const schedule of pausedNow) this.#onPaused(schedule);
  }
}
