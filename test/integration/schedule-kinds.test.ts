/**
 * Every kind of schedule against a real PostgreSQL and real pg-boss: intervals, one-off instants,
 * windows, run limits, jitter, completion; upsert with versions; declarative sync from many
 * instances at once; pauses with a note.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  ConflictError,
  createScheduler,
  PreconditionFailedError,
  type RunContext,
  type ScheduleInput,
  type Scheduler,
  ValidationError,
} from '../../lib/index.ts';
import { createTestDatabase } from '../helpers/database.ts';
import { waitFor } from '../helpers/wait.ts';

let db: { url: string; drop(): Promise<void> };
let scheduler: Scheduler;
const handled: RunContext[] = [];
/** Per schedule name: a handler of its own (to fail, or to hang until aborted). */
const behaviours = new Map<string, (run: RunContext) => Promise<void> | void>();

before(async () => {
  db = await createTestDatabase();
  scheduler = createScheduler({ connectionString: db.url, misfireGraceSeconds: 5 });
  scheduler.on('error', (error) => console.error('scheduler error:', error.message));
  await scheduler.start();
  await scheduler.work(async (run) => {
    handled.push(run);
    await behaviours.get(run.scheduleName)?.(run);
  });
});

after(async () => {
  await scheduler?.stop({ timeoutSeconds: 2 });
  await db?.drop();
});

const handledFor = (name: string) => handled.filter((run) => run.scheduleName === name);
const seconds = (n: number) => new Date(Math.ceil(Date.now() / 1000) * 1000 + n * 1000);

/** Each tick handled once, consecutive ticks `step` seconds apart. */
function assertEvery(runs: RunContext[], stepSeconds: number): void {
  const ms = runs.map((r) => r.scheduledFor.getTime()).sort((a, b) => a - b);
  assert.equal(new Set(ms).size, ms.length, 'no tick fires twice');
  for (let i = 1; i < ms.length; i++) assert.equal(ms[i]! - ms[i - 1]!, stepSeconds * 1000);
}

