/**
 * Runs user handlers for runs taken from pg-boss, and records each run's true status in the run
 * history: running when an attempt starts, then succeeded, failed (final), or queued again when
 * pg-boss will retry it.
 */
import type { Boss, RunJob } from './boss.ts';
import type { Store } from './store.ts';
import type { RunContext, RunHandler, SchedulerEvents } from './types.ts';

type Emit = <E extends keyof SchedulerEvents>(event: E, ...args: SchedulerEvents[E]) => void;

/** Jobs fetched at once per worker loop: big enough for bursts, small enough to spread over instances. */
const MAX_BATCH = 8;

function toError(value: unknown): Error {
  return value instanceof Error ? value : new Error(typeof value === 'string' ? value : JSON.stringify(value));
}

export class RunWorkers {
  readonly #store: Store;
  readonly #boss: Boss;
  readonly #emit: Emit;
  /** Runs whose handler this process is executing; released for retry if stop() cannot wait for them. */
  readonly inFlight = new Set<string>();

  constructor(store: Store, boss: Boss, emit: Emit) {
    this.#store = store;
    this.#boss = boss;
    this.#emit = emit;
  }

  async work(queue: string, concurrency: number, handler: RunHandler): Promise<string> {
    await this.#boss.ensureQueue(queue);
    const batchSize = Math.min(MAX_BATCH, concurrency);
    return this.#boss.work(queue, { batchSize, localConcurrency: Math.ceil(concurrency / batchSize) }, (jobs) =>
      this.#handleBatch(jobs, handler),
    );
  }

  async #handleBatch(jobs: RunJob[], handler: RunHandler): Promise<Map<string, Error | null>> {
    // If this fails (database gone) the batch fails as a whole and pg-boss retries it.
    await this.#store.queries.markRunsStarted(jobs.map((job) => job.id));
    const outcomes = new Map<string, Error | null>();
    await Promise.all(
      jobs.map(async (job) => {
        const context: RunContext = {
          runId: job.data.runId ?? job.id,
          scheduleId: job.data.scheduleId,
          scheduleName: job.data.scheduleName,
          scheduledFor: new Date(job.data.scheduledFor),
          firedAt: new Date(job.data.firedAt),
          attempt: job.retryCount + 1,
          trigger: job.data.trigger,
          fields: job.data.fields ?? {},
          signal: job.signal,
        };
        this.inFlight.add(job.id);
        const started = performance.now();
        try {
          await handler(context);
          outcomes.set(job.id, null);
          await this.#record(job.id, 'succeeded', null);
          this.#emit('succeeded', { ...context, durationMs: performance.now() - started });
        } catch (thrown) {
          const error = toError(thrown);
          const final = job.retryCount >= job.retryLimit;
          outcomes.set(job.id, error);
          await this.#record(job.id, final ? 'failed' : 'queued', error.message);
          this.#emit('failed', { ...context, error, final });
        } finally {
          this.inFlight.delete(job.id);
        }
      }),
    );
    return outcomes;
  }

  /** A status write that fails must not turn a handled run into a failed one: pg-boss still settles it. */
  async #record(id: string, status: 'succeeded' | 'failed' | 'queued', error: string | null): Promise<void> {
    try {
      await this.#store.queries.markRunFinished(id, status, error);
    } catch (failure) {
      this.#emit('error', new Error(`recording run ${id} as ${status} failed: ${toError(failure).message}`));
    }
  }
}
