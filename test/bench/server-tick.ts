/**
 * The headline with the defaults a user runs: the bundled server started as `npm start` starts it
 * (scripts/serve.sh: the built dist/, its node flags and MALLOC_ARENA_MAX; every setting at its
 * default, LOG_LEVEL info included, the bundled log-file worker on), 1,000 jobs created through
 * POST /jobs on `* * * * *`, and the lines the sink writes at the next minute ticks. Lateness of a
 * line: the ISO time it starts with (taken by the sink as the handler starts, see formatLine) minus
 * the scheduled minute; and the file's mtime (the write done) minus the minute, as a cross-check.
 *
 * Quick mode: a 6-field cron at two seconds a few seconds ahead (`S1,S2 * * * * *`): two ticks 4 s
 * apart, in under 20 s.
 *
 * Diagnostics (never set by `npm run bench`): BENCH_NODE_FLAGS goes to the server as NODE_OPTIONS
 * (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`); BENCH_SERVER_ENV="NAME=value;NAME=value" adds
 * variables to the server's environment (e.g. LOG_LEVEL=warn) to test a hypothesis;
 * BENCH_SERVER_STDOUT=<file> keeps the server's stdout (its JSON log) in that file.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream, existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { freePort } from '../../lib/embedded-postgres.ts';
import { createBenchDatabase } from './database.ts';
import { CONCURRENCY as CREATE_CONCURRENCY, drive } from './memory.ts';
import type { Benchmark, Row } from './report.ts';
import { ROOT } from './spawn.ts';
import { count, ms, summarize } from './stats.ts';

const JOBS = 1000;
/** A tick that starts sooner than this after the last job was created is not measured. */
const MIN_LEAD_MS = 5000;
/** How long after a tick its lines may take before the benchmark stops waiting for them. */
const TICK_DEADLINE_MS = 20_000;
const TARGET_P99_MS = 50;
/** Quick mode: the first tick this far after the start of the creation, the second this much later. */
const QUICK_LEAD_MS = 9000;
const QUICK_GAP_MS = 4000;
/** How long after a tick its lines are first read (see the wait in run()); quick mode, with ticks QUICK_GAP_MS apart. */
const READ_AFTER_MS = 2000;
const QUICK_READ_AFTER_MS = 1000;

/** The server's CPU time (user + system, ms) and RSS (MiB), read from /proc. */
export async function processStats(pid: number): Promise<{ cpuMs: number; rssMiB: number }> {
  const [statLine, status] = await Promise.all([
    readFile(`/proc/${pid}/stat`, 'utf8'),
    readFile(`/proc/${pid}/status`, 'utf8'),
  ]);
  // Fields after the command name (which may hold spaces, so split after its closing parenthesis).
  const fields = statLine.slice(statLine.lastIndexOf(')') + 2).split(' ');
  const ticksPerSecond = 100;
  const cpuMs = ((Number(fields[11]) + Number(fields[12])) / ticksPerSecond) * 1000;
  const rssMiB = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024;
  return { cpuMs, rssMiB };
}

interface TickLines {
  /** Line time minus the scheduled instant, one per line of that instant. */
  lateness: number[];
  /** mtime of each file that has a line of that instant, minus the instant. */
  mtimeLateness: number[];
  lines: number;
  duplicates: number;
}

/**
 * Reads every log file and returns the lines of `scheduledMs`: a line is `<ISO time> <run id>
 * <scheduled ISO> <fields JSON>`. A second line of one job for one instant is a duplicate.
 */
async function readTick(logDir: string, scheduledMs: number): Promise<TickLines> {
  const out: TickLines = { lateness: [], mtimeLateness: [], lines: 0, duplicates: 0 };
  const scheduledIso = new Date(scheduledMs).toISOString();
  for (const file of await readdir(logDir)) {
    const path = join(logDir, file);
    const [text, info] = await Promise.all([readFile(path, 'utf8'), stat(path)]);
    let seen = 0;
    for (const line of text.split('\n')) {
      const [written, , scheduled] = line.split(' ', 3);
      if (scheduled !== scheduledIso) continue;
      seen += 1;
      if (seen > 1) {
        out.duplicates += 1;
        continue;
      }
      out.lines += 1;
      out.lateness.push(Date.parse(written!) - scheduledMs);
    }
    // The file's last write: the line of this tick while no later tick has written to it.
    if (seen > 0) out.mtimeLateness.push(info.mtimeMs - scheduledMs);
  }
  return out;
}

