/**
 * The fault drills behind the README's guarantees. Each is one function, parameterised by size and
 * duration: `test/faults/*.test.ts` run the long forms (`npm run test:faults`), and
 * `test/integration/faults-*.test.ts` run short forms of the same code in `npm test`.
 *
 * Every drill makes its own database (or, for the restart drill, its own PostgreSQL), asserts with
 * node:assert, cleans up, and returns a few numbers for the test to print.
 */
import assert from 'node:assert/strict';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { freePort } from '../../lib/embedded-postgres.ts';
import {
  type CatchUpPolicy,
  createScheduler,
  type EmbeddedPostgres,
  type RunContext,
  type Scheduler,
  startEmbeddedPostgres,
} from '../../lib/index.ts';
import { createTestDatabase } from '../helpers/database.ts';
import { waitFor } from '../helpers/wait.ts';
import {
  bySchedule,
  type ChildHandle,
  checkEverySecond,
  dbNow,
  errorLines,
  iso,
  isRunning,
  openRuns,
  type RunRow,
  readRuns,
  readWorkerLogs,
  SECOND,
  type ServerHandle,
  spawnChild,
  startServer,
  stopChild,
  trace,
  untilDbTime,
} from './support.ts';

const EVERY_SECOND = '* * * * * *';
const POLICIES = ['skip', 'latest', 'all'] as const satisfies readonly CatchUpPolicy[];

function describeInstants(instants: number[]): string {
  const shown = instants.slice(0, 5).map(iso).join(', ');
  return instants.length > 5 ? `${shown} and ${instants.length - 5} more` : shown;
}

/** Asserts exactly one record per second of [fromMs, toMs] for every schedule in `runs`. */
function assertExactlyOnce(name: string, runs: RunRow[], fromMs: number, toMs: number): void {
  const { gaps, duplicates } = checkEverySecond(runs, fromMs, toMs);
  assert.deepEqual(duplicates.map(iso), [], `${name}: ticks with more than one run: ${describeInstants(duplicates)}`);
  assert.deepEqual(gaps.map(iso), [], `${name}: ticks with no run: ${describeInstants(gaps)}`);
}

// --- Crash ------------------------------------------------------------------------------------------

export interface CrashOptions {
  /** Server processes on the one database. */
  processes: number;
  /** Every-second jobs. */
  jobs: number;
  /** Length of the checked window. */
  seconds: number;
  /** One process is SIGKILLed (round robin) and restarted this often. */
  killEverySeconds: number;
  /** pg-boss expiry of an attempt: runs in flight on a killed process are retried after it. */
  runTimeoutSeconds: number;
}

export interface CrashSummary {
  kills: number;
  runs: number;
  /** Runs whose handler started more than once (in flight on a killed process, then retried). */
  retried: number;
  /** Log lines beyond one per run: handler executions repeated by the retries (at-least-once). */
  repeatedExecutions: number;
  /** From the end of the window until every run had finished. */
  settleMs: number;
}

/**
 * N server processes on one database, M every-second jobs; one process is SIGKILLed and restarted
 * every few seconds. Afterwards every job has exactly one run for every second of the window, each
 * run succeeded, and the bundled worker wrote a line for each (more than one only for retried runs).
 */
