/**
 * Fire precision: N schedules firing every second for D seconds, a no-op handler. Lateness is the
 * handler's start (Date.now()) minus the run's scheduledFor. Also exports the every-second run that
 * the multi-instance benchmark shares.
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { SchedulerOptions } from '../../lib/index.ts';
import { createBenchDatabase, migrate, seedSchedules, wakeTickers } from './database.ts';
import type { BenchContext, Benchmark, Row } from './report.ts';
import { type Handled, type Instance, type InstanceStats, startInstance } from './spawn.ts';
import { count, msSummary, type Summary, summarize, tickAccounting } from './stats.ts';

/**
 * Handler concurrency per process: a whole tick's worth of slots (1,000), so the firing process's
 * worker takes every run of a tick inside the claim and slots are never what handlers wait for.
 */
export const CONCURRENCY = 1000;
/** Seconds after the window for the last runs to be handled before the instances stop. */
const DRAIN_SECONDS = 5;

export interface EverySecondOutcome {
  lateness: Summary;
  /** The `fired` event (after the claim commits) minus scheduledFor: the ticker's share of the lateness. */
  firedLateness: Summary;
  expected: number;
  unique: number;
  duplicates: number;
  gaps: number;
  /** Ticks of the window never handled (expected - unique). */
  missing: number;
  /** Handled runs per instance, in the window. */
  perInstance: number[];
  /** Ticks fired per instance, in the window. */
  firedPerInstance: number[];
  /** What `sample` returned at the window's start and at its end (undefined without one). */
  samples?: [unknown, unknown];
  /** Each process's stats at the window's start and end (with `sample` only). */
  instanceStats?: [InstanceStats, InstanceStats][];
}

/** Seeds N every-second schedules due from a whole second a little ahead, runs `instances` processes for D seconds. */
export async function everySecond(
  ctx: BenchContext,
  label: string,
  {
    schedules,
    seconds,
    instances,
    options,
    concurrency = CONCURRENCY,
    prepare,
    sample,
    report = ['handled', 'fired'],
    drainSeconds = ctx.quick ? 2 : DRAIN_SECONDS,
  }: {
    schedules: number;
    seconds: number;
    instances: number;
    options: Partial<SchedulerOptions>;
    concurrency?: number;
    /** Changes the seeded schedules before the window (e.g. gives some a target). */
    prepare?: (pool: import('pg').Pool) => Promise<void>;
    /**
     * Read at the window's start and at its end (server CPU, WAL position...), with each process's
     * stats; the two results are returned in `samples`.
     */
    sample?: (db: import('./database.ts').BenchDatabase) => Promise<unknown>;
    /** What the processes print per run: `fired` costs a line per run more (default both). */
    report?: ('handled' | 'fired')[];
    /** Seconds after the window for its last runs to be handled (default 5; 2 in quick mode). */
    drainSeconds?: number;
  },
): Promise<EverySecondOutcome> {
  const db = await createBenchDatabase(ctx.serverUrl, label);
  const running: Instance[] = [];
  try {
    await migrate(db.url, options);
    // Processes first, then the schedules, announced the way create() announces one: the window
    // starts once every process is up, and a few seconds on (full mode) so they are steady.
    running.push(
      ...(await Promise.all(
        Array.from({ length: instances }, () => startInstance({ url: db.url, options, concurrency, report })),
      )),
    );
    const startAt = Math.ceil(Date.now() / 1000) * 1000 + (ctx.quick ? 2000 : 5000);
    await seedSchedules(db.pool, {
      count: schedules,
      prefix: 'every-second',
      cron: '* * * * * *',
      nextRunAt: `to_timestamp(${startAt / 1000})`,
    });
    await prepare?.(db.pool);
    await wakeTickers(db.pool, startAt);
    const endAt = startAt + seconds * 1000;
    ctx.log(
      `${schedules} schedules x ${instances} process(es); window ${seconds} s from ${new Date(startAt).toISOString()}`,
    );
    let samples: [unknown, unknown] | undefined;
    let instanceStats: [InstanceStats, InstanceStats][] | undefined;
    if (sample) {
      const read = () => Promise.all([sample(db), Promise.all(running.map((i) => i.stats()))] as const);
      await delay(Math.max(0, startAt - Date.now()));
      const first = await read();
      await delay(Math.max(0, endAt - Date.now()));
      const last = await read();
      samples = [first[0], last[0]];
      instanceStats = running.map((_, i) => [first[1][i]!, last[1][i]!]);
    }
    // The window's last runs are handled moments after it: wait until every tick of it is (counted
    // incrementally: at high rates the lists are long), or drainSeconds after it at most.
    const expected = schedules * seconds;
    await delay(Math.max(0, endAt - Date.now()));
    const counted = running.map(() => ({ read: 0, n: 0 }));
    const handledSoFar = () =>
      running.reduce((sum, instance, i) => {
        const c = counted[i]!;
        for (; c.read < instance.handled.length; c.read++) {
          const h = instance.handled[c.read]!;
          if (h.attempt === 1 && h.scheduledForMs >= startAt && h.scheduledForMs < endAt) c.n++;
        }
        return sum + c.n;
      }, 0);
    while (handledSoFar() < expected && Date.now() < endAt + drainSeconds * 1000) await delay(100);
    await Promise.all(running.map((i) => i.stop()));
    const inWindow = (ms: number) => ms >= startAt && ms < endAt;
    const handled: Handled[] = running.flatMap((i) => i.handled.filter((h) => inWindow(h.scheduledForMs)));
    const accounting = tickAccounting(handled, 1000);
    return {
      lateness: summarize(handled.filter((h) => h.attempt === 1).map((h) => h.startMs - h.scheduledForMs)),
      firedLateness: summarize(
        running.flatMap((i) =>
          i.fired.filter((f) => inWindow(f.scheduledForMs)).map((f) => f.firedMs - f.scheduledForMs),
        ),
      ),
      expected,
      unique: accounting.unique,
      duplicates: accounting.duplicates,
      gaps: accounting.gaps,
      missing: expected - accounting.unique,
      perInstance: running.map((i) => i.handled.filter((h) => inWindow(h.scheduledForMs)).length),
      firedPerInstance: running.map((i) => i.fired.filter((f) => inWindow(f.scheduledForMs)).length),
      samples,
      instanceStats,
    };
  } finally {
    await Promise.all(running.map((i) => i.stop().catch(() => {})));
    await db.drop();
  }
}

