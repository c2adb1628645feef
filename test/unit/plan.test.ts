import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cronTrigger, parseCron } from '../../lib/cron.ts';
import { type DueSchedule, planTicks } from '../../lib/plan.ts';

const limits = { misfireGraceMs: 5000, maxCatchUpRuns: 3 };
const at = (iso: string) => new Date(iso);
const iso = (dates: Date[]) => dates.map((d) => d.toISOString());

function due(overrides: Omit<Partial<DueSchedule>, 'cron'> & { cron?: string }): DueSchedule {
  const { cron, ...rest } = overrides;
  return {
    trigger: cronTrigger(parseCron(cron ?? '* * * * *', 'UTC')),
    nextRunAt: at('2026-01-01T10:00:00Z'),
    catchUp: 'latest',
    catchUpWindowSeconds: null,
    overlap: 'allow',
    previousActive: false,
    runsLeft: null,
    ...rest,
  };
}

describe('planTicks', () => {
  it('fires a tick that is just due and arms the next one', () => {
    const plan = planTicks(due({}), at('2026-01-01T10:00:00.004Z'), limits);
    assert.deepEqual(
      plan.fire.map((t) => [t.scheduledFor.toISOString(), t.trigger]),
      [['2026-01-01T10:00:00.000Z', 'schedule']],
    );
    assert.equal(plan.missed, null);
    assert.deepEqual(plan.skipped, []);
    assert.equal(plan.nextRunAt?.toISOString(), '2026-01-01T10:01:00.000Z');
  });

  it('fires every tick inside the grace period when the engine is a little late', () => {
    const plan = planTicks(
      due({ cron: '* * * * * *', nextRunAt: at('2026-01-01T10:00:00Z') }),
      at('2026-01-01T10:00:02.500Z'),
      limits,
    );
    assert.deepEqual(iso(plan.fire.map((t) => t.scheduledFor)), [
      '2026-01-01T10:00:00.000Z',
      '2026-01-01T10:00:01.000Z',
      '2026-01-01T10:00:02.000Z',
    ]);
    assert.ok(plan.fire.every((t) => t.trigger === 'schedule'));
    assert.equal(plan.nextRunAt?.toISOString(), '2026-01-01T10:00:03.000Z');
  });

  it('skip: fires none of the missed ticks and records them once', () => {
    const plan = planTicks(due({ catchUp: 'skip' }), at('2026-01-01T10:10:30Z'), limits);
    assert.deepEqual(plan.fire, []);
    assert.deepEqual(
      plan.missed && { ...plan.missed, first: plan.missed.first.toISOString(), last: plan.missed.last.toISOString() },
      {
        first: '2026-01-01T10:00:00.000Z',
        last: '2026-01-01T10:10:00.000Z',
        count: 11,
      },
    );
    assert.equal(plan.nextRunAt?.toISOString(), '2026-01-01T10:11:00.000Z');
  });

  it('latest: fires the most recent missed tick as catch_up, records the rest', () => {
    const plan = planTicks(due({ catchUp: 'latest' }), at('2026-01-01T10:10:30Z'), limits);
    assert.deepEqual(
      plan.fire.map((t) => [t.scheduledFor.toISOString(), t.trigger]),
      [['2026-01-01T10:10:00.000Z', 'catch_up']],
    );
    assert.equal(plan.missed?.count, 10);
    assert.equal(plan.missed?.last.toISOString(), '2026-01-01T10:09:00.000Z');
  });

  it('all: fires the most recent missed ticks up to the cap, in order, and records the rest', () => {
    const plan = planTicks(due({ catchUp: 'all' }), at('2026-01-01T10:10:30Z'), limits);
    assert.deepEqual(iso(plan.fire.map((t) => t.scheduledFor)), [
      '2026-01-01T10:08:00.000Z',
      '2026-01-01T10:09:00.000Z',
      '2026-01-01T10:10:00.000Z',
    ]);
    assert.ok(plan.fire.every((t) => t.trigger === 'catch_up'));
    assert.equal(plan.missed?.count, 8);
    assert.equal(plan.missed?.first.toISOString(), '2026-01-01T10:00:00.000Z');
    assert.equal(plan.missed?.last.toISOString(), '2026-01-01T10:07:00.000Z');
  });

  it('the catch-up window bounds what may fire', () => {
    const plan = planTicks(due({ catchUp: 'all', catchUpWindowSeconds: 150 }), at('2026-01-01T10:10:30Z'), {
      ...limits,
      maxCatchUpRuns: 100,
    });
    // Window starts 10:08:00; the grace period ends 10:10:25.
    assert.deepEqual(iso(plan.fire.map((t) => t.scheduledFor)), [
      '2026-01-01T10:08:00.000Z',
      '2026-01-01T10:09:00.000Z',
      '2026-01-01T10:10:00.000Z',
    ]);
    assert.equal(plan.missed?.count, 8);
  });

  it('a window that excludes every missed tick fires nothing', () => {
    const plan = planTicks(due({ catchUp: 'latest', catchUpWindowSeconds: 10 }), at('2026-01-01T10:10:30Z'), limits);
    assert.deepEqual(plan.fire, []);
    assert.equal(plan.missed?.count, 11);
  });

  it('counts a day-long outage of an every-second schedule without listing it', () => {
    const plan = planTicks(
      due({ cron: '* * * * * *', catchUp: 'skip', nextRunAt: at('2026-01-01T00:00:00Z') }),
      at('2026-01-02T00:00:00Z'),
      limits,
    );
    // Ticks in the grace period (the last five seconds, now included) fire on time.
    assert.equal(plan.fire.length, 6);
    assert.equal(plan.missed?.count, 86400 - 5);
  });

  it('counts a 200-day outage of an every-second schedule exactly, in a zone with daylight saving', () => {
    const plan = planTicks(
      {
        ...due({ catchUp: 'all', nextRunAt: at('2026-01-01T00:00:00Z') }),
        trigger: cronTrigger(parseCron('* * * * * *', 'America/New_York')),
      },
      at('2026-07-20T00:00:00Z'),
      { ...limits, maxCatchUpRuns: 100 },
    );
    // 200 days of seconds (the spring change does not shorten elapsed time), less the 5 on time (plus
    // `now` itself) and the 100 fired as catch-up.
    assert.equal(plan.fire.length, 106);
    assert.equal(plan.missed?.count, 200 * 86_400 - 5 - 100);
    assert.equal(plan.missed?.last.toISOString(), '2026-07-19T23:58:14.000Z');
  });

  it('overlap skip: a run still in progress blocks every tick, which is recorded as skipped', () => {
    const plan = planTicks(due({ overlap: 'skip', previousActive: true }), at('2026-01-01T10:00:00.010Z'), limits);
    assert.deepEqual(plan.fire, []);
    assert.deepEqual(iso(plan.skipped), ['2026-01-01T10:00:00.000Z']);
  });

  it('overlap skip: of several due ticks only the latest fires', () => {
    const plan = planTicks(due({ cron: '* * * * * *', overlap: 'skip' }), at('2026-01-01T10:00:01.500Z'), limits);
    assert.deepEqual(iso(plan.fire.map((t) => t.scheduledFor)), ['2026-01-01T10:00:01.000Z']);
    assert.deepEqual(iso(plan.skipped), ['2026-01-01T10:00:00.000Z']);
  });

  it('a yearly expression arms next year', () => {
    const plan = planTicks(
      due({ cron: '0 0 1 1 *', nextRunAt: at('2026-01-01T00:00:00Z') }),
      at('2026-01-01T00:00:00.100Z'),
      limits,
    );
    assert.equal(plan.fire.length, 1);
    assert.equal(plan.nextRunAt?.toISOString(), '2027-01-01T00:00:00.000Z');
  });
});