export async function crashDrill(o: CrashOptions): Promise<CrashSummary> {
  const db = await createTestDatabase();
  const logDir = await mkdtemp(path.join(tmpdir(), 'faults-crash-'));
  const sql = new pg.Pool({ connectionString: db.url, max: 2 });
  // A run can be in flight on more than one killed process in a row: a generous retry limit.
  const engine = { runTimeoutSeconds: o.runTimeoutSeconds, retryDelaySeconds: 0, retryLimit: 10 };
  // Creates the jobs and migrates the schema once before the servers race to start; fires nothing.
  // It creates the queue too, so it has the servers' engine settings (pg-boss keeps the first ones).
  const admin = createScheduler({ connectionString: db.url, fire: false, ...engine });
  const env = {
    DATABASE_URL: db.url,
    LOG_DIR: logDir,
    SCHEDULER_RUN_TIMEOUT_SECONDS: String(engine.runTimeoutSeconds),
    SCHEDULER_RETRY_DELAY_SECONDS: String(engine.retryDelaySeconds),
    SCHEDULER_RETRY_LIMIT: String(engine.retryLimit),
    SCHEDULER_POLL_INTERVAL_SECONDS: '1',
    SCHEDULER_SHUTDOWN_TIMEOUT_SECONDS: '5',
  };
  const servers: ServerHandle[] = [];
  const killed = new Set<ChildHandle>();
  try {
    await admin.start();
    trace('crash: schema ready');
    servers.push(
      ...(await Promise.all(Array.from({ length: o.processes }, (_, i) => startServer(`server-${i}`, env)))),
    );
    trace('crash: servers listening');
    const names = Array.from({ length: o.jobs }, (_, i) => `crash-${String(i).padStart(3, '0')}`);
    for (const name of names) await admin.create({ name, cron: EVERY_SECOND });
    const from = Math.ceil((await dbNow(sql)) / SECOND) * SECOND + SECOND;
    const to = from + o.seconds * SECOND;
    trace(`crash: ${names.length} jobs created; window ${iso(from)} to ${iso(to)}`);

    let kills = 0;
    for (let at = from + o.killEverySeconds * SECOND; at < to; at += o.killEverySeconds * SECOND) {
      await untilDbTime(sql, at, `the kill at ${iso(at)}`);
      const index = kills % servers.length;
      const victim = servers[index]!;
      victim.child.kill('SIGKILL');
      killed.add(victim);
      await victim.exit;
      kills++;
      // Restarted at once; a start slower than the kill interval delays the next kill, never skips it.
      servers[index] = await startServer(`server-${index}.${kills}`, env);
    }
    trace(`crash: ${kills} kills done`);

    // Every job has fired every tick of the window (a gap would stall this wait, not pass it).
    await waitFor(
      'every job to fire its last tick of the window',
      async () => {
        const { rows } = await sql.query(
          'SELECT count(*)::int AS n FROM scheduler.schedules WHERE last_run_at IS NULL OR last_run_at < $1',
          [new Date(to)],
        );
        return rows[0].n === 0;
      },
      { timeoutMs: 30_000 },
    );
    trace('crash: window fired');
    const settleFrom = Date.now();
    const inWindow = (r: RunRow) => r.scheduledFor >= from && r.scheduledFor <= to;
    let runs: RunRow[] = [];
    // Runs in flight on a killed process are retried once their attempt expires. The jobs keep
    // firing meanwhile: the servers are stopped under load at the end.
    await waitFor(
      'every run of the window to finish',
      async () => {
        runs = (await readRuns(admin, names)).filter(inWindow);
        return openRuns(runs).length === 0;
      },
      { timeoutMs: o.runTimeoutSeconds * SECOND + 30_000, intervalMs: 500 },
    ).catch(async (error: Error) => {
      const open = openRuns(runs);
      const { rows: jobs } = await sql.query(
        `SELECT state, retry_count, started_on, expire_seconds, clock_timestamp() AS now
         FROM pgboss.job WHERE id = ANY($1::uuid[]) LIMIT 3`,
        [open.map((r) => r.id)],
      );
      throw new Error(
        `${error.message}; ${open.length} runs still open, e.g. ${JSON.stringify(open.slice(0, 3).map((r) => ({ ...r, scheduledFor: iso(r.scheduledFor) })))}; their pg-boss jobs: ${JSON.stringify(jobs)}`,
      );
    });
    const settleMs = Date.now() - settleFrom;
    trace('crash: settled');

    for (const server of servers) assert.ok(isRunning(server), `${server.label} is still up: ${server.stderr()}`);
    for (const victim of killed)
      assert.equal((await victim.exit).signal, 'SIGKILL', `${victim.label} died of our kill`);

    const grouped = bySchedule(runs);
    assert.equal(grouped.size, o.jobs, 'every job has runs in the window');
    for (const [name, mine] of grouped) {
      assertExactlyOnce(name, mine, from, to);
      const unexpected = mine.filter((r) => r.trigger !== 'schedule' || r.status !== 'succeeded');
      assert.deepEqual(
        unexpected.map((r) => `${iso(r.scheduledFor)} ${r.trigger} ${r.status}`),
        [],
        `${name}: every run fired on time and succeeded`,
      );
    }

    // At-least-once: the handler ran for every run, for the tick the run stands for.
    const byId = new Map(runs.map((r) => [r.id, r]));
    const executions = new Map<string, number>();
    for (const line of await readWorkerLogs(logDir)) {
      const run = byId.get(line.runId);
      if (!run) continue;
      assert.equal(line.job, run.schedule, `run ${line.runId} logged to its own job's file`);
      assert.equal(line.scheduledFor, run.scheduledFor, `run ${line.runId} logged with its tick`);
      executions.set(line.runId, (executions.get(line.runId) ?? 0) + 1);
    }
    const unlogged = runs.filter((r) => !executions.has(r.id));
    assert.deepEqual(
      unlogged.slice(0, 5).map((r) => `${r.schedule} ${iso(r.scheduledFor)}`),
      [],
      `${unlogged.length} succeeded runs were never executed by a handler`,
    );

    const { rows: jobStates } = await sql.query(
      'SELECT state, count(*)::int AS n FROM pgboss.job WHERE id = ANY($1::uuid[]) GROUP BY state',
      [runs.map((r) => r.id)],
    );
    assert.deepEqual(jobStates, [{ state: 'completed', n: runs.length }], 'every pg-boss job completed');

    trace('crash: checked');
    for (const server of servers) {
      const exit = await stopChild(server, 'SIGTERM');
      assert.equal(exit.code, 0, `${server.label} exits 0 on SIGTERM: ${server.stderr()}`);
    }
    trace('crash: stopped');
    return {
      kills,
      runs: runs.length,
      retried: runs.filter((r) => r.attempts > 1).length,
      repeatedExecutions: [...executions.values()].reduce((sum, n) => sum + n - 1, 0),
      settleMs,
    };
  } finally {
    for (const server of servers) await stopChild(server, 'SIGKILL');
    await admin.stop({ timeoutSeconds: 0 }).catch(() => {});
    await sql.end();
    await db.drop();
    await rm(logDir, { recursive: true, force: true });
  }
}