/** CPU time (ms) per thread name of a process (diagnostics: which threads a tick keeps busy). */
async function threadCpu(pid: number): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const tid of await readdir(`/proc/${pid}/task`).catch(() => [])) {
    const line = await readFile(`/proc/${pid}/task/${tid}/stat`, 'utf8').catch(() => '');
    if (!line) continue;
    const name = line.slice(line.indexOf('(') + 1, line.lastIndexOf(')'));
    const fields = line.slice(line.lastIndexOf(')') + 2).split(' ');
    out.set(name, (out.get(name) ?? 0) + (Number(fields[11]) + Number(fields[12])) * 10);
  }
  return out;
}

/** The server's extra environment for a diagnostic run (BENCH_SERVER_ENV). */
function extraEnv(): Record<string, string> {
  const pairs = (process.env.BENCH_SERVER_ENV ?? '').split(';').filter(Boolean);
  return Object.fromEntries(pairs.map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]));
}

/** Starts the server as `npm start` does; resolves once /health/ready answers. */
export async function startServe(
  env: Record<string, string>,
): Promise<{ child: ChildProcess; base: string; stdoutBytes: () => number; stderr: () => string }> {
  const port = await freePort();
  const child = spawn('sh', ['scripts/serve.sh'], {
    cwd: ROOT,
    env: {
      ...process.env,
      // The benchmark's own NODE_OPTIONS (tsx's loader) are not the server's.
      NODE_OPTIONS: process.env.BENCH_NODE_FLAGS ?? '',
      PORT: String(port),
      HOST: '127.0.0.1',
      ...env,
    },
    // stdout is read (and counted) as a terminal or a log collector would read it.
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdoutBytes = 0;
  // Diagnostics: BENCH_SERVER_STDOUT=<file> keeps the server's stdout (its JSON log).
  const keep = process.env.BENCH_SERVER_STDOUT ? createWriteStream(process.env.BENCH_SERVER_STDOUT) : null;
  child.stdout!.on('data', (c: Buffer) => {
    stdoutBytes += c.length;
    keep?.write(c);
  });
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => {
    stderr = (stderr + c.toString()).slice(-5000);
  });
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  while (
    !(await fetch(`${base}/health/ready`).then(
      (r) => r.ok,
      () => false,
    ))
  ) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`server did not start: ${stderr}`);
    }
    await delay(200);
  }
  return { child, base, stdoutBytes: () => stdoutBytes, stderr: () => stderr };
}

export async function stopServe(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const guard = setTimeout(() => child.kill('SIGKILL'), 60_000);
  await exited;
  clearTimeout(guard);
}

