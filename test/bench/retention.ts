/**
 * Retention: a day's history of every-minute schedules (runs, and their completed pg-boss jobs)
 * generated in the database; then a scheduler with a 6-hour retention and a 1-second prune interval
 * starts. How long until the run history, and pg-boss's jobs, are within the bound.
 */
import { setTimeout as delay } from 'node:timers/promises';
import type pg from 'pg';
import { createBenchDatabase, migrate, seedSchedules } from './database.ts';
import type { Benchmark, Row } from './report.ts';
import { startInstance } from './spawn.ts';
import { count, ms } from './stats.ts';

const RETENTION_SECONDS = 6 * 3600;
const QUEUE = 'scheduled-runs';
const SWEEP_SLACK_SECONDS = 60;

async function scalar(pool: pg.Pool, text: string, values: unknown[] = []): Promise<number> {
  const { rows } = await pool.query(text, values);
  return Number(Object.values(rows[0])[0]);
}

const runsOver = (pool: pg.Pool) =>
  scalar(pool, 'SELECT count(*) FROM scheduler.runs WHERE created_at < now() - make_interval(secs => $1)', [
    RETENTION_SECONDS,
  ]);
/** Completed jobs older than the bound plus `slackSeconds`. */
const jobsOver = (pool: pg.Pool, slackSeconds = 0) =>
  scalar(pool, `SELECT count(*) FROM pgboss.job WHERE name = $1 AND completed_on < now() - make_interval(secs => $2)`, [
    QUEUE,
    RETENTION_SECONDS + slackSeconds,
  ]);

/** Polls `probe` until it returns 0; the elapsed ms from `from`, or NaN at the deadline. */
async function untilZero(probe: () => Promise<number>, from: number, deadline: number): Promise<number> {
  for (;;) {
    if ((await probe()) === 0) return performance.now() - from;
    if (performance.now() > deadline) return Number.NaN;
    await delay(250);
  }
}

