/**
 * The engine against a real PostgreSQL and real pg-boss: firing, exactly-once, operations, policies.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import {
  ConflictError,
  createScheduler,
  NotFoundError,
  type Run,
  type RunContext,
  type Scheduler,
  ValidationError,
} from '../../lib/index.ts';
import { createTestDatabase } from '../helpers/database.ts';
import { waitFor } from '../helpers/wait.ts';

let db: { url: string; drop(): Promise<void> };
let scheduler: Scheduler;
let sql: pg.Pool;
const handled: RunContext[] = [];
/** Per schedule name: a handler override (to block or fail). */
const behaviours = new Map<string, (run: RunContext) => Promise<void> | void>();

before(async () => {
  db = await createTestDatabase();
  sql = new pg.Pool({ connectionString: db.url, max: 2 });
  scheduler = createScheduler({
    connectionString: db.url,
    misfireGraceSeconds: 5,
    maxCatchUpRuns: 3,
    retryLimit: 1,
    retryDelaySeconds: 0,
  });
  scheduler.on('error', (error) => console.error('scheduler error:', error.message));
  await scheduler.start();
  await scheduler.work(async (run) => {
    handled.push(run);
    await behaviours.get(run.scheduleName)?.(run);
  });
});

after(async () => {
  await scheduler?.stop({ timeoutSeconds: 2 });
  await sql?.end();
  await db?.drop();
});

const handledFor = (name: string) => handled.filter((run) => run.scheduleName === name);

async function runsOf(name: string): Promise<Run[]> {
  const page = await scheduler.runs(name, { limit: 1000 });
  return page.items;
}

/** Consecutive whole seconds, no duplicate, no gap. */
function assertEverySecond(instants: Date[]): void {
  const ms = instants.map((d) => d.getTime()).sort((a, b) => a - b);
  assert.equal(new Set(ms).size, ms.length, 'no tick fires twice');
  for (let i = 1; i < ms.length; i++)
    assert.equal(ms[i]! - ms[i - 1]!, 1000, `no gap before ${new Date(ms[i]!).toISOString()}`);
}

