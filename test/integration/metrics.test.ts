/**
 * The metrics of a real scheduler firing every-second schedules against a real database: lateness,
 * runs fired and finished as the run history has them, retries, cancellations, the database gauges
 * (schedules by state, the backlog, and the plan of the backlog's query), slots and pools.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { createScheduler, type Run, type Scheduler } from '../../lib/index.ts';
import { selectDueBacklog } from '../../lib/store/sql.ts';
import { createTestDatabase } from '../helpers/database.ts';
import { samplesOf, sampleValue, sumOf } from '../helpers/prometheus.ts';
import { waitFor } from '../helpers/wait.ts';

const P = 'pg_cron_scheduler_';
/** Schedules firing every second, each for RUNS ticks (maxRuns: no run is ever withdrawn). */
const SCHEDULES = 4;
const RUNS = 4;
const CONCURRENCY = 7;

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let sql: pg.Pool;
let scheduler: Scheduler;
/** Never fires: its schedules stay due, so they make a backlog. */
let idle: Scheduler;

before(async () => {
  db = await createTestDatabase();
  sql = new pg.Pool({ connectionString: db.url, max: 2 });
  scheduler = createScheduler({ connectionString: db.url, retryLimit: 1, retryDelaySeconds: 0 });
  scheduler.on('error', (error) => console.error('scheduler error:', error.message));
  await scheduler.start();
  await scheduler.work(
    async (run) => {
      if (run.scheduleName === 'always-fails') throw new Error('it fails');
    },
    { concurrency: CONCURRENCY },
  );
  idle = createScheduler({ connectionString: db.url, schema: 'idle', fire: false });
  idle.on('error', (error) => console.error('idle scheduler error:', error.message));
  await idle.start();
});

after(async () => {
  await scheduler?.stop({ timeoutSeconds: 2 });
  await idle?.stop();
  await sql?.end();
  await db?.drop();
});

const scrape = (of: Scheduler = scheduler) => of.metrics!.text();

async function history(name: string): Promise<Run[]> {
  return (await scheduler.runs(name, { limit: 1000 })).items;
}

