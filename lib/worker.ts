/**
 * Runs user handlers for the runs of one queue, in this process.
 *
 * It does not use pg-boss's work() loop: that settles a fetched batch only when every job in it is
 * done, so one slow run would hold its batch-mates' slots and, at shutdown, get finished runs failed
 * and executed again; and with batches of one, a burst of runs costs a fetch query each. Instead it
 * fetches as many ready jobs as it has free slots (one query for a burst), runs each on its own,
 * and settles each as soon as its handler ends (completions batched per event-loop turn). It is
 * woken by the engine's NOTIFY when runs are committed, and polls for what NOTIFY does not announce
 * (retries coming due, expired attempts, jobs sent by others). pg-boss still owns the job states,
 * retries and expiry.
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { Boss, RunJob } from './boss.ts';
import type { RunContext, RunHandler, SchedulerEvents } from './types.ts';

type Emit = <E extends keyof SchedulerEvents>(event: E, ...args: SchedulerEvents[E]) => void;

/** How often an idle worker looks for ready jobs that no notification announced. */
const POLL_MS = 2000;
/**
 * Most jobs one fetch takes. A fetch costs a round trip plus a share per job, and no handler of a
 * fetch starts before all of it arrives.
 */
const MAX_FETCH = 500;
/**
 * Fetches taken at once when many slots are free. Measured with 1,000 runs due at once (2 cores):
 * two parallel fetches of 500 started handlers at p50 52 ms / p99 69-80 ms, one fetch of 1,000 at
 * 68 / 75-93 ms, and sequential fetches of 200 at 80 / 150-160 ms.
 */
const PARALLEL = 2;

function toError(value: unknown): Error {
  return value instanceof Error ? value : new Error(typeof value === 'string' ? value : JSON.stringify(value));
}

/** What a handler receives for a job. */
function runContext(job: RunJob, signal: AbortSignal): RunContext {
  return {
    runId: job.data.runId ?? job.id,
    scheduleId: job.data.scheduleId,
    scheduleName: job.data.scheduleName,
    scheduledFor: new Date(job.data.scheduledFor),
    firedAt: new Date(job.data.firedAt),
    attempt: job.retryCount + 1,
    trigger: job.data.trigger,
    fields: job.data.fields ?? {},
    signal,
  };
}

interface InFlight {
  job: RunJob;
  controller: AbortController;
  done: Promise<void>;
}

export class RunWorker {
  readonly queue: string;
  readonly #boss: Boss;
  readonly #emit: Emit;
  readonly #concurrency: number;
  readonly #handler: RunHandler;
  readonly #inFlight = new Map<string, InFlight>();
  /** Runs given back at shutdown: their handler's late outcome must not settle them. */
  readonly #released = new Set<string>();
  readonly #settling = new Set<Promise<void>>();
  #toComplete: RunJob[] = [];
  #filling: Promise<void> | null = null;
  /** A wake-up came while a fetch was under way: fetch again after it. */
  #again = false;
  /** Slots promised to runs the engine is fetching for this worker in a claim (see reserve()). */
  #reserved = 0;
  /** The last fetch filled every free slot: more may be ready, fetch when a slot frees. */
  #backlog = false;
  #stopped = false;
  #poll: NodeJS.Timeout | null = null;

  constructor(boss: Boss, emit: Emit, queue: string, concurrency: number, handler: RunHandler) {
    this.#boss = boss;
    this.#emit = emit;
    this.queue = queue;
    this.#concurrency = concurrency;
    this.#handler = handler;
  }

  start(): void {
    this.#poll = setInterval(() => this.wake(), POLL_MS);
    this.#poll.unref();
    this.wake();
  }

  /** Ready runs may be waiting (a notification, a reconnect, a freed slot, the poll). */
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

