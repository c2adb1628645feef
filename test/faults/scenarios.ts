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
import { setTimeout as delay } from 'node:timers/promises';
import pg from 'pg';
import { type EmbeddedPostgres, freePort, startEmbeddedPostgres } from '../../lib/embedded-postgres.ts';
import { type CatchUpPolicy, createScheduler, type RunContext, type Scheduler } from '../../lib/index.ts';
import { createTestDatabase } from '../helpers/database.ts';
import { startProxy } from '../helpers/proxy.ts';
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
  /** How many SIGKILLs, one process at a time (round robin). */
  kills: number;
  /** Seconds between kills. */
  killEverySeconds: number;
  /**
   * Where in its second each kill lands, cycled through (fractions of a second after a tick). A
   * claim is committed about half a second before its tick, so they fall before, during and after
   * the claims, before and after the handlers start.
   */
  offsets: readonly number[];
  /** How long a killed process stays down before it is started again. */
  restartDelaySeconds: number;
}

export interface CrashSummary {
  kills: number;
  /** The instants of the kills within their second, ms. */
  killOffsetsMs: number[];
  runs: number;
  /** Kills that hit a process holding runs (leased for a tick, or running). */
  holderKills: number;
  /** Runs with more than one attempt: held by a killed process, taken over by another. */
  takenOver: number;
  /** Log lines beyond one per run: handlers run again after a takeover (at-least-once). */
  repeatedExecutions: number;
  /** The latest a run's successful attempt started after its tick, ms (the target is 5,000). */
  worstStartMs: number;
  /**
   * With one server: for runs later than 5 s, the latest start after the restarted server was up
   * (the target is 2,000; 0 when none was later than 5 s).
   */
  worstAfterRestartMs: number;
}

/**
 * The server to kill: one that holds runs right now (leased for a tick, or running) when there is
 * one, so the kill lands where it hurts; else round robin.
 */
async function holderOf(sql: pg.Pool, servers: ServerHandle[], k: number): Promise<{ index: number; holder: boolean }> {
  const { rows } = await sql.query<{ name: string }>(
    `SELECT i.name FROM scheduler.instances i
     WHERE EXISTS (SELECT 1 FROM scheduler.runs r WHERE r.owner = i.id AND r.status IN ('queued', 'running'))`,
  );
  const pids = new Set(rows.map((row) => Number(row.name.split(':').at(-1))));
  const up = servers.map((server, i) => ({ server, i })).filter(({ server }) => isRunning(server));
  const holders = up.filter(({ server }) => pids.has(server.child.pid ?? -1));
  if (holders.length > 0) return { index: holders[k % holders.length]!.i, holder: true };
  return { index: (up[k % Math.max(1, up.length)] ?? { i: k % servers.length }).i, holder: false };
}

/** Offsets spread evenly over a second, the first `shift` into it. */
export function spreadOffsets(count: number, shift = 0.03): number[] {
  return Array.from({ length: count }, (_, i) => (i / count + shift) % 1);
}

/**
 * Every job has exactly one run per second of [from, to], fired as its own tick (`schedule`), and
 * every one of them succeeded.
 */
function assertOneSucceededRunPerTick(runs: RunRow[], jobs: number, from: number, to: number): void {
  const grouped = bySchedule(runs);
  assert.equal(grouped.size, jobs, 'every job has runs in the window');
  for (const [name, mine] of grouped) {
    assertExactlyOnce(name, mine, from, to);
    const unexpected = mine.filter((r) => r.trigger !== 'schedule' || r.status !== 'succeeded');
    assert.deepEqual(
      unexpected.map((r) => `${iso(r.scheduledFor)} ${r.trigger} ${r.status}`),
      [],
      `${name}: every run fired on time and succeeded`,
    );
  }
}

/**
 * N server processes on one database, M every-second jobs; one process at a time is SIGKILLed at a
 * different instant of its second each time, and started again a few seconds later. Afterwards:
 * every job has exactly one run for every second of the window; every run succeeded, its
 * successful attempt starting within 5 s of its tick, by whichever instance held it or took it
 * over; and no attempt's handler ran twice (the bundled worker writes one line per execution, and
 * no run has more executions than attempts). The runs' timeout is left at its default (900 s): a
 * run held by a killed process is taken over when its lease runs out, not when its attempt expires.
 */
