/**
 * `npm run bench`: runs the benchmarks in order, prints a table, and (full mode) writes
 * test/bench/results/<name>.json and rebuilds test/bench/RESULTS.md from them.
 *
 *   npm run bench                         everything, about 45 minutes on 2 cores
 *   npm run bench -- --quick              tiny sizes and durations: a smoke run (about 5 minutes), writes nothing
 *   npm run bench -- --only=burst,api     just these
 *
 * Uses DATABASE_URL (a superuser URL: each benchmark creates and drops its own database) or, when it
 * is unset, a throwaway embedded PostgreSQL. Exits non-zero only when a benchmark crashes; a missed
 * target shows as MISSED in the table.
 *
 * Diagnostics (environment): BENCH_NODE_FLAGS is passed to every scheduler/server child process (e.g.
 * `--cpu-prof --cpu-prof-dir=/tmp/prof`); BENCH_DB_SET="synchronous_commit=off" is applied to each new
 * database; BENCH_DEBUG=1 logs raw samples; BENCH_QUERY_TIMES=1 makes each scheduler child print its
 * slowest statements (count, p50, p99 round trip) when it stops. None is set by `npm run bench`; figures in RESULTS.md come
 * from runs without them.
 */
import { mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import os, { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type EmbeddedPostgres, startEmbeddedPostgres } from '../../lib/embedded-postgres.ts';
import { api } from './api.ts';
import { baseline } from './baseline-pgboss.ts';
import { burst } from './burst.ts';
import { capacity } from './capacity.ts';
import { memory } from './memory.ts';
import { multi } from './multi.ts';
import { precision } from './precision.ts';
import { type Benchmark, type BenchResult, consoleTable, describeMachine, resultsMarkdown } from './report.ts';
import { retention } from './retention.ts';
import { roles } from './roles.ts';
import { scale } from './scale.ts';
import { serverTick } from './server-tick.ts';
import { spread } from './spread.ts';
import { webhooks } from './webhooks.ts';

const BENCHMARKS: Benchmark[] = [
  precision,
  baseline,
  burst,
  multi,
  api,
  scale,
  retention,
  memory,
  webhooks,
  serverTick,
  roles,
  capacity,
  spread,
];
const HERE = fileURLToPath(new URL('.', import.meta.url));
const RESULTS_DIR = join(HERE, 'results');

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const onlyArg = args.find((a) => a.startsWith('--only='));
const only = onlyArg ? onlyArg.slice('--only='.length).split(',').filter(Boolean) : null;
const unknown = only?.filter((name) => !BENCHMARKS.some((b) => b.name === name)) ?? [];
if (unknown.length > 0) {
  console.error(
    `bench: unknown benchmark(s) ${unknown.join(', ')}; known: ${BENCHMARKS.map((b) => b.name).join(', ')}`,
  );
  process.exit(2);
}
const selected = BENCHMARKS.filter((b) => !only || only.includes(b.name));

const started = performance.now();
const log = (message: string) => {
  const seconds = ((performance.now() - started) / 1000).toFixed(1).padStart(6);
  console.log(`[${seconds}s] ${message}`);
};

let embedded: EmbeddedPostgres | undefined;
let serverUrl = process.env.DATABASE_URL;
if (!serverUrl) {
  embedded = await startEmbeddedPostgres({ dataDir: await mkdtemp(join(tmpdir(), 'pg-cron-bench-')), ephemeral: true });
  serverUrl = embedded.connectionString;
  log(`embedded PostgreSQL on port ${embedded.port}`);
}

const machine = await describeMachine(serverUrl);
log(
  `${quick ? 'quick' : 'full'} run: ${selected.map((b) => b.name).join(', ')} — Node ${machine.node}, ` +
    `PostgreSQL ${machine.postgres}, pg-boss ${machine.pgBoss}, ${machine.cores} cores`,
);

const results: BenchResult[] = [];
const crashed: string[] = [];
for (const bench of selected) {
  const load = () => os.loadavg()[0]!.toFixed(1);
  const loadBefore = load();
  log(`${bench.name}: start (load average ${loadBefore})`);
  const t0 = performance.now();
  try {
    const result = await bench.run({ serverUrl, quick, log: (m) => log(`${bench.name}: ${m}`) });
    // Other work on a shared machine moves every figure: say how busy it was.
    result.notes.push(
      `1-minute load average ${loadBefore} at the start, ${load()} at the end (${machine.cores} cores).`,
    );
    results.push({
      ...result,
      name: bench.name,
      title: bench.title,
      durationMs: performance.now() - t0,
      date: new Date().toISOString(),
    });
    log(`${bench.name}: done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  } catch (error) {
    crashed.push(bench.name);
    console.error(`bench: ${bench.name} crashed:`, error);
    results.push({
      name: bench.name,
      title: bench.title,
      rows: [{ figure: 'crashed', value: (error as Error).message.slice(0, 200) }],
      notes: [],
      durationMs: performance.now() - t0,
      date: new Date().toISOString(),
    });
  }
}

console.log(`\n${consoleTable(results)}\n`);
log(`total ${((performance.now() - started) / 1000).toFixed(1)} s${quick ? ' (quick mode: nothing written)' : ''}`);

if (!quick) {
  await mkdir(RESULTS_DIR, { recursive: true });
  for (const result of results) {
    if (crashed.includes(result.name)) continue;
    await writeFile(join(RESULTS_DIR, `${result.name}.json`), `${JSON.stringify(result, null, 2)}\n`);
  }
  const stored: BenchResult[] = [];
  for (const file of (await readdir(RESULTS_DIR)).filter((f) => f.endsWith('.json'))) {
    stored.push(JSON.parse(await readFile(join(RESULTS_DIR, file), 'utf8')) as BenchResult);
  }
  const order = BENCHMARKS.map((b) => b.name);
  await writeFile(
    join(HERE, 'RESULTS.md'),
    resultsMarkdown(
      machine,
      stored.filter((r) => order.includes(r.name)),
      order,
    ),
  );
  log('wrote test/bench/RESULTS.md');
}

await embedded?.stop();
if (crashed.length > 0) {
  console.error(`bench: crashed: ${crashed.join(', ')}`);
  process.exit(1);
}
process.exit(0);
