/**
 * Runs user handlers for the runs of one queue, in this process. Runs reach it two ways:
 *
 * - Leased: this process's ticker claimed them for a tick and hands them over right after its
 *   claim commits, ahead of the tick. They start at the tick from memory: no query, no commit, no
 *   WAL flush stands between the tick and the handler. They start only while this instance's lease
 *   certainly holds (see InstanceLease); a run it can no longer start safely is left to the
 *   instance that takes it over.
 * - Fetched from pg-boss: runs fired into the queue (ticks of instances with no room for them,
 *   manual runs), retries, and runs taken over from a dead instance. It fetches as many ready jobs
 *   as it has free slots, and is woken by the engine's NOTIFY when such runs come due.
 *
 * Each run's attempt is recorded (start, end, error) by the RunRecorder, in batches; each handler
 * holds its slot until it returns, and its outcome is settled the moment it does.
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { Context } from '@opentelemetry/api';
import { type Boss, jobOptions, NO_OVERRIDES, type RunJob, runJobData } from '../boss.ts';
import { runOptionsOf, type SchedulerConfig } from '../config.ts';
import type { EngineMetrics, QueueMetrics } from '../metrics.ts';
import { DeliveryFailedError, type RunDelivery } from '../targets/run.ts';
import type { Target } from '../targets/target.ts';
import { carrierOf, contextOf, endSpan, type RunSpanInfo, startRunSpan, withContext } from '../tracing.ts';
import type {
  AttemptOutcome,
  DeliveryRecord,
  RunContext,
  RunHandler,
  RunOptions,
  RunTrigger,
  SchedulerEvents,
} from '../types.ts';
import type { InstanceLease } from './lease.ts';
import type { RunRecorder } from './recorder.ts';

type Emit = <E extends keyof SchedulerEvents>(event: E, ...args: SchedulerEvents[E]) => void;

/** A run leased to this process by its own claim: everything a handler needs, from memory. */
export interface LeasedRun {
  id: string;
  scheduleId: string;
  scheduleName: string;
  scheduledFor: Date;
  firedAt: Date;
  trigger: RunTrigger;
  fields: Record<string, unknown>;
  /** The run settings in force. */
  options: RunOptions;
  /** Where the run goes. */
  target: Target;
  /** The lease id it was leased under: it is not started under another. */
  owner: string;
  /** Catch-up and backfill runs start after fresh ticks. */
  backlog: boolean;
  /** Made by the worker when it accepts the run (ahead of the tick), so its start makes less. */
  prepared?: PreparedAttempt;
}

/** What a handler's attempt is run with, made before it starts. */
interface PreparedAttempt {
  /** `runId:attempt`: its entry among the attempts in flight. */
  key: string;
  controller: AbortController;
  /** The handler's argument (its signal is the controller's). */
  context: RunContext;
  span: RunSpanInfo;
}

/** A job taken from pg-boss, with its attempt's start already recorded under this instance. */
export interface TakenJob {
  job: RunJob;
  /** The attempt this fetch stands for. */
  attempt: number;
  startedAt: Date;
}

export interface WorkerDeps {
  boss: Boss;
  /**
   * Fetches up to `batchSize` ready jobs of `queue` and records their attempts as started by
   * `owner`, in one transaction: a job this process holds is never active in pg-boss without the
   * run saying which instance holds it, so a takeover finds it should the process die.
   */
  take(queue: string, batchSize: number, owner: string): Promise<TakenJob[]>;
  recorder: RunRecorder;
  lease: InstanceLease;
  config: SchedulerConfig;
  emit: Emit;
  /** Delivers a webhook run's attempt (runs with a webhook target never reach the handler). */
  deliver: RunDelivery;
  metrics: EngineMetrics;
}

/** How often an idle worker looks for ready jobs that no notification announced. */
const POLL_MS = 2000;
/**
 * Most jobs one fetch takes. A fetch costs a round trip plus a share per job, and no handler of a
 * fetch starts before all of it arrives.
 */
