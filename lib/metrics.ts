/**
 * Every Prometheus metric of the scheduler, and the small hooks the engine calls to feed them.
 *
 * prom-client (a dependency, `^15`): the de-facto Prometheus client for Node.js. It renders the text
 * exposition format itself and needs no network at all (Prometheus scrapes; nothing is pushed).
 * This module is its one owner: the engine calls the hooks of `EngineMetrics`, the facade hands out
 * `SchedulerMetrics`, and the HTTP server records requests through it.
 *
 * Cheap on the hot path, and bounded: a hook adds to a plain number or pushes one onto an array
 * (Gathered*), handed to prom-client when the metric is read, on a child whose labels are fixed
 * when the worker or the scheduler is made, never built from the run; labels take a handful of values each
 * (queue, trigger, status, kind, state, pool, method, route pattern), never a schedule or a run, so
 * the number of series does not grow with schedules (test/unit/metrics.test.ts drives 100,000).
 * What the database knows (backlog, schedules by state) is read at scrape time, at most once per
 * DATABASE_CACHE_MS whatever the scrape rate; pool and worker-slot figures are read from memory then.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { MetricsConfig } from './config.ts';
import { ValidationError } from './errors.ts';
import {
  RUN_TRIGGERS,
  type RunTrigger,
  SCHEDULE_STATES,
  type SchedulerEvents,
  type SchedulerMetrics,
  type ScheduleState,
} from './types.ts';

/** Database figures are read at most this often, however often Prometheus (or anyone) scrapes. */
export const DATABASE_CACHE_MS = 5000;
/** A schedule counts in the backlog once its tick is this far in the past and still not claimed. */
export const BACKLOG_GRACE_SECONDS = 1;

/** Final statuses a run is counted under, as `status` of `runs_finished_total`. */
export const FINISHED_STATUSES = ['succeeded', 'failed', 'cancelled'] as const;
export type FinishedStatus = (typeof FINISHED_STATUSES)[number];
/** Ticks recorded without firing, as `kind` of `ticks_not_fired_total`. */
export const NOT_FIRED_KINDS = ['missed', 'skipped'] as const;
/** The connection pools reported, as `pool` of the pool gauges. */
export const POOL_NAMES = ['main', 'firing'] as const;
export type PoolName = (typeof POOL_NAMES)[number];
/** HTTP methods kept as they are in the request metric; any other is counted as `OTHER`. */
const HTTP_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/** From 1 ms to 60 s: on time is a few ms, a second late is an incident, a minute is an outage. */
const LATENESS_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
/** A claim's transaction and its commit: milliseconds normally, seconds under load. */
const DURATION_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
/** Schedules claimed for one tick: from one to a hundred thousand. */
const COUNT_BUCKETS = [1, 5, 10, 50, 100, 500, 1000, 5000, 10_000, 50_000, 100_000];
const HTTP_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** What the database says at scrape time. */
export interface ScheduleFigures {
  /** Live schedules by state (deleted ones are not counted). */
  states: Record<ScheduleState, number>;
  /** Schedules with no successful run for their alert_after_seconds. */
  stale: number;
  /** Active schedules due more than BACKLOG_GRACE_SECONDS ago and still not claimed. */
  backlog: number;
  /** How long ago the oldest of them was due, seconds (0 with no backlog). */
  oldestSeconds: number;
}

/** A pg pool's counts (`pg.Pool.totalCount`, `idleCount`, `waitingCount`). */
export interface PoolFigures {
  pool: PoolName;
  total: number;
  idle: number;
  waiting: number;
}

/** One worker's slots (`work()` registrations of one queue add up). */
export interface SlotFigures {
  queue: string;
  busy: number;
  slots: number;
}

/** Where the scrape-time figures come from: the scheduler's state, read when Prometheus asks. */
export interface MetricSources {
  /** Null while the scheduler is not started. */
  schedules(): Promise<ScheduleFigures | null>;
  slots(): SlotFigures[];
  pools(): PoolFigures[];
  /** A scrape-time read failed (the scrape still answers, with the last figures). */
  onError(error: Error): void;
  /** The clock of the database-figure cache, ms (tests pass their own). Default performance.now(). */
  now?: () => number;
}

/** The hooks of one queue's worker. */
export interface QueueMetrics {
  /** A handler started `seconds` after its run's scheduled instant. */
  lateness(trigger: RunTrigger, seconds: number): void;
}

