/**
 * Stale-job alerts: every STALE_CHECK_MS one instance (an advisory lock decides) looks for
 * schedules with no successful run for their `alert_after_seconds`, and tells of each one once per
 * episode (a `stale` event); a success ends the episode (the recorder clears the mark). The API
 * and /health/schedules read staleness directly, at any time.
 */
import type { Store } from '../store/store.ts';
import type { StaleSchedule } from '../types.ts';

/** How often stale schedules are looked for. */
const STALE_CHECK_MS = 10_000;
/** Most stale schedules told of per pass. */
const STALE_BATCH = 1000;

export class StaleWatch {
  readonly #store: Store;
  readonly #reportError: (error: Error) => void;
  readonly #onStale: (schedule: StaleSchedule) => void;
  #timer: NodeJS.Timeout | null = null;
  #pass: Promise<void> = Promise.resolve();

  constructor(store: Store, reportError: (error: Error) => void, onStale: (schedule: StaleSchedule) => void) {
    this.#store = store;
    this.#reportError = reportError;
    this.#onStale = onStale;
  }

  start(): void {
    this.#timer = setInterval(() => {
      this.#pass = this.check().then(
        () => {},
        (error: unknown) => this.#reportError(error as Error),
      );
    }, STALE_CHECK_MS);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    await this.#pass;
  }

  /** One pass: tells of the schedules that became stale since the last; returns how many. */
  async check(): Promise<number> {
    const told =
      (await this.#store.exclusively('stale', async () => {
        const stale = (await this.#store.queries.staleSchedules(STALE_BATCH)).filter((s) => !s.notified);
        // Marked first: an event is better missed after a crash than told twice.
        await this.#store.queries.markStaleNotified(stale.map((s) => s.scheduleId));
        return stale;
      })) ?? [];
    for (const { notified: _notified, ...schedule } of told) this.#onStale(schedule);
    return told.length;
  }
}
