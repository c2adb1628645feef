/**
 * Capacity curve: every-second schedules at rising counts (1k, 2k, 5k, 10k, 20k runs a second),
 * each sustained for a window, with 1, 2 and 4 firing processes on one PostgreSQL; and beside it,
 * in the same run, raw pg-boss (insert + fetch + complete, no scheduler) at the same rates: the
 * carrier's own ceiling. Per step: runs handled a second, handler-start lateness, duplicates and
 * gaps, PostgreSQL CPU and WAL bytes per run. A layout's higher steps are skipped once a step
 * breaks (falls behind), since they can only fall further behind.
 *
 * Environment (diagnostics; figures in RESULTS.md come from runs without them):
 * BENCH_CAPACITY_RATES="5000,10000", BENCH_CAPACITY_INSTANCES="1", BENCH_CAPACITY_SECONDS=20,
 * BENCH_CAPACITY_BASELINE=0 (no raw pg-boss).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { PgBoss } from 'pg-boss';
import { createBenchDatabase } from './database.ts';
import { lineCharts } from './plot.ts';
import { CONCURRENCY, everySecond } from './precision.ts';
import type { BenchContext, Benchmark, Row } from './report.ts';
import { type ServerSample, sampleServer, serverCpuMs, walBytes } from './server-load.ts';
import { count, ms, type Summary, summarize } from './stats.ts';

/** A step holds when it handles every tick of its window with p99 under this... */
const HOLD_P99_MS = 1000;
/** ...and the target the curve is judged by. */
const TARGET_P99_MS = 50;
/** Seconds after a window for its last runs to be handled. */
const DRAIN_SECONDS = 10;

interface Step {
  layout: string;
  rate: number;
  /** Runs handled a second (unique ticks of the window / its length). */
  handledPerSecond: number;
  lateness: Summary;
  duplicates: number;
  gaps: number;
  missing: number;
  /** PostgreSQL CPU, percent of one core (null: not measurable here). */
  serverCpuPercent: number | null;
  serverCpuMsPerRun: number | null;
  walBytesPerRun: number;
  /** Scheduler processes' CPU, percent of one core, all of them together (null for raw pg-boss). */
  clientCpuPercent: number | null;
}

const held = (s: Step) => s.missing === 0 && s.duplicates === 0 && s.lateness.p99 <= HOLD_P99_MS;

const listFromEnv = (name: string, fallback: number[]) =>
  process.env[name]
    ? process.env[name]
        .split(',')
        .map(Number)
        .filter((n) => n > 0)
    : fallback;

function serverFigures(first: ServerSample, last: ServerSample, seconds: number, runs: number) {
  const cpu = serverCpuMs(first, last);
  return {
    serverCpuPercent: cpu === null ? null : cpu / (seconds * 10),
    serverCpuMsPerRun: cpu === null || runs === 0 ? null : cpu / runs,
    walBytesPerRun: runs === 0 ? 0 : walBytes(first, last) / runs,
  };
}

async function schedulerStep(ctx: BenchContext, instances: number, rate: number, seconds: number): Promise<Step> {
  const o = await everySecond(ctx, `capacity_${instances}x${rate}`, {
    schedules: rate,
    seconds,
    instances,
    options: {},
    concurrency: CONCURRENCY,
    // One line per run handled; the `fired` lines would double what the processes print.
    report: ['handled'],
    sample: sampleServer,
    drainSeconds: DRAIN_SECONDS,
  });
  const [first, last] = o.samples as [ServerSample, ServerSample];
  const clientCpuUs = (o.instanceStats ?? []).reduce((sum, [a, b]) => sum + (b.cpuUs - a.cpuUs), 0);
  return {
    layout: `${instances} process${instances === 1 ? '' : 'es'}`,
    rate,
    handledPerSecond: o.unique / seconds,
    lateness: o.lateness,
    duplicates: o.duplicates,
    gaps: o.gaps,
    missing: o.missing,
    ...serverFigures(first, last, seconds, o.unique),
    clientCpuPercent: clientCpuUs / (seconds * 10_000),
  };
}