// --- Database restart ---------------------------------------------------------------------------------

export interface DatabaseRestartOptions {
  /** Server processes that stay up through the outage. */
  processes: number;
  /** How long the database is down. */
  outageSeconds: number;
  /** SCHEDULER_MISFIRE_GRACE_SECONDS: below the outage, so the outage's ticks count as missed. */
  graceSeconds: number;
  /** Outages in a row (each followed by firing resuming). */
  outages: number;
}

export interface DatabaseRestartSummary {
  /** Per policy: catch-up runs fired and ticks recorded as missed. */
  perPolicy: Record<string, { catchUp: number; missedTicks: number }>;
  /** Error lines each process logged, in total. */
  errorLines: number[];
}

/** Lists a job's runs through the HTTP API (newest first). */
async function apiRuns(
  base: string,
  id: string,
): Promise<{ id: string; scheduled_for: string; status: string; trigger: string }[]> {
  const res = await fetch(`${base}/jobs/${id}/runs?limit=1000`);
  assert.equal(res.status, 200, await res.clone().text());
  return (await res.json()) as { id: string; scheduled_for: string; status: string; trigger: string }[];
}

/**
 * Server processes on a PostgreSQL the drill owns; every-second jobs with each catch-up policy. The
 * database is stopped and started again while they fire. The processes stay up, log the outage
 * once, reconnect by themselves, and the outage's ticks are fired or recorded per policy.
 */