export async function crashDrill(o: CrashOptions): Promise<CrashSummary> {
  const db = await createTestDatabase();
  const logDir = await mkdtemp(path.join(tmpdir(), 'faults-crash-'));
  const sql = new pg.Pool({ connectionString: db.url, max: 2 });
  // Creates the jobs and migrates the schema once before the servers race to start; fires nothing.
  const admin = createScheduler({ connectionString: db.url, fire: false });
  const env = {
    DATABASE_URL: db.url,
    LOG_DIR: logDir,
    SCHEDULER_POLL_INTERVAL_SECONDS: '1',
    SCHEDULER_SHUTDOWN_TIMEOUT_SECONDS: '5',
  };
  const servers: ServerHandle[] = [];
  const killed: ChildHandle[] = [];
  try {
    await admin.start();
    trace('crash: schema ready');
    servers.push(
      ...(await Promise.all(Array.from({ length: o.processes }, (_, i) => startServer(`server-${i}`, env)))),
    );
    trace('crash: servers listening');
    const names = Array.from({ length: o.jobs }, (_, i) => `crash-${String(i).padStart(3, '0')}`);
    for (const name of names) await admin.create({ name, cron: EVERY_SECOND });
    const from = Math.ceil((await dbNow(sql)) / SECOND) * SECOND + 2 * SECOND;
    const killOffsetsMs: number[] = [];
    const restarts = new Map<number, Promise<void>>();
    /** When each restarted server listened (the database's clock). */
    const readyAt: number[] = [];
    let holderKills = 0;
    for (let k = 0; k < o.kills; k++) {
      const offsetMs = Math.round(o.offsets[k % o.offsets.length]! * SECOND);
      const at = from + (k + 1) * o.killEverySeconds * SECOND + offsetMs;
      await untilDbTime(sql, at, `the kill at ${iso(at)}`);
      let { index, holder } = await holderOf(sql, servers, k);
      if (!isRunning(servers[index]!)) {
        // Every process is down (one server, not yet restarted): kill the restarted one.
        await restarts.get(index);
        holder = false;
      }
      if (holder) holderKills++;
      const victim = servers[index]!;
      victim.child.kill('SIGKILL');
      killed.push(victim);
      killOffsetsMs.push((Math.round(await dbNow(sql)) % SECOND) as number);
      await victim.exit;
      trace(`crash: killed ${victim.label} at ${iso(at)}`);
      restarts.set(
        index,
        (async () => {
          await delay(o.restartDelaySeconds * SECOND);
          servers[index] = await startServer(`${victim.label.split('.')[0]}.${k + 1}`, env);
          readyAt.push(await dbNow(sql));
        })(),
      );
    }
    await Promise.all(restarts.values());
    const to = from + (o.kills + 1) * o.killEverySeconds * SECOND;
    await untilDbTime(sql, to, 'the end of the window');
    trace(`crash: ${o.kills} kills done; window ${iso(from)} to ${iso(to)}`);

    const inWindow = (r: RunRow) => r.scheduledFor >= from && r.scheduledFor <= to;
    let runs: RunRow[] = [];
    await waitFor(
      'every run of the window to finish',
      async () => {
        runs = (await readRuns(admin, names)).filter(inWindow);
        return openRuns(runs).length === 0 && runs.length >= names.length * ((to - from) / SECOND + 1);
      },
      { timeoutMs: 30_000, intervalMs: 500 },
    ).catch((error: Error) => {
      const open = openRuns(runs);
      throw new Error(
        `${error.message}; ${runs.length} runs, ${open.length} still open, e.g. ${JSON.stringify(open.slice(0, 3).map((r) => ({ ...r, scheduledFor: iso(r.scheduledFor) })))}`,
      );
    });
    trace('crash: settled');

    for (const server of servers) assert.ok(isRunning(server), `${server.label} is still up: ${server.stderr()}`);
    for (const victim of killed)
      assert.equal((await victim.exit).signal, 'SIGKILL', `${victim.label} died of our kill`);

    assertOneSucceededRunPerTick(runs, o.jobs, from, to);
    // Handled within 5 s of its tick: the successful attempt's handler started by then. With no
    // other instance alive, nothing can run before the restarted one is up: then within 2 s of that.
    let worstStartMs = 0;
    let worstAfterRestartMs = 0;
    for (const run of runs) {
      const startedAt = run.startedAt ?? Number.POSITIVE_INFINITY;
      const late = startedAt - run.scheduledFor;
      assert.ok(late >= 0, `run ${run.id} of ${iso(run.scheduledFor)} started before its tick`);
      worstStartMs = Math.max(worstStartMs, late);
      if (late <= 5 * SECOND) continue;
      const up = o.processes === 1 ? readyAt.find((at) => at >= run.scheduledFor - SECOND) : undefined;
      assert.ok(
        up !== undefined && startedAt - up <= 2 * SECOND,
        `run of ${run.schedule} for ${iso(run.scheduledFor)} started ${late} ms after its tick` +
          (up === undefined ? '' : `, ${startedAt - up} ms after the restarted server was up`) +
          ` (${run.attempts} attempts)`,
      );
      worstAfterRestartMs = Math.max(worstAfterRestartMs, startedAt - up);
    }

    // At-least-once, and no attempt twice: every run's handler ran (the sink wrote its line), for the
    // tick the run stands for, and no run ran more often than it has attempts.
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
    const twice = runs.filter((r) => (executions.get(r.id) ?? 0) > r.attempts);
    assert.deepEqual(
      twice
        .slice(0, 5)
        .map((r) => `${r.schedule} ${iso(r.scheduledFor)}: ${executions.get(r.id)} executions, ${r.attempts} attempts`),
      [],
      'an attempt ran twice',
    );

    trace('crash: checked');
    for (const server of servers) {
      const exit = await stopChild(server, 'SIGTERM');
      assert.equal(exit.code, 0, `${server.label} exits 0 on SIGTERM: ${server.stderr()}`);
    }
    trace('crash: stopped');
    return {
      kills: o.kills,
      killOffsetsMs,
      holderKills,
      runs: runs.length,
      takenOver: runs.filter((r) => r.attempts > 1).length,
      repeatedExecutions: [...executions.values()].reduce((sum, n) => sum + n - 1, 0),
      worstStartMs,
      worstAfterRestartMs,
    };
  } finally {
    for (const server of servers) await stopChild(server, 'SIGKILL');
    await admin.stop({ timeoutSeconds: 0 }).catch(() => {});
    await sql.end();
    await db.drop();
    await rm(logDir, { recursive: true, force: true });
  }
}

