/**
 * One scheduler in its own process, driven by the benchmarks. Environment:
 *   DATABASE_URL       the database
 *   BENCH_OPTIONS      JSON of extra SchedulerOptions (default {})
 *   BENCH_CONCURRENCY  handlers at once for `work()`; 0 registers no worker (default 0)
 *   BENCH_REPORT       comma list of what to print: handled, fired (default none)
 * Prints JSON lines: {"ready":true}; {"h":[scheduleId, scheduledForMs, startMs, attempt]} per handled
 * run; {"f":[scheduleId, scheduledForMs, firedMs]} per fired run; {"stats":{...}} for every `stats`
 * line read on stdin; {"stopped":true} after SIGTERM. Queries are counted client-side by wrapping
 * pg's Client.query (the store's pool, the LISTEN client and pg-boss all go through it).
 */
import { createInterface } from 'node:readline';
import pg from 'pg';
import { createScheduler } from '../../lib/index.ts';
import { percentile } from './stats.ts';

let queries = 0;
/** BENCH_QUERY_TIMES=1 (diagnostics): round-trip times per statement, printed at stop to stderr. */
const timing = process.env.BENCH_QUERY_TIMES === '1';
const times = new Map<string, number[]>();
const originalQuery = pg.Client.prototype.query;
pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
  queries += 1;
  if (!timing) return (originalQuery as (...a: unknown[]) => unknown).apply(this, args);
  const first = args[0] as string | { text?: string };
  const text = (typeof first === 'string' ? first : (first?.text ?? '')).replace(/\s+/g, ' ').trim().slice(0, 70);
  const begun = performance.now();
  const record = () => {
    const list = times.get(text) ?? [];
    list.push(performance.now() - begun);
    times.set(text, list);
  };
  // pg-pool calls query() with a callback (pg-boss goes through it); our store awaits the promise.
  const last = args.at(-1);
  if (typeof last === 'function') {
    args[args.length - 1] = (...results: unknown[]) => {
      record();
      return (last as (...r: unknown[]) => unknown)(...results);
    };
  }
  const result = (originalQuery as (...a: unknown[]) => unknown).apply(this, args);
  if (result instanceof Promise) result.then(record, () => {});
  return result;
} as typeof originalQuery;

function printTimes(): void {
  const rows = [...times].map(([text, list]) => {
    const sorted = list.sort((a, b) => a - b);
    const at = (p: number) => percentile(sorted, p).toFixed(1);
    return { text, n: sorted.length, total: sorted.reduce((a, b) => a + b, 0), p50: at(50), p99: at(99) };
  });
  for (const r of rows.sort((a, b) => b.total - a.total).slice(0, 15)) {
    process.stderr.write(
      `${String(r.n).padStart(7)} x  p50 ${r.p50.padStart(6)} ms  p99 ${r.p99.padStart(6)} ms  ${r.text}\n`,
    );
  }
}

const report = new Set((process.env.BENCH_REPORT ?? '').split(',').filter(Boolean));
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? '0');
const options = JSON.parse(process.env.BENCH_OPTIONS ?? '{}') as Record<string, unknown>;

// Lines are batched: one write per 50 ms instead of one per run keeps the printing off the hot path.
let buffer: string[] = [];
const flush = (written?: () => void) => {
  if (buffer.length === 0) {
    written?.();
    return;
  }
  process.stdout.write(`${buffer.join('\n')}\n`, written);
  buffer = [];
};
const flushTimer = setInterval(flush, 50);
const print = (value: unknown) => buffer.push(JSON.stringify(value));

const scheduler = createScheduler({ ...options, connectionString: process.env.DATABASE_URL! });
scheduler.on('error', (error) => process.stderr.write(`scheduler error: ${error.message}\n`));
if (report.has('fired')) {
  scheduler.on('fired', (run) => print({ f: [run.scheduleId, run.scheduledFor.getTime(), Date.now()] }));
}
await scheduler.start();
if (concurrency > 0) {
  await scheduler.work(
    (run) => {
      const now = Date.now();
      if (report.has('handled')) print({ h: [run.scheduleId, run.scheduledFor.getTime(), now, run.attempt] });
    },
    { concurrency },
  );
}
print({ ready: true });
flush();

createInterface({ input: process.stdin }).on('line', (line) => {
  if (line.trim() !== 'stats') return;
  const memory = process.memoryUsage();
  const cpu = process.cpuUsage();
  print({
    stats: { t: Date.now(), rss: memory.rss, heapUsed: memory.heapUsed, cpuUs: cpu.user + cpu.system, queries },
  });
  flush();
});

process.on('SIGTERM', () => {
  void scheduler.stop({ timeoutSeconds: 5 }).finally(() => {
    if (timing) printTimes();
    print({ stopped: true });
    clearInterval(flushTimer);
    // Exit once the last lines are written: a pipe is written asynchronously, and exiting before
    // would cut the last line short.
    flush(() => process.exit(0));
  });
});