describe('kinds of schedule', () => {
  it('an interval fires on its anchor’s phase, each tick once', async () => {
    const anchor = new Date(Date.UTC(2026, 0, 1, 0, 0, 1));
    const s = await scheduler.create({ name: 'every-2s', every: '2s', anchorAt: anchor });
    assert.equal(s.every, '2s');
    assert.equal(s.everySeconds, 2);
    assert.equal(s.cron, null);
    assert.equal(s.description, 'Every 2 seconds');
    // Odd seconds only: the anchor is on an odd second.
    assert.equal((s.nextRunAt!.getTime() / 1000) % 2, 1);
    await waitFor('three runs', () => handledFor('every-2s').length >= 3);
    await scheduler.pause('every-2s');
    const runs = handledFor('every-2s');
    assertEvery(runs, 2);
    for (const run of runs) assert.equal((run.scheduledFor.getTime() / 1000) % 2, 1);
  });

  it('a one-off instant fires once, then the schedule is completed (kept, visible, not fired)', async () => {
    const when = seconds(2);
    const s = await scheduler.create({ name: 'once', at: when, fields: { n: 1 } });
    assert.equal(s.state, 'active');
    assert.deepEqual(s.nextRunAt, when);
    assert.deepEqual(scheduler.upcoming(s), [when]);
    await waitFor('the run', () => handledFor('once').length === 1);
    await waitFor('completed', async () => (await scheduler.get('once')).state === 'completed');
    const done = await scheduler.get('once');
    assert.equal(done.nextRunAt, null);
    assert.ok(done.completedAt);
    assert.equal(done.firedCount, 1);
    assert.deepEqual(handledFor('once')[0]!.scheduledFor, when);
    // Resuming a completed schedule changes nothing: it has no tick left.
    assert.equal((await scheduler.resume('once')).state, 'completed');
  });

  it('max_runs stops after that many runs; raising it re-arms', async () => {
    await scheduler.create({ name: 'three-times', every: '1s', maxRuns: 3 });
    await waitFor('completed', async () => (await scheduler.get('three-times')).state === 'completed');
    const done = await scheduler.get('three-times');
    assert.equal(done.firedCount, 3);
    await waitFor('three handled', () => handledFor('three-times').length === 3);
    assertEvery(handledFor('three-times'), 1);
    const again = await scheduler.update('three-times', { maxRuns: 5 });
    assert.equal(again.state, 'active');
    await waitFor('completed again', async () => (await scheduler.get('three-times')).state === 'completed');
    assert.equal((await scheduler.get('three-times')).firedCount, 5);
    await waitFor('five handled', () => handledFor('three-times').length === 5);
  });

  it('a window: nothing before start_at, nothing after end_at, then completed', async () => {
    const startAt = seconds(2);
    const endAt = seconds(4);
    const s = await scheduler.create({ name: 'window', cron: '* * * * * *', startAt, endAt });
    assert.deepEqual(s.nextRunAt, startAt);
    await waitFor('completed', async () => (await scheduler.get('window')).state === 'completed');
    await waitFor('three handled', () => handledFor('window').length === 3);
    const ticks = handledFor('window').map((r) => r.scheduledFor.getTime());
    assert.deepEqual(ticks.sort(), [startAt.getTime(), startAt.getTime() + 1000, endAt.getTime()]);
  });

  it('jitter delays each tick deterministically, shown in next_run_at and the preview', async () => {
    const s = await scheduler.create({ name: 'jittered', cron: '0 * * * *', jitterSeconds: 600 });
    const preview = scheduler.preview({ cron: '0 * * * *', jitterSeconds: 600, name: 'jittered', count: 3 });
    assert.deepEqual(preview.next[0], s.nextRunAt);
    assert.deepEqual(scheduler.upcoming(s, 3), preview.next);
    for (const at of preview.next) assert.ok(at.getUTCMinutes() < 10);
    assert.match(s.description, /jitter/);
  });

  it('previews every kind with a description', () => {
    const every = scheduler.preview({ every: '6h', anchorAt: new Date('2026-01-01T02:00:00Z'), count: 2 });
    assert.equal(every.description, 'Every 6 hours');
    assert.equal(every.every, '6h');
    assert.equal(
      every.next.every((d) => d.getUTCHours() % 6 === 2),
      true,
    );
    const once = scheduler.preview({ at: new Date('2030-03-01T09:00:00Z'), count: 3 });
    assert.deepEqual(once.next, [new Date('2030-03-01T09:00:00Z')]);
    assert.throws(() => scheduler.preview({ every: '0s' }), ValidationError);
  });
});