export async function databaseRestartDrill(o: DatabaseRestartOptions): Promise<DatabaseRestartSummary> {
  const folder = await mkdtemp(path.join(tmpdir(), 'faults-restart-'));
  // PostgreSQL runs as an unprivileged user when we are root: let it through the folder.
  await chmod(folder, 0o755);
  const dataDir = path.join(folder, 'data');
  const logDir = path.join(folder, 'logs');
  // A fixed port: the clients reconnect to the address they had.
  const port = await freePort();
  let database: EmbeddedPostgres | null = await startEmbeddedPostgres({ dataDir, port });
  const env = {
    DATABASE_URL: database.connectionString,
    LOG_DIR: logDir,
    SCHEDULER_MISFIRE_GRACE_SECONDS: String(o.graceSeconds),
    SCHEDULER_POLL_INTERVAL_SECONDS: '1',
    SCHEDULER_RUN_TIMEOUT_SECONDS: '3',
    SCHEDULER_RETRY_DELAY_SECONDS: '0',
    SCHEDULER_RETRY_LIMIT: '10',
    SCHEDULER_SHUTDOWN_TIMEOUT_SECONDS: '5',
  };
  const servers: ServerHandle[] = [];
  let reader: Scheduler | null = null;
  try {
    // The first one migrates; the others start on a ready schema.
    servers.push(await startServer('server-0', env));
    for (let i = 1; i < o.processes; i++) servers.push(await startServer(`server-${i}`, env));
    const api = servers[0]!.base;
    const jobs: { policy: CatchUpPolicy; id: string; name: string }[] = [];
    for (const policy of POLICIES) {
      const name = `restart-${policy}`;
      const res = await fetch(`${api}/jobs`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ name, cron: EVERY_SECOND, catch_up: policy }),
      });
      assert.equal(res.status, 201, await res.clone().text());
      jobs.push({ policy, name, id: ((await res.json()) as { id: string }).id });
    }
    trace('restart: servers and jobs ready');
    const outages: { down: number; up: number }[] = [];
    for (let n = 0; n < o.outages; n++) {
      const since = outages.at(-1)?.up ?? 0;
      await waitFor(
        'two runs of every job since the last restart',
        async () => {
          for (const job of jobs) {
            const runs = await apiRuns(api, job.id);
            const fresh = runs.filter((r) => r.status === 'succeeded' && Date.parse(r.scheduled_for) > since);
            if (fresh.length < 2) return false;
          }
          return true;
        },
        { timeoutMs: 30_000 },
      );
      await database.stop();
      database = null;
      const down = Date.now();
      trace('restart: database stopped');
      // The outage itself: the database is gone for a set time, whatever the processes do.
      await new Promise((resolve) => setTimeout(resolve, o.outageSeconds * SECOND));
      database = await startEmbeddedPostgres({ dataDir, port });
      const up = Date.now();
      outages.push({ down, up });
      trace('restart: database started');
      await waitFor(
        'every process to say the database is back',
        () => servers.every((s) => errorLines(s, /reachable again/).length === n + 1),
        { timeoutMs: 30_000 },
      ).catch((error: Error) => {
        const tails = servers.map((s) => `${s.label}: ${JSON.stringify(s.lines.slice(-8))} ${s.stderr()}`);
        throw new Error(`${error.message}\n${tails.join('\n')}`);
      });
    }
    trace('restart: every process reconnected');
    const lastUp = outages.at(-1)!.up;
    await waitFor(
      'every job to fire on time after the last restart',
      async () => {
        for (const job of jobs) {
          const runs = await apiRuns(api, job.id);
          const ok = runs.some(
            (r) =>
              r.trigger === 'schedule' && r.status === 'succeeded' && Date.parse(r.scheduled_for) > lastUp + 2 * SECOND,
          );
          if (!ok) return false;
        }
        return true;
      },
      { timeoutMs: 30_000 },
    );
    for (const job of jobs) {
      const res = await fetch(`${api}/jobs/${job.id}/pause`, { method: 'POST' });
      assert.equal(res.status, 200, await res.clone().text());
    }
    // Reads the history through the public API; made after the outages, so it saw none of them.
    reader = createScheduler({ connectionString: database.connectionString, fire: false });
    await reader.start();
    const names = jobs.map((job) => job.name);
    let all: RunRow[] = [];
    await waitFor(
      'every run to finish',
      async () => {
        all = await readRuns(reader!, names);
        return openRuns(all).length === 0;
      },
      { timeoutMs: 30_000, intervalMs: 200 },
    );
    trace('restart: settled');

    const perPolicy: DatabaseRestartSummary['perPolicy'] = {};
    const grouped = bySchedule(all);
    for (const job of jobs) {
      const runs = grouped.get(job.name) ?? [];
      const fired = runs.filter((r) => r.status !== 'missed');
      const missed = runs.filter((r) => r.status === 'missed');
      const catchUp = fired.filter((r) => r.trigger === 'catch_up');
      assertExactlyOnce(job.name, runs, runs[0]!.scheduledFor, runs.at(-1)!.scheduledFor);
      assert.deepEqual(
        fired.filter((r) => r.status !== 'succeeded').map((r) => `${iso(r.scheduledFor)} ${r.status}`),
        [],
        `${job.name}: every fired run succeeded`,
      );
      // Each outage's ticks: the ones older than the grace period when the engine came back are missed.
      for (const { down, up } of outages) {
        const inOutage = (t: number) => t > down && t < up;
        const outageCatchUps = catchUp.filter((r) => inOutage(r.scheduledFor));
        const outageMissed = missed.filter((r) => inOutage(r.scheduledFor));
        // The outage is longer than grace + 2 s: at least a few of its ticks are past the grace period.
        const surelyMissed = Math.floor((up - down) / SECOND) - o.graceSeconds - 2;
        if (job.policy === 'skip') {
          assert.equal(outageCatchUps.length, 0, `${job.name}: skip fires no catch-up run`);
          assert.equal(outageMissed.length, 1, `${job.name}: one missed record per outage`);
          assert.ok(outageMissed[0]!.tickCount >= surelyMissed, `${job.name}: it counts the outage's ticks`);
        } else if (job.policy === 'latest') {
          assert.equal(outageCatchUps.length, 1, `${job.name}: latest fires one catch-up run per outage`);
          assert.equal(outageMissed.length, 1, `${job.name}: the older missed ticks are recorded`);
          assert.equal(
            outageCatchUps[0]!.scheduledFor,
            outageMissed[0]!.lastScheduledFor + SECOND,
            `${job.name}: the catch-up run is the most recent missed tick`,
          );
        } else {
          assert.equal(outageMissed.length, 0, `${job.name}: all fires every missed tick (below maxCatchUpRuns)`);
          assert.ok(outageCatchUps.length >= surelyMissed, `${job.name}: one catch-up run per missed tick`);
        }
      }
      perPolicy[job.policy] = {
        catchUp: catchUp.length,
        missedTicks: missed.reduce((sum, r) => sum + r.tickCount, 0),
      };
    }

    for (const server of servers) {
      assert.ok(isRunning(server), `${server.label} stayed up: ${server.stderr()}`);
      assert.doesNotMatch(server.stderr(), /unhandled|uncaught/i, `${server.label}: no unhandled rejection`);
      // Logged once: one line when the database goes, one when it is back; not one per
      // connection, worker poll or retry.
      const logged = errorLines(server).map((line) => `${line.msg}: ${(line.err as { message?: string })?.message}`);
      assert.equal(
        logged.length,
        2 * o.outages,
        `${server.label} logs each outage once and each recovery once, not:\n  ${logged.join('\n  ')}`,
      );
      assert.equal(errorLines(server, /reachable again/).length, o.outages, `${server.label} reports each recovery`);
      const res = await fetch(`${server.base}/health/ready`);
      assert.equal(res.status, 200, `${server.label} is ready again`);
    }
    const noisy = servers.map((s) => errorLines(s).length);
    for (const server of servers) {
      for (const line of errorLines(server)) {
        trace(
          `restart: ${server.label} logged ${line.msg}: ${(line.err as { message?: string } | undefined)?.message}`,
        );
      }
    }
    for (const server of servers) {
      const exit = await stopChild(server, 'SIGTERM');
      assert.equal(exit.code, 0, `${server.label} exits 0 on SIGTERM: ${server.stderr()}`);
    }
    return { perPolicy, errorLines: noisy };
  } finally {
    for (const server of servers) await stopChild(server, 'SIGKILL');
    await reader?.stop({ timeoutSeconds: 0 }).catch(() => {});
    await database?.stop();
    await rm(folder, { recursive: true, force: true });
  }
}