const MAX_FETCH = 500;
/** Fetches taken at once when many slots are free (SKIP LOCKED keeps them disjoint). */
const PARALLEL = 2;
/**
 * Runs leased to a worker wait in memory for a slot. It takes up to this many slots' worth per
 * tick, so a tick of short runs is not split with a round trip through pg-boss, and leaves the rest
 * of a very big tick to the queue, where other instances' workers can take it.
 */
const LEASE_BACKLOG_SLOTS = 10;
/**
 * Longest the worker starts handlers in one event-loop turn: a tick of thousands of runs is started
 * in slices, so the process keeps answering (requests, lease renewals) meanwhile.
 */
const TURN_MS = 10;
/** Fresh-tick lateness samples kept, and how long they count. */
const LATENESS_SAMPLES = 512;
const LATENESS_MAX_AGE_MS = 5000;
/** How often runs held back by a lease that does not certainly hold look at it again. */
const LEASE_RECHECK_MS = 50;

/** What a handler threw, as an Error with a message worth recording, whatever it was. */
function toError(value: unknown): Error {
  if (value instanceof Error) return value.message ? value : new Error(`${value.name} (no message)`, { cause: value });
  if (typeof value === 'string') return new Error(value || 'the handler threw an empty string');
  let shown: string | undefined;
  try {
    shown = JSON.stringify(value);
  } catch {
    // A value JSON cannot show (cyclic, a BigInt): its type says enough.
  }
  return new Error(`the handler threw ${shown ?? String(typeof value)}`, { cause: value });
}

/**
 * A queue of runs in arrival order with O(1) take (arrays shift in O(n)). Its array is emptied and
 * compacted in place, never replaced: code V8 optimized during the first tick assumes the field
 * keeps the array it started with, and replacing it in a later tick (the first one to take past
 * the compaction mark) threw away the optimized code of the whole start path while that tick's
 * handlers were starting.
 */