describe('upsert and versions', () => {
  it('eight concurrent upserts of a new name: one schedule, one create, and its ticks fire once', async () => {
    const input: ScheduleInput = { name: 'upserted', every: '1s', fields: { v: 1 } };
    const results = await Promise.all(Array.from({ length: 8 }, () => scheduler.upsert(input)));
    assert.equal(results.filter((r) => r.outcome === 'created').length, 1);
    assert.equal(results.filter((r) => r.outcome === 'unchanged').length, 7);
    assert.equal(new Set(results.map((r) => r.schedule.id)).size, 1);
    const page = await scheduler.list({ search: 'upserted' });
    assert.equal(page.items.length, 1);
    await waitFor('three runs', () => handledFor('upserted').length >= 3);
    await scheduler.pause('upserted');
    assertEvery(handledFor('upserted'), 1);
  });

  it('replaces the definition (omitted fields back to defaults), bumps the version only on change', async () => {
    const first = await scheduler.upsert({
      name: 'replaced',
      cron: '0 9 * * *',
      timezone: 'Europe/Paris',
      overlap: 'skip',
    });
    assert.equal(first.outcome, 'created');
    const same = await scheduler.upsert({
      name: 'replaced',
      cron: '0 9 * * *',
      timezone: 'Europe/Paris',
      overlap: 'skip',
    });
    assert.equal(same.outcome, 'unchanged');
    assert.equal(same.schedule.version, first.schedule.version);
    const changed = await scheduler.upsert({ name: 'replaced', every: '1h' });
    assert.equal(changed.outcome, 'updated');
    assert.ok(changed.schedule.version > first.schedule.version);
    assert.equal(changed.schedule.cron, null);
    assert.equal(changed.schedule.timezone, 'UTC');
    assert.equal(changed.schedule.overlap, 'allow');
    assert.equal(changed.schedule.every, '1h');
  });

  it('ifMatch and ifNoneMatch: a stale version or an existing name is refused, nothing written', async () => {
    const { schedule } = await scheduler.upsert({ name: 'guarded', cron: '0 0 * * *' });
    await assert.rejects(
      scheduler.upsert({ name: 'guarded', cron: '0 1 * * *' }, { ifNoneMatch: true }),
      PreconditionFailedError,
    );
    await assert.rejects(
      scheduler.update('guarded', { cron: '0 2 * * *' }, { ifMatch: schedule.version + 1000 }),
      (error: unknown) => error instanceof PreconditionFailedError && error.currentVersion === schedule.version,
    );
    await assert.rejects(scheduler.delete('guarded', { ifMatch: 1 }), PreconditionFailedError);
    assert.equal((await scheduler.get('guarded')).cron, '0 0 * * *');
    const updated = await scheduler.update('guarded', { cron: '0 3 * * *' }, { ifMatch: schedule.version });
    assert.equal(updated.cron, '0 3 * * *');
    await assert.rejects(
      scheduler.upsert({ name: 'nobody', cron: '0 0 * * *' }, { ifMatch: '*' }),
      PreconditionFailedError,
    );
    await scheduler.delete('guarded', { ifMatch: updated.version });
  });

  it('pause keeps a note; resume clears it', async () => {
    await scheduler.create({ name: 'noted', cron: '0 0 * * *' });
    const paused = await scheduler.pause('noted', { note: 'upstream down' });
    assert.equal(paused.state, 'paused');
    assert.equal(paused.pauseNote, 'upstream down');
    const resumed = await scheduler.resume('noted');
    assert.equal(resumed.pauseNote, null);
    assert.equal(resumed.state, 'active');
  });
});

describe('run options and pauses after failures', () => {
  it('a schedule’s own retries, delay and timeout apply, and handlers and the history see them', async () => {
    let calls = 0;
    behaviours.set('flaky', () => {
      calls++;
      if (calls <= 2) throw new Error(`flaky ${calls}`);
    });
    await scheduler.create({
      name: 'flaky',
      at: seconds(1),
      runOptions: { retryLimit: 3, retryDelaySeconds: 0, runTimeoutSeconds: 30, priority: 5 },
    });
    await waitFor('the run succeeded', async () => {
      const [run] = (await scheduler.runs('flaky')).items;
      return run?.status === 'succeeded' ? run : null;
    });
    const [run] = (await scheduler.runs('flaky')).items;
    assert.equal(run!.attempts, 3);
    assert.deepEqual(run!.options, {
      retryLimit: 3,
      retryDelaySeconds: 0,
      retryBackoff: false,
      runTimeoutSeconds: 30,
      priority: 5,
    });
    assert.deepEqual(
      handledFor('flaky').map((r) => [r.attempt, r.options.retryLimit, r.options.runTimeoutSeconds]),
      [
        [1, 3, 30],
        [2, 3, 30],
        [3, 3, 30],
      ],
    );

    // A 1 s timeout and no retries: the hanging attempt is aborted and the run fails for good.
    behaviours.set('hangs', (r) => new Promise((resolve) => r.signal.addEventListener('abort', () => resolve())));
    await scheduler.create({ name: 'hangs', at: seconds(1), runOptions: { retryLimit: 0, runTimeoutSeconds: 1 } });
    const failed = await waitFor(
      'the run timed out',
      async () => {
        const [r] = (await scheduler.runs('hangs')).items;
        return r?.status === 'failed' ? r : null;
      },
      { timeoutMs: 20_000 },
    );
    assert.equal(failed.attempts, 1);
    assert.equal(failed.failedAttempts[0]?.outcome, 'timed_out');
  });

  it('pauses a schedule after its consecutive failures, with a note and an event; resume starts again', async () => {
    behaviours.set('broken', () => {
      throw new Error('upstream 503');
    });
    const events: { scheduleName: string; note: string }[] = [];
    scheduler.on('paused', (info) => events.push(info));
    await scheduler.create({
      name: 'broken',
      every: '1s',
      pauseAfterFailures: 2,
      runOptions: { retryLimit: 0 },
    });
    const paused = await waitFor('paused by its failures', async () => {
      const s = await scheduler.get('broken');
      return s.state === 'paused' ? s : null;
    });
    assert.match(paused.pauseNote!, /paused after 2 consecutive failed runs; the last: upstream 503/);
    assert.equal(paused.nextRunAt, null);
    await waitFor('the event', () => events.some((e) => e.scheduleName === 'broken'));
    const resumed = await scheduler.resume('broken');
    assert.equal(resumed.consecutiveFailures, 0);
    await scheduler.pause('broken');
  });

  it('a manual run does not take a scheduled tick under overlap skip', async () => {
    // The manual run lasts until a scheduled run has been seen: no fixed duration to outlast.
    let releaseManual = () => {};
    const manualHeld = new Promise<void>((resolve) => {
      releaseManual = resolve;
    });
    behaviours.set('manual-skip', (r) => (r.trigger === 'manual' ? manualHeld : undefined));
    await scheduler.create({ name: 'manual-skip', every: '1s', overlap: 'skip', paused: true });
    await scheduler.trigger('manual-skip');
    await waitFor('the manual run started', () => handledFor('manual-skip').some((r) => r.trigger === 'manual'));
    await scheduler.resume('manual-skip');
    await waitFor('a scheduled run while the manual one still runs', () =>
      handledFor('manual-skip').some((r) => r.trigger === 'schedule'),
    );
    releaseManual();
    await scheduler.pause('manual-skip');
  });
});