describe('scheduler engine', () => {
  it('fires an every-second schedule each second, once, with no gap, and records the runs as succeeded', async () => {
    const schedule = await scheduler.create({ name: 'every-second', cron: '* * * * * *', fields: { n: 1 } });
    assert.equal(schedule.description.length > 0, true);
    assert.ok(schedule.nextRunAt);
    await waitFor('six handled runs', () => handledFor('every-second').length >= 6);
    await scheduler.pause('every-second');
    const runs = handledFor('every-second');
    assertEverySecond(runs.map((r) => r.scheduledFor));
    assert.equal(new Set(runs.map((r) => r.runId)).size, runs.length);
    for (const run of runs) {
      assert.equal(run.trigger, 'schedule');
      assert.equal(run.attempt, 1);
      assert.deepEqual(run.fields, { n: 1 });
      assert.equal(run.scheduleId, schedule.id);
      assert.ok(run.firedAt.getTime() >= run.scheduledFor.getTime());
    }
    await waitFor('runs recorded as succeeded', async () => {
      const recorded = await runsOf('every-second');
      return recorded.filter((r) => r.status === 'succeeded').length >= 6;
    });
    const latest = await scheduler.get('every-second');
    assert.ok(latest.lastRunAt);
  });

  it('fires a schedule created two seconds before its first tick at that tick', async () => {
    const dbNow = (await sql.query('SELECT clock_timestamp() AS now')).rows[0].now as Date;
    const target = new Date(Math.ceil((dbNow.getTime() + 2000) / 1000) * 1000);
    const cron = `${target.getUTCSeconds()} ${target.getUTCMinutes()} ${target.getUTCHours()} * * *`;
    const schedule = await scheduler.create({ name: 'two-seconds-ahead', cron });
    assert.equal(schedule.nextRunAt?.toISOString(), target.toISOString());
    const [run] = await waitFor(
      'the first tick',
      () => handledFor('two-seconds-ahead').length > 0 && handledFor('two-seconds-ahead'),
    );
    assert.equal(run!.scheduledFor.toISOString(), target.toISOString());
    assert.equal(run!.trigger, 'schedule');
  });

  it('rejects bad input naming the field, and duplicate names', async () => {
    await assert.rejects(scheduler.create({ name: 'bad/name', cron: '* * * * *' }), (error: unknown) => {
      assert.ok(error instanceof ValidationError);
      assert.equal(error.issues[0]?.field, 'name');
      return true;
    });
    await assert.rejects(scheduler.create({ name: 'bad-cron', cron: '61 * * * *' }), (error: unknown) => {
      assert.ok(error instanceof ValidationError);
      assert.equal(error.issues[0]?.field, 'cron');
      return true;
    });
    await assert.rejects(
      scheduler.create({ name: 'bad-zone', cron: '* * * * *', timezone: 'Mars/Olympus' }),
      (error: unknown) => error instanceof ValidationError && error.issues[0]?.field === 'timezone',
    );
    await scheduler.create({ name: 'unique-name', cron: '0 0 * * *' });
    await assert.rejects(scheduler.create({ name: 'unique-name', cron: '0 0 * * *' }), ConflictError);
    await assert.rejects(scheduler.get('no-such-schedule'), NotFoundError);
    const { rows } = await sql.query(`SELECT count(*)::int AS n FROM scheduler.schedules WHERE name LIKE 'bad%'`);
    assert.equal(rows[0].n, 0, 'nothing half-written');
  });

  it('gets by id or name, lists with cursor pagination and the paused filter', async () => {
    for (let i = 0; i < 5; i++) await scheduler.create({ name: `page-${i}`, cron: '0 12 * * *', paused: i % 2 === 0 });
    const byName = await scheduler.get('page-1');
    assert.equal((await scheduler.get(byName.id)).name, 'page-1');
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await scheduler.list({ limit: 2, cursor });
      assert.ok(page.items.length <= 2);
      seen.push(...page.items.map((s) => s.name));
      cursor = page.nextCursor;
    } while (cursor);
    assert.equal(new Set(seen).size, seen.length, 'pages do not overlap');
    for (let i = 0; i < 5; i++) assert.ok(seen.includes(`page-${i}`));
    const paused = await scheduler.list({ paused: true, limit: 1000 });
    assert.ok(paused.items.every((s) => s.paused));
    assert.ok(paused.items.some((s) => s.name === 'page-0'));
    assert.equal(paused.items.find((s) => s.name === 'page-0')?.nextRunAt, null);
  });

  it('lists by a part of the name, case-insensitive, with LIKE wildcards taken literally', async () => {
    for (const name of ['Billing-Report', 'billing_daily', 'billingXdaily', 'reports-100pct']) {
      await scheduler.create({ name, cron: '0 0 1 1 *', paused: true });
    }
    const names = async (search: string) =>
      (await scheduler.list({ search, limit: 1000 })).items.map((s) => s.name).sort();
    assert.deepEqual(await names('BILLING'), ['Billing-Report', 'billingXdaily', 'billing_daily']);
    assert.deepEqual(await names('_daily'), ['billing_daily']);
    assert.deepEqual(await names('100'), ['reports-100pct']);
    await assert.rejects(scheduler.list({ search: '' }), ValidationError);
  });

  it('update recomputes next_run_at; pause stops firing; resume re-arms from now without catch-up', async () => {
    const created = await scheduler.create({ name: 'to-update', cron: '0 0 1 1 *' });
    assert.equal(created.nextRunAt?.getUTCMonth(), 0);
    const updated = await scheduler.update('to-update', {
      cron: '30 6 * * *',
      timezone: 'Europe/Berlin',
      fields: { a: 2 },
    });
    assert.equal(updated.timezone, 'Europe/Berlin');
    assert.deepEqual(updated.fields, { a: 2 });
    assert.notEqual(updated.nextRunAt?.getTime(), created.nextRunAt?.getTime());
    assert.equal(updated.nextRunAt?.getUTCMinutes(), 30);

    await scheduler.create({ name: 'pausable', cron: '* * * * * *' });
    await waitFor('a first run', () => handledFor('pausable').length >= 1);
    const paused = await scheduler.pause('pausable');
    assert.equal(paused.paused, true);
    assert.equal(paused.nextRunAt, null);
    const pausedAt = (await sql.query('SELECT clock_timestamp() AS now')).rows[0].now as Date;
    // Let at least two ticks pass while paused (another schedule serves as the clock).
    await scheduler.create({ name: 'clock', cron: '* * * * * *' });
    await waitFor('two ticks of time', () => handledFor('clock').length >= 3);
    const resumed = await scheduler.resume('pausable');
    assert.equal(resumed.paused, false);
    assert.ok(resumed.nextRunAt && resumed.nextRunAt > pausedAt);
    const resumedAt = resumed.nextRunAt!;
    await waitFor('a run after resume', () => handledFor('pausable').some((r) => r.scheduledFor >= resumedAt));
    await scheduler.pause('clock');
    await scheduler.pause('pausable');
    const gapRuns = handledFor('pausable').filter((r) => r.scheduledFor > pausedAt && r.scheduledFor < resumedAt);
    assert.deepEqual(gapRuns, [], 'no run for ticks while paused');
    assert.ok(handledFor('pausable').every((r) => r.trigger === 'schedule'));
    const history = await runsOf('pausable');
    assert.ok(
      history.every((r) => r.status !== 'missed'),
      'resume does not record paused ticks as missed',
    );
  });

  it('trigger enqueues a manual run, also while paused', async () => {
    await scheduler.create({ name: 'manual', cron: '0 0 1 1 *', paused: true, fields: { x: 'y' } });
    const run = await scheduler.trigger('manual');
    assert.equal(run.trigger, 'manual');
    assert.equal(run.status, 'queued');
    const [handledRun] = await waitFor('the manual run', () => handledFor('manual').length > 0 && handledFor('manual'));
    assert.equal(handledRun!.runId, run.id);
    assert.equal(handledRun!.trigger, 'manual');
    assert.deepEqual(handledRun!.fields, { x: 'y' });
    await waitFor('manual run succeeded', async () => (await runsOf('manual'))[0]?.status === 'succeeded');
    const [recorded] = await runsOf('manual');
    assert.equal(recorded!.attempts, 1);
    assert.ok(recorded!.startedAt && recorded!.finishedAt);
    assert.equal((await scheduler.get('manual')).lastRunAt?.getTime(), run.scheduledFor.getTime());
  });

  it('records failures with the error, retries with the same run id, and marks the final failure', async () => {
    behaviours.set('failing', () => {
      throw new Error('boom');
    });
    await scheduler.create({ name: 'failing', cron: '0 0 1 1 *', paused: true });
    const run = await scheduler.trigger('failing');
    await waitFor('two attempts', () => handledFor('failing').length >= 2);
    const attempts = handledFor('failing');
    assert.deepEqual(
      attempts.map((a) => [a.runId, a.attempt]),
      [
        [run.id, 1],
        [run.id, 2],
      ],
    );
    await waitFor('final failure', async () => (await runsOf('failing'))[0]?.status === 'failed');
    const [recorded] = await runsOf('failing');
    assert.equal(recorded!.error, 'boom');
    assert.equal(recorded!.attempts, 2);
    const filtered = await scheduler.runs('failing', { status: 'failed' });
    assert.equal(filtered.items.length, 1);
  });

  it('delete removes the schedule and cancels its queued runs', async () => {
    // A queue nobody works: the manual run stays queued in pg-boss.
    await scheduler.create({ name: 'to-delete', cron: '0 0 1 1 *', queue: 'nobody-works-this' });
    const run = await scheduler.trigger('to-delete');
    await scheduler.delete('to-delete');
    await assert.rejects(scheduler.get('to-delete'), NotFoundError);
    await assert.rejects(scheduler.delete('to-delete'), NotFoundError);
    const { rows } = await sql.query('SELECT state FROM pgboss.job WHERE id = $1', [run.id]);
    assert.equal(rows[0]?.state, 'cancelled');
  });

  it('overlap skip: no new run while the previous one is in progress; the skipped ticks are recorded', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    behaviours.set('no-overlap', () => gate);
    await scheduler.create({ name: 'no-overlap', cron: '* * * * * *', overlap: 'skip' });
    await waitFor('a skipped tick', async () => (await runsOf('no-overlap')).some((r) => r.status === 'skipped'));
    assert.equal(handledFor('no-overlap').length, 1, 'only the first run started');
    release();
    await waitFor('a second run after release', () => handledFor('no-overlap').length >= 2);
    await scheduler.pause('no-overlap');
    const history = await runsOf('no-overlap');
    const skipped = history.filter((r) => r.status === 'skipped');
    assert.ok(skipped.length >= 1);
    assert.ok(skipped.every((r) => r.enqueuedAt === null && r.trigger === 'schedule'));
  });

  it('preview lists the next instants without storing anything', () => {
    const preview = scheduler.preview({
      cron: '0 9 * * 1-5',
      timezone: 'America/New_York',
      count: 3,
      from: new Date('2026-03-06T00:00:00Z'),
    });
    assert.deepEqual(
      preview.next.map((d) => d.toISOString()),
      ['2026-03-06T14:00:00.000Z', '2026-03-09T13:00:00.000Z', '2026-03-10T13:00:00.000Z'],
    );
    assert.ok(preview.description.length > 0);
    assert.throws(() => scheduler.preview({ cron: 'nope' }), ValidationError);
  });
});

