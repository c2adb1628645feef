/**
 * The failover drill: scheduler processes on a primary with a streaming standby, given the libpq
 * multi-host string `postgres://…@127.0.0.1:<a>,127.0.0.1:<b>/postgres?target_session_attrs=read-write`.
 * Every-second schedules fire steadily; then the primary is stopped hard at a chosen instant
 * relative to a tick and the standby promoted, with no restart of the processes. Each failover
 * after the first rebuilds a standby from the new primary on the old one's port (so the same string
 * still names both) and fails over back to it.
 *
 * Every handled run is recorded by the process that handled it (fixtures/failover-instance.ts), and
 * each tick of the window is classed: on time, late, caught up, lost (never handled), duplicated
 * (handled more than once at attempt 1).
 */
import assert from 'node:assert/strict';
import { createScheduler, type Scheduler } from '../../lib/index.ts';
import { hostRouter, parseHostList } from '../../lib/store/hosts.ts';
import { waitFor } from '../helpers/wait.ts';
import { type Cluster, createReplicaSet, query } from './replica.ts';
import { type ChildHandle, isRunning, SECOND, spawnChild, stopChild, trace } from './support.ts';

const EVERY_SECOND = '* * * * * *';
/** A run that starts within this long of its tick is on time. */
const ON_TIME_MS = 1000;

export interface FailoverOptions {
  /** The system's PostgreSQL binaries (pg_config --bindir). */
  bin: string;
  /** Synchronous replication (synchronous_standby_names naming the standby, synchronous_commit=on). */
  synchronous: boolean;
  /** Scheduler processes. */
  instances: number;
  schedules: number;
  /** Steady firing before the first kill. */
  steadySeconds: number;
  /** One failover per entry: the primary is killed this many ms after a tick (negative: before it). */
  killOffsetsMs: number[];
  /** How long firing goes on after each promotion (before the next kill, or the end). */
  afterSeconds: number;
  /** Replication latency each way (replica.ts startLagLink); 0: localhost as it is. */
  lagMs: number;
}

/** A TickRow's counts, all zero. */
const noTicks = (): Omit<TickRow, 'at'> => ({
  onTime: 0,
  late: 0,
  maxLateMs: 0,
  caughtUp: 0,
  retriedOnly: 0,
  lost: 0,
  duplicated: 0,
  reclaimed: 0,
  unknownRuns: 0,
});

/** What happened to the ticks of one second (all schedules). */
export interface TickRow {
  /** The tick, in seconds from the kill's tick of its failover (the nearest one). */
  at: string;
  onTime: number;
  late: number;
  /** Latest first start of a late or caught-up run of this tick, ms after the tick. */
  maxLateMs: number;
  caughtUp: number;
  /** Handled, but only by a retry (attempt 2 or more): attempt 1 was never seen to run. */
  retriedOnly: number;
  lost: number;
  duplicated: number;
  /** Of the duplicated: handled under two run ids (the tick was claimed twice: the first claim never reached the new primary). */
  reclaimed: number;
  /** Runs handled whose record the final primary does not have (claimed on a primary that died before replicating it). */
  unknownRuns: number;
}

export interface FailoverReport {
  /** Where the kill fell: ms after the tick (the database's clock is this machine's). */
  killOffsetMs: number;
  /** From the kill to the end of the promotion. */
  promoteMs: number;
  /** From the promotion to the first tick after it handled on time. */
  resumedAfterMs: number;
}

export interface FailoverSummary {
  mode: 'async' | 'sync';
  lagMs: number;
  /** Median time of a one-row INSERT's commit on the primary (what synchronous replication costs each commit). */
  commitMs: number;
  failovers: FailoverReport[];
  ticks: number;
  totals: Omit<TickRow, 'at'>;
  /** Seconds around each kill whose ticks were not all on time. */
  disturbed: TickRow[];
  /** Errors each process reported (one line per scheduler 'error' event). */
  errorLines: number[];
}

type Handled = [name: string, tick: number, start: number, attempt: number, trigger: string, runId: string];

function handled(instances: ChildHandle[]): Handled[] {
  return instances.flatMap((i) => i.lines.filter((l) => Array.isArray(l.h)).map((l) => l.h as Handled));
}

/** Settles when the wall clock reaches `atMs` (polled every millisecond near it). */
async function until(atMs: number): Promise<void> {
  await waitFor(`${new Date(atMs).toISOString()}`, () => Date.now() >= atMs, {
    timeoutMs: Math.max(0, atMs - Date.now()) + 5000,
    intervalMs: 1,
  });
}

