/**
 * Every kind of trigger with fixed instants: intervals (phase from an anchor, elapsed time through
 * daylight-saving changes), one-off instants, windows, jitter (deterministic, in range, order kept),
 * and the definition checks that go with them.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { armAt, valuesFromInput, valuesFromPatch } from '../../lib/definition.ts';
import { ValidationError } from '../../lib/errors.ts';
import { DEFAULT_DESTINATION_POLICY } from '../../lib/targets/guard.ts';
import { jitterOf, parseEvery, type TriggerSpec, triggerOf } from '../../lib/triggers/index.ts';
import type { Schedule } from '../../lib/types.ts';

const at = (iso: string) => new Date(iso);
const CONTEXT = { queue: 'q', policy: DEFAULT_DESTINATION_POLICY };
const iso = (dates: (Date | null)[]) => dates.map((d) => d?.toISOString() ?? null);

function spec(overrides: Partial<TriggerSpec>): TriggerSpec {
  return {
    cron: null,
    timezone: 'UTC',
    everySeconds: null,
    anchorAt: null,
    at: null,
    startAt: null,
    endAt: null,
    jitterSeconds: 0,
    seed: 'job',
    ...overrides,
  };
}

function issuesOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof ValidationError, String(error));
    return error.issues.map((i) => i.field);
  }
  assert.fail('expected a ValidationError');
}

describe('parseEvery', () => {
  it('reads units largest first, and plain seconds', () => {
    assert.equal(parseEvery('every', '90s'), 90);
    assert.equal(parseEvery('every', '15m'), 900);
    assert.equal(parseEvery('every', '6h'), 21_600);
    assert.equal(parseEvery('every', '1d'), 86_400);
    assert.equal(parseEvery('every', '1h30m'), 5400);
    assert.equal(parseEvery('every', 42), 42);
  });

  it('refuses zero, units out of order, fractions and nonsense, naming the field', () => {
    for (const bad of ['0s', '', '30m1h', '1.5h', '5 minutes', '1w', 0, -5, 1.5, '367d', null]) {
      assert.deepEqual(
        issuesOf(() => parseEvery('every', bad)),
        ['every'],
        String(bad),
      );
    }
  });
});

describe('interval triggers', () => {
  const every15m = triggerOf(spec({ everySeconds: 900 }));

  it('fires on the epoch phase by default: :00, :15, :30, :45', () => {
    assert.deepEqual(iso([every15m.next(at('2026-03-01T10:07:12Z'))]), ['2026-03-01T10:15:00.000Z']);
    assert.deepEqual(iso([every15m.next(at('2026-03-01T10:15:00Z'))]), ['2026-03-01T10:30:00.000Z']);
    assert.deepEqual(iso([every15m.previous(at('2026-03-01T10:15:00Z'))]), ['2026-03-01T10:00:00.000Z']);
  });

  it('keeps the phase of its anchor, before and after it', () => {
    const t = triggerOf(spec({ everySeconds: 6 * 3600, anchorAt: at('2026-01-01T02:00:00Z') }));
    assert.deepEqual(iso(t.occurrences(at('2025-12-31T00:00:00Z'), at('2026-01-01T23:59:59Z'), 10)), [
      '2025-12-31T02:00:00.000Z',
      '2025-12-31T08:00:00.000Z',
      '2025-12-31T14:00:00.000Z',
      '2025-12-31T20:00:00.000Z',
      '2026-01-01T02:00:00.000Z',
      '2026-01-01T08:00:00.000Z',
      '2026-01-01T14:00:00.000Z',
      '2026-01-01T20:00:00.000Z',
    ]);
  });

  it('is elapsed time through a daylight-saving change (the zone plays no part)', () => {
    // Europe/Paris springs forward on 2026-03-29 at 01:00 UTC: an hourly interval stays 3600 s apart.
    const t = triggerOf(spec({ everySeconds: 3600, timezone: 'Europe/Paris' }));
    const ticks = t.occurrences(at('2026-03-28T23:00:00Z'), at('2026-03-29T03:00:00Z'), 10);
    assert.equal(ticks.length, 5);
    for (let i = 1; i < ticks.length; i++) assert.equal(ticks[i]!.getTime() - ticks[i - 1]!.getTime(), 3_600_000);
  });

  it('counts exactly, and lists the latest ticks of a range', () => {
    const t = triggerOf(spec({ everySeconds: 1 }));
    assert.equal(t.count(at('2026-01-01T00:00:00Z'), at('2026-01-02T00:00:00Z')), 86_401);
    assert.equal(t.count(at('2026-01-01T00:00:00Z'), at('2026-01-02T00:00:00Z'), 10), 10);
    assert.deepEqual(iso(t.latest(at('2026-01-01T00:00:00Z'), at('2026-01-01T00:00:10Z'), 2)), [
      '2026-01-01T00:00:09.000Z',
      '2026-01-01T00:00:10.000Z',
    ]);
  });
});

describe('one-off triggers', () => {
  const once = triggerOf(spec({ at: at('2026-05-01T09:00:00.700Z') }));

  it('fires once, on the whole second', () => {
    assert.deepEqual(iso([once.next(at('2026-01-01T00:00:00Z'))]), ['2026-05-01T09:00:00.000Z']);
    assert.equal(once.next(at('2026-05-01T09:00:00Z')), null);
    assert.equal(once.count(at('2026-01-01T00:00:00Z'), at('2027-01-01T00:00:00Z')), 1);
    assert.equal(once.describe(), 'Once, at 2026-05-01T09:00:00Z');
  });
});

describe('windows', () => {
  it('fires only inside [start_at, end_at], for any kind', () => {
    const t = triggerOf(
      spec({ cron: '0 * * * *', startAt: at('2026-01-01T10:30:00Z'), endAt: at('2026-01-01T13:00:00Z') }),
    );
    assert.deepEqual(iso([t.next(at('2026-01-01T00:00:00Z'))]), ['2026-01-01T11:00:00.000Z']);
    assert.deepEqual(iso([t.next(at('2026-01-01T12:00:00Z'))]), ['2026-01-01T13:00:00.000Z']);
    assert.equal(t.next(at('2026-01-01T13:00:00Z')), null);
    assert.equal(t.count(at('2026-01-01T00:00:00Z'), at('2026-01-02T00:00:00Z')), 3);
    assert.match(t.describe(), /from 2026-01-01T10:30:00Z, until 2026-01-01T13:00:00Z$/);
  });

  it('keeps a fixed-hour cron at its wall-clock time across a DST change inside the window', () => {
    // 09:00 Paris is 08:00 UTC in winter, 07:00 UTC in summer (change on 2026-03-29).
    const t = triggerOf(
      spec({
        cron: '0 9 * * *',
        timezone: 'Europe/Paris',
        startAt: at('2026-03-28T00:00:00Z'),
        endAt: at('2026-03-30T23:00:00Z'),
      }),
    );
    assert.deepEqual(iso(t.occurrences(at('2026-03-01T00:00:00Z'), at('2026-04-30T00:00:00Z'), 10)), [
      '2026-03-28T08:00:00.000Z',
      '2026-03-29T07:00:00.000Z',
      '2026-03-30T07:00:00.000Z',
    ]);
  });
});

describe('jitter', () => {
  it('is deterministic for (name, tick), in [0, jitter), and spreads a herd evenly', () => {
    const tick = at('2026-01-01T10:00:00Z');
    assert.equal(jitterOf('job-1', tick, 300), jitterOf('job-1', tick, 300));
    const buckets = new Array(10).fill(0);
    for (let i = 0; i < 10_000; i++) {
      const j = jitterOf(`job-${i}`, tick, 300);
      assert.ok(j >= 0 && j < 300);
      buckets[Math.floor(j / 30)]++;
    }
    // 10,000 identical hourly schedules: each tenth of the window gets about 1,000.
    for (const n of buckets) assert.ok(n > 850 && n < 1150, `bucket of ${n}`);
  });

  it('shifts each tick, keeps them in order, and answers next/previous/count consistently', () => {
    const t = triggerOf(spec({ everySeconds: 60, jitterSeconds: 30, seed: 'sync-crm' }));
    const from = at('2026-01-01T00:00:00Z');
    const to = at('2026-01-01T02:00:00Z');
    const ticks = t.occurrences(from, to, 1000);
    assert.ok(ticks.length >= 119 && ticks.length <= 121);
    for (let i = 0; i < ticks.length; i++) {
      const offset = (ticks[i]!.getTime() / 1000) % 60;
      assert.ok(offset < 30, `offset ${offset}`);
      if (i > 0) {
        assert.ok(ticks[i]! > ticks[i - 1]!);
        assert.deepEqual(t.next(ticks[i - 1]!), ticks[i]);
        assert.deepEqual(t.previous(ticks[i]!), ticks[i - 1]);
      }
    }
    assert.equal(t.count(from, to), ticks.length);
    assert.deepEqual(t.latest(from, to, 3), ticks.slice(-3));
  });

  it('is refused when longer than the shortest gap between ticks', () => {
    assert.deepEqual(
      issuesOf(() => valuesFromInput({ name: 'j', every: '1m', jitterSeconds: 61 }, CONTEXT)),
      ['jitterSeconds'],
    );
    assert.deepEqual(
      issuesOf(() => valuesFromInput({ name: 'j', cron: '*/5 * * * *', jitterSeconds: 301 }, CONTEXT)),
      ['jitterSeconds'],
    );
    valuesFromInput({ name: 'j', cron: '*/5 * * * *', jitterSeconds: 300 }, CONTEXT);
  });
});