/**
 * Raw pg-boss at `rate` jobs a second: at each whole second one insert() of `rate` jobs (chunks of
 * 1,000, as the notes measured fastest), and workers that fetch() up to 1,000 and complete() them in
 * one call, as fast as they can. Lateness: fetched minus the second the jobs were due (the time the
 * insert began); a job is a run. A queue with `partition: true` (its own table: the fastest drains).
 */
async function rawStep(ctx: BenchContext, rate: number, seconds: number): Promise<Step> {
  const db = await createBenchDatabase(ctx.serverUrl, `capacity_raw${rate}`);
  const boss = new PgBoss({
    connectionString: db.url,
    schema: 'pgboss_raw',
    max: 10,
    schedule: false,
    supervise: false,
  });
  boss.on('error', (error) => ctx.log(`raw pg-boss: ${error.message}`));
  const queue = 'raw';
  const lateness: number[] = [];
  let duplicates = 0;
  const seen = new Set<string>();
  let stop = false;
  try {
    await boss.start();
    await boss.createQueue(queue, { partition: true });
    const startAt = Math.ceil(Date.now() / 1000) * 1000 + 2000;
    const endAt = startAt + seconds * 1000;
    const consumers = Array.from({ length: 4 }, async () => {
      while (!stop) {
        const jobs = await boss.fetch<{ due: number }>(queue, { batchSize: 1000 });
        if (jobs.length === 0) {
          await delay(5);
          continue;
        }
        const now = Date.now();
        for (const job of jobs) {
          if (seen.has(job.id)) duplicates++;
          else seen.add(job.id);
          if (job.data.due >= startAt && job.data.due < endAt) lateness.push(now - job.data.due);
        }
        await boss.complete(
          queue,
          jobs.map((j) => j.id),
        );
      }
    });
    let first: ServerSample | undefined;
    for (let at = startAt; at < endAt; at += 1000) {
      await delay(Math.max(0, at - Date.now()));
      first ??= await sampleServer(db);
      const jobs = Array.from({ length: rate }, () => ({ data: { due: at } }));
      for (let i = 0; i < jobs.length; i += 1000) await boss.insert(queue, jobs.slice(i, i + 1000));
    }
    await delay(Math.max(0, endAt - Date.now()));
    const last = await sampleServer(db);
    const deadline = endAt + DRAIN_SECONDS * 1000;
    while (lateness.length < rate * seconds && Date.now() < deadline) await delay(50);
    stop = true;
    await Promise.all(consumers);
    const handled = lateness.length;
    return {
      layout: 'raw pg-boss',
      rate,
      handledPerSecond: handled / seconds,
      lateness: summarize(lateness),
      duplicates,
      gaps: 0,
      missing: rate * seconds - handled,
      ...serverFigures(first!, last, seconds, handled),
      clientCpuPercent: null,
    };
  } finally {
    stop = true;
    await boss.stop({ graceful: false, close: true }).catch(() => {});
    await db.drop();
  }
}

const percent = (v: number | null) => (v === null ? 'n/a' : `${Math.round(v)}%`);

function describe(s: Step): string {
  return (
    `${count(s.handledPerSecond)}/s handled, lateness p50 ${ms(s.lateness.p50)} p99 ${ms(s.lateness.p99)}, ` +
    `dup ${s.duplicates} gaps ${s.gaps} missing ${count(s.missing)}, PostgreSQL CPU ${percent(s.serverCpuPercent)} ` +
    `(${s.serverCpuMsPerRun === null ? 'n/a' : s.serverCpuMsPerRun.toFixed(3)} ms/run), WAL ${count(s.walBytesPerRun)} B/run` +
    (s.clientCpuPercent === null ? '' : `, scheduler CPU ${percent(s.clientCpuPercent)}`)
  );
}