export function exactlyOnceRows(o: EverySecondOutcome, p99TargetMs: number): Row[] {
  return [
    {
      figure: 'lateness min / p50 / p99 / max',
      value: msSummary(o.lateness),
      target: `p99 <= ${p99TargetMs} ms`,
      met: o.lateness.n > 0 && o.lateness.p99 <= p99TargetMs,
    },
    { figure: 'enqueued (claim committed) min / p50 / p99 / max', value: msSummary(o.firedLateness) },
    { figure: 'runs handled / expected', value: `${count(o.unique)} / ${count(o.expected)}` },
    { figure: 'duplicates', value: count(o.duplicates), target: '0', met: o.duplicates === 0 },
    { figure: 'gaps', value: count(o.gaps), target: '0', met: o.gaps === 0 },
    { figure: 'ticks never handled in the window', value: count(o.missing), target: '0', met: o.missing === 0 },
  ];
}

/**
 * A second, shorter run with fewer slots than a tick (200): the firing process's worker takes 200
 * runs inside the claim, and the other 800 go through a pg-boss fetch after the commit.
 */
const TUNED = { options: {}, concurrency: 200 } as const;

export const precision: Benchmark = {
  name: 'precision',
  title: '1. Fire precision (every-second schedules, one process)',
  async run(ctx) {
    const schedules = ctx.quick ? 50 : 1000;
    const seconds = ctx.quick ? 5 : 60;
    const tunedSeconds = ctx.quick ? 3 : 20;
    const outcome = await everySecond(ctx, 'precision', { schedules, seconds, instances: 1, options: {} });
    ctx.log(`defaults: lateness ${msSummary(outcome.lateness)}`);
    const tuned = await everySecond(ctx, 'precision_tuned', {
      schedules,
      seconds: tunedSeconds,
      instances: 1,
      options: TUNED.options,
      concurrency: TUNED.concurrency,
    });
    ctx.log(`concurrency ${TUNED.concurrency}: lateness ${msSummary(tuned.lateness)}`);
    const rows: Row[] = [
      ...exactlyOnceRows(outcome, 50),
      {
        figure: `concurrency ${TUNED.concurrency} (${tunedSeconds} s): lateness min / p50 / p99 / max`,
        value: msSummary(tuned.lateness),
        target: 'p99 <= 50 ms',
        met: tuned.lateness.n > 0 && tuned.lateness.p99 <= 50,
      },
      {
        figure: `concurrency ${TUNED.concurrency}: enqueued (claim committed) min / p50 / p99 / max`,
        value: msSummary(tuned.firedLateness),
      },
      {
        figure: `concurrency ${TUNED.concurrency}: duplicates / gaps / never handled`,
        value: `${count(tuned.duplicates)} / ${count(tuned.gaps)} / ${count(tuned.missing)}`,
      },
    ];
    return {
      rows,
      notes: [
        `${count(schedules)} schedules \`* * * * * *\` for ${seconds} s, one scheduler process with default options, ` +
          `\`work(handler, { concurrency: ${CONCURRENCY} })\`, a no-op handler.`,
        `"concurrency ${TUNED.concurrency}": the same for ${tunedSeconds} s with default options and ` +
          `\`concurrency: ${TUNED.concurrency}\` (fewer slots than a tick: the runs beyond them are fetched after the commit).`,
        'Lateness: Date.now() at handler start minus run.scheduledFor (attempt 1), for ticks inside the window. ' +
          '"Enqueued": the `fired` event (after the claim commits) minus scheduledFor, the ticker’s share of it.',
        'Duplicates: a (schedule, scheduledFor) handled twice at attempt 1. Gaps: a missing second between a ' +
          'schedule’s first and last handled tick in the window. Ticks never handled: N x D minus unique ticks handled.',
      ],
    };
  },
};