describe('catch-up after an outage', () => {
  /**
   * Simulates an outage: the schedule's next_run_at is moved 10 minutes (and a bit) into the past,
   * as if no instance had run since, and the ticker is woken.
   */
  async function outage(name: string, catchUp: 'skip' | 'latest' | 'all'): Promise<Date> {
    const created = await scheduler.create({ name, cron: '* * * * *', catchUp, paused: true });
    const { rows } = await sql.query(
      `UPDATE scheduler.schedules SET paused = false,
         next_run_at = date_trunc('minute', clock_timestamp()) - interval '10 minutes'
       WHERE id = $1 RETURNING next_run_at`,
      [created.id],
    );
    // Any change of a schedule re-arms the tickers; this one is harmless.
    await scheduler.update(name, { fields: { outage: true } });
    return rows[0].next_run_at as Date;
  }

  it('skip fires nothing and records the missed ticks with their count', async () => {
    const first = await outage('outage-skip', 'skip');
    const missed = await waitFor('the missed record', async () =>
      (await runsOf('outage-skip')).find((r) => r.status === 'missed'),
    );
    assert.equal(missed.scheduledFor.getTime(), first.getTime());
    assert.ok(missed.tickCount >= 10);
    // The current minute's tick fires on time when the test happens to run within the grace period.
    assert.equal(handledFor('outage-skip').filter((r) => r.trigger !== 'schedule').length, 0);
    assert.equal((await runsOf('outage-skip')).filter((r) => r.trigger === 'catch_up').length, 0);
  });

  it('latest fires the most recent missed tick once, as catch_up', async () => {
    const first = await outage('outage-latest', 'latest');
    // The current minute's tick may also fire, on time, when the test runs within the grace period.
    const catchUps = () => handledFor('outage-latest').filter((r) => r.trigger === 'catch_up');
    const [run] = await waitFor('the catch-up run', () => catchUps().length > 0 && catchUps());
    const history = await runsOf('outage-latest');
    const missed = history.find((r) => r.status === 'missed');
    assert.equal(missed?.scheduledFor.getTime(), first.getTime());
    assert.equal(missed!.lastScheduledFor.getTime() + 60_000, run!.scheduledFor.getTime());
    assert.equal(handledFor('outage-latest').filter((r) => r.trigger === 'catch_up').length, 1);
  });

  it('all fires each missed tick up to the cap, each with its own instant', async () => {
    await outage('outage-all', 'all');
    const catchUps = () => handledFor('outage-all').filter((r) => r.trigger === 'catch_up');
    const runs = await waitFor('three catch-up runs', () => catchUps().length >= 3 && catchUps());
    const instants = runs.map((r) => r.scheduledFor.getTime()).sort((a, b) => a - b);
    assert.equal(new Set(instants).size, 3);
    assert.equal(instants[1]! - instants[0]!, 60_000);
    assert.equal(instants[2]! - instants[1]!, 60_000);
    const missed = (await runsOf('outage-all')).find((r) => r.status === 'missed');
    assert.ok(missed && missed.tickCount >= 7);
  });
});