describe('metrics of a running scheduler', () => {
  it('counts runs fired and finished as the run history records them, and how late they started', async () => {
    for (let i = 0; i < SCHEDULES; i++)
      await scheduler.create({ name: `tick-${i}`, cron: '* * * * * *', maxRuns: RUNS });
    const early = await waitFor('a first handler start', async () => {
      const out = await scrape();
      return (
        (sampleValue(out, `${P}handler_start_lateness_seconds_count`, {
          queue: 'scheduled-runs',
          trigger: 'schedule',
        }) ?? 0) > 0 && out
      );
    });
    const earlyCount = sumOf(early, `${P}handler_start_lateness_seconds_count`);
    await waitFor(
      'every schedule completed, every run succeeded',
      async () => {
        for (let i = 0; i < SCHEDULES; i++) {
          const runs = await history(`tick-${i}`);
          if (runs.length < RUNS || runs.some((r) => r.status !== 'succeeded')) return false;
        }
        return true;
      },
      { timeoutMs: 30_000 },
    );
    const out = await scrape();
    const total = SCHEDULES * RUNS;
    assert.equal(sampleValue(out, `${P}runs_fired_total`, { trigger: 'schedule' }), total);
    assert.equal(sampleValue(out, `${P}runs_finished_total`, { status: 'succeeded' }), total);
    const lateness = { queue: 'scheduled-runs', trigger: 'schedule' };
    const count = sampleValue(out, `${P}handler_start_lateness_seconds_count`, lateness)!;
    assert.ok(count > earlyCount, 'the lateness histogram grows as runs start');
    assert.equal(count, total, 'one observation per first attempt');
    const sum = sampleValue(out, `${P}handler_start_lateness_seconds_sum`, lateness)!;
    assert.ok(sum >= 0 && sum / count < 1, `mean lateness ${sum / count} s`);
    assert.equal(sampleValue(out, `${P}handler_start_lateness_seconds_bucket`, { ...lateness, le: '+Inf' }), total);
    // The ticker's side: claims that claimed something, their commits, and schedules per tick.
    assert.ok(sampleValue(out, `${P}claim_duration_seconds_count`)! > 0);
    assert.equal(
      sampleValue(out, `${P}claim_commit_duration_seconds_count`),
      sampleValue(out, `${P}claim_duration_seconds_count`),
    );
    assert.ok(sampleValue(out, `${P}tick_claimed_schedules_count`)! >= RUNS);
    assert.ok(sampleValue(out, `${P}tick_claimed_schedules_sum`)! >= total);
  });

  it('counts a manual run, a retried failure, a final failure and a cancellation', async () => {
    const before = await scrape();
    const failing = await scheduler.create({ name: 'always-fails', cron: '0 0 1 1 *', paused: true });
    await scheduler.trigger(failing.id);
    await waitFor('the failure recorded as final', async () => (await history('always-fails'))[0]?.status === 'failed');
    // Runs of a queue nobody works stay queued until their schedule is deleted.
    const orphan = await scheduler.create({
      name: 'orphan',
      cron: '0 0 1 1 *',
      queue: 'nobody-works-this',
      paused: true,
    });
    await scheduler.trigger(orphan.id);
    await scheduler.delete(orphan.id);
    const out = await scrape();
    const delta = (name: string, labels: Record<string, string> = {}) =>
      (sampleValue(out, name, labels) ?? 0) - (sampleValue(before, name, labels) ?? 0);
    assert.equal(delta(`${P}runs_fired_total`, { trigger: 'manual' }), 2);
    assert.equal(delta(`${P}run_retries_total`), 1, 'retryLimit 1: the first failure is retried');
    assert.equal(delta(`${P}runs_finished_total`, { status: 'failed' }), 1);
    assert.equal(delta(`${P}runs_finished_total`, { status: 'cancelled' }), 1);
    const [failed] = await history('always-fails');
    assert.equal(failed?.attempts, 2);
    // Manual runs come through pg-boss: their lateness is observed under their own trigger.
    assert.ok(
      sampleValue(out, `${P}handler_start_lateness_seconds_count`, { queue: 'scheduled-runs', trigger: 'manual' })! >=
        1,
    );
  });

  it('shows the worker slots and both pools', async () => {
    const out = await scrape();
    assert.equal(sampleValue(out, `${P}worker_slots`, { queue: 'scheduled-runs' }), CONCURRENCY);
    const busy = sampleValue(out, `${P}worker_slots_busy`, { queue: 'scheduled-runs' })!;
    assert.ok(busy >= 0 && busy <= CONCURRENCY);
    for (const pool of ['main', 'firing']) {
      const total = sampleValue(out, `${P}pool_connections`, { pool })!;
      const idleCount = sampleValue(out, `${P}pool_idle_connections`, { pool })!;
      assert.ok(total >= 1, `${pool} pool has connections`);
      assert.ok(idleCount >= 0 && idleCount <= total);
      assert.ok(sampleValue(out, `${P}pool_waiting_clients`, { pool })! >= 0);
    }
    // An instance that does not fire never opens the firing pool, and works no queue.
    const quiet = await scrape(idle);
    assert.deepEqual(
      samplesOf(quiet, `${P}pool_connections`).map((s) => s.labels.pool),
      ['main'],
    );
    assert.deepEqual(samplesOf(quiet, `${P}worker_slots`), []);
  });

  it('counts schedules by state, and the backlog of due schedules nobody claims', async () => {
    await idle.create({ name: 'active-a', cron: '* * * * *' });
    await idle.create({ name: 'active-b', cron: '* * * * *' });
    // Due far ahead: a minute boundary passing during the test must not make it due as well.
    await idle.create({ name: 'active-c', cron: '0 0 1 1 *' });
    await idle.create({ name: 'paused', cron: '* * * * *', paused: true });
    await idle.create({ name: 'completed', at: new Date(Date.now() - 60_000) });
    await idle.create({ name: 'deleted', cron: '* * * * *' });
    await idle.delete('deleted');
    // Due 10 s ago and 20 s ago: nothing fires in this schema, so they stay due.
    await sql.query(`UPDATE idle.schedules SET next_run_at = now() - interval '10 seconds' WHERE name = 'active-a'`);
    await sql.query(`UPDATE idle.schedules SET next_run_at = now() - interval '20 seconds' WHERE name = 'active-b'`);
    // Figures are cached for 5 s: wait for a scrape that reads them.
    const out = await waitFor(
      'the database figures',
      async () => {
        const text = await scrape(idle);
        return sampleValue(text, `${P}schedules_backlog`) === 2 && text;
      },
      { timeoutMs: 10_000, intervalMs: 500 },
    );
    assert.equal(sampleValue(out, `${P}schedules`, { state: 'active' }), 3);
    assert.equal(sampleValue(out, `${P}schedules`, { state: 'paused' }), 1);
    assert.equal(sampleValue(out, `${P}schedules`, { state: 'completed' }), 1);
    const oldest = sampleValue(out, `${P}schedules_backlog_oldest_seconds`)!;
    assert.ok(oldest >= 20 && oldest < 40, `oldest due ${oldest} s ago`);
    // The firing scheduler claims what is due: no backlog there, and its schedules completed.
    const firing = await waitFor(
      'the firing scheduler’s figures',
      async () => {
        const text = await scrape();
        return sampleValue(text, `${P}schedules`, { state: 'completed' }) === SCHEDULES && text;
      },
      { timeoutMs: 10_000, intervalMs: 500 },
    );
    assert.equal(sampleValue(firing, `${P}schedules_backlog`), 0);
  });

  it('reads the backlog through the due index, not the table', async () => {
    // 10,000 schedules due tomorrow, analysed, as a production table would be.
    await sql.query(
      `INSERT INTO idle.schedules (id, name, cron, timezone, fields, queue, paused, catch_up, overlap, next_run_at)
       SELECT gen_random_uuid(), 'seeded-' || i, '* * * * *', 'UTC', '{}', 'scheduled-runs', false, 'latest', 'allow',
         now() + interval '1 day' + i * interval '1 ms'
       FROM generate_series(1, 10000) AS i`,
    );
    await sql.query('VACUUM ANALYZE idle.schedules');
    const { rows } = await sql.query(`EXPLAIN ${selectDueBacklog('idle')}`, [1]);
    const plan = rows.map((row) => row['QUERY PLAN'] as string).join('\n');
    assert.match(plan, /Index Only Scan using schedules_due_idx on schedules/, plan);
    assert.doesNotMatch(plan, /Seq Scan/, plan);
  });
});