class Queue<T> {
  readonly #items: (T | undefined)[] = [];
  #head = 0;
  constructor() {
    // Written twice, so V8 never compiles it as a constant: every queue has the same map from the
    // start, and the first take() from the backlog queue (at the end of the first tick) does not
    // throw the optimized take() away.
    this.#head = 0;
  }
  get size(): number {
    return this.#items.length - this.#head;
  }
  push(item: T): void {
    const items = this.#items;
    if (this.#head === items.length) {
      // Emptied (by the end of every tick): start again at the front.
      items.length = 0;
      this.#head = 0;
    } else if (this.#head > 1024 && this.#head * 2 > items.length) {
      items.splice(0, this.#head);
      this.#head = 0;
    }
    items.push(item);
  }
  /**
   * The next item, or undefined. Every call takes the same steps but the last check: code V8
   * optimized while the first tick was being started must not meet a branch it never ran at that
   * tick's end (it threw it away, and the second tick ran unoptimized while it was compiled again).
   */
  take(): T | undefined {
    const items = this.#items;
    const head = this.#head;
    if (head >= items.length) return undefined;
    const item = items[head];
    // Not kept alive until the next push.
    items[head] = undefined;
    this.#head = head + 1;
    return item;
  }
  drainAll(): T[] {
    const all = this.#items.slice(this.#head) as T[];
    this.#items.length = 0;
    this.#head = 0;
    return all;
  }
  filter(keep: (item: T) => boolean): void {
    const kept = (this.#items.slice(this.#head) as T[]).filter(keep);
    this.#items.length = 0;
    this.#head = 0;
    for (const item of kept) this.#items.push(item);
  }
}

interface InFlight {
  controller: AbortController;
  done: Promise<void>;
}

const SETTLED: Promise<void> = Promise.resolve();

/** How an attempt ended, as the worker saw it. */
type Ending =
  | { ok: true; response: DeliveryRecord | null }
  | { ok: false; error: Error; outcome: AttemptOutcome; response: DeliveryRecord | null };

/** What a webhook attempt got back, when the ending is one. */
function responseOf(error: Error): DeliveryRecord | null {
  return error instanceof DeliveryFailedError ? error.delivery : null;
}

/** How long a webhook receiver asked to wait before the next attempt (Retry-After), ms; 0 when it did not. */
function retryAfterOf(ending: Ending): number {
  return !ending.ok && ending.error instanceof DeliveryFailedError ? (ending.error.retryAfterMs ?? 0) : 0;
}

export class RunWorker {
  readonly queue: string;
  readonly #deps: WorkerDeps;
  readonly #concurrency: number;
  readonly #handler: RunHandler;
  readonly #prepare: ((run: RunContext) => unknown) | undefined;
  /** By `runId:attempt`: a retry of an expired attempt may run beside it. */
  readonly #inFlight = new Map<string, InFlight>();
  /** Attempts given back at stop: their handler's late outcome must not settle them. */
  readonly #released = new Set<string>();
  /** Leased runs waiting for their tick, by local instant. */
  readonly #scheduled = new Map<number, { runs: LeasedRun[]; timer: NodeJS.Timeout }>();
  #scheduledCount = 0;
  readonly #ready = new Queue<LeasedRun>();
  readonly #readyBacklog = new Queue<LeasedRun>();
  /** Slots promised to runs a claim is leasing to this worker (see reserve()). */
  #reserved = 0;
  /** The same, by the tick (local instant) the runs are for. */
  readonly #reservedFor = new Map<number, number>();
  #filling: Promise<void> | null = null;
  /** A wake-up came while a fetch was under way: fetch again after it. */
  #again = false;
  /** The last fetch filled every free slot: more may be ready, fetch when a slot frees. */
  #backlog = false;
  readonly #wakeTimers = new Map<number, NodeJS.Timeout>();
  #recheck: NodeJS.Timeout | null = null;
  #continueDrain: NodeJS.Immediate | null = null;
  /**
   * Attempts that ended while a tick was being started in slices, and the endings to settle them
   * with (record, span, events): the tick's remaining handlers start first (see #settleEnded). Two
   * arrays side by side rather than a closure per attempt: nothing is allocated for it mid-tick.
   */
  readonly #endedFinish: ((ending: Ending) => void)[] = [];
  readonly #endedEnding: Ending[] = [];
  /** The lateness of the last LATENESS_SAMPLES fresh ticks started here (a ring), ms. */
  readonly #lateness: number[] = [];
  #latenessNext = 0;
  #latenessAt = 0;
  #stopped = false;
  #poll: NodeJS.Timeout | null = null;
  readonly #metrics: QueueMetrics;

  constructor(
    deps: WorkerDeps,
    queue: string,
    concurrency: number,
    handler: RunHandler,
    prepare?: (run: RunContext) => unknown,
  ) {
    this.#deps = deps;
    this.queue = queue;
    this.#concurrency = concurrency;
    this.#handler = handler;
    this.#prepare = prepare;
    this.#metrics = deps.metrics.queue(queue);
  }

  /** Handlers running now (for the slot metrics). */
  get busy(): number {
    return this.#inFlight.size;
  }

  /** Handlers it runs at once. */
  get slots(): number {
    return this.#concurrency;
  }

  /** Whether it is starting due runs in slices right now (a tick's handlers; see #drain). */
  get starting(): boolean {
    return this.#continueDrain !== null;
  }

  start(): void {
    this.#poll = setInterval(() => this.wake(), POLL_MS);
    this.#poll.unref();
    this.wake();
  }

  // --- Leased runs ------------------------------------------------------------------------------

  #waiting(): number {
    return this.#scheduledCount + this.#ready.size + this.#readyBacklog.size;
  }

  /**
   * Promises room for up to `count` runs of the tick `atDbMs` (the database's clock) that a claim is
   * about to lease to this worker; returns how many. The claim hands them over with accept() after
   * it commits, or gives the room back with unreserve().
   *
   * The room is per tick: what runs or waits for a slot now, plus what this tick already holds.
   * Runs waiting for earlier ticks do not count: they start before this one, and with ticks
   * prepared seconds ahead (a big tick's lookahead) counting them would send most of a steady
   * high rate through pg-boss while the slots sit idle. Slow handlers still fill the room (in
   * flight and ready), and the rest then goes to the queue, for any instance.
   */
  reserve(count: number, atDbMs: number): number {
    if (this.#stopped) return 0;
    const at = Math.round(atDbMs);
    const room =
      this.#concurrency * LEASE_BACKLOG_SLOTS -
      this.#inFlight.size -
      this.#ready.size -
      this.#readyBacklog.size -
      (this.#scheduled.get(at)?.runs.length ?? 0) -
      (this.#reservedFor.get(at) ?? 0);
    const granted = Math.max(0, Math.min(count, room));
    this.#reserve(at, granted);
    return granted;
  }

  #reserve(at: number, count: number): void {
    this.#reserved += count;
    const left = (this.#reservedFor.get(at) ?? 0) + count;
    if (left === 0) this.#reservedFor.delete(at);
    else this.#reservedFor.set(at, left);
  }

  /**
   * Like reserve(), for catch-up and backfill runs: only slots free right now, so a backlog never
   * takes the room a fresh tick will need.
   */
  reserveFree(count: number, atDbMs: number): number {
    if (this.#stopped) return 0;
    const room = this.#concurrency - this.#inFlight.size - this.#waiting() - this.#reserved;
    const granted = Math.max(0, Math.min(count, room));
    this.#reserve(Math.round(atDbMs), granted);
    return granted;
  }

  /** Gives back room reserved for the tick `atDbMs` by a claim that did not commit. */
  unreserve(reserved: number, atDbMs: number): void {
    this.#reserve(Math.round(atDbMs), -reserved);
  }

  /** Takes the runs a committed claim leased to this worker: they start at `atDbMs` (the database's clock). */
  accept(runs: LeasedRun[], atDbMs: number, reserved: number): void {
    const at = Math.round(atDbMs);
    this.#reserve(at, -reserved);
    if (runs.length === 0) return;
    // Made now, a second or more before the tick, rather than as each handler starts: at a 1,000-run
    // tick, what a start allocates is what the young generation collects in the middle of it.
    for (const run of runs) run.prepared = this.#prepareLeased(run);
    // The handler's own preparation (WorkOptions.prepare), as early: a file opened or read ahead
    // now is work its tick does not wait for.
    if (this.#prepare) for (const run of runs) this.#prepareHandler(this.#prepare, run.prepared!.context);
    const entry = this.#scheduled.get(at);
    if (entry) {
      for (const run of runs) entry.runs.push(run);
    } else {
      const timer = setTimeout(() => this.#due(at), Math.max(0, this.#deps.lease.msUntil(at)));
      this.#scheduled.set(at, { runs: [...runs], timer });
    }
    this.#scheduledCount += runs.length;
  }

  #prepareHandler(prepare: (run: RunContext) => unknown, context: RunContext): void {
    if (context.target.type === 'webhook') return;
    try {
      const result = prepare(context);
      if (typeof (result as PromiseLike<unknown> | null)?.then === 'function') {
        Promise.resolve(result).catch(this.#prepareFailed);
      }
    } catch (error) {
      this.#prepareFailed(error);
    }
  }

  readonly #prepareFailed = (error: unknown): void => this.#deps.emit('error', toError(error));

  /** Forgets leased runs that have not started and match (their schedule was deleted). */
  forget(matches: (run: LeasedRun) => boolean): void {
    for (const [at, entry] of this.#scheduled) {
      const kept = entry.runs.filter((run) => !matches(run));
      this.#scheduledCount -= entry.runs.length - kept.length;
      entry.runs = kept;
      if (kept.length === 0) {
        clearTimeout(entry.timer);
        this.#scheduled.delete(at);
      }
    }
    this.#ready.filter((run) => !matches(run));
    this.#readyBacklog.filter((run) => !matches(run));
  }

  /** A tick's leased runs are due: from now on they take free slots ahead of anything fetched. */
  #due(at: number): void {
    const entry = this.#scheduled.get(at);
    if (!entry) return;
    // A timer may fire a moment early, and the database's clock is an estimate: never start a run
    // before its instant, whatever the estimate's error.
    let earliest = Number.POSITIVE_INFINITY;
    for (const run of entry.runs) earliest = Math.min(earliest, run.scheduledFor.getTime());
    const early = this.#deps.lease.msUntil(earliest) + this.#deps.lease.uncertaintyMs;
    if (early > 0) {
      entry.timer = setTimeout(() => this.#due(at), Math.ceil(early));
      return;
    }
    this.#scheduled.delete(at);
    this.#scheduledCount -= entry.runs.length;
    for (const run of entry.runs) (run.backlog ? this.#readyBacklog : this.#ready).push(run);
    this.#drain();
  }

  /** Starts waiting leased runs while slots are free; fresh ticks first. */
  #drain(): void {
    const lease = this.#deps.lease;
    const turn = performance.now();
    while (this.#inFlight.size < this.#concurrency && !this.#stopped) {
      if (performance.now() - turn > TURN_MS) {
        // Let the rest of the process (requests, renewals, I/O) in before starting more.
        this.#continueDrain ??= setImmediate(() => {
          this.#continueDrain = null;
          this.#drain();
        });
        break;
      }
      if (!lease.valid()) {
        // The lease does not certainly hold now (renewals are late): another instance may take
        // these runs over at any moment, so none may start. They wait: if the lease is renewed
        // they start (late); if it was lost, they belong to the instance that took them over.
        this.#recheck ??= setTimeout(() => {
          this.#recheck = null;
          this.#drain();
        }, LEASE_RECHECK_MS);
        break;
      }
      const run = this.#ready.take() ?? this.#readyBacklog.take();
      if (!run) break;
      // Leased under an id the lease has since lost: taken over by another instance.
      if (run.owner !== lease.id) continue;
      this.#startLeased(run);
    }
    if (this.#continueDrain === null) this.#settleEnded();
    if (this.#free() > 0 && this.#backlog) this.wake();
  }

  /**
   * Settles the attempts that ended while a tick was being started. A tick's handlers start in
   * slices with the event loop let in between; the attempts of a slice that end at once (a log
   * line, a queue push) would otherwise be settled in that gap, before the next slice starts (at a
   * 1,000-run tick of the bundled log sink, 5-7 ms per gap, a fifth to a third of the time its last
   * handler waited). Their slots were freed when they ended; only the bookkeeping (the run's record,
   * span and events) waits, until the tick's last slice has started.
   */
  #settleEnded(): void {
    if (this.#endedFinish.length === 0) return;
    // Taken out first: a listener of the events settled here may stop the worker, which settles too.
    const finishes = this.#endedFinish.splice(0);
    const endings = this.#endedEnding.splice(0);
    for (let i = 0; i < finishes.length; i++) finishes[i]!(endings[i]!);
  }

  /**
   * The 90th percentile of how late the recent fresh ticks' handlers started (ms), or null when
   * none started lately: the pace of backfills follows it.
   */
  freshLateness(): number | null {
    if (this.#lateness.length === 0 || performance.now() - this.#latenessAt > LATENESS_MAX_AGE_MS) return null;
    const sorted = [...this.#lateness].sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length * 0.9)] ?? null;
  }

  #prepareLeased(run: LeasedRun): PreparedAttempt {
    return this.#prepareAttempt(run.id, 1, run);
  }

  /** The one place an attempt's context, controller and span details are made (one object shape). */
  #prepareAttempt(
    runId: string,
    attempt: number,
    run: Pick<
      RunContext,
      'scheduleId' | 'scheduleName' | 'scheduledFor' | 'firedAt' | 'trigger' | 'fields' | 'options' | 'target'
    >,
  ): PreparedAttempt {
    const controller = new AbortController();
    return {
      key: `${runId}:${attempt}`,
      controller,
      context: {
        runId,
        scheduleId: run.scheduleId,
        scheduleName: run.scheduleName,
        scheduledFor: run.scheduledFor,
        firedAt: run.firedAt,
        attempt,
        trigger: run.trigger,
        fields: run.fields,
        options: run.options,
        target: run.target,
        signal: controller.signal,
      },
      span: { runId, scheduleName: run.scheduleName, attempt, trigger: run.trigger, queue: this.queue },
    };
  }

  #startLeased(run: LeasedRun): void {
    const { lease, recorder } = this.#deps;
    const owner = run.owner;
    // Started at or after its instant by construction (#due); the record says so exactly.
    const startedAt = new Date(Math.max(lease.dbNow(), run.scheduledFor.getTime()));
    const lateMs = startedAt.getTime() - run.scheduledFor.getTime();
    if (!run.backlog) {
      this.#lateness[this.#latenessNext] = lateMs;
      this.#latenessNext = (this.#latenessNext + 1) % LATENESS_SAMPLES;
      this.#latenessAt = performance.now();
    }
    // Catch-up and backfill runs are late by design: their trigger label keeps them apart.
    this.#metrics.lateness(run.trigger, lateMs / 1000);
    recorder.started(run.id, owner, 1, startedAt, false);
    this.#execute(run.prepared ?? this.#prepareLeased(run), undefined, run.options.runTimeoutSeconds, (ending) => {
      const finishedAt = new Date(lease.dbNow());
      if (ending.ok) {
        recorder.ended({
          id: run.id,
          owner,
          attempt: 1,
          status: 'succeeded',
          finishedAt,
          error: null,
          outcome: null,
          attemptStartedAt: startedAt,
          job: false,
          response: ending.response,
        });
        return false;
      }
      // The first failure of a leased run: retried through pg-boss while retries remain.
      const retry = run.options.retryLimit >= 1;
      const message = ending.error.message;
      recorder.ended(
        {
          id: run.id,
          owner,
          attempt: 1,
          attemptStartedAt: startedAt,
          status: retry ? 'queued' : 'failed',
          finishedAt: retry ? null : finishedAt,
          error: message,
          outcome: ending.outcome,
          job: retry,
          response: ending.response,
        },
        retry
          ? {
              retry: {
                queue: this.queue,
                job: {
                  ...jobOptions(run.options, run, run.options.retryLimit - 1),
                  id: run.id,
                  data: runJobData(
                    { id: run.id, scheduledFor: run.scheduledFor, enqueuedAt: run.firedAt, trigger: run.trigger },
                    { id: run.scheduleId, name: run.scheduleName, fields: run.fields, target: run.target },
                    1,
                    run.options,
                  ),
                  // A webhook receiver's Retry-After is honoured when it asks for longer.
                  startAfter: new Date(
                    Date.now() + Math.max(run.options.retryDelaySeconds * 1000, retryAfterOf(ending)),
                  ),
                },
              },
            }
          : {},
      );
      return !retry;
    });
  }

  // --- Runs fetched from pg-boss ----------------------------------------------------------------

  /** Runs may be ready in pg-boss (a notification, a reconnect, a freed slot, the poll). */
  wake(): void {
    if (this.#stopped) return;
    if (this.#filling) {
      this.#again = true;
      return;
    }
    this.#filling = this.#fill().finally(() => {
      this.#filling = null;
      // A wake-up that arrived after the fetch loop's last look (a slot freed meanwhile) must not be lost.
      if (this.#again) this.wake();
    });
  }

  /** Runs come due in pg-boss at `atDbMs` (the database's clock): fetch then. */
  wakeAt(atDbMs: number): void {
    const wait = this.#deps.lease.msUntil(atDbMs);
    if (wait <= 1) {
      this.wake();
      return;
    }
    const key = Math.ceil(atDbMs);
    if (this.#wakeTimers.has(key) || this.#stopped) return;
    const timer = setTimeout(() => {
      this.#wakeTimers.delete(key);
      this.wake();
    }, Math.ceil(wait));
    timer.unref();
    this.#wakeTimers.set(key, timer);
  }

  /** Slots a fetch may fill: leased runs that are due come first. */
  #free(): number {
    return this.#concurrency - this.#inFlight.size - this.#ready.size - this.#readyBacklog.size;
  }

  async #fill(): Promise<void> {
    try {
      do {
        this.#again = false;
        const free = this.#free();
        if (free <= 0) {
          this.#backlog = true;
          return;
        }
        const takes: number[] = [];
        for (let left = free; left > 0 && takes.length < PARALLEL; left -= MAX_FETCH)
          takes.push(Math.min(left, MAX_FETCH));
        const counts = await Promise.all(
          takes.map(async (take) => {
            const owner = this.#deps.lease.id;
            const jobs = await this.#deps.take(this.queue, take, owner);
            // Fetched jobs are active in pg-boss: run them even if stop() began meanwhile (it waits).
            for (const taken of jobs) this.#startJob(taken, owner);
            return jobs.length === take;
          }),
        );
        this.#backlog = counts.every(Boolean);
      } while ((this.#again || this.#backlog) && !this.#stopped);
    } catch (error) {
      this.#deps.emit('error', toError(error));
    }
  }

  #startJob({ job, attempt, startedAt }: TakenJob, owner: string): void {
    const { lease, recorder, config } = this.#deps;
    // Jobs from before run settings were recorded (or sent by other code) get the scheduler's.
    const options = job.data.options ?? {
      ...runOptionsOf(NO_OVERRIDES, config),
      runTimeoutSeconds: job.expireInSeconds,
    };
    const data = job.data;
    const runId = data.runId ?? job.id;
    const scheduledFor = new Date(data.scheduledFor);
    // A job not fired by this library (sent to the queue by other code) has no run to record.
    const known = data.runId !== undefined;
    // Measured at the handler's start (after the fetch committed); a retry is late by its delay, not counted.
    if (known && attempt === 1) {
      this.#metrics.lateness(data.trigger, Math.max(0, lease.dbNow() - scheduledFor.getTime()) / 1000);
    }
    const prepared = this.#prepareAttempt(runId, attempt, {
      scheduleId: data.scheduleId,
      scheduleName: data.scheduleName,
      scheduledFor,
      firedAt: new Date(data.firedAt),
      trigger: data.trigger,
      fields: data.fields ?? {},
      options,
      target: data.target ?? { type: 'log' },
    });
    // A manual run triggered inside a span: its handler's span is a child of that one.
    const parent = data.traceparent === undefined ? undefined : contextOf(data);
    this.#execute(prepared, parent, job.expireInSeconds, (ending) => {
      const final = !ending.ok && job.retryCount >= job.retryLimit;
      // A webhook receiver asked for a longer wait than pg-boss would give the retry: the job is
      // replaced by a retry of its own that starts then (pg-boss has no per-failure delay).
      const retryAfterMs = retryAfterOf(ending);
      const replace = known && !final && retryAfterMs > options.retryDelaySeconds * 1000;
      const settlement = ending.ok
        ? { queue: this.queue, job, kind: 'complete' as const }
        : replace
          ? { queue: this.queue, job, kind: 'replace' as const }
          : { queue: this.queue, job, kind: 'fail' as const, message: ending.error.message };
      if (!known) {
        recorder.settle(settlement);
        return final;
      }
      const retry = replace
        ? {
            queue: this.queue,
            job: {
              ...jobOptions(options, data, job.retryLimit - job.retryCount - 1),
              id: runId,
              data: { ...data, attemptsBefore: attempt },
              startAfter: new Date(Date.now() + retryAfterMs),
            },
          }
        : undefined;
      const finishedAt = new Date(lease.dbNow());
      recorder.ended(
        {
          id: runId,
          owner,
          attempt,
          attemptStartedAt: startedAt,
          job: true,
          response: ending.response,
          ...(ending.ok
            ? { status: 'succeeded' as const, finishedAt, error: null, outcome: null }
            : {
                status: final ? ('failed' as const) : ('queued' as const),
                finishedAt: final ? finishedAt : null,
                error: ending.error.message,
                outcome: ending.outcome,
              }),
        },
        retry ? { settlement, retry } : { settlement },
      );
      return final;
    });
  }

  // --- Running a handler ------------------------------------------------------------------------

  /**
   * Runs the handler for one attempt, in its `pg-cron-scheduler.run` span (a child of `parent`, the
   * trigger's trace context, when given). `settle` records how it ended (once: at its end, or at its
   * timeout if that comes first) and returns whether that failure was final; the span ends then too.
   * The attempt holds its slot until the handler returns, even after a timeout, so concurrency is
   * never exceeded.
   *
   * This is the path of every run's start, paid once per run of a tick one after another: it makes
   * no object it does not need (no spreads, no async wrapper; the outcome is taken by one promise
   * reaction), since at a 1,000-run tick each microsecond and each kilobyte here is a millisecond
   * of the last handler's lateness or a young-generation collection more.
   */
  #execute(
    { key, controller, context, span }: PreparedAttempt,
    parent: Context | undefined,
    timeoutSeconds: number,
    settle: (ending: Ending) => boolean,
  ): void {
    const traced = startRunSpan(span, parent);
    // Only when the run span is a real one (an SDK is registered, or the trigger's trace goes on).
    const traceparent = carrierOf(traced.span.spanContext())?.traceparent;
    if (traceparent !== undefined) context.traceparent = traceparent;
    // Registered before the handler starts: a handler that throws at once still finds its entry.
    const entry: InFlight = { controller, done: SETTLED };
    this.#inFlight.set(key, entry);
    let settled = false;
    const finish = (ending: Ending) => {
      if (settled) return;
      if (this.#released.has(key)) {
        // Given back at stop: its outcome is not this attempt's to settle, but its span ends.
        settled = true;
        endSpan(traced.span, new Error('released: the worker stopped before the handler returned'));
        return;
      }
      settled = true;
      let final = false;
      try {
        final = settle(ending);
      } catch (error) {
        this.#deps.emit('error', toError(error));
      }
      endSpan(traced.span, ending.ok ? undefined : ending.error);
      if (ending.ok) this.#deps.emit('succeeded', { ...context, durationMs: performance.now() - begun });
      else this.#deps.emit('failed', { ...context, error: ending.error, final });
    };
    const begun = performance.now();
    // The attempt times out (and is retried) after this long; the handler is told to give up.
    const expiry = setTimeout(() => {
      const error = new Error(`run timed out after ${timeoutSeconds} s`);
      controller.abort(error);
      finish({ ok: false, error, outcome: 'timed_out', response: null });
    }, timeoutSeconds * 1000);
    expiry.unref();
    const end = (ending: Ending) => {
      clearTimeout(expiry);
      this.#inFlight.delete(key);
      // The slot is free. While a tick is being started in slices, its next slice takes it (starting
      // a slice of its own here would run in the same turn of the event loop, and a tick whose
      // handlers end as fast as they start would be started in one turn, requests and lease
      // renewals waiting behind it), and the settling waits for its last slice (#settleEnded).
      if (this.#continueDrain !== null) {
        this.#endedFinish.push(finish);
        this.#endedEnding.push(ending);
        return;
      }
      finish(ending);
      this.#drain();
    };
    // A webhook run is delivered by the engine; every other run goes to the handler. Its outcome is
    // taken once it settles, always after this call returns (so never inside #drain's loop).
    const webhook = context.target.type === 'webhook';
    let result: unknown;
    try {
      result = withContext(traced.context, webhook ? this.#deps.deliver : this.#handler, context);
    } catch (thrown) {
      result = Promise.reject(thrown);
    }
    entry.done = Promise.resolve(result).then(
      (value) => end({ ok: true, response: webhook ? (value as DeliveryRecord) : null }),
      (thrown: unknown) => {
        const error = toError(thrown);
        end({ ok: false, error, outcome: 'failed', response: responseOf(error) });
      },
    );
  }

  /**
   * Stops taking runs, forgets leased runs that have not started (the caller hands them back),
   * waits up to `timeoutMs` for running handlers, then aborts the rest: their attempts are given
   * back by the caller (released), and their late outcome is ignored.
   */
  async stop(timeoutMs: number): Promise<void> {
    this.#stopped = true;
    if (this.#poll) clearInterval(this.#poll);
    for (const timer of this.#wakeTimers.values()) clearTimeout(timer);
    for (const { timer } of this.#scheduled.values()) clearTimeout(timer);
    if (this.#recheck) clearTimeout(this.#recheck);
    if (this.#continueDrain) clearImmediate(this.#continueDrain);
    this.#continueDrain = null;
    this.#settleEnded();
    this.#scheduled.clear();
    this.#scheduledCount = 0;
    this.#reservedFor.clear();
    this.#ready.drainAll();
    this.#readyBacklog.drainAll();
    await this.#filling;
    const running = [...this.#inFlight.values()];
    if (running.length > 0) {
      await Promise.race([
        Promise.all(running.map((entry) => entry.done)),
        delay(timeoutMs, undefined, { ref: false }),
      ]);
    }
    for (const [key, { controller }] of this.#inFlight) {
      this.#released.add(key);
      controller.abort(new Error('the worker is stopping'));
    }
  }
}