describe('definitions', () => {
  it('need exactly one kind', () => {
    assert.deepEqual(
      issuesOf(() => valuesFromInput({ name: 'j' }, CONTEXT)),
      ['cron'],
    );
    assert.deepEqual(
      issuesOf(() => valuesFromInput({ name: 'j', cron: '* * * * *', every: '1m' }, CONTEXT)),
      ['cron'],
    );
    assert.deepEqual(
      issuesOf(() => valuesFromInput({ name: 'j', cron: '* * * * *', anchorAt: new Date() }, CONTEXT)),
      ['anchorAt'],
    );
  });

  it('report every bad field at once, including an empty window', () => {
    const fields = issuesOf(() =>
      valuesFromInput(
        {
          name: 'j',
          every: '1m',
          maxRuns: 0,
          startAt: at('2026-02-01T00:00:00Z'),
          endAt: at('2026-01-01T00:00:00Z'),
          pauseNote: 'x'.repeat(501),
        },
        CONTEXT,
      ),
    );
    assert.deepEqual(fields.sort(), ['maxRuns', 'pauseNote']);
    assert.deepEqual(
      issuesOf(() =>
        valuesFromInput(
          { name: 'j', every: '1m', startAt: at('2026-02-01T00:00:00Z'), endAt: at('2026-01-01T00:00:00Z') },
          CONTEXT,
        ),
      ),
      ['endAt'],
    );
  });

  it('arm: next tick, or completed when none is left or the run limit is reached', () => {
    const now = at('2026-01-01T10:00:00Z');
    const v = valuesFromInput({ name: 'j', every: '1h', maxRuns: 3 }, CONTEXT);
    assert.deepEqual(armAt(v, 0, now), { nextRunAt: at('2026-01-01T11:00:00Z'), completed: false });
    assert.deepEqual(armAt(v, 3, now), { nextRunAt: null, completed: true });
    const past = valuesFromInput({ name: 'j', at: at('2025-01-01T00:00:00Z') }, CONTEXT);
    assert.deepEqual(armAt(past, 0, now), { nextRunAt: null, completed: true });
    const ended = valuesFromInput({ name: 'j', cron: '* * * * *', endAt: at('2025-12-31T00:00:00Z') }, CONTEXT);
    assert.deepEqual(armAt(ended, 0, now), { nextRunAt: null, completed: true });
  });

  it('a patch that names another kind switches to it', () => {
    const values = valuesFromInput({ name: 'j', every: '15m', anchorAt: at('2026-01-01T00:05:00Z') }, CONTEXT);
    const stored = {
      ...values,
      every: '15m',
      id: 'x',
      description: '',
      state: 'active',
      firedCount: 0,
      completedAt: null,
      owner: null,
      version: 1,
      nextRunAt: null,
      lastRunAt: null,
      createdAt: new Date(),
      updatedAt: new Date(),
    } as Schedule;
    const patched = valuesFromPatch(stored, { type: 'log' }, { cron: '0 * * * *' }, DEFAULT_DESTINATION_POLICY);
    assert.equal(patched.cron, '0 * * * *');
    assert.equal(patched.everySeconds, null);
    assert.equal(patched.anchorAt, null);
    const kept = valuesFromPatch(stored, { type: 'log' }, { jitterSeconds: 10 }, DEFAULT_DESTINATION_POLICY);
    assert.equal(kept.everySeconds, 900);
    assert.deepEqual(kept.anchorAt, at('2026-01-01T00:05:00Z'));
  });
});
