/**
 * What the fault drills share: real server processes (`pg-cron-scheduler serve`), a free TCP port, the
 * database clock, the run history read straight from the `scheduler.runs` table, and the timeline
 * check behind "exactly one run per schedule per tick".
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import type { Page, Run, RunStatus, RunTrigger, Scheduler } from '../../lib/index.ts';
import { waitFor } from '../helpers/wait.ts';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** A child process that prints JSON lines (pino logs, or a fixture's events). */
export interface ChildHandle {
  readonly label: string;
  readonly child: ChildProcess;
  /** Every stdout line, parsed (`{ raw }` for a line that is not JSON). */
  readonly lines: Record<string, unknown>[];
  /** Everything written to stderr so far. */
  stderr(): string;
  /** Settles when the process exits. */
  readonly exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** A running `pg-cron-scheduler serve`. */
export interface ServerHandle extends ChildHandle {
  /** `http://127.0.0.1:<port>`. */
  readonly base: string;
}

/** Spawns `node --import tsx <script> <args>` from the project root with `env` added to ours. */
export function spawnChild(
  label: string,
  script: string,
  env: Record<string, string>,
  args: string[] = [],
): ChildHandle {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: Record<string, unknown>[] = [];
  let stderr = '';
  child.stderr!.on('data', (chunk) => {
    stderr += String(chunk);
  });
  createInterface({ input: child.stdout! }).on('line', (line) => {
    try {
      lines.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      lines.push({ raw: line });
    }
  });
  const exit = once(child, 'exit').then(([code, signal]) => ({
    code: code as number | null,
    signal: signal as NodeJS.Signals | null,
  }));
  return { label, child, lines, stderr: () => stderr, exit };
}

/** Starts the HTTP service on a free port and resolves once it listens. */
export async function startServer(label: string, env: Record<string, string>): Promise<ServerHandle> {
  const serverEnv = { PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env };
  const handle = spawnChild(label, 'cli/index.ts', serverEnv, ['serve']);
  const listening = await waitFor(
    `${label} to listen`,
    () => {
      if (handle.child.exitCode !== null || handle.child.signalCode !== null) {
        throw new Error(`${label} exited (${handle.child.exitCode ?? handle.child.signalCode}): ${handle.stderr()}`);
      }
      return handle.lines.find((line) => line.msg === 'listening');
    },
    { timeoutMs: 60_000 },
  );
  return { ...handle, base: `http://127.0.0.1:${listening.port}` };
}

/** Sends `signal` unless the process is gone, and waits for it to exit. */
export async function stopChild(
  handle: ChildHandle,
  signal: NodeJS.Signals,
): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (handle.child.exitCode === null && handle.child.signalCode === null) handle.child.kill(signal);
  return handle.exit;
}

export function isRunning(handle: ChildHandle): boolean {
  return handle.child.exitCode === null && handle.child.signalCode === null;
}

/** Log lines at level error or fatal whose message or error text matches `pattern`. */
export function errorLines(handle: ChildHandle, pattern: RegExp = /.*/): Record<string, unknown>[] {
  return handle.lines.filter((line) => {
    if (line.level !== 'error' && line.level !== 'fatal') return false;
    const err = line.err as { message?: string } | undefined;
    return pattern.test(`${line.msg ?? ''} ${err?.message ?? ''}`);
  });
}

/** The database's clock, epoch ms: the scheduler never compares the machines' own clocks either. */
export async function dbNow(sql: pg.Pool): Promise<number> {
  const { rows } = await sql.query('SELECT clock_timestamp() AS now');
  return (rows[0].now as Date).getTime();
}

/** Waits until the database's clock has reached `atMs`. */
export async function untilDbTime(sql: pg.Pool, atMs: number, what: string): Promise<void> {
  await waitFor(what, async () => (await dbNow(sql)) >= atMs, {
    timeoutMs: Math.max(atMs - Date.now(), 0) + 30_000,
    intervalMs: 20,
  });
}

export const SECOND = 1000;