export const capacity: Benchmark = {
  name: 'capacity',
  title: '11. Capacity curve (every-second schedules; 1, 2 and 4 processes; raw pg-boss beside)',
  async run(ctx) {
    const rates = ctx.quick ? [200, 1000] : listFromEnv('BENCH_CAPACITY_RATES', [1000, 2000, 5000, 10_000, 20_000]);
    const layouts = ctx.quick ? [1, 2] : listFromEnv('BENCH_CAPACITY_INSTANCES', [1, 2, 4]);
    const seconds = ctx.quick ? 4 : Number(process.env.BENCH_CAPACITY_SECONDS ?? 60);
    const baseline = process.env.BENCH_CAPACITY_BASELINE !== '0';
    const steps: Step[] = [];
    const skipped: string[] = [];
    const run = async (layout: string, step: (rate: number) => Promise<Step>) => {
      for (const [i, rate] of rates.entries()) {
        const s = await step(rate);
        steps.push(s);
        ctx.log(`${layout} at ${count(rate)}/s: ${describe(s)}`);
        if (!held(s)) {
          const rest = rates.slice(i + 1);
          if (rest.length > 0)
            skipped.push(`${layout}: ${rest.map(count).join(', ')}/s not run (broke at ${count(rate)}/s)`);
          return;
        }
      }
    };
    for (const instances of layouts) {
      await run(`${instances} process(es)`, (rate) => schedulerStep(ctx, instances, rate, seconds));
    }
    if (baseline) await run('raw pg-boss', (rate) => rawStep(ctx, rate, seconds));

    const rows: Row[] = [];
    for (const s of steps) {
      rows.push({
        figure: `${s.layout}, ${count(s.rate)}/s: handled/s · lateness p50 / p99 · dup / gaps / missing · PG CPU (ms/run) · WAL/run${s.clientCpuPercent === null ? '' : ' · scheduler CPU'}`,
        value:
          `${count(s.handledPerSecond)} · ${ms(s.lateness.p50)} / ${ms(s.lateness.p99)} · ${s.duplicates} / ${s.gaps} / ${count(s.missing)} · ` +
          `${percent(s.serverCpuPercent)} (${s.serverCpuMsPerRun === null ? 'n/a' : s.serverCpuMsPerRun.toFixed(3)}) · ${count(s.walBytesPerRun)} B` +
          (s.clientCpuPercent === null ? '' : ` · ${percent(s.clientCpuPercent)}`),
      });
    }
    // The curve's verdicts: per layout, the highest rate on target, and where it broke.
    const layoutNames = [...new Set(steps.map((s) => s.layout))];
    for (const layout of layoutNames) {
      const mine = steps.filter((s) => s.layout === layout);
      const onTarget = mine.filter((s) => held(s) && s.gaps === 0 && s.lateness.p99 <= TARGET_P99_MS).at(-1);
      const broke = mine.find((s) => !held(s));
      rows.push({
        figure: `${layout}: highest rate with p99 <= ${TARGET_P99_MS} ms, 0 duplicates, 0 gaps; first rate that fell behind`,
        value: `${onTarget ? `${count(onTarget.rate)}/s` : 'none'}; ${broke ? `${count(broke.rate)}/s` : 'none up to the last step'}`,
      });
    }
    // Exactly once holds at every rate: no duplicate in any step. Every tick fired holds up to the
    // ceiling: past it (a step that fell behind) ticks are late by definition, and those claimed
    // later than the misfire grace are recorded as missed instead of fired (the catch-up policy).
    const schedulerSteps = steps.filter((x) => x.layout !== 'raw pg-boss');
    for (const s of schedulerSteps) {
      if (s.duplicates > 0 || (held(s) && s.gaps > 0)) {
        rows.push({
          figure: `${s.layout}, ${count(s.rate)}/s: duplicates + gaps`,
          value: count(s.duplicates + s.gaps),
          target: '0',
          met: false,
        });
      }
    }
    const duplicates = schedulerSteps.reduce((n, x) => n + x.duplicates, 0);
    const heldGaps = schedulerSteps.filter(held).reduce((n, x) => n + x.gaps, 0);
    rows.push({
      figure: 'duplicates over every scheduler step; gaps over the steps that held',
      value: `${count(duplicates)}; ${count(heldGaps)}`,
      target: '0; 0',
      met: duplicates === 0 && heldGaps === 0,
    });

    const notes = [
      `Every-second schedules (\`* * * * * *\`), ${seconds} s per step, with 1, 2 or 4 scheduler processes on one machine and ` +
        `one PostgreSQL; each process has default options and \`work(handler, { concurrency: ${CONCURRENCY} })\` with a no-op handler. ` +
        'Rates: schedules x 1 a second. Lateness: handler start minus the tick (attempt 1). A step "holds" when every tick of its ' +
        `window is handled (within ${DRAIN_SECONDS} s after it) once, with p99 <= ${HOLD_P99_MS} ms; once a step does not, the ` +
        'layout’s higher rates are not run.',
      'PostgreSQL CPU: user + system time of the backends of the benchmark’s database and of the server’s background ' +
        'processes (WAL writer, checkpointer, autovacuum), read from /proc over the window; percent of one core. WAL: ' +
        'pg_current_wal_lsn() over the window, divided by the runs handled. Scheduler CPU: process.cpuUsage() of all the ' +
        'scheduler processes together, percent of one core. On 2 cores, 200% is the whole machine.',
      'Raw pg-boss: no scheduler; at each second one `insert()` of that second’s jobs (chunks of 1,000), 4 loops of ' +
        '`fetch({ batchSize: 1000 })` + `complete(ids)` in the benchmark’s process, on a queue with `partition: true`. ' +
        'Lateness: fetched minus the second the jobs were for. It does no claim, keeps no run history and has no handler ' +
        'concurrency limit, so it is the carrier’s floor, not a like-for-like scheduler. Its loops fetch again 5 ms after an ' +
        'empty fetch: at low rates that polling is most of its PostgreSQL CPU.',
      'Gaps: ticks of a schedule missing between its first and last handled in the window. In a step that fell behind they ' +
        `are ticks not handled ${DRAIN_SECONDS} s after the window: still waiting, or claimed later than the misfire grace ` +
        '(5 s by default) and recorded as missed instead of fired, by design; the benchmark does not tell the two apart.',
      ...skipped,
    ];
    if (!ctx.quick) {
      const here = fileURLToPath(new URL('.', import.meta.url));
      await mkdir(join(here, 'results'), { recursive: true });
      await writeFile(join(here, 'results', 'capacity.svg'), plot(steps));
      notes.push(
        '![capacity curve: runs handled a second and p99 lateness against the offered rate](results/capacity.svg)',
      );
    }
    return { rows, notes };
  },
};

function plot(steps: Step[]): string {
  const layouts = [...new Set(steps.map((s) => s.layout))];
  const series = (y: (s: Step) => number) =>
    layouts.map((layout) => ({
      label: layout,
      dashed: layout === 'raw pg-boss',
      points: steps.filter((s) => s.layout === layout).map((s) => ({ x: s.rate, y: y(s) })),
    }));
  return lineCharts([
    {
      title: 'Runs handled a second',
      xLabel: 'offered (schedules firing every second)',
      yLabel: 'handled a second',
      series: series((s) => s.handledPerSecond),
      logX: true,
      logY: true,
      diagonal: true,
    },
    {
      title: 'Handler-start lateness, p99',
      xLabel: 'offered (schedules firing every second)',
      yLabel: 'p99 lateness, ms',
      series: series((s) => Math.max(1, s.lateness.p99)),
      logX: true,
      logY: true,
      rules: [{ y: TARGET_P99_MS, label: `${TARGET_P99_MS} ms target` }],
    },
  ]);
}
