/**
 * Starts instance.ts children and collects what they print.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { SchedulerOptions } from '../../lib/index.ts';

/** BENCH_INSTANCE (diagnostics): another instance.ts, e.g. in a copy of the repository with a patched lib/. */
const INSTANCE = process.env.BENCH_INSTANCE ?? fileURLToPath(new URL('./instance.ts', import.meta.url));
export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface Handled {
  scheduleId: string;
  scheduledForMs: number;
  startMs: number;
  attempt: number;
}

export interface Fired {
  scheduleId: string;
  scheduledForMs: number;
  firedMs: number;
}

export interface InstanceStats {
  t: number;
  rss: number;
  heapUsed: number;
  cpuUs: number;
  queries: number;
}

export interface Instance {
  handled: Handled[];
  fired: Fired[];
  stats(): Promise<InstanceStats>;
  stop(): Promise<void>;
  stderr: () => string;
}

/**
 * Node flags for children: BENCH_NODE_FLAGS (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`) is passed
 * on, so a missed target can be profiled without editing the benchmark.
 */
export function nodeArgs(script: string): string[] {
  const extra = (process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean);
  return [...extra, '--import', 'tsx', script];
}

export async function startInstance({
  url,
  options = {},
  concurrency = 0,
  report = [],
  readyTimeoutMs = 60_000,
}: {
  url: string;
  options?: Partial<SchedulerOptions>;
  concurrency?: number;
  report?: ('handled' | 'fired')[];
  readyTimeoutMs?: number;
}): Promise<Instance> {
  const child: ChildProcess = spawn(process.execPath, nodeArgs(INSTANCE), {
    cwd: ROOT,
    env: {
      ...process.env,
      DATABASE_URL: url,
      BENCH_OPTIONS: JSON.stringify(options),
      BENCH_CONCURRENCY: String(concurrency),
      BENCH_REPORT: report.join(','),
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const handled: Handled[] = [];
  const fired: Fired[] = [];
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-20_000);
  });
  const statsWaiters: ((s: InstanceStats) => void)[] = [];
  let readyResolve!: () => void;
  const ready = new Promise<void>((resolve) => {
    readyResolve = resolve;
  });
  let stopped = false;
  const exited = once(child, 'exit');
  createInterface({ input: child.stdout! }).on('line', (line) => {
    if (!line.startsWith('{')) return;
    const message = JSON.parse(line) as {
      h?: [string, number, number, number];
      f?: [string, number, number];
      stats?: InstanceStats;
      ready?: boolean;
    };
    if (message.h) {
      const [scheduleId, scheduledForMs, startMs, attempt] = message.h;
      handled.push({ scheduleId, scheduledForMs, startMs, attempt });
    } else if (message.f) {
      const [scheduleId, scheduledForMs, firedMs] = message.f;
      fired.push({ scheduleId, scheduledForMs, firedMs });
    } else if (message.stats) statsWaiters.shift()?.(message.stats);
    else if (message.ready) readyResolve();
  });
  const failed = exited.then(([code]) => {
    if (!stopped) throw new Error(`instance exited early (code ${code}): ${stderr.slice(-2000)}`);
  });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`instance not ready within ${readyTimeoutMs} ms: ${stderr}`)),
      readyTimeoutMs,
    );
  });
  try {
    await Promise.race([ready, failed, timeout]);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  } finally {
    clearTimeout(timer);
  }
  failed.catch(() => {});
  return {
    handled,
    fired,
    stderr: () => stderr,
    stats: () =>
      new Promise((resolve) => {
        statsWaiters.push(resolve);
        child.stdin!.write('stats\n');
      }),
    stop: async () => {
      if (stopped) return;
      stopped = true;
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      const guard = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(guard);
      if (process.env.BENCH_QUERY_TIMES === '1') process.stderr.write(stderr);
    },
  };
}