export const retention: Benchmark = {
  name: 'retention',
  title: '6. Retention (a day of every-minute history)',
  async run(ctx) {
    const schedules = ctx.quick ? 20 : 1000;
    const bossDeadlineMs = ctx.quick ? 3000 : 90_000;
    const db = await createBenchDatabase(ctx.serverUrl, 'retention');
    try {
      await migrate(db.url, { runRetentionSeconds: RETENTION_SECONDS });
      // Live schedules, but next due tomorrow: the measure is the prune, not new runs.
      await seedSchedules(db.pool, {
        count: schedules,
        prefix: 'minutely',
        cron: '* * * * *',
        nextRunAt: `now() + interval '1 day'`,
      });
      const t0 = performance.now();
      await db.pool.query(
        `INSERT INTO scheduler.runs (id, schedule_id, scheduled_for, last_scheduled_for, tick_count, trigger, status, queue,
           enqueued_at, started_at, finished_at, attempts, created_at)
         SELECT gen_random_uuid(), s.id, t, t, 1, 'schedule', 'succeeded', s.queue, t, t + interval '5 ms', t + interval '10 ms', 1, t
         FROM scheduler.schedules s
         CROSS JOIN generate_series(date_trunc('minute', now()) - interval '1 day', date_trunc('minute', now()) - interval '1 minute', interval '1 minute') AS t`,
      );
      await db.pool.query(
        `INSERT INTO pgboss.job (id, name, data, state, retry_limit, start_after, created_on, started_on, completed_on,
           keep_until, deletion_seconds)
         SELECT r.id, $1, jsonb_build_object('runId', r.id, 'scheduleId', r.schedule_id), 'completed', 2, r.scheduled_for,
           r.scheduled_for, r.started_at, r.finished_at, r.scheduled_for + interval '14 days', $2
         FROM scheduler.runs r`,
        [QUEUE, RETENTION_SECONDS],
      );
      await db.pool.query('VACUUM ANALYZE scheduler.runs');
      await db.pool.query('VACUUM ANALYZE pgboss.job');
      const runsBefore = await scalar(db.pool, 'SELECT count(*) FROM scheduler.runs');
      const jobsBefore = await scalar(db.pool, 'SELECT count(*) FROM pgboss.job WHERE name = $1', [QUEUE]);
      const overBefore = await runsOver(db.pool);
      ctx.log(
        `seeded ${count(runsBefore)} runs and ${count(jobsBefore)} jobs in ${Math.round(performance.now() - t0)} ms`,
      );

      const instance = await startInstance({
        url: db.url,
        options: { runRetentionSeconds: RETENTION_SECONDS, pruneIntervalSeconds: 1 },
      });
      const started = performance.now();
      let runsMs: number;
      let jobsMs: number;
      try {
        // The first pass starts one prune interval (1 s) after the ticker starts.
        runsMs = await untilZero(() => runsOver(db.pool), started, started + 300_000);
        ctx.log(`run history within the bound after ${ms(runsMs)}`);
        // pg-boss sweeps in passes: jobs keep crossing the bound between two passes. A pass is seen
        // when nothing is older than the bound plus a minute.
        jobsMs = await untilZero(() => jobsOver(db.pool, SWEEP_SLACK_SECONDS), started, started + bossDeadlineMs);
        ctx.log(
          `pg-boss jobs within the bound: ${Number.isNaN(jobsMs) ? `not within ${bossDeadlineMs / 1000} s` : ms(jobsMs)}`,
        );
      } finally {
        await instance.stop();
      }
      const runsAfter = await scalar(db.pool, 'SELECT count(*) FROM scheduler.runs');
      const jobsAfter = await scalar(db.pool, 'SELECT count(*) FROM pgboss.job WHERE name = $1', [QUEUE]);
      const jobsStillOver = await jobsOver(db.pool, SWEEP_SLACK_SECONDS);
      const oldestJob = await scalar(
        db.pool,
        `SELECT coalesce(extract(epoch FROM now() - min(completed_on)), 0) FROM pgboss.job WHERE name = $1`,
        [QUEUE],
      );
      const oldestRun = await scalar(
        db.pool,
        'SELECT coalesce(extract(epoch FROM now() - min(created_at)), 0) FROM scheduler.runs',
      );
      const keep = schedules * (RETENTION_SECONDS / 60);
      const pruned = runsBefore - runsAfter;
      const rows: Row[] = [
        {
          figure: 'runs before / after',
          value: `${count(runsBefore)} / ${count(runsAfter)} (bound keeps ~${count(keep)})`,
        },
        {
          figure: 'run history within the bound after start (prune interval 1 s)',
          value: Number.isNaN(runsMs)
            ? 'not within 300 s'
            : `${ms(runsMs)} (${count(overBefore)} deleted, ${count((pruned / runsMs) * 1000)} rows/s)`,
          target: 'within bound',
          met: !Number.isNaN(runsMs),
        },
        { figure: 'pg-boss jobs before / after', value: `${count(jobsBefore)} / ${count(jobsAfter)}` },
        {
          figure: `pg-boss jobs swept to the bound (+${SWEEP_SLACK_SECONDS} s) after start (observed ${bossDeadlineMs / 1000} s)`,
          value: Number.isNaN(jobsMs) ? `no: ${count(jobsStillOver)} remain older` : `yes, after ${ms(jobsMs)}`,
          target: 'within bound',
          // pg-boss's first pass comes a supervision interval (60 s) after start: quick mode cannot see it.
          met: ctx.quick ? undefined : !Number.isNaN(jobsMs),
        },
        {
          figure: 'oldest run / oldest pg-boss job at the end, minus the bound',
          value: `${(oldestRun - RETENTION_SECONDS).toFixed(0)} s / ${(oldestJob - RETENTION_SECONDS).toFixed(0)} s`,
        },
      ];
      return {
        rows,
        notes: [
          `${count(schedules)} every-minute schedules with a day of history (${count(runsBefore)} succeeded runs, one a minute ` +
            'each, created_at = the tick) and a completed pg-boss job per run in queue `scheduled-runs`, generated with SQL.',
          `Scheduler options: runRetentionSeconds ${RETENTION_SECONDS} (6 h, so three quarters of the history is over the bound), ` +
            'pruneIntervalSeconds 1, otherwise defaults; the queue was created by the engine with deleteAfterSeconds = the retention.',
          'Times are from the scheduler process being ready until a poll (every 250 ms) finds no run older than the ' +
            `bound, and no pg-boss job older than the bound plus ${SWEEP_SLACK_SECONDS} s (pg-boss sweeps in passes, ` +
            'and a thousand jobs cross the bound every minute). Only the first pg-boss pass after start is observed.',
        ],
      };
    } finally {
      await db.drop();
    }
  },
};