// --- Network cut ------------------------------------------------------------------------------------

export interface NetworkCutOptions {
  /** Every-second jobs. */
  jobs: number;
  /** How many cuts of the firing instance's network. */
  cuts: number;
  /** Seconds between the starts of two cuts. */
  cutEverySeconds: number;
  /** How long each cut lasts before the network path comes back (its connections stay dead). */
  cutSeconds: number;
  /** Where in its second each cut lands, cycled through (fractions of a second after a tick). */
  offsets: readonly number[];
}

export interface NetworkCutSummary {
  cuts: number;
  runs: number;
  /** Runs whose first attempt the cut-off instance may have started: another instance ran them again. */
  takenOver: number;
  /** Attempts started by the cut-off instance while cut off (its lease still certainly held). */
  startedWhileCut: number;
  worstStartMs: number;
  /** From each heal until the cut-off instance fired a tick again, ms (its dead connections time out first). */
  /** Per cut: from the heal until "a" held a lease renewed after it. */
  recoveryMs: number[];
  /** Per cut: from the heal until "a" fired a tick again. */
  firesAgainMs: number[];
  /** From "b"'s stop until "a" fired a tick alone. */
  aloneFiresMs: number;
}

/**
 * Two scheduler instances in this process: "a" reaches PostgreSQL through a TCP proxy and prepares
 * ticks earlier (so it holds the runs of nearly every tick), "b" connects directly. The proxy then
 * silently drops everything of "a" (its sockets stay open, as after a network cut) at different
 * instants of the second, and lets new connections through again a few seconds later. Afterwards:
 * exactly one run per job per second; every run succeeded, its successful attempt starting within
 * 5 s of its tick; no attempt started twice (an attempt "a" may have started is counted, and "b"
 * runs the next one); and "a" recovered by itself and fires again.
 */