/** One row of `scheduler.runs`, as the drills read it (instants in epoch ms). */
export interface RunRow {
  schedule: string;
  id: string;
  scheduledFor: number;
  lastScheduledFor: number;
  tickCount: number;
  trigger: RunTrigger;
  status: RunStatus;
  attempts: number;
  startedAt: number | null;
  finishedAt: number | null;
}

/**
 * Every run of the named schedules, oldest tick first, through the public API (`scheduler.runs()`):
 * the history a user reads, whatever the engine stores underneath.
 */
export async function readRuns(reader: Scheduler, names: string[]): Promise<RunRow[]> {
  const rows: RunRow[] = [];
  for (const name of names) {
    let cursor: string | null = null;
    do {
      const page: Page<Run> = await reader.runs(name, { limit: 1000, cursor });
      for (const r of page.items) {
        rows.push({
          schedule: name,
          id: r.id,
          scheduledFor: r.scheduledFor.getTime(),
          lastScheduledFor: r.lastScheduledFor.getTime(),
          tickCount: r.tickCount,
          trigger: r.trigger,
          status: r.status,
          attempts: r.attempts,
          startedAt: r.startedAt?.getTime() ?? null,
          finishedAt: r.finishedAt?.getTime() ?? null,
        });
      }
      cursor = page.nextCursor;
    } while (cursor);
  }
  return rows.sort((a, b) => a.schedule.localeCompare(b.schedule) || a.scheduledFor - b.scheduledFor);
}

/** Runs grouped by schedule name. */
export function bySchedule(runs: RunRow[]): Map<string, RunRow[]> {
  return Map.groupBy(runs, (run) => run.schedule);
}

/** Runs not settled yet: queued or running. */
export function openRuns(runs: RunRow[]): RunRow[] {
  return runs.filter((run) => run.status === 'queued' || run.status === 'running');
}

/**
 * For an every-second schedule: which whole seconds of [fromMs, toMs] are covered by no record
 * (gaps) or by more than one (duplicates). A fired run covers its tick; a `missed` record covers
 * every tick from its first to its last.
 */
export function checkEverySecond(
  runs: RunRow[],
  fromMs: number,
  toMs: number,
): { gaps: number[]; duplicates: number[] } {
  const covered = new Map<number, number>();
  for (const run of runs) {
    if (run.trigger === 'manual') continue;
    const last = run.status === 'missed' ? run.lastScheduledFor : run.scheduledFor;
    for (let t = run.scheduledFor; t <= last; t += SECOND) covered.set(t, (covered.get(t) ?? 0) + 1);
  }
  const gaps: number[] = [];
  const duplicates: number[] = [];
  for (let t = fromMs; t <= toMs; t += SECOND) {
    const n = covered.get(t) ?? 0;
    if (n === 0) gaps.push(t);
    if (n > 1) duplicates.push(t);
  }
  return { gaps, duplicates };
}

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** Lines the bundled worker wrote: `<ran at> <run id> <scheduled for> <fields>`, per job log file. */
export async function readWorkerLogs(
  logDir: string,
): Promise<{ job: string; runId: string; scheduledFor: number; ranAt: number }[]> {
  const found: { job: string; runId: string; scheduledFor: number; ranAt: number }[] = [];
  for (const file of await readdir(logDir)) {
    if (!file.endsWith('.log')) continue;
    const job = file.slice(0, -'.log'.length);
    for (const line of (await readFile(path.join(logDir, file), 'utf8')).split('\n')) {
      const match = /^(\S+) ([0-9a-f-]{36}) (\S+) /.exec(line);
      if (match) {
        found.push({ job, runId: match[2]!, scheduledFor: Date.parse(match[3]!), ranAt: Date.parse(match[1]!) });
      }
    }
  }
  return found;
}

const traceStart = performance.now();
/** With FAULTS_TRACE=1, prints a drill's progress with the seconds since the drill module loaded. */
export function trace(message: string): void {
  if (process.env['FAULTS_TRACE'])
    console.log(`[${((performance.now() - traceStart) / 1000).toFixed(1)} s] ${message}`);
}
