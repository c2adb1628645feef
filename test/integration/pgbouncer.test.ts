/**
 * The scheduler behind a real PgBouncer (Debian's package), in session and in transaction mode:
 * what works, and what is refused with a PoolerError saying what to change. Skipped, saying so,
 * when the pgbouncer binary is missing (.ci/run installs it).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import {
  createScheduler,
  PoolerError,
  type RunContext,
  type Scheduler,
  type SchedulerOptions,
} from '../../lib/index.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { findPgBouncer, type PgBouncer, startPgBouncer } from '../helpers/pgbouncer.ts';
import { waitFor } from '../helpers/wait.ts';

const binary = findPgBouncer();
const skip = binary ? false : 'the pgbouncer binary is missing (apt-get install pgbouncer)';

let db: TestDatabase;
let session: PgBouncer;
let transaction: PgBouncer;
let direct: pg.Pool;

before(async () => {
  if (!binary) return;
  db = await createTestDatabase();
  direct = new pg.Pool({ connectionString: db.url, max: 2 });
  [session, transaction] = await Promise.all([
    startPgBouncer(binary, db.url, 'session'),
    startPgBouncer(binary, db.url, 'transaction'),
  ]);
});

after(async () => {
  await Promise.all([session?.stop(), transaction?.stop()]);
  await direct?.end();
  await db?.drop();
});

/** A started scheduler whose handler records every run it is given. */
async function started(options: SchedulerOptions): Promise<{ scheduler: Scheduler; handled: RunContext[] }> {
  const scheduler = createScheduler({ pruneIntervalSeconds: 1, ...options });
  const errors: Error[] = [];
  scheduler.on('error', (error) => errors.push(error));
  await scheduler.start();
  const handled: RunContext[] = [];
  await scheduler.work((run) => {
    handled.push(run);
  });
  return { scheduler, handled };
}

/**
 * Creates an every-second schedule through `scheduler`, waits for `count` runs of it (by any of
 * `all`), pauses it, and checks: its first tick fired at once (the tickers heard the change: with
 * the default 10 s poll they would otherwise find it late), every tick once, no gap.
 */
async function assertEverySecondOnce(
  scheduler: Scheduler,
  all: RunContext[][],
  name: string,
  count: number,
): Promise<void> {
  const created = Date.now();
  await scheduler.create({ name, cron: '* * * * * *' });
  const runs = () => all.flat().filter((run) => run.scheduleName === name);
  await waitFor(`${count} runs of ${name}`, () => runs().length >= count, { timeoutMs: 15_000 });
  await scheduler.pause(name);
  const ticks = runs()
    .map((run) => run.scheduledFor.getTime())
    .sort((a, b) => a - b);
  assert.equal(new Set(ticks).size, ticks.length, 'no tick fires twice');
  for (let i = 1; i < ticks.length; i++) assert.equal(ticks[i]! - ticks[i - 1]!, 1000, 'no gap');
  assert.ok(ticks[0]! - created <= 2000, `the first tick fired ${ticks[0]! - created} ms after the create`);
  assert.equal(new Set(runs().map((run) => run.runId)).size, runs().length, 'each run handled once');
}

/** Advisory locks held on the real server in the test's database (a leaked session lock stays). */
async function advisoryLocks(): Promise<number> {
  const { rows } = await direct.query(
    `SELECT count(*)::int AS n FROM pg_locks l JOIN pg_stat_activity a USING (pid)
      WHERE l.locktype = 'advisory' AND a.datname = current_database() AND a.pid <> pg_backend_pid()`,
  );
  return rows[0].n as number;
}

describe('behind PgBouncer', { skip }, () => {
  it('session mode: connections carrying server settings are refused, with a PoolerError naming the option', async () => {
    const scheduler = createScheduler({ connectionString: session.through(db.url) });
    await assert.rejects(scheduler.start(), (error: unknown) => {
      assert.ok(error instanceof PoolerError, String(error));
      assert.equal(error.code, 'pooler');
      assert.equal(error.problem, 'startup_parameters');
      assert.match(error.message, /`pooler` option/);
      return true;
    });
  });

  it('session mode with `pooler`: two instances fire an every-second schedule exactly once, and leave no lock', async () => {
    const a = await started({ connectionString: session.through(db.url), pooler: true });
    const b = await started({ connectionString: session.through(db.url), pooler: true });
    try {
      await assertEverySecondOnce(a.scheduler, [a.handled, b.handled], 'session-every-second', 4);
    } finally {
      await Promise.all([a.scheduler.stop(), b.scheduler.stop()]);
    }
    // PgBouncer keeps its server sessions after the clients left: a session lock taken by a prune
    // pass (every second here) and never unlocked would still be there.
    assert.equal(await advisoryLocks(), 0);
  });

  it('transaction mode: start() is refused, naming directConnectionString, since no notification reaches a listener', async () => {
    const scheduler = createScheduler({ connectionString: transaction.through(db.url), pooler: true });
    const began = Date.now();
    await assert.rejects(scheduler.start(), (error: unknown) => {
      assert.ok(error instanceof PoolerError, String(error));
      assert.equal(error.problem, 'notifications');
      assert.match(error.message, /directConnectionString/);
      return true;
    });
    assert.ok(Date.now() - began < 15_000, 'refused within the self-test bound');
  });

  it('transaction mode with directConnectionString: two instances fire every second exactly once, and leave no lock', async () => {
    const options = { connectionString: transaction.through(db.url), pooler: true, directConnectionString: db.url };
    const a = await started(options);
    const b = await started(options);
    try {
      await assertEverySecondOnce(a.scheduler, [a.handled, b.handled], 'transaction-every-second', 4);
    } finally {
      await Promise.all([a.scheduler.stop(), b.scheduler.stop()]);
    }
    // Each pass's lock went with its transaction, on whichever server session held it.
    assert.equal(await advisoryLocks(), 0);
  });
});