describe('overlap buffer_one', () => {
  it('one tick waits for a long run and fires as soon as it ends; the others are skipped; runs never overlap', async () => {
    const spans: { tick: number; start: number; end: number }[] = [];
    behaviours.set('buffered', async (run) => {
      const start = Date.now();
      // The workload under test, not a wait: a run that outlasts two ticks of its schedule.
      await new Promise((resolve) => setTimeout(resolve, 2500));
      spans.push({ tick: run.scheduledFor.getTime(), start, end: Date.now() });
    });
    await scheduler.create({ name: 'buffered', every: '1s', overlap: 'buffer_one' });
    await waitFor('four runs', () => spans.length >= 4, { timeoutMs: 30_000 });
    await scheduler.pause('buffered');
    spans.sort((a, b) => a.start - b.start);
    for (let i = 1; i < spans.length; i++) {
      assert.ok(spans[i]!.start >= spans[i - 1]!.end - 5, `run ${i} started before run ${i - 1} ended`);
      // The waiting tick starts right after the previous run ends (the end wakes the tickers).
      assert.ok(
        spans[i]!.start - spans[i - 1]!.end < 1000,
        `run ${i} waited ${spans[i]!.start - spans[i - 1]!.end} ms`,
      );
      assert.ok(spans[i]!.tick > spans[i - 1]!.tick);
    }
    const runs = (await scheduler.runs('buffered', { limit: 200 })).items;
    assert.ok(
      runs.some((r) => r.status === 'skipped'),
      'ticks that came while one waited are skipped',
    );
    assert.equal(
      runs.filter((r) => r.status !== 'skipped').every((r) => r.trigger === 'schedule'),
      true,
    );
  });
});