/** Checks that connection selection picks the right server before the drill relies on it. */
async function checkSelection(primary: Cluster, standby: Cluster): Promise<void> {
  const port = async (attrs: string, first: Cluster, second: Cluster) => {
    const list = parseHostList(
      `postgres://postgres@127.0.0.1:${first.port},127.0.0.1:${second.port}/postgres?target_session_attrs=${attrs}`,
    )!;
    const router = hostRouter(list);
    const client = new router.Client({ connectionString: list.hosts[0]!.connectionString });
    let queries = 0;
    const query = client.query.bind(client);
    client.query = ((...args: Parameters<typeof query>) => {
      queries++;
      return query(...args);
    }) as typeof client.query;
    await client.connect();
    const sent = queries;
    const { rows } = await query('SELECT inet_server_port() AS port');
    await client.end();
    return { port: rows[0].port as number, queriesOnConnect: sent };
  };
  // read-write finds the primary wherever it is listed; any takes the first host that answers.
  for (const [attrs, first, second, expected] of [
    ['read-write', standby, primary, primary],
    ['read-write', primary, standby, primary],
    ['primary', standby, primary, primary],
    ['any', standby, primary, standby],
  ] as const) {
    const got = await port(attrs, first, second);
    assert.equal(got.port, expected.port, `${attrs} with ${first.name} first connects to ${expected.name}`);
    // PostgreSQL 14+ reports in_hot_standby and default_transaction_read_only at start-up: no query.
    assert.equal(got.queriesOnConnect, 0, `${attrs}: no query to check the session`);
  }
}

/** Median of 11 single-row INSERT commits (autocommit) on `primary`, ms. */
async function commitTime(primary: Cluster): Promise<number> {
  await query(primary.url, 'CREATE TABLE IF NOT EXISTS drill_commit (at timestamptz)');
  const times: number[] = [];
  for (let i = 0; i < 11; i++) {
    const begun = performance.now();
    await query(primary.url, 'INSERT INTO drill_commit VALUES (now())');
    times.push(performance.now() - begun);
  }
  const connectOnly: number[] = [];
  for (let i = 0; i < 11; i++) {
    const begun = performance.now();
    await query(primary.url, 'SELECT 1');
    connectOnly.push(performance.now() - begun);
  }
  const median = (list: number[]) => list.sort((a, b) => a - b)[Math.floor(list.length / 2)]!;
  // Each query() opens its own connection: take the connection's time off.
  return Math.round((median(times) - median(connectOnly)) * 10) / 10;
}