// --- Downtime -------------------------------------------------------------------------------------------

export interface DowntimeOptions {
  /** Scheduler instances (library, in this process), all stopped together. */
  instances: number;
  /** How long every instance is down. */
  downtimeSeconds: number;
  /** misfireGraceSeconds: below the downtime. */
  graceSeconds: number;
  /** The engine's cap on catch-up runs of `all`. */
  maxCatchUpRuns: number;
}

export interface DowntimeSummary {
  /** Ticks that came due while every instance was down. */
  missedTicks: number;
  perPolicy: Record<string, { catchUp: number; missedRecordTicks: number }>;
}

/**
 * Every instance stopped across several ticks, then started: per policy, exactly the documented
 * runs, with their instants and triggers, and the unfired ticks recorded in the run history.
 */
export async function downtimeDrill(o: DowntimeOptions): Promise<DowntimeSummary> {
  const db = await createTestDatabase();
  const sql = new pg.Pool({ connectionString: db.url, max: 2 });
  const handled: RunContext[] = [];
  const missedEvents: { scheduleName: string; count: number; first: number; last: number }[] = [];
  let instances: Scheduler[] = [];
  const startInstances = async () => {
    instances = Array.from({ length: o.instances }, () =>
      createScheduler({
        connectionString: db.url,
        misfireGraceSeconds: o.graceSeconds,
        maxCatchUpRuns: o.maxCatchUpRuns,
        pollIntervalSeconds: 1,
        poolSize: 3,
      }),
    );
    for (const instance of instances) {
      instance.on('error', (error) => console.error('scheduler error:', error.message));
      instance.on('missed', (info) =>
        missedEvents.push({
          scheduleName: info.scheduleName,
          count: info.count,
          first: info.firstScheduledFor.getTime(),
          last: info.lastScheduledFor.getTime(),
        }),
      );
      await instance.start();
      await instance.work((run) => {
        handled.push(run);
      });
    }
  };
  try {
    await startInstances();
    const names = POLICIES.map((policy) => `downtime-${policy}`);
    for (const policy of POLICIES) {
      await instances[0]!.create({ name: `downtime-${policy}`, cron: EVERY_SECOND, catchUp: policy });
    }
    await waitFor('two handled runs of every job', () =>
      names.every((name) => handled.filter((r) => r.scheduleName === name).length >= 2),
    );
    await Promise.all(instances.map((instance) => instance.stop({ timeoutSeconds: 5 })));
    const stoppedAt = await dbNow(sql);
    await untilDbTime(sql, stoppedAt + o.downtimeSeconds * SECOND, 'the downtime to pass');
    const restartedAt = await dbNow(sql);
    await startInstances();
    await waitFor('every job to fire on time again', () =>
      names.every((name) =>
        handled.some(
          (r) => r.scheduleName === name && r.trigger === 'schedule' && r.scheduledFor.getTime() > restartedAt + SECOND,
        ),
      ),
    );
    for (const name of names) await instances[0]!.pause(name);
    await waitFor('every run to finish', async () => openRuns(await readRuns(instances[0]!, names)).length === 0);

    // The first tick nobody fired, and the last tick that was past the grace period at restart.
    const firstDown = Math.floor(stoppedAt / SECOND) * SECOND + SECOND;
    const surelyMissedTo = Math.ceil((restartedAt - o.graceSeconds * SECOND) / SECOND) * SECOND - SECOND;
    const perPolicy: DowntimeSummary['perPolicy'] = {};
    for (const policy of POLICIES) {
      const name = `downtime-${policy}`;
      // Through the public API: this is the run history a user reads (readRuns orders it oldest first).
      const rows = await readRuns(instances[0]!, [name]);
      assertExactlyOnce(name, rows, rows[0]!.scheduledFor, rows.at(-1)!.scheduledFor);
      const before = rows.filter((r) => r.scheduledFor < firstDown);
      assert.ok(
        before.every((r) => r.trigger === 'schedule' && r.status === 'succeeded'),
        `${name}: on time before the downtime`,
      );
      const missed = rows.filter((r) => r.status === 'missed');
      const catchUp = rows.filter((r) => r.trigger === 'catch_up');
      // After the downtime's ticks (missed or caught up), every run fires on time again.
      const resumedFrom = Math.max(
        ...missed.map((r) => r.lastScheduledFor + SECOND),
        ...catchUp.map((r) => r.scheduledFor + SECOND),
        firstDown,
      );
      const after = rows.filter((r) => r.scheduledFor >= resumedFrom);
      assert.ok(after.length > 0, `${name}: fires on time after the downtime`);
      assert.ok(
        after.every((r) => r.trigger === 'schedule' && r.status === 'succeeded'),
        `${name}: the ticks within the grace period at restart fire as schedule`,
      );
      assert.ok(
        resumedFrom > surelyMissedTo && resumedFrom <= restartedAt + SECOND,
        `${name}: the missed ticks end where the grace period at restart begins`,
      );
      const missedTicks = (resumedFrom - firstDown) / SECOND;
      assert.ok(missedTicks >= o.downtimeSeconds - o.graceSeconds - 1, `${name}: the downtime's ticks were missed`);

      if (policy === 'skip') {
        assert.equal(catchUp.length, 0, 'skip fires no catch-up run');
        assert.equal(missed.length, 1, 'skip records the missed ticks in one record');
        assert.equal(iso(missed[0]!.scheduledFor), iso(firstDown), 'from the first missed tick');
        assert.equal(missed[0]!.tickCount, missedTicks, 'with their count');
      } else if (policy === 'latest') {
        assert.equal(catchUp.length, 1, 'latest fires one catch-up run');
        assert.equal(iso(catchUp[0]!.scheduledFor), iso(resumedFrom - SECOND), 'for the most recent missed tick');
        assert.equal(missed.length, missedTicks > 1 ? 1 : 0, 'the older missed ticks in one record');
        if (missed[0]) {
          assert.equal(iso(missed[0].scheduledFor), iso(firstDown));
          assert.equal(missed[0].tickCount, missedTicks - 1);
        }
      } else {
        const fired = Math.min(missedTicks, o.maxCatchUpRuns);
        assert.equal(catchUp.length, fired, 'all fires the most recent missed ticks, up to maxCatchUpRuns');
        assert.deepEqual(
          catchUp.map((r) => iso(r.scheduledFor)),
          Array.from({ length: fired }, (_, i) => iso(resumedFrom - (fired - i) * SECOND)),
          'each with its own instant',
        );
        assert.equal(missed.length, missedTicks > fired ? 1 : 0, 'ticks beyond the cap are recorded as missed');
        if (missed[0]) assert.equal(missed[0].tickCount, missedTicks - fired);
      }
      // The handler saw each fired run with its instant and trigger; the events matched the records.
      for (const run of rows.filter((r) => r.status !== 'missed')) {
        const seen = handled.filter((h) => h.runId === run.id);
        assert.ok(seen.length >= 1, `${name}: run ${iso(run.scheduledFor)} was handled`);
        assert.ok(seen.every((h) => h.scheduledFor.getTime() === run.scheduledFor && h.trigger === run.trigger));
      }
      assert.deepEqual(
        missedEvents.filter((e) => e.scheduleName === name).map((e) => [iso(e.first), iso(e.last), e.count]),
        missed.map((r) => [iso(r.scheduledFor), iso(r.lastScheduledFor), r.tickCount]),
        `${name}: one missed event per missed record`,
      );
      perPolicy[policy] = { catchUp: catchUp.length, missedRecordTicks: missed[0]?.tickCount ?? 0 };
    }
    const missedTicks = (Math.floor(restartedAt / SECOND) * SECOND - firstDown) / SECOND + 1;
    return { missedTicks, perPolicy };
  } finally {
    await Promise.all(instances.map((instance) => instance.stop({ timeoutSeconds: 0 }).catch(() => {})));
    await sql.end();
    await db.drop();
  }
}