describe('stale-job alerts', () => {
  it('a job with no successful run for alert_after_seconds is stale, listed and told once; a success ends it', async () => {
    let failing = true;
    behaviours.set('watched', () => {
      if (failing) throw new Error('still broken');
    });
    const told: string[] = [];
    scheduler.on('stale', (info) => told.push(info.scheduleName));
    await scheduler.create({ name: 'watched', every: '1s', alertAfterSeconds: 2, runOptions: { retryLimit: 0 } });
    await waitFor('stale', async () => (await scheduler.get('watched')).stale);
    const listed = await scheduler.staleSchedules();
    assert.deepEqual(
      listed.map((s) => [s.scheduleName, s.alertAfterSeconds, s.lastSuccessAt]),
      [['watched', 2, null]],
    );
    await waitFor('the stale event', () => told.includes('watched'), { timeoutMs: 25_000 });
    failing = false;
    await waitFor('fresh again', async () => {
      const s = await scheduler.get('watched');
      return !s.stale && s.lastSuccessAt !== null;
    });
    assert.deepEqual(await scheduler.staleSchedules(), []);
    assert.equal(told.filter((n) => n === 'watched').length, 1);
    await scheduler.pause('watched');
  });
});

describe('backfill', () => {
  it('fires one run per tick of the range with its own instant, once, however often it is asked', async () => {
    await scheduler.create({ name: 'yearly', cron: '0 0 1 1 *' });
    const range = { from: new Date('2020-01-01T00:00:00Z'), to: new Date('2024-06-01T00:00:00Z') };
    const first = await scheduler.backfill('yearly', range);
    assert.equal(first.ticks, 5);
    await waitFor('five backfilled runs', () => handledFor('yearly').length === 5, { timeoutMs: 30_000 });
    await scheduler.backfill('yearly', range);
    await scheduler.backfill('yearly', { from: range.from, to: new Date('2021-01-01T00:00:00Z') });
    const runs = (await scheduler.runs('yearly', { limit: 100 })).items;
    await waitFor('every backfill handled', async () => {
      const items = (await scheduler.runs('yearly', { limit: 100 })).items;
      return items.length === 5 && items.every((r) => r.status === 'succeeded');
    });
    assert.equal(runs.length, 5);
    for (const run of handledFor('yearly')) assert.equal(run.trigger, 'backfill');
    assert.deepEqual(
      handledFor('yearly')
        .map((r) => r.scheduledFor.getUTCFullYear())
        .sort(),
      [2020, 2021, 2022, 2023, 2024],
    );
    assert.equal(handledFor('yearly').length, 5);
  });
});

describe('sequential backfill', () => {
  it('overlap skip fires the range one run at a time, each once the previous has ended', async () => {
    const spans: { start: number; end: number }[] = [];
    behaviours.set('monthly', async () => {
      const start = Date.now();
      // The workload under test, not a wait: a run long enough that a second one at once would overlap it.
      await new Promise((resolve) => setTimeout(resolve, 300));
      spans.push({ start, end: Date.now() });
    });
    await scheduler.create({ name: 'monthly', cron: '0 0 1 * *' });
    const result = await scheduler.backfill('monthly', {
      from: new Date('2024-01-01T00:00:00Z'),
      to: new Date('2024-04-30T00:00:00Z'),
      overlap: 'skip',
    });
    assert.equal(result.ticks, 4);
    await waitFor('four runs', () => spans.length === 4, { timeoutMs: 30_000 });
    spans.sort((a, b) => a.start - b.start);
    for (let i = 1; i < spans.length; i++) assert.ok(spans[i]!.start >= spans[i - 1]!.end - 5, 'one at a time');
  });
});