describe('planTicks, overlap buffer_one', () => {
  const base = { overlap: 'buffer_one' as const, nextRunAt: at('2026-01-01T10:00:00Z') };

  it('while the previous run is in progress, the latest due tick waits and earlier ones are skipped', () => {
    const plan = planTicks(
      due({ ...base, cron: '* * * * * *', previousActive: true }),
      at('2026-01-01T10:00:02.100Z'),
      limits,
    );
    assert.deepEqual(plan.fire, []);
    assert.equal(plan.buffered, true);
    assert.deepEqual(plan.nextRunAt, at('2026-01-01T10:00:02Z'));
    assert.deepEqual(iso(plan.skipped), ['2026-01-01T10:00:00.000Z', '2026-01-01T10:00:01.000Z']);
  });

  it('once it ended, the waiting tick fires as the schedule’s own, however late, and later ticks are skipped', () => {
    const plan = planTicks(
      due({ ...base, cron: '* * * * * *', buffered: true, previousActive: false }),
      at('2026-01-01T10:00:30.500Z'),
      limits,
    );
    assert.deepEqual(
      plan.fire.map((t) => [t.scheduledFor.toISOString(), t.trigger]),
      [['2026-01-01T10:00:00.000Z', 'schedule']],
    );
    assert.equal(plan.skipped.length, 30);
    assert.equal(plan.missed, null);
    assert.equal(plan.buffered, false);
    assert.deepEqual(plan.nextRunAt, at('2026-01-01T10:00:31Z'));
  });

  it('with nothing in progress and nothing waiting, it plans like skip', () => {
    const plan = planTicks(due({ ...base, cron: '* * * * * *' }), at('2026-01-01T10:00:01.200Z'), limits);
    assert.deepEqual(iso(plan.fire.map((t) => t.scheduledFor)), ['2026-01-01T10:00:01.000Z']);
    assert.deepEqual(iso(plan.skipped), ['2026-01-01T10:00:00.000Z']);
    assert.equal(plan.buffered, false);
  });
});