// --- Graceful stop ------------------------------------------------------------------------------------

export interface GracefulStopOptions {
  /** SCHEDULER_SHUTDOWN_TIMEOUT_SECONDS of the stopped process. */
  boundSeconds: number;
  /** How long runs of the job that finishes within the bound take. */
  shortRunMs: number;
  /** Runs of the other job ignore the abort signal and take this long on their first attempt. */
  longRunMs: number;
  /** In-flight runs of each job to have at the SIGTERM. */
  inFlight: number;
}

export interface GracefulStopSummary {
  /** From SIGTERM to exit. */
  stopMs: number;
  finishedInFlight: number;
  released: number;
}

interface FixtureEvent {
  started?: { runId: string; name: string; attempt: number };
  finished?: { runId: string; name: string; attempt: number };
  ready?: boolean;
}

function startWorker(label: string, env: Record<string, string>): ChildHandle {
  return spawnChild(label, 'test/faults/fixtures/worker.ts', env);
}

function inFlightRuns(worker: ChildHandle, name: string): string[] {
  const events = worker.lines as FixtureEvent[];
  const finished = new Set(events.flatMap((e) => (e.finished ? [e.finished.runId] : [])));
  return events.flatMap((e) => (e.started?.name === name && !finished.has(e.started.runId) ? [e.started.runId] : []));
}

