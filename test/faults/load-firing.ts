/**
 * The measured side of the load drill, in whichever process fires: every-second jobs, a handler
 * that records lateness (Date.now() at its start minus the run's scheduled instant, first attempts
 * of scheduled ticks only), duplicates, missed ticks and scheduler errors. Used in process by
 * load.ts (`one-process` layout) and by load-engine.ts (`split` layout).
 */
import type { Scheduler } from '../../lib/index.ts';
import { waitFor } from '../helpers/wait.ts';

export interface EngineResult {
  /** `${scheduleId}@${scheduledFor epoch ms}` -> handler start minus scheduled instant, ms. */
  handled: [string, number][];
  duplicates: number;
  missedTicks: number;
  errors: string[];
}

export interface Firing {
  /** Ids of the jobs created. */
  ids: string[];
  /**
   * Waits (within a bound) until every job's tick of `ticks` is handled, however late, and reports.
   * The scheduler keeps running.
   */
  finish(ticks: number[]): Promise<EngineResult>;
}

/** (job, tick) pairs of `ticks` that no handler started. */
export function missingIn(handled: { has(key: string): boolean }, ids: string[], ticks: number[]): number {
  return ticks.reduce((sum, t) => sum + ids.filter((id) => !handled.has(`${id}@${t}`)).length, 0);
}

/** Starts `scheduler`, works its runs with the recording handler, and creates `jobs` every-second jobs. */
export async function startFiring(scheduler: Scheduler, jobs: number, prefix: string): Promise<Firing> {
  const errors: string[] = [];
  let missedTicks = 0;
  scheduler.on('error', (error) => errors.push(error.message));
  scheduler.on('missed', (info) => {
    missedTicks += info.count;
  });
  await scheduler.start();

  const handled = new Map<string, number>();
  let duplicates = 0;
  await scheduler.work(
    (run) => {
      const startMs = Date.now();
      if (run.trigger !== 'schedule' || run.attempt !== 1) return;
      const key = `${run.scheduleId}@${run.scheduledFor.getTime()}`;
      if (handled.has(key)) duplicates++;
      else handled.set(key, startMs - run.scheduledFor.getTime());
    },
    // A tick's worth of slots: the firing process takes every run of a tick inside its claim.
    { concurrency: 1000 },
  );

  const ids: string[] = [];
  for (let i = 0; i < jobs; i += 50) {
    const batch = Array.from({ length: Math.min(50, jobs - i) }, (_, k) =>
      scheduler.create({ name: `${prefix}-tick-${i + k}`, cron: '* * * * * *' }),
    );
    ids.push(...(await Promise.all(batch)).map((job) => job.id));
  }

  return {
    ids,
    async finish(ticks) {
      await waitFor('every tick of the measured windows to be handled', () => missingIn(handled, ids, ticks) === 0, {
        timeoutMs: 30_000,
        intervalMs: 200,
      }).catch(() => {});
      // Errors up to here: what stopping and dropping the test database do afterwards is not the load's.
      return { handled: [...handled], duplicates, missedTicks, errors: [...errors] };
    },
  };
}
