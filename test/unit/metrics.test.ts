/**
 * The metrics module on its own (no database): every hook lands in its metric, label sets stay
 * bounded however many runs and schedules go by, database figures are cached, and the option is
 * validated. Fake sources stand in for the scheduler.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Registry } from 'prom-client';
import { type MetricsConfig, resolveConfig } from '../../lib/config.ts';
import { ValidationError } from '../../lib/errors.ts';
import {
  createMetrics,
  DATABASE_CACHE_MS,
  type EngineMetrics,
  type MetricSources,
  NO_METRICS,
  type ScheduleFigures,
} from '../../lib/metrics.ts';
import { RUN_TRIGGERS, type RunContext, type RunTrigger, type SchedulerEvents } from '../../lib/types.ts';
import {
  hasPromtool,
  parseSamples,
  promtoolCheckMetrics,
  promtoolCheckRules,
  sampleValue,
  sumOf,
} from '../helpers/prometheus.ts';

const P = 'pg_cron_scheduler_';
const OWN: MetricsConfig = { registry: null, prefix: P };

interface Fake extends MetricSources {
  reads: number;
  errors: Error[];
  clock: number;
  figures: ScheduleFigures | Error | null;
}

function fakeSources(): Fake {
  const fake: Fake = {
    reads: 0,
    errors: [],
    clock: 0,
    figures: { states: { active: 7, paused: 2, completed: 1 }, stale: 0, backlog: 3, oldestSeconds: 4.5 },
    async schedules() {
      fake.reads += 1;
      if (fake.figures instanceof Error) throw fake.figures;
      return fake.figures;
    },
    slots: () => [
      { queue: 'a', busy: 3, slots: 10 },
      { queue: 'a', busy: 1, slots: 5 },
      { queue: 'b', busy: 0, slots: 2 },
    ],
    pools: () => [
      { pool: 'main', total: 4, idle: 3, waiting: 0 },
      { pool: 'firing', total: 2, idle: 1, waiting: 1 },
    ],
    onError: (error) => fake.errors.push(error),
    now: () => fake.clock,
  };
  return fake;
}

function text(metrics: EngineMetrics): Promise<string> {
  assert.ok(metrics.exposed);
  return metrics.exposed.text();
}

const context = (trigger: RunTrigger, n = 0): RunContext => ({
  runId: `run-${n}`,
  scheduleId: `schedule-${n}`,
  scheduleName: `name-${n}`,
  scheduledFor: new Date(0),
  firedAt: new Date(0),
  attempt: 1,
  trigger,
  fields: {},
  options: { retryLimit: 0, retryDelaySeconds: 0, retryBackoff: false, runTimeoutSeconds: 1, priority: 0 },
  target: { type: 'log' },
  signal: new AbortController().signal,
});

const fired = (trigger: RunTrigger, n = 0): SchedulerEvents['fired'] => [
  {
    id: `run-${n}`,
    scheduleId: `schedule-${n}`,
    scheduleName: `name-${n}`,
    scheduledFor: new Date(0),
    trigger,
    status: 'queued',
    enqueuedAt: new Date(0),
    startedAt: null,
    finishedAt: null,
    attempts: 0,
    error: null,
    failedAttempts: [],
    tickCount: 1,
    lastScheduledFor: new Date(0),
    options: null,
    response: null,
  },
];

describe('metrics hooks', () => {
  it('shows every metric from the start, counters at zero for each label value', async () => {
    const out = await text(createMetrics(OWN, fakeSources()));
    for (const name of [
      'handler_start_lateness_seconds',
      'claim_duration_seconds',
      'claim_commit_duration_seconds',
      'tick_claimed_schedules',
      'runs_fired_total',
      'runs_finished_total',
      'run_retries_total',
      'ticks_not_fired_total',
      'schedules',
      'schedules_backlog',
      'schedules_backlog_oldest_seconds',
      'worker_slots',
      'worker_slots_busy',
      'pool_connections',
      'pool_idle_connections',
      'pool_waiting_clients',
      'http_request_duration_seconds',
    ]) {
      assert.match(out, new RegExp(`^# TYPE ${P}${name} `, 'm'), name);
    }
    for (const trigger of RUN_TRIGGERS) assert.equal(sampleValue(out, `${P}runs_fired_total`, { trigger }), 0);
    for (const status of ['succeeded', 'failed', 'cancelled']) {
      assert.equal(sampleValue(out, `${P}runs_finished_total`, { status }), 0);
    }
    assert.equal(sampleValue(out, `${P}ticks_not_fired_total`, { kind: 'missed' }), 0);
    assert.equal(sampleValue(out, `${P}ticks_not_fired_total`, { kind: 'skipped' }), 0);
  });

  it('counts the events: fired by trigger, finished by status, retries, unfired ticks by kind', async () => {
    const metrics = createMetrics(OWN, fakeSources());
    metrics.event('fired', fired('schedule'));
    metrics.event('fired', fired('schedule'));
    metrics.event('fired', fired('manual'));
    metrics.event('succeeded', [{ ...context('schedule'), durationMs: 3 }]);
    metrics.event('failed', [{ ...context('schedule'), error: new Error('x'), final: false }]);
    metrics.event('failed', [{ ...context('schedule'), error: new Error('x'), final: true }]);
    metrics.event('missed', [
      {
        scheduleId: 's',
        scheduleName: 'n',
        status: 'missed',
        count: 5,
        firstScheduledFor: new Date(0),
        lastScheduledFor: new Date(4000),
      },
    ]);
    metrics.event('missed', [
      {
        scheduleId: 's',
        scheduleName: 'n',
        status: 'skipped',
        count: 1,
        firstScheduledFor: new Date(0),
        lastScheduledFor: new Date(0),
      },
    ]);
    metrics.event('paused', [{ scheduleId: 's', scheduleName: 'n', note: 'x' }]);
    metrics.cancelled(2);
    metrics.cancelled(0);
    const out = await text(metrics);
    assert.equal(sampleValue(out, `${P}runs_fired_total`, { trigger: 'schedule' }), 2);
    assert.equal(sampleValue(out, `${P}runs_fired_total`, { trigger: 'manual' }), 1);
    assert.equal(sampleValue(out, `${P}runs_finished_total`, { status: 'succeeded' }), 1);
    assert.equal(sampleValue(out, `${P}runs_finished_total`, { status: 'failed' }), 1);
    assert.equal(sampleValue(out, `${P}runs_finished_total`, { status: 'cancelled' }), 2);
    assert.equal(sampleValue(out, `${P}run_retries_total`), 1);
    assert.equal(sampleValue(out, `${P}ticks_not_fired_total`, { kind: 'missed' }), 5);
    assert.equal(sampleValue(out, `${P}ticks_not_fired_total`, { kind: 'skipped' }), 1);
  });

  it('observes lateness by queue and trigger, claims, commits and ticks in seconds', async () => {
    const metrics = createMetrics(OWN, fakeSources());
    metrics.queue('q').lateness('schedule', 0.004);
    metrics.queue('q').lateness('schedule', 2);
    metrics.queue('q').lateness('manual', 0.0005);
    metrics.claim(0.003, 0.0015);
    metrics.tick(1000);
    const out = await text(metrics);
    const lateness = `${P}handler_start_lateness_seconds`;
    assert.equal(sampleValue(out, `${lateness}_count`, { queue: 'q', trigger: 'schedule' }), 2);
    assert.equal(sampleValue(out, `${lateness}_sum`, { queue: 'q', trigger: 'schedule' }), 2.004);
    assert.equal(sampleValue(out, `${lateness}_bucket`, { queue: 'q', trigger: 'schedule', le: '0.005' }), 1);
    assert.equal(sampleValue(out, `${lateness}_bucket`, { queue: 'q', trigger: 'schedule', le: '60' }), 2);
    assert.equal(sampleValue(out, `${lateness}_bucket`, { queue: 'q', trigger: 'manual', le: '0.001' }), 1);
    // The first bucket is 1 ms, the last 60 s.
    const bounds = parseSamples(out)
      .filter((s) => s.name === `${lateness}_bucket` && s.labels.trigger === 'schedule')
      .map((s) => s.labels.le);
    assert.equal(bounds[0], '0.001');
    assert.equal(bounds.at(-2), '60');
    assert.equal(sampleValue(out, `${P}claim_duration_seconds_sum`), 0.003);
    assert.equal(sampleValue(out, `${P}claim_commit_duration_seconds_sum`), 0.0015);
    assert.equal(sampleValue(out, `${P}tick_claimed_schedules_bucket`, { le: '1000' }), 1);
    assert.equal(sampleValue(out, `${P}tick_claimed_schedules_bucket`, { le: '500' }), 0);
  });

  it('hands what runs gathered to the metric once: a second read shows the same, a later run adds to it', async () => {
    const metrics = createMetrics(OWN, fakeSources());
    const lateness = `${P}handler_start_lateness_seconds_count`;
    metrics.queue('q').lateness('schedule', 0.01);
    metrics.event('succeeded', [{ ...context('schedule'), durationMs: 3 }]);
    for (let read = 0; read < 2; read++) {
      const out = await text(metrics);
      assert.equal(sampleValue(out, lateness, { queue: 'q', trigger: 'schedule' }), 1);
      assert.equal(sampleValue(out, `${P}runs_finished_total`, { status: 'succeeded' }), 1);
    }
    metrics.queue('q').lateness('schedule', 0.02);
    metrics.event('succeeded', [{ ...context('schedule'), durationMs: 3 }]);
    const out = await text(metrics);
    assert.equal(sampleValue(out, lateness, { queue: 'q', trigger: 'schedule' }), 2);
    assert.equal(sampleValue(out, `${P}runs_finished_total`, { status: 'succeeded' }), 2);
  });

  it('reads slots by queue (workers of one queue add up) and pools at scrape time', async () => {
    const out = await text(createMetrics(OWN, fakeSources()));
    assert.equal(sampleValue(out, `${P}worker_slots`, { queue: 'a' }), 15);
    assert.equal(sampleValue(out, `${P}worker_slots_busy`, { queue: 'a' }), 4);
    assert.equal(sampleValue(out, `${P}worker_slots`, { queue: 'b' }), 2);
    assert.equal(sampleValue(out, `${P}pool_connections`, { pool: 'main' }), 4);
    assert.equal(sampleValue(out, `${P}pool_idle_connections`, { pool: 'firing' }), 1);
    assert.equal(sampleValue(out, `${P}pool_waiting_clients`, { pool: 'firing' }), 1);
  });

  it('records HTTP requests by method, route pattern and status; odd methods as OTHER', async () => {
    const metrics = createMetrics(OWN, fakeSources());
    metrics.exposed?.observeHttpRequest({ method: 'GET', route: '/jobs/:id', status: 200 }, 0.002);
    metrics.exposed?.observeHttpRequest({ method: 'BREW', route: '/jobs/:id', status: 405 }, 0.001);
    const out = await text(metrics);
    const name = `${P}http_request_duration_seconds_count`;
    assert.equal(sampleValue(out, name, { method: 'GET', route: '/jobs/:id', status: '200' }), 1);
    assert.equal(sampleValue(out, name, { method: 'OTHER', route: '/jobs/:id', status: '405' }), 1);
  });

  it('keeps the label sets bounded: 100,000 runs of 100,000 schedules add no series', async () => {
    const metrics = createMetrics(OWN, fakeSources());
    const drive = (from: number, to: number) => {
      for (let n = from; n < to; n++) {
        const trigger = RUN_TRIGGERS[n % RUN_TRIGGERS.length]!;
        metrics.event('fired', fired(trigger, n));
        metrics.queue(n % 2 === 0 ? 'even' : 'odd').lateness(trigger, (n % 1000) / 1000);
        if (n % 3 === 0) metrics.event('succeeded', [{ ...context(trigger, n), durationMs: 1 }]);
        else metrics.event('failed', [{ ...context(trigger, n), error: new Error(`e${n}`), final: n % 3 === 1 }]);
        metrics.claim(0.001, 0.001);
      }
    };
    drive(0, 8);
    const series = (out: string) => parseSamples(out).length;
    const few = series(await text(metrics));
    const started = performance.now();
    drive(8, 100_000);
    const elapsedMs = performance.now() - started;
    const out = await text(metrics);
    assert.equal(series(out), few, 'as many series after 100,000 runs as after 8');
    assert.equal(sumOf(out, `${P}runs_fired_total`), 100_000);
    assert.equal(sumOf(out, `${P}handler_start_lateness_seconds_count`), 100_000);
    // Each run above costs five hooks plus building its fake event: the hooks are far below a
    // microsecond each. The bound is loose (a busy machine), the point is the order of magnitude.
    assert.ok(elapsedMs < 5000, `100,000 runs of hooks took ${elapsedMs.toFixed(0)} ms`);
  });

  it('reads the database at most once per 5 s, and keeps the last figures when a read fails', async () => {
    const fake = fakeSources();
    const metrics = createMetrics(OWN, fake);
    let out = await text(metrics);
    assert.equal(fake.reads, 1, 'one read serves all three gauges of a scrape');
    assert.equal(sampleValue(out, `${P}schedules`, { state: 'active' }), 7);
    assert.equal(sampleValue(out, `${P}schedules`, { state: 'paused' }), 2);
    assert.equal(sampleValue(out, `${P}schedules`, { state: 'completed' }), 1);
    assert.equal(sampleValue(out, `${P}schedules_backlog`), 3);
    assert.equal(sampleValue(out, `${P}schedules_backlog_oldest_seconds`), 4.5);
    fake.figures = { states: { active: 8, paused: 2, completed: 1 }, stale: 0, backlog: 0, oldestSeconds: 0 };
    fake.clock += DATABASE_CACHE_MS - 1;
    out = await text(metrics);
    assert.equal(fake.reads, 1, 'a scrape within 5 s reads nothing');
    assert.equal(sampleValue(out, `${P}schedules`, { state: 'active' }), 7);
    fake.clock += 1;
    out = await text(metrics);
    assert.equal(fake.reads, 2);
    assert.equal(sampleValue(out, `${P}schedules`, { state: 'active' }), 8);
    fake.figures = new Error('the database is down');
    fake.clock += DATABASE_CACHE_MS;
    out = await text(metrics);
    assert.equal(fake.reads, 3);
    assert.deepEqual(
      fake.errors.map((e) => e.message),
      ['the database is down'],
    );
    assert.equal(sampleValue(out, `${P}schedules`, { state: 'active' }), 8, 'the last figures stay');
    fake.clock += 1;
    await text(metrics);
    assert.equal(fake.reads, 3, 'a failed read is cached too: a database that is down is not asked at every scrape');
  });

  it('shows nothing from the database before the scheduler starts', async () => {
    const fake = fakeSources();
    fake.figures = null;
    const out = await text(createMetrics(OWN, fake));
    assert.equal(sampleValue(out, `${P}schedules_backlog`), 0);
    assert.deepEqual(fake.errors, []);
  });

  it('is valid exposition for promtool', { skip: !hasPromtool && 'promtool is not installed' }, async () => {
    const metrics = createMetrics(OWN, fakeSources());
    metrics.queue('q').lateness('schedule', 0.01);
    assert.equal(await promtoolCheckMetrics(await text(metrics)), '');
  });

  it('turns every hook into a no-op with metrics off', () => {
    const metrics = createMetrics(null, fakeSources());
    assert.equal(metrics, NO_METRICS);
    assert.equal(metrics.exposed, null);
    metrics.event('fired', fired('schedule'));
    metrics.queue('q').lateness('schedule', 1);
    metrics.claim(1, 1);
    metrics.tick(1);
    metrics.cancelled(1);
  });
});

describe('the metrics option', () => {
  const resolve = (metrics: unknown) =>
    resolveConfig({ connectionString: 'postgres://x', metrics } as Parameters<typeof resolveConfig>[0]).metrics;

  it('defaults to on, in a registry of the scheduler’s own, with the pg_cron_scheduler_ prefix', () => {
    assert.deepEqual(resolve(undefined), { registry: null, prefix: P });
    assert.deepEqual(resolve(true), { registry: null, prefix: P });
    assert.equal(resolve(false), null);
  });

  it('takes a registry and a prefix, and refuses what is neither', () => {
    const registry = new Registry();
    assert.deepEqual(resolve({ registry, prefix: 'jobs_' }), { registry, prefix: 'jobs_' });
    for (const [value, field] of [
      ['yes', 'metrics'],
      [{ registry: {} }, 'metrics.registry'],
      [{ prefix: '1x_' }, 'metrics.prefix'],
      [{ prefix: 'a-b' }, 'metrics.prefix'],
      [{ prefix: '' }, 'metrics.prefix'],
    ] as const) {
      assert.throws(
        () => resolve(value),
        (error: unknown) => error instanceof ValidationError && error.field === field,
        JSON.stringify(value),
      );
    }
  });

  it('puts two schedulers in one registry only under different prefixes', async () => {
    const registry = new Registry();
    const a = createMetrics({ registry, prefix: P }, fakeSources());
    assert.throws(
      () => createMetrics({ registry, prefix: P }, fakeSources()),
      (error: unknown) => error instanceof ValidationError && error.field === 'metrics.prefix',
    );
    const b = createMetrics({ registry, prefix: 'other_' }, fakeSources());
    assert.equal(a.exposed?.registry, registry);
    a.event('fired', fired('schedule'));
    const out = await registry.metrics();
    assert.equal(sampleValue(out, `${P}runs_fired_total`, { trigger: 'schedule' }), 1);
    assert.equal(sampleValue(out, 'other_runs_fired_total', { trigger: 'schedule' }), 0);
    assert.equal(b.exposed?.contentType, registry.contentType);
  });
});

describe('the example alert rules (examples/prometheus-rules.yml)', () => {
  const file = fileURLToPath(new URL('../../examples/prometheus-rules.yml', import.meta.url));

  it('name only metrics the scheduler exports', async () => {
    const rules = await readFile(file, 'utf8');
    const out = await text(createMetrics(OWN, fakeSources()));
    const exported = new Set([...out.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => m[1]));
    const named = new Set([...rules.matchAll(/\b(pg_cron_scheduler_[a-z_]+)/g)].map((m) => m[1]!));
    assert.ok(named.size >= 4);
    for (const name of named) {
      assert.ok(exported.has(name.replace(/_(bucket|count|sum)$/, '')), `${name} is exported`);
    }
  });

  it('pass promtool check rules', { skip: !hasPromtool && 'promtool is not installed' }, async () => {
    assert.match(await promtoolCheckRules(file), /SUCCESS: 4 rules found/);
  });
});