describe('sync', () => {
  const definitions: ScheduleInput[] = [
    { name: 'app.cleanup', cron: '0 3 * * *' },
    { name: 'app.heartbeat', every: '1s' },
    { name: 'app.report', cron: '0 9 * * 1-5', timezone: 'Europe/Paris', fields: { kind: 'sales' } },
  ];

  it('many instances booting together converge: one create each, no duplicate, ticks fire once', async () => {
    const instances = await Promise.all(
      Array.from({ length: 4 }, async () => {
        const s = createScheduler({ connectionString: db.url, fire: false });
        await s.start();
        return s;
      }),
    );
    try {
      const results = await Promise.all(instances.map((s) => s.sync(definitions, { owner: 'app' })));
      assert.equal(results.flatMap((r) => r.created).length, 3);
      assert.equal(results.flatMap((r) => r.updated).length, 0);
      for (const r of results) assert.equal(r.created.length + r.unchanged.length, 3);
      const page = await scheduler.list({ search: 'app.' });
      assert.deepEqual(page.items.map((s) => s.name).sort(), ['app.cleanup', 'app.heartbeat', 'app.report']);
      for (const s of page.items) {
        assert.equal(s.owner, 'app');
        assert.equal(s.state, 'active');
      }
    } finally {
      await Promise.all(instances.map((s) => s.stop({ timeoutSeconds: 1 })));
    }
    await waitFor('heartbeats', () => handledFor('app.heartbeat').length >= 3);
    assertEvery(handledFor('app.heartbeat'), 1);
  });

  it('updates only what changed, keeps an operator’s pause, deletes or pauses what is gone', async () => {
    const before = await scheduler.get('app.cleanup');
    await scheduler.pause('app.report', { note: 'by an operator' });
    const changed = await scheduler.sync(
      [{ name: 'app.cleanup', cron: '30 3 * * *' }, definitions[1]!, definitions[2]!],
      { owner: 'app' },
    );
    assert.deepEqual(changed, {
      created: [],
      updated: ['app.cleanup'],
      unchanged: ['app.heartbeat', 'app.report'],
      deleted: [],
      paused: [],
    });
    const cleanup = await scheduler.get('app.cleanup');
    assert.equal(cleanup.cron, '30 3 * * *');
    assert.equal(cleanup.id, before.id);
    assert.notEqual(cleanup.nextRunAt?.getTime(), before.nextRunAt?.getTime());
    assert.equal((await scheduler.get('app.report')).pauseNote, 'by an operator');

    const paused = await scheduler.sync([{ name: 'app.cleanup', cron: '30 3 * * *' }], {
      owner: 'app',
      removed: 'pause',
    });
    assert.deepEqual(paused.paused, ['app.heartbeat']);
    assert.equal((await scheduler.get('app.heartbeat')).state, 'paused');
    // Listed again: the pause made by the sync is lifted; the operator's stays.
    const back = await scheduler.sync(definitions, { owner: 'app' });
    assert.deepEqual(back.updated, ['app.cleanup', 'app.heartbeat']);
    assert.equal((await scheduler.get('app.heartbeat')).state, 'active');
    assert.equal((await scheduler.get('app.report')).state, 'paused');

    const deleted = await scheduler.sync([definitions[0]!], { owner: 'app' });
    assert.deepEqual(deleted.deleted.sort(), ['app.heartbeat', 'app.report']);
    assert.equal((await scheduler.list({ search: 'app.' })).items.length, 1);
  });

  it('never touches schedules of other owners or made one by one', async () => {
    await scheduler.create({ name: 'by-hand', cron: '0 0 * * *' });
    await scheduler.sync([{ name: 'other.job', cron: '0 0 * * *' }], { owner: 'other' });
    const result = await scheduler.sync([], { owner: 'app' });
    assert.deepEqual(result.deleted, ['app.cleanup']);
    assert.equal((await scheduler.get('by-hand')).owner, null);
    assert.equal((await scheduler.get('other.job')).owner, 'other');
    await assert.rejects(
      scheduler.sync([{ name: 'by-hand', cron: '0 1 * * *' }], { owner: 'app' }),
      (error: unknown) => error instanceof ConflictError && /does not own/.test(error.message),
    );
    assert.equal((await scheduler.get('by-hand')).cron, '0 0 * * *');
  });

  it('refuses a bad list whole, naming each bad definition', async () => {
    await assert.rejects(
      scheduler.sync(
        [
          { name: 'ok', cron: '0 0 * * *' },
          { name: 'bad', cron: '61 * * * *' },
          { name: 'ok', every: '1m' },
        ],
        { owner: 'app' },
      ),
      (error: unknown) =>
        error instanceof ValidationError &&
        error.issues.map((i) => i.field).join(',') === 'definitions[1].cron,definitions[2].name',
    );
    await assert.rejects(scheduler.get('ok'));
  });
});
