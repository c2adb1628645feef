/**
 * A multi-host connection string whose first host refuses connections: the scheduler (its pools,
 * its LISTEN and lease connections, and pg-boss's) works on the second, end to end. The failover
 * itself (a primary killed, a standby promoted) is the drill test/faults/failover.test.ts.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, it } from 'node:test';
import pg from 'pg';
import { createScheduler, type RunContext } from '../../lib/index.ts';
import { createTestDatabase } from '../helpers/database.ts';
import { waitFor } from '../helpers/wait.ts';

let db: { url: string; drop(): Promise<void> };

/** A port nothing listens on (taken, then released). */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

before(async () => {
  db = await createTestDatabase();
});

after(async () => {
  await db?.drop();
});

it('works on the host that answers when the first one of the list refuses', async () => {
  const url = new URL(db.url);
  const multi = `postgres://${url.username}${url.password ? `:${url.password}` : ''}@127.0.0.1:${await closedPort()},${url.host}${url.pathname}?target_session_attrs=read-write`;
  const scheduler = createScheduler({ connectionString: multi, schema: 'multi_host' });
  await scheduler.start();
  try {
    const handled: RunContext[] = [];
    await scheduler.work((run) => {
      handled.push(run);
    });
    await scheduler.create({ name: 'every-second', cron: '* * * * * *' });
    await waitFor('a run handled', () => handled.length > 0, { timeoutMs: 10_000 });
    // Every connection of the scheduler is on the live server, under its role's name.
    const sql = new pg.Client({ connectionString: db.url });
    await sql.connect();
    try {
      const { rows } = await sql.query(
        `SELECT DISTINCT application_name AS name FROM pg_stat_activity
          WHERE datname = current_database() AND application_name LIKE 'pg-cron-scheduler%' ORDER BY 1`,
      );
      assert.deepEqual(
        rows.map((r) => r.name),
        [
          'pg-cron-scheduler',
          'pg-cron-scheduler:boss',
          'pg-cron-scheduler:firing',
          'pg-cron-scheduler:lease',
          'pg-cron-scheduler:listen',
        ],
      );
    } finally {
      await sql.end();
    }
  } finally {
    await scheduler.stop({ timeoutSeconds: 0 });
  }
});