export async function networkCutDrill(o: NetworkCutOptions): Promise<NetworkCutSummary> {
  const db = await createTestDatabase();
  const target = new URL(db.url);
  const proxy = await startProxy({ host: target.hostname, port: Number(target.port || 5432) });
  const sql = new pg.Pool({ connectionString: db.url, max: 2 });
  const starts: { runId: string; attempt: number; at: number; instance: string; scheduledFor: number }[] = [];
  const fires: { instance: string; at: number }[] = [];
  const common = { pollIntervalSeconds: 1, retryDelaySeconds: 0 };
  const a = createScheduler({ connectionString: proxy.url(db.url), instanceName: 'a', lookaheadSeconds: 1, ...common });
  // "a" prepares each tick's claim a second ahead, "b" only 0.2 s ahead: while "a" is healthy it
  // claims every tick first and holds the prepared runs a cut strands; "b" fires what "a" cannot.
  const b = createScheduler({ connectionString: db.url, instanceName: 'b', lookaheadSeconds: 0.2, ...common });
  const cutAt: number[] = [];
  try {
    for (const [name, scheduler] of [
      ['a', a],
      ['b', b],
    ] as const) {
      // Errors are expected while cut off; the drill checks outcomes, not messages.
      scheduler.on('error', () => {});
      scheduler.on('fired', () => fires.push({ instance: name, at: Date.now() }));
      await scheduler.start();
      await scheduler.work(
        (run) => {
          starts.push({
            runId: run.runId,
            attempt: run.attempt,
            at: Date.now(),
            instance: name,
            scheduledFor: run.scheduledFor.getTime(),
          });
        },
        { concurrency: 200 },
      );
    }
    const names = Array.from({ length: o.jobs }, (_, i) => `cut-${String(i).padStart(3, '0')}`);
    for (const name of names) await b.create({ name, cron: EVERY_SECOND });
    const from = Math.ceil((await dbNow(sql)) / SECOND) * SECOND + 2 * SECOND;
    const recoveryMs: number[] = [];
    const firesAgainMs: number[] = [];
    for (let k = 0; k < o.cuts; k++) {
      const at = from + (k + 1) * o.cutEverySeconds * SECOND + Math.round(o.offsets[k % o.offsets.length]! * SECOND);
      await untilDbTime(sql, at, `the cut at ${iso(at)}`);
      proxy.cut();
      cutAt.push(Date.now());
      trace(`cut: a cut off at ${iso(at)}`);
      await delay(o.cutSeconds * SECOND);
      proxy.heal();
      const healed = Date.now();
      const healedDb = await dbNow(sql);
      // Recovered: "a" holds a lease renewed after the heal (its connections work again, and it
      // registered anew if it was declared dead), then fires again (it claims ahead of "b").
      await waitFor(
        'a to renew its lease after the heal',
        async () => {
          const { rows } = await sql.query(
            `SELECT max(extract(epoch FROM lease_until) * 1000)::float8 AS until FROM scheduler.instances WHERE name = 'a'`,
          );
          return (rows[0]?.until ?? 0) > healedDb + 1500;
        },
        { timeoutMs: 60_000, intervalMs: 100 },
      );
      recoveryMs.push(Date.now() - healed);
      trace(`cut: a renewed its lease ${recoveryMs.at(-1)} ms after the heal`);
      await waitFor('a to fire again after the heal', () => fires.some((f) => f.instance === 'a' && f.at > healed), {
        timeoutMs: 30_000,
        intervalMs: 50,
      });
      firesAgainMs.push(fires.find((f) => f.instance === 'a' && f.at > healed)!.at - healed);
    }
    const to = Math.floor((await dbNow(sql)) / SECOND) * SECOND;

    const inWindow = (r: RunRow) => r.scheduledFor >= from && r.scheduledFor <= to;
    let runs: RunRow[] = [];
    await waitFor(
      'every run of the window to finish',
      async () => {
        runs = (await readRuns(b, names)).filter(inWindow);
        return openRuns(runs).length === 0;
      },
      { timeoutMs: 60_000, intervalMs: 500 },
    ).catch((error: Error) => {
      const open = openRuns(runs);
      throw new Error(`${error.message}; ${open.length} runs still open, e.g. ${JSON.stringify(open.slice(0, 3))}`);
    });

    assertOneSucceededRunPerTick(runs, o.jobs, from, to);
    let worstStartMs = 0;
    for (const run of runs) worstStartMs = Math.max(worstStartMs, (run.startedAt ?? Infinity) - run.scheduledFor);
    assert.ok(worstStartMs <= 5 * SECOND, `the slowest run started ${worstStartMs} ms after its tick`);

    const byAttempt = Map.groupBy(starts, (s) => `${s.runId}:${s.attempt}`);
    const twice = [...byAttempt].filter(([, list]) => list.length > 1);
    assert.deepEqual(
      twice.slice(0, 5).map(([key, list]) => `${key} started by ${list.map((s) => s.instance).join(', ')}`),
      [],
      'an attempt started twice',
    );
    const ids = new Set(runs.map((r) => r.id));
    const handledIds = new Set(starts.map((s) => s.runId));
    assert.deepEqual(
      [...ids].filter((id) => !handledIds.has(id)).slice(0, 5),
      [],
      'every run was executed by a handler',
    );
    // Alone, "a" fires the next ticks by itself.
    await b.stop({ timeoutSeconds: 5 });
    const alone = Date.now();
    await waitFor('a to fire alone', () => fires.some((f) => f.instance === 'a' && f.at > alone), {
      timeoutMs: 10_000,
      intervalMs: 50,
    });
    const aloneFiresMs = fires.find((f) => f.instance === 'a' && f.at > alone)!.at - alone;
    const startedWhileCut = starts.filter(
      (s) => s.instance === 'a' && cutAt.some((c) => s.at >= c && s.at <= c + o.cutSeconds * SECOND),
    ).length;
    return {
      cuts: o.cuts,
      runs: runs.length,
      takenOver: runs.filter((r) => r.attempts > 1).length,
      startedWhileCut,
      worstStartMs,
      recoveryMs,
      firesAgainMs,
      aloneFiresMs,
    };
  } finally {
    // The proxy first: it holds the blackholed sockets open, and stopping "a" would wait for the
    // queries hanging on them to time out.
    await proxy.close();
    await Promise.all([a.stop({ timeoutSeconds: 0 }).catch(() => {}), b.stop({ timeoutSeconds: 0 }).catch(() => {})]);
    await sql.end();
    await db.drop();
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
    // Catch-up runs beyond one are fired a chunk at a time behind fresh ticks: let them all go
    // before pausing (a paused schedule's pending catch-up waits for its resume).
    await waitFor(
      'the catch-up to be fired',
      async () => (await sql.query('SELECT count(*)::int AS n FROM scheduler.backfills')).rows[0].n === 0,
    );
    for (const name of names) await instances[0]!.pause(name);
    await waitFor('every run to finish', async () => openRuns(await readRuns(instances[0]!, names)).length === 0);

    // The last tick that was past the grace period at restart.
    const surelyMissedTo = Math.ceil((restartedAt - o.graceSeconds * SECOND) / SECOND) * SECOND - SECOND;
    const perPolicy: DowntimeSummary['perPolicy'] = {};
    for (const policy of POLICIES) {
      const name = `downtime-${policy}`;
      // Through the public API: this is the run history a user reads (readRuns orders it oldest first).
      const rows = await readRuns(instances[0]!, [name]);
      assertExactlyOnce(name, rows, rows[0]!.scheduledFor, rows.at(-1)!.scheduledFor);
      // The first tick nobody fired: the one after the stop, or a little later. Claims are committed
      // ahead of their tick (lookaheadSeconds, 1 s), so a tick prepared before the stop was fired:
      // its run, handed back at the stop, ran after the restart.
      const afterStop = Math.floor(stoppedAt / SECOND) * SECOND + SECOND;
      const firstDown = rows.find((r) => r.status === 'missed' || r.trigger === 'catch_up')?.scheduledFor ?? afterStop;
      assert.ok(
        firstDown >= afterStop && firstDown <= afterStop + 2 * SECOND,
        `${name}: the first missed tick ${iso(firstDown)} follows the stop at ${iso(stoppedAt)}`,
      );
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
    const missedTicks =
      (Math.floor(restartedAt / SECOND) * SECOND - (Math.floor(stoppedAt / SECOND) * SECOND + SECOND)) / SECOND + 1;
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

// --- Catch-up after a long downtime ---------------------------------------------------------------------

export interface CatchUpOptions {
  /** Every-second schedules with `catch_up: all`, all a long downtime behind. */
  schedules: number;
  /** How long ago every schedule's next tick was (the downtime). */
  downtimeHours: number;
  /** How long /healthcheck and the fresh ticks are watched after the server starts. */
  watchSeconds: number;
  /** How long the catch-up runs may take, in all, before the drill gives up. */
  catchUpTimeoutSeconds: number;
  /**
   * The bound on /healthcheck's p99, measured from this process: 100 ms in the long form, which runs
   * alone; the short form runs beside another test file on 2 cores, whose load adds to any round trip
   * (that test took 86 s in a CI run, 31-48 s here), so it holds the behaviour, answering throughout
   * (the freeze this drill guards against lasted 2.1 s), with 500 ms.
   */
  healthcheckP99Ms: number;
  /**
   * The bound on the fresh ticks' lateness p99 (handler start minus tick): 100 ms in the long form.
   * The short form asserts the behaviour only, that no fresh tick waits behind the catch-up (a
   * second: the next tick is due by then; the paced catch-up takes about 30 s). Its figure on a
   * machine shared with another test file is reported, not held: in CI it has been 105 ms.
   */
  freshP99Ms: number;
}

export interface CatchUpSummary {
  /** Client-side /healthcheck round trips while watching, ms. */
  healthcheck: { n: number; p50: number; p99: number; max: number };
  /** Fresh ticks while watching: handler start minus tick, ms. */
  fresh: { n: number; p50: number; p99: number; max: number };
  /** Ticks each schedule missed, as recorded (exact). */
  missedPerSchedule: number;
  catchUpRuns: number;
  /** From the start of the server until the last catch-up run succeeded, s. */
  catchUpSeconds: number;
}

function quantiles(values: number[]): { n: number; p50: number; p99: number; max: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0);
  return { n: sorted.length, p50: at(0.5), p99: at(0.99), max: Math.round(sorted.at(-1) ?? 0) };
}

/**
 * N every-second schedules (`catch_up: all`), their next tick a day behind, and the server started
 * on them (the bundled log worker in the same process). While it plans the catch-up and fires it,
 * /healthcheck is asked 20 times a second and answers fast; the fresh ticks start on time, the
 * catch-up runs paced behind them. Afterwards, per schedule, the run history accounts for every
 * second exactly once: one `missed` record of exactly the ticks not fired, `maxCatchUpRuns` (100)
 * catch-up runs for the seconds right after it, then the fresh ticks.
 */
export async function catchUpDrill(o: CatchUpOptions): Promise<CatchUpSummary> {
  const db = await createTestDatabase();
  const logDir = await mkdtemp(path.join(tmpdir(), 'faults-catch-up-'));
  const sql = new pg.Pool({ connectionString: db.url, max: 2 });
  const admin = createScheduler({ connectionString: db.url, fire: false });
  let server: ServerHandle | null = null;
  try {
    await admin.start();
    // Made by SQL, as if stored before the downtime: creating them through the API would arm them from now.
    const { rows } = await sql.query<{ at: Date }>(
      `INSERT INTO scheduler.schedules (id, name, cron, timezone, fields, queue, paused, catch_up, overlap, next_run_at)
       SELECT gen_random_uuid(), 'behind-' || lpad(i::text, 5, '0'), '* * * * * *', 'UTC', '{}', 'scheduled-runs',
         false, 'all', 'allow', date_trunc('second', clock_timestamp()) - make_interval(hours => $2)
       FROM generate_series(1, $1) i
       RETURNING next_run_at AS at`,
      [o.schedules, o.downtimeHours],
    );
    const behindFrom = rows[0]!.at.getTime();
    await admin.stop();
    // This process's fetch() loads its HTTP client on first use: that is not the server's time.
    await fetch(`http://127.0.0.1:${await freePort()}/`).catch(() => {});
    const startedAt = Date.now();
    server = await startServer('catch-up', { DATABASE_URL: db.url, LOG_DIR: logDir });
    const watchFrom = await dbNow(sql);
    const latencies: number[] = [];
    const until = Date.now() + o.watchSeconds * SECOND;
    while (Date.now() < until) {
      const sent = performance.now();
      const answer = await fetch(`${server.base}/healthcheck`);
      await answer.text();
      latencies.push(performance.now() - sent);
      await delay(50);
    }
    const watchTo = await dbNow(sql);
    trace(
      `catch-up: watched ${o.watchSeconds} s; slow: ${JSON.stringify(latencies.map((l, i) => [i, Math.round(l)]).filter(([, l]) => l! > 40))}`,
    );

    const { rows: fresh } = await sql.query<{ late: number }>(
      `SELECT extract(epoch FROM started_at - scheduled_for) * 1000 AS late FROM scheduler.runs
       WHERE trigger = 'schedule' AND status = 'succeeded' AND scheduled_for BETWEEN $1 AND $2`,
      [new Date(watchFrom + 2 * SECOND), new Date(watchTo - 2 * SECOND)],
    );
    const total = o.schedules * 100;
    const done = await waitFor(
      'every catch-up run to succeed',
      async () => {
        const { rows: counted } = await sql.query<{ n: number; last: Date | null }>(
          `SELECT count(*)::int AS n, max(finished_at) AS last FROM scheduler.runs
           WHERE trigger = 'catch_up' AND status = 'succeeded'`,
        );
        return counted[0]!.n >= total && counted[0]!;
      },
      { timeoutMs: o.catchUpTimeoutSeconds * SECOND, intervalMs: 1000 },
    );
    const catchUpSeconds = Math.round((done.last!.getTime() - startedAt) / 100) / 10;
    trace(`catch-up: ${total} catch-up runs done after ${catchUpSeconds} s`);

    // Per schedule: the missed record, the catch-up runs and the fresh ticks cover every second
    // from the first missed tick on, each exactly once.
    const { rows: problems } = await sql.query<{ name: string; problem: string }>(
      `WITH per AS (
         SELECT s.name,
           (SELECT jsonb_agg(jsonb_build_object('first', r.scheduled_for, 'last', r.last_scheduled_for, 'n', r.tick_count))
              FROM scheduler.runs r WHERE r.schedule_id = s.id AND r.status = 'missed') AS missed,
           (SELECT array_agg(extract(epoch FROM r.scheduled_for)::bigint ORDER BY r.scheduled_for)
              FROM scheduler.runs r WHERE r.schedule_id = s.id AND r.status NOT IN ('missed', 'skipped')) AS fired,
           (SELECT count(*) FROM scheduler.runs r WHERE r.schedule_id = s.id AND r.trigger = 'catch_up') AS catch_up
         FROM scheduler.schedules s)
       SELECT name, CASE
           WHEN jsonb_array_length(missed) <> 1 THEN 'missed records: ' || missed::text
           WHEN catch_up <> 100 THEN 'catch-up runs: ' || catch_up
           WHEN (missed->0->>'first')::timestamptz <> $1 THEN 'missed from ' || (missed->0->>'first')
           WHEN (missed->0->>'n')::bigint <> extract(epoch FROM (missed->0->>'last')::timestamptz - (missed->0->>'first')::timestamptz)::bigint + 1
             THEN 'missed count ' || (missed->0->>'n') || ' for ' || (missed->0->>'first') || '..' || (missed->0->>'last')
           WHEN fired[1] <> extract(epoch FROM (missed->0->>'last')::timestamptz)::bigint + 1 THEN 'fired from ' || fired[1]
           WHEN fired[array_length(fired, 1)] - fired[1] + 1 <> array_length(fired, 1) THEN 'a gap or a duplicate in the fired ticks'
         END AS problem
       FROM per`,
      [new Date(behindFrom)],
    );
    const bad = problems.filter((p) => p.problem !== null);
    assert.deepEqual(bad.slice(0, 5), [], `${bad.length} schedules account for their seconds wrongly`);
    const { rows: missed } = await sql.query<{ n: string }>(
      `SELECT min(tick_count) AS n FROM scheduler.runs WHERE status = 'missed'`,
    );

    const healthcheck = quantiles(latencies);
    const freshLateness = quantiles(fresh.map((r) => r.late));
    assert.ok(
      healthcheck.p99 <= o.healthcheckP99Ms,
      `/healthcheck p99 ${healthcheck.p99} ms (max ${healthcheck.max} ms)`,
    );
    assert.ok(freshLateness.n > 0, 'fresh ticks ran while watching');
    assert.ok(
      freshLateness.p99 <= o.freshP99Ms,
      `fresh ticks p99 ${freshLateness.p99} ms late (max ${freshLateness.max} ms)`,
    );
    assert.equal((await stopChild(server, 'SIGTERM')).code, 0, `the server exits 0: ${server.stderr()}`);
    server = null;
    return {
      healthcheck,
      fresh: freshLateness,
      missedPerSchedule: Number(missed[0]!.n),
      catchUpRuns: total,
      catchUpSeconds,
    };
  } finally {
    if (server) await stopChild(server, 'SIGKILL');
    await admin.stop({ timeoutSeconds: 0 }).catch(() => {});
    await sql.end();
    await db.drop();
    await rm(logDir, { recursive: true, force: true });
  }
}