  async #fill(): Promise<void> {
    try {
      do {
        this.#again = false;
        const free = this.#free();
        if (free <= 0) {
          this.#backlog = true;
          return;
        }
        // Up to PARALLEL chunks at once (SKIP LOCKED keeps them disjoint); each chunk's handlers
        // start as soon as that chunk arrives.
        const takes: number[] = [];
        for (let left = free; left > 0 && takes.length < PARALLEL; left -= MAX_FETCH)
          takes.push(Math.min(left, MAX_FETCH));
        const counts = await Promise.all(
          takes.map(async (take) => {
            const jobs = await this.#boss.fetch(this.queue, take);
            // Fetched jobs are active in pg-boss: run them even if stop() began meanwhile (it waits).
            for (const job of jobs) this.#run(job);
            return jobs.length === take;
          }),
        );
        this.#backlog = counts.every(Boolean);
      } while ((this.#again || this.#backlog) && !this.#stopped);
    } catch (error) {
      this.#emit('error', toError(error));
    }
  }

  #free(): number {
    return this.#concurrency - this.#inFlight.size - this.#reserved;
  }

  /**
   * Promises up to `count` free slots to runs the engine fetches for this worker inside the claim
   * that fires them, so they start the moment it commits, with no fetch after it. Returns how many.
   */
  reserve(count: number): number {
    if (this.#stopped) return 0;
    const granted = Math.max(0, Math.min(count, this.#free()));
    this.#reserved += granted;
    return granted;
  }

  /** Runs the jobs fetched for a reservation of `reserved` slots (they are active in pg-boss). */
  handOver(jobs: RunJob[], reserved: number): void {
    this.#reserved -= reserved;
    for (const job of jobs) this.#run(job);
  }

  /** Gives back a reservation whose claim did not commit. */
  unreserve(reserved: number): void {
    this.#reserved -= reserved;
  }

  #run(job: RunJob): void {
    const controller = new AbortController();
    // Registered before the handler starts: a handler that throws at once still finds its entry.
    const entry: InFlight = { job, controller, done: Promise.resolve() };
    this.#inFlight.set(job.id, entry);
    // pg-boss expires the attempt after this long and retries it; tell the handler to give up.
    const expiry = setTimeout(
      () => controller.abort(new Error(`run timed out after ${job.expireInSeconds} s`)),
      job.expireInSeconds * 1000,
    );
    expiry.unref();
    entry.done = (async () => {
      const context = runContext(job, controller.signal);
      const begun = performance.now();
      let failure: Error | null = null;
      try {
        await this.#handler(context);
      } catch (thrown) {
        failure = toError(thrown);
      } finally {
        clearTimeout(expiry);
        this.#inFlight.delete(job.id);
      }
      if (this.#released.delete(job.id)) return;
      if (failure) {
        this.#emit('failed', { ...context, error: failure, final: job.retryCount >= job.retryLimit });
        this.#track(this.#boss.fail(this.queue, job, failure.message));
      } else {
        this.#emit('succeeded', { ...context, durationMs: performance.now() - begun });
        this.#complete(job);
      }
      if (this.#backlog) this.wake();
    })();
  }

  /** Completions of one event-loop turn go to pg-boss in one call. */
  #complete(job: RunJob): void {
    this.#toComplete.push(job);
    if (this.#toComplete.length > 1) return;
    setImmediate(() => {
      const batch = this.#toComplete;
      this.#toComplete = [];
      this.#track(this.#boss.complete(this.queue, batch));
    });
  }

  #track(settlement: Promise<void>): void {
    const tracked = settlement
      .catch((error) => this.#emit('error', toError(error)))
      .finally(() => this.#settling.delete(tracked));
    this.#settling.add(tracked);
  }

  /**
   * Stops taking runs, waits up to `timeoutMs` for running handlers, then aborts the rest and gives
   * them back to pg-boss to be retried (the release counts as an attempt, but never as the last one).
   */
  async stop(timeoutMs: number): Promise<void> {
    this.#stopped = true;
    if (this.#poll) clearInterval(this.#poll);
    await this.#filling;
    const running = [...this.#inFlight.values()];
    if (running.length > 0) {
      await Promise.race([
        Promise.all(running.map((entry) => entry.done)),
        delay(timeoutMs, undefined, { ref: false }),
      ]);
    }
    const unfinished = [...this.#inFlight.values()];
    for (const { job, controller } of unfinished) {
      this.#released.add(job.id);
      controller.abort(new Error('the worker is stopping'));
      this.#track(this.#boss.release(this.queue, job, 'released: the worker stopped before the run finished'));
    }
    // Let a completion batch scheduled for this turn go out, then wait for every settlement.
    await new Promise((resolve) => setImmediate(resolve));
    await Promise.all([...this.#settling]);
  }
}