export const serverTick: Benchmark = {
  name: 'server-tick',
  title: '9. The bundled server as shipped: a 1,000-job minute tick (npm start, defaults)',
  async run(ctx) {
    if (!existsSync(join(ROOT, 'dist/cli/index.js'))) throw new Error('dist/ is missing: run npm run build first');
    const ticks = ctx.quick ? 2 : 3;
    const db = await createBenchDatabase(ctx.serverUrl, 'server_tick');
    const logDir = await mkdtemp(join(tmpdir(), 'bench-server-tick-logs-'));
    const extra = extraEnv();
    if (Object.keys(extra).length > 0) ctx.log(`diagnostic environment: ${JSON.stringify(extra)}`);
    const server = await startServe({ DATABASE_URL: db.url, LOG_DIR: logDir, ...extra });
    try {
      const idle = await processStats(server.child.pid!);
      // Quick mode: two seconds of the minute far enough ahead for the creation to finish first
      // (the first tick opens the files, the second finds them open, as every later minute does).
      const quickFirstMs = Math.ceil((Date.now() + QUICK_LEAD_MS) / 1000) * 1000;
      const quickSeconds = [quickFirstMs, quickFirstMs + QUICK_GAP_MS].map((at) => new Date(at).getUTCSeconds());
      const cron = ctx.quick ? `${quickSeconds.join(',')} * * * * *` : '* * * * *';
      const createStart = performance.now();
      const json = { 'Content-Type': 'application/json' };
      await drive(JOBS, (i) =>
        fetch(`${server.base}/jobs`, {
          method: 'POST',
          headers: json,
          body: JSON.stringify({ name: `minute-${i}`, cron, job_fields: { i } }),
        }),
      );
      const createMs = performance.now() - createStart;
      ctx.log(`${count(JOBS)} jobs created through POST /jobs in ${ms(createMs)} (cron ${cron})`);
      if (ctx.quick && Date.now() > quickFirstMs - 1000) {
        throw new Error(`creating the jobs took too long (${ms(createMs)}): the quick ticks were not ahead any more`);
      }

      // The instants to measure: full mode, the first minute at least MIN_LEAD_MS away, then the next ones.
      let firstMinute = Math.ceil(Date.now() / 60_000) * 60_000;
      if (firstMinute - Date.now() < MIN_LEAD_MS) firstMinute += 60_000;
      const instants = ctx.quick
        ? [quickFirstMs, quickFirstMs + QUICK_GAP_MS]
        : Array.from({ length: ticks }, (_, k) => firstMinute + k * 60_000);

      const perTick: TickLines[] = [];
      const cpuPerTick: number[] = [];
      const logBytesPerTick: number[] = [];
      for (const at of instants) {
        ctx.log(`waiting for the tick at ${new Date(at).toISOString()}`);
        await delay(Math.max(0, at - (ctx.quick ? 1500 : 2000) - Date.now()));
        const before = await processStats(server.child.pid!);
        const threadsBefore = await threadCpu(server.child.pid!);
        const bytesBefore = server.stdoutBytes();
        // Not read during the tick: reading 1,000 files (a readdir, a read and a stat each, on this
        // process's thread pool) would compete with the server's writes for the 2 cores, and its
        // cost would be measured as the server's lateness. From READ_AFTER_MS on, polled until every
        // line is there or the deadline passes.
        await delay(Math.max(0, at + (ctx.quick ? QUICK_READ_AFTER_MS : READ_AFTER_MS) - Date.now()));
        let lines = await readTick(logDir, at);
        while (lines.lines < JOBS && Date.now() < at + (ctx.quick ? QUICK_GAP_MS - 1600 : TICK_DEADLINE_MS)) {
          await delay(250);
          lines = await readTick(logDir, at);
        }
        const after = await processStats(server.child.pid!);
        const l = summarize(lines.lateness);
        ctx.log(
          `tick ${new Date(at).toISOString()}: ${count(lines.lines)} / ${count(JOBS)} lines, lateness p50 ${ms(l.p50)}, ` +
            `p99 ${ms(l.p99)}, max ${ms(l.max)}; mtime p99 ${ms(summarize(lines.mtimeLateness).p99)}; ` +
            `server CPU ${ms(after.cpuMs - before.cpuMs)}, RSS ${after.rssMiB.toFixed(0)} MiB, ` +
            `${count(server.stdoutBytes() - bytesBefore)} bytes of log`,
        );
        if (process.env.BENCH_DEBUG === '1') {
          // Lines per 10 ms after the instant: where a tick's lines clump.
          const buckets = new Map<number, number>();
          for (const v of lines.lateness)
            buckets.set(Math.floor(v / 10) * 10, (buckets.get(Math.floor(v / 10) * 10) ?? 0) + 1);
          // The instant on CLOCK_MONOTONIC (µs), the clock of a --cpu-prof profile's timestamps.
          const monotonicUs = Number(process.hrtime.bigint() / 1000n) - (Date.now() - at) * 1000;
          ctx.log(`  tick at monotonic ${monotonicUs} µs`);
          const threadsAfter = await threadCpu(server.child.pid!);
          const perThread = [...threadsAfter].map(([name, cpu]) => `${name} ${cpu - (threadsBefore.get(name) ?? 0)}`);
          ctx.log(`  CPU ms per thread: ${perThread.join(', ')}`);
          ctx.log(
            `  lines per 10 ms: ${[...buckets]
              .sort((a, b) => a[0] - b[0])
              .map(([k, n]) => `${k}:${n}`)
              .join(' ')}`,
          );
        }
        perTick.push(lines);
        cpuPerTick.push(after.cpuMs - before.cpuMs);
        logBytesPerTick.push(server.stdoutBytes() - bytesBefore);
      }
      const end = await processStats(server.child.pid!);

      // The first tick after the jobs were created also creates their 1,000 files (about a millisecond
      // each on ext4, a filesystem cost paid once per job); every later tick finds them open.
      const steady = perTick.slice(1);
      const all = summarize(steady.flatMap((t) => t.lateness));
      const mtime = summarize(steady.flatMap((t) => t.mtimeLateness));
      const first = summarize(perTick[0]!.lateness);
      const firstMtime = summarize(perTick[0]!.mtimeLateness);
      const written = perTick.reduce((a, t) => a + t.lines, 0);
      const duplicates = perTick.reduce((a, t) => a + t.duplicates, 0);
      const expected = JOBS * ticks;
      const rows: Row[] = [
        {
          figure: `lateness of the lines (line time - scheduled instant), p50 / p99 / max, ticks 2-${ticks} (files exist)`,
          value: `${ms(all.p50)} / ${ms(all.p99)} / ${ms(all.max)}`,
          target: `p99 <= ${TARGET_P99_MS} ms`,
          met: all.n > 0 && all.p99 <= TARGET_P99_MS,
        },
        ...perTick.map((t, k) => {
          const s = summarize(t.lateness);
          return {
            figure: `tick ${k + 1}: lateness p50 / p99 / max`,
            value: `${ms(s.p50)} / ${ms(s.p99)} / ${ms(s.max)}`,
          };
        }),
        {
          figure: `file mtime - scheduled instant (the write done), p50 / p99 / max, ticks 2-${ticks}`,
          value: `${ms(mtime.p50)} / ${ms(mtime.p99)} / ${ms(mtime.max)}`,
        },
        {
          figure: 'tick 1 (creates the 1,000 files): lines, then mtime, p50 / p99 / max',
          value:
            `${ms(first.p50)} / ${ms(first.p99)} / ${ms(first.max)}; ` +
            `${ms(firstMtime.p50)} / ${ms(firstMtime.p99)} / ${ms(firstMtime.max)}`,
        },
        {
          figure: 'lines written / expected, duplicates',
          value: `${count(written)} / ${count(expected)}, ${count(duplicates)}`,
          target: `${count(expected)} / ${count(expected)}, 0`,
          met: written === expected && duplicates === 0,
        },
        {
          figure: 'server CPU per tick (from 2 s before to the last line read), median',
          value: ms([...cpuPerTick].sort((a, b) => a - b)[Math.floor(cpuPerTick.length / 2)]!),
        },
        {
          figure: 'server stdout (its JSON log) per tick, median',
          value: `${count([...logBytesPerTick].sort((a, b) => a - b)[Math.floor(logBytesPerTick.length / 2)]!)} bytes`,
        },
        {
          figure: 'server RSS idle before the jobs / after the ticks',
          value: `${idle.rssMiB.toFixed(0)} / ${end.rssMiB.toFixed(0)} MiB`,
        },
        { figure: `${count(JOBS)} jobs created through POST /jobs`, value: ms(createMs) },
      ];
      return {
        rows,
        notes: [
          'The server as `npm start` runs it: `sh scripts/serve.sh` (built dist/, its node flags, MALLOC_ARENA_MAX=1), ' +
            'DATABASE_URL of a fresh database, LOG_DIR a temporary folder, PORT a free one; every other setting at its ' +
            'default (LOG_LEVEL=info; its stdout read through a pipe). A `.env` in the repository would be read too, as by npm start.',
          `${count(JOBS)} jobs created with POST /jobs (${CREATE_CONCURRENCY} at a time), cron \`${ctx.quick ? 'S1,S2 * * * * *' : '* * * * *'}\`; ` +
            `the first tick at least ${MIN_LEAD_MS / 1000} s after the last job was created, then ${ticks - 1} more.`,
          'Lateness: the ISO time a line starts with (the sink takes it as the handler starts) minus the scheduled ' +
            'instant; mtime: the file modification time (the write done; the kernel keeps it to a few ms) minus the ' +
            'instant. Files are read from 2 s after the tick, never during it. The target holds for the ticks after ' +
            'the first: the first also creates the 1,000 files, a filesystem cost of about 1 ms per new file here, ' +
            'paid once per job (shown on its own row).',
        ],
      };
    } finally {
      await stopServe(server.child);
      await db.drop();
      await rm(logDir, { recursive: true, force: true });
    }
  },
};