/**
 * SIGTERM to a process with runs in flight: those that end within the bound finish and are recorded
 * as succeeded; those that do not are released (recorded as queued, failed back to pg-boss) and a
 * second process retries them; nothing is left marked running.
 */
export async function gracefulStopDrill(o: GracefulStopOptions): Promise<GracefulStopSummary> {
  const db = await createTestDatabase();
  const sql = new pg.Pool({ connectionString: db.url, max: 2 });
  // Same engine settings as the fixture's (the first to create the queue sets pg-boss's).
  const admin = createScheduler({ connectionString: db.url, fire: false, retryDelaySeconds: 0 });
  const env = {
    DATABASE_URL: db.url,
    SHUTDOWN_SECONDS: String(o.boundSeconds),
    // Only first attempts are slow: the retry in the second process is quick.
    RUN_MS: JSON.stringify({ 'stop-short': o.shortRunMs, 'stop-long': o.longRunMs }),
  };
  const workers: ChildHandle[] = [];
  try {
    await admin.start();
    const first = startWorker('worker-1', env);
    workers.push(first);
    await waitFor('the first worker to be ready', () => (first.lines as FixtureEvent[]).some((e) => e.ready), {
      timeoutMs: 60_000,
    });
    // Every second, so there is always a run in flight; the long job's runs pile up.
    await admin.create({ name: 'stop-short', cron: EVERY_SECOND });
    await admin.create({ name: 'stop-long', cron: EVERY_SECOND });
    await waitFor(
      'runs of both jobs in flight',
      () => inFlightRuns(first, 'stop-long').length >= o.inFlight && inFlightRuns(first, 'stop-short').length >= 1,
      { timeoutMs: 30_000, intervalMs: 10 },
    );
    const shortInFlight = inFlightRuns(first, 'stop-short');
    const sent = performance.now();
    first.child.kill('SIGTERM');
    const exit = await first.exit;
    const stopMs = performance.now() - sent;
    assert.equal(exit.code, 0, `the worker exits 0: ${first.stderr()}`);
    assert.ok(stopMs < o.boundSeconds * SECOND + 5_000, `it stops within the bound (took ${Math.round(stopMs)} ms)`);
    const longInFlight = inFlightRuns(first, 'stop-long');

    const names = ['stop-short', 'stop-long'];
    const afterStop = new Map((await readRuns(admin, names)).map((r) => [r.id, r]));
    assert.deepEqual(
      [...afterStop.values()].filter((r) => r.status === 'running').map((r) => `${r.schedule} ${iso(r.scheduledFor)}`),
      [],
      `nothing is left marked running (worker events: ${JSON.stringify(first.lines.slice(-12))}; stderr: ${first.stderr()})`,
    );
    for (const id of shortInFlight) {
      assert.equal(afterStop.get(id)?.status, 'succeeded', 'a run that ends within the bound finishes');
    }
    assert.ok(longInFlight.length >= o.inFlight);
    for (const id of longInFlight) {
      assert.equal(afterStop.get(id)?.status, 'queued', 'a run that outlasts the bound is released');
    }
    const { rows: jobs } = await sql.query('SELECT id, state FROM pgboss.job WHERE id = ANY($1::uuid[])', [
      longInFlight,
    ]);
    assert.ok(
      jobs.every((j) => j.state === 'retry' || j.state === 'created'),
      `released runs wait in pg-boss for a retry: ${JSON.stringify(jobs)}`,
    );

    for (const name of names) await admin.pause(name);
    // Quick handlers only: the retries, and the runs the first worker never started.
    const second = startWorker('worker-2', { ...env, RUN_MS: '{}' });
    workers.push(second);
    await waitFor(
      'every run to finish in the second worker',
      async () => openRuns(await readRuns(admin, names)).length === 0,
      { timeoutMs: 60_000, intervalMs: 200 },
    );
    const final = new Map((await readRuns(admin, names)).map((r) => [r.id, r]));
    const rerun = (second.lines as FixtureEvent[]).filter((e) => e.started && shortInFlight.includes(e.started.runId));
    assert.deepEqual(rerun, [], 'a run that finished within the bound is not executed again');
    for (const id of longInFlight) {
      assert.equal(final.get(id)?.status, 'succeeded', 'the released run is retried and succeeds');
      assert.equal(final.get(id)?.attempts, 2, 'on its second attempt');
    }
    assert.ok(
      [...final.values()].every((r) => r.status === 'succeeded'),
      'every run succeeded',
    );
    const exit2 = await stopChild(second, 'SIGTERM');
    assert.equal(exit2.code, 0);
    return { stopMs, finishedInFlight: shortInFlight.length, released: longInFlight.length };
  } finally {
    for (const worker of workers) await stopChild(worker, 'SIGKILL');
    await admin.stop({ timeoutSeconds: 0 }).catch(() => {});
    await sql.end();
    await db.drop();
  }
}