/** The hooks the engine calls. With metrics off, every one is a no-op (NO_METRICS). */
export interface EngineMetrics {
  /** What `scheduler.metrics` returns: null with metrics off. */
  readonly exposed: SchedulerMetrics | null;
  /** Counts what the scheduler's events say: fired, succeeded, failed (final or retried), missed. */
  event<E extends keyof SchedulerEvents>(event: E, args: SchedulerEvents[E]): void;
  /** Runs cancelled (their schedule was deleted), once that committed. */
  cancelled(count: number): void;
  /** A claim batch that claimed schedules: its transaction up to built, and its commit, seconds. */
  claim(claimSeconds: number, commitSeconds: number): void;
  /** Schedules claimed for one tick, all batches together. */
  tick(claimed: number): void;
  /** The hooks of a queue's worker (made once per worker). */
  queue(name: string): QueueMetrics;
}

const NO_QUEUE_METRICS: QueueMetrics = Object.freeze({ lateness: () => {} });

/** Metrics off: every hook does nothing. */
export const NO_METRICS: EngineMetrics = Object.freeze({
  exposed: null,
  event: () => {},
  cancelled: () => {},
  claim: () => {},
  tick: () => {},
  queue: () => NO_QUEUE_METRICS,
});

const TRIGGERS: ReadonlySet<string> = new Set(RUN_TRIGGERS);

/**
 * Observations waiting for prom-client at most: past this many, they are handed over at once.
 * Otherwise they are handed over when the metric is read (its collect()).
 */
const MAX_GATHERED = 4096;

/**
 * A histogram child's observations gathered as plain numbers: a prom-client observation builds a
 * label object and a hash string (about 400 bytes, a microsecond), which a 1,000-run tick paid a
 * thousand times while its handlers were starting. The metric reads the same once collected.
 */
class GatheredHistogram {
  readonly #child: Histogram.Internal<string>;
  #values: number[] = [];
  constructor(child: Histogram.Internal<string>) {
    this.#child = child;
  }
  observe(value: number): void {
    this.#values.push(value);
    if (this.#values.length >= MAX_GATHERED) this.flush();
  }
  flush(): void {
    const values = this.#values;
    this.#values = [];
    for (const value of values) this.#child.observe(value);
  }
}

/** A counter child's increments gathered as one number (see GatheredHistogram). */
class GatheredCounter {
  readonly #child: Counter.Internal;
  #pending = 0;
  constructor(child: Counter.Internal) {
    this.#child = child;
  }
  inc(by = 1): void {
    this.#pending += by;
  }
  flush(): void {
    if (this.#pending === 0) return;
    const by = this.#pending;
    this.#pending = 0;
    this.#child.inc(by);
  }
}

/** The metrics of `config` (null: off) on the figures of `sources`. Throws ValidationError on a name already in the registry. */
export function createMetrics(config: MetricsConfig | null, sources: MetricSources): EngineMetrics {
  return config ? new PrometheusMetrics(config, sources) : NO_METRICS;
}

class PrometheusMetrics implements EngineMetrics {
  readonly exposed: SchedulerMetrics;
  readonly #sources: MetricSources;
  readonly #now: () => number;
  readonly #lateness: Histogram<'queue' | 'trigger'>;
  readonly #claimDuration: Histogram;
  readonly #commitDuration: Histogram;
  readonly #tickClaimed: Histogram;
  /** Gathered lateness children of every queue, handed to prom-client when the histogram is read. */
  readonly #latenessChildren: GatheredHistogram[] = [];
  readonly #fired: Record<RunTrigger, GatheredCounter>;
  readonly #finished: Record<FinishedStatus, GatheredCounter>;
  readonly #retries: GatheredCounter;
  readonly #notFired: Record<(typeof NOT_FIRED_KINDS)[number], GatheredCounter>;
  readonly #http: Histogram<'method' | 'route' | 'status'>;
  readonly #queues = new Map<string, QueueMetrics>();
  /** The last database read, shared by the gauges of one scrape and by the scrapes of DATABASE_CACHE_MS. */
  #cached: { at: number; figures: Promise<ScheduleFigures | null> } | null = null;