export async function failoverDrill(o: FailoverOptions): Promise<FailoverSummary> {
  const set = await createReplicaSet(o.bin);
  const instances: ChildHandle[] = [];
  let admin: Scheduler | null = null;
  try {
    let primary = await set.createPrimary('node_a');
    let standby = await set.createStandby(primary, 'node_b', { lagMs: o.lagMs });
    if (o.synchronous) await set.makeSynchronous(primary, standby);
    await checkSelection(primary, standby);
    const commitMs = await commitTime(primary);
    const url = `postgres://postgres@127.0.0.1:${primary.port},127.0.0.1:${standby.port}/postgres?target_session_attrs=read-write`;
    trace(`failover: clusters ready (${o.synchronous ? 'sync' : 'async'}): ${url}`);

    // Migrates the schema and makes the schedules; fires nothing.
    admin = createScheduler({ connectionString: url, fire: false });
    await admin.start();
    const names = Array.from({ length: o.schedules }, (_, i) => `failover-${String(i).padStart(3, '0')}`);
    for (const name of names) await admin.create({ name, cron: EVERY_SECOND, catchUp: 'all' });
    instances.push(
      ...Array.from({ length: o.instances }, (_, i) =>
        spawnChild(`instance-${i}`, 'test/faults/fixtures/failover-instance.ts', {
          DATABASE_URL: url,
          INSTANCE_NAME: `instance-${i}`,
        }),
      ),
    );
    await waitFor(
      'the instances to be ready',
      () => {
        for (const i of instances) {
          if (!isRunning(i)) throw new Error(`${i.label} exited: ${i.stderr()}`);
        }
        return instances.every((i) => i.lines.some((l) => l.ready));
      },
      { timeoutMs: 60_000 },
    );
    const windowStart = Math.ceil(Date.now() / SECOND) * SECOND + 2 * SECOND;
    trace('failover: instances ready');

    const failovers: FailoverReport[] = [];
    const killTicks: number[] = [];
    let next = windowStart + o.steadySeconds * SECOND;
    for (const [k, offsetMs] of o.killOffsetsMs.entries()) {
      const killTick = Math.ceil(next / SECOND) * SECOND;
      killTicks.push(killTick);
      await until(killTick + offsetMs);
      const killedAt = await set.killHard(primary);
      trace(`failover: killed ${primary.name} at tick ${offsetMs >= 0 ? '+' : ''}${killedAt - killTick} ms`);
      await set.promote(standby);
      const promotedAt = Date.now();
      trace(`failover: promoted ${standby.name} after ${promotedAt - killedAt} ms`);
      const resumed = await waitFor(
        'a tick after the promotion handled on time',
        () =>
          handled(instances)
            .filter(([, tick, start]) => tick > promotedAt && start - tick <= ON_TIME_MS)
            .sort((a, b) => a[1] - b[1])[0],
        { timeoutMs: 60_000, intervalMs: 20 },
      );
      failovers.push({
        killOffsetMs: killedAt - killTick,
        promoteMs: promotedAt - killedAt,
        resumedAfterMs: resumed[1] - promotedAt,
      });
      trace(`failover: on time again from ${resumed[1] - promotedAt} ms after the promotion`);
      const dead = primary;
      [primary, standby] = [standby, dead];
      if (k < o.killOffsetsMs.length - 1) {
        // A new standby where the dead primary was: the connection string names the same two hosts.
        standby = await set.createStandby(primary, dead.name, { port: dead.port, lagMs: o.lagMs });
        if (o.synchronous) await set.makeSynchronous(primary, standby);
        trace(`failover: ${standby.name} streams from ${primary.name} again`);
      }
      next = promotedAt + o.afterSeconds * SECOND;
    }
    await until(next);
    const windowEnd = Math.floor(next / SECOND) * SECOND - 2 * SECOND;
    const inWindow = (tick: number) => tick >= windowStart && tick <= windowEnd;

    // Every tick of the window is handled (catch-up `all`), and nothing more turns up for a while
    // (a duplicate would come from a retry or a taken-over run, seconds later).
    let seen = -1;
    let quietSince = Date.now();
    await waitFor(
      'every tick of the window handled, and no more handled runs for 3 s',
      () => {
        const records = handled(instances).filter(([, tick]) => inWindow(tick));
        if (records.length !== seen) {
          seen = records.length;
          quietSince = Date.now();
        }
        const covered = new Set(records.map(([name, tick]) => `${name} ${tick}`)).size;
        return covered === names.length * ((windowEnd - windowStart) / SECOND + 1) && Date.now() - quietSince >= 3000;
      },
      { timeoutMs: 30_000, intervalMs: 100 },
    ).catch((error: Error) => trace(`failover: ${error.message}`));

    // Every connection followed: each scheduler's LISTEN connection is on the surviving primary
    // (pg-boss opens none: it runs without useListenNotify). The old primary is dead, so whatever
    // else works (claims, fetches, the lease) works there too.
    let sessions: { name: string; listening: boolean; n: number }[] = [];
    const listeners = await waitFor(
      'the LISTEN connections of every process on the surviving primary',
      async () => {
        sessions = await query<{ name: string; listening: boolean; n: number }>(
          primary.url,
          `SELECT application_name AS name, (query LIKE 'LISTEN%' OR query LIKE '%pg_listening_channels%') AS listening,
                  count(*)::int AS n
             FROM pg_stat_activity WHERE application_name LIKE 'pg-cron-scheduler%' GROUP BY 1, 2 ORDER BY 1, 2`,
        );
        const count = (name: string, listening?: boolean) =>
          sessions
            .filter((r) => r.name === name && (listening === undefined || r.listening === listening))
            .reduce((sum, r) => sum + r.n, 0);
        // The processes' and the admin scheduler's of this process.
        // pg-boss's pool connections come and go with its fetches (idle ones close): they are listed, not counted.
        return count('pg-cron-scheduler:listen') === o.instances + 1 ? sessions : null;
      },
      { timeoutMs: 20_000, intervalMs: 200 },
    ).catch((error: Error) => {
      throw new Error(`${error.message}: ${JSON.stringify(sessions)}`);
    });
    trace(`failover: LISTEN sessions on the surviving primary: ${JSON.stringify(listeners)}`);
    for (const instance of instances) trace(`failover: ${instance.label} stderr:\n${instance.stderr()}`);
    const errorLines = instances.map((i) => i.stderr().split('\n').filter(Boolean).length);
    for (const instance of instances) {
      assert.ok(isRunning(instance), `${instance.label} stayed up: ${instance.stderr()}`);
      assert.doesNotMatch(instance.stderr(), /unhandled|uncaught/i, `${instance.label}: no unhandled rejection`);
    }

    // The run records the surviving primary holds, of the runs that were handled.
    const known = new Set(
      (
        await query<{ id: string }>(primary.url, 'SELECT id::text FROM scheduler.runs WHERE id = ANY($1::uuid[])', [
          [...new Set(handled(instances).map((r) => r[5]))],
        ])
      ).map((r) => r.id),
    );
    // Per tick and schedule: the handled records of the window.
    const records = new Map<string, Handled[]>();
    for (const record of handled(instances)) {
      if (!inWindow(record[1])) continue;
      const key = `${record[0]} ${record[1]}`;
      records.set(key, [...(records.get(key) ?? []), record]);
    }
    const rows = new Map<number, TickRow>();
    const nearestKill = (tick: number) =>
      killTicks.reduce((best, t) => (Math.abs(t - tick) < Math.abs(best - tick) ? t : best), killTicks[0]!);
    for (let tick = windowStart; tick <= windowEnd; tick += SECOND) {
      const rel = (tick - nearestKill(tick)) / SECOND;
      const row: TickRow = { at: `${rel >= 0 ? '+' : ''}${rel}s`, ...noTicks() };
      for (const name of names) {
        const list = (records.get(`${name} ${tick}`) ?? []).sort((a, b) => a[2] - b[2]);
        const first = list[0];
        if (!first) {
          row.lost++;
          continue;
        }
        const firstAttempts = list.filter((r) => r[3] === 1).length;
        if (firstAttempts > 1) row.duplicated += firstAttempts - 1;
        const ids = new Set(list.map((r) => r[5]));
        if (ids.size > 1) row.reclaimed += ids.size - 1;
        row.unknownRuns += [...ids].filter((id) => !known.has(id)).length;
        if (firstAttempts === 0) row.retriedOnly++;
        const lateMs = first[2] - tick;
        if (first[4] === 'catch_up') row.caughtUp++;
        else if (lateMs <= ON_TIME_MS) row.onTime++;
        else row.late++;
        if (lateMs > ON_TIME_MS) row.maxLateMs = Math.max(row.maxLateMs, lateMs);
      }
      rows.set(tick, row);
    }
    const all = [...rows.values()];
    const totals = noTicks();
    for (const row of all) {
      for (const key of [
        'onTime',
        'late',
        'caughtUp',
        'retriedOnly',
        'lost',
        'duplicated',
        'reclaimed',
        'unknownRuns',
      ] as const) {
        totals[key] += row[key];
      }
      totals.maxLateMs = Math.max(totals.maxLateMs, row.maxLateMs);
    }
    if (totals.lost > 0) {
      // What the surviving primary says of the ticks nobody handled.
      const lost = [...rows.entries()].filter(([, row]) => row.lost > 0).map(([tick]) => new Date(tick));
      const states = await query(
        primary.url,
        `SELECT r.scheduled_for, r.status, r.owner IS NOT NULL AS held, count(*)::int AS n
           FROM scheduler.runs r WHERE r.scheduled_for = ANY($1::timestamptz[]) GROUP BY 1, 2, 3 ORDER BY 1`,
        [lost],
      );
      trace(`failover: the lost ticks' runs on the surviving primary: ${JSON.stringify(states)}`);
    }
    const disturbed = all.filter(
      (row) => row.onTime !== o.schedules || row.duplicated > 0 || row.unknownRuns > 0 || row.retriedOnly > 0,
    );

    for (const instance of instances) {
      const exit = await stopChild(instance, 'SIGTERM');
      assert.equal(exit.code, 0, `${instance.label} exits 0 on SIGTERM: ${instance.stderr()}`);
    }
    return {
      mode: o.synchronous ? 'sync' : 'async',
      lagMs: o.lagMs,
      commitMs,
      failovers,
      ticks: all.length,
      totals,
      disturbed,
      errorLines,
    };
  } finally {
    for (const instance of instances) await stopChild(instance, 'SIGKILL');
    await admin?.stop({ timeoutSeconds: 0 }).catch(() => {});
    await set.destroy();
  }
}

/** One line per disturbed second, for the test's output. */
export function describeTicks(rows: TickRow[]): string {
  return rows
    .map(
      (r) =>
        `  ${r.at.padStart(5)}: on time ${r.onTime}, late ${r.late}, caught up ${r.caughtUp}, max late ${r.maxLateMs} ms, ` +
        `retried only ${r.retriedOnly}, lost ${r.lost}, duplicated ${r.duplicated} (reclaimed ${r.reclaimed}), ` +
        `runs unknown to the new primary ${r.unknownRuns}`,
    )
    .join('\n');
}