  constructor(config: MetricsConfig, sources: MetricSources) {
    this.#sources = sources;
    this.#now = sources.now ?? (() => performance.now());
    const registry = config.registry ?? new Registry();
    const p = config.prefix;
    const names = [
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
      'schedules_stale',
      'worker_slots',
      'worker_slots_busy',
      'pool_connections',
      'pool_idle_connections',
      'pool_waiting_clients',
      'http_request_duration_seconds',
    ].map((name) => p + name);
    // prom-client refuses a second metric of one name; say which option to change instead.
    const taken = names.find((name) => registry.getSingleMetric(name) !== undefined);
    if (taken) {
      throw new ValidationError({
        field: 'metrics.prefix',
        value: config.prefix,
        expected: `a prefix no other metric of the registry uses (${taken} is registered): give each scheduler of one registry its own prefix`,
      });
    }
    const registers = [registry];

    this.#lateness = new Histogram({
      name: `${p}handler_start_lateness_seconds`,
      help: 'How late handlers started: handler start minus the run’s scheduled instant (first attempts), seconds.',
      labelNames: ['queue', 'trigger'],
      buckets: LATENESS_BUCKETS,
      registers,
      collect: () => {
        for (const child of this.#latenessChildren) child.flush();
      },
    });
    this.#claimDuration = new Histogram({
      name: `${p}claim_duration_seconds`,
      help: 'A claim batch’s transaction, from its claim query until it is built (runs, jobs, advances), seconds.',
      buckets: DURATION_BUCKETS,
      registers,
    });
    this.#commitDuration = new Histogram({
      name: `${p}claim_commit_duration_seconds`,
      help: 'The commit of a claim batch’s transaction, seconds.',
      buckets: DURATION_BUCKETS,
      registers,
    });
    this.#tickClaimed = new Histogram({
      name: `${p}tick_claimed_schedules`,
      help: 'Schedules this instance claimed for one tick (ticks it claimed none of are not counted).',
      buckets: COUNT_BUCKETS,
      registers,
    });
    this.#fired = gatheredCounters(
      { name: `${p}runs_fired_total`, help: 'Runs fired (enqueued), by trigger.', registers },
      'trigger',
      RUN_TRIGGERS,
    );
    this.#finished = gatheredCounters(
      {
        name: `${p}runs_finished_total`,
        help: 'Runs that reached a final status: succeeded or failed in this instance’s workers, or cancelled by a delete here.',
        registers,
      },
      'status',
      FINISHED_STATUSES,
    );
    this.#retries = gatheredCounters(
      {
        name: `${p}run_retries_total`,
        help: 'Failed attempts (in this instance’s workers) that will be retried.',
        registers,
      },
      null,
      [''],
    )[''];
    this.#notFired = gatheredCounters(
      {
        name: `${p}ticks_not_fired_total`,
        help: 'Ticks recorded without firing, by kind: missed (downtime, catch-up policy) or skipped (overlap).',
        registers,
      },
      'kind',
      NOT_FIRED_KINDS,
    );

    const figures = () => this.#figures();
    new Gauge({
      name: `${p}schedules`,
      help: 'Live schedules by state (read from the database at most every 5 s).',
      labelNames: ['state'],
      registers,
      async collect() {
        const read = await figures();
        if (read) for (const state of SCHEDULE_STATES) this.set({ state }, read.states[state]);
      },
    });
    new Gauge({
      name: `${p}schedules_stale`,
      help: 'Schedules with no successful run for their alert_after_seconds (read at most every 5 s).',
      registers,
      async collect() {
        const read = await figures();
        if (read) this.set(read.stale);
      },
    });
    new Gauge({
      name: `${p}schedules_backlog`,
      help: `Active schedules due more than ${BACKLOG_GRACE_SECONDS} s ago and still not claimed (read at most every 5 s).`,
      registers,
      async collect() {
        const read = await figures();
        if (read) this.set(read.backlog);
      },
    });
    new Gauge({
      name: `${p}schedules_backlog_oldest_seconds`,
      help: 'How long ago the oldest schedule of the backlog was due, seconds (0: no backlog).',
      registers,
      async collect() {
        const read = await figures();
        if (read) this.set(read.oldestSeconds);
      },
    });
    const slots = () => sources.slots();
    new Gauge({
      name: `${p}worker_slots`,
      help: 'Handler slots of this instance’s workers (their concurrency), by queue.',
      labelNames: ['queue'],
      registers,
      collect() {
        this.reset();
        for (const [queue, figure] of sumByQueue(slots())) this.set({ queue }, figure.slots);
      },
    });
    new Gauge({
      name: `${p}worker_slots_busy`,
      help: 'Handler slots running a handler now, by queue.',
      labelNames: ['queue'],
      registers,
      collect() {
        this.reset();
        for (const [queue, figure] of sumByQueue(slots())) this.set({ queue }, figure.busy);
      },
    });
    const pools = () => sources.pools();
    const poolGauge = (name: string, help: string, pick: (figure: PoolFigures) => number) =>
      new Gauge({
        name: `${p}${name}`,
        help,
        labelNames: ['pool'],
        registers,
        collect() {
          this.reset();
          for (const figure of pools()) this.set({ pool: figure.pool }, pick(figure));
        },
      });
    poolGauge(
      'pool_connections',
      'Open connections of the pool (main: API and workers; firing: claims).',
      (f) => f.total,
    );
    poolGauge('pool_idle_connections', 'Idle connections of the pool.', (f) => f.idle);
    poolGauge('pool_waiting_clients', 'Queries waiting for a connection of the pool.', (f) => f.waiting);

    this.#http = new Histogram({
      name: `${p}http_request_duration_seconds`,
      help: 'HTTP API requests by method, route pattern and status, seconds.',
      labelNames: ['method', 'route', 'status'],
      buckets: HTTP_BUCKETS,
      registers,
    });

    const http = this.#http;
    this.exposed = Object.freeze({
      registry,
      contentType: registry.contentType,
      prefix: p,
      text: () => registry.metrics(),
      observeHttpRequest(request: { method: string; route: string; status: number }, seconds: number) {
        const method = HTTP_METHODS.has(request.method) ? request.method : 'OTHER';
        const status = Number.isInteger(request.status) ? String(request.status) : 'unknown';
        http.observe({ method, route: request.route, status }, seconds);
      },
    });
  }

  /** The database figures: read now, or the read of less than DATABASE_CACHE_MS ago (also one under way). */
  #figures(): Promise<ScheduleFigures | null> {
    const now = this.#now();
    if (this.#cached && now - this.#cached.at < DATABASE_CACHE_MS) return this.#cached.figures;
    const figures = this.#sources.schedules().catch((error: unknown) => {
      // The scrape still answers (the gauges keep their last figures); the cache keeps a database
      // that is down from being asked at every scrape.
      this.#sources.onError(error instanceof Error ? error : new Error(String(error)));
      return null;
    });
    this.#cached = { at: now, figures };
    return figures;
  }

  event<E extends keyof SchedulerEvents>(event: E, args: SchedulerEvents[E]): void {
    switch (event) {
      case 'fired': {
        const [run] = args as SchedulerEvents['fired'];
        this.#fired[run.trigger]?.inc();
        break;
      }
      case 'succeeded':
        this.#finished.succeeded.inc();
        break;
      case 'failed': {
        const [run] = args as SchedulerEvents['failed'];
        if (run.final) this.#finished.failed.inc();
        else this.#retries.inc();
        break;
      }
      case 'missed': {
        const [info] = args as SchedulerEvents['missed'];
        this.#notFired[info.status]?.inc(info.count);
        break;
      }
    }
  }

  cancelled(count: number): void {
    if (count > 0) this.#finished.cancelled.inc(count);
  }

  claim(claimSeconds: number, commitSeconds: number): void {
    this.#claimDuration.observe(claimSeconds);
    this.#commitDuration.observe(commitSeconds);
  }

  tick(claimed: number): void {
    this.#tickClaimed.observe(claimed);
  }

  queue(name: string): QueueMetrics {
    let hooks = this.#queues.get(name);
    if (!hooks) {
      // One child per trigger, made (and shown, at zero) once: a start builds no label object.
      const children = new Map<string, GatheredHistogram>();
      for (const trigger of RUN_TRIGGERS) {
        this.#lateness.zero({ queue: name, trigger });
        const child = new GatheredHistogram(this.#lateness.labels({ queue: name, trigger }));
        children.set(trigger, child);
        this.#latenessChildren.push(child);
      }
      hooks = {
        lateness: (trigger, seconds) => {
          if (TRIGGERS.has(trigger)) children.get(trigger)!.observe(seconds);
        },
      };
      this.#queues.set(name, hooks);
    }
    return hooks;
  }
}

/**
 * A counter (labelled `label`, or with no label when null) and a gathered child per value, each
 * shown at zero from the start (so rate() and increase() see the first one), handed to prom-client
 * when the counter is read.
 */
function gatheredCounters<V extends string>(
  options: { name: string; help: string; registers: Registry[] },
  label: string | null,
  values: readonly V[],
): Record<V, GatheredCounter> {
  const children = {} as Record<V, GatheredCounter>;
  const counter = new Counter({
    ...options,
    labelNames: label === null ? [] : [label],
    collect: () => {
      for (const child of Object.values<GatheredCounter>(children)) child.flush();
    },
  });
  for (const value of values) {
    const labels = label === null ? {} : { [label]: value };
    counter.inc(labels, 0);
    children[value] = new GatheredCounter(counter.labels(labels));
  }
  return children;
}

function sumByQueue(figures: SlotFigures[]): Map<string, { busy: number; slots: number }> {
  const byQueue = new Map<string, { busy: number; slots: number }>();
  for (const { queue, busy, slots } of figures) {
    const sum = byQueue.get(queue) ?? { busy: 0, slots: 0 };
    sum.busy += busy;
    sum.slots += slots;
    byQueue.set(queue, sum);
  }
  return byQueue;
}
