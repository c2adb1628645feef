/**
 * A scheduler on the user's own pg pool: it works end to end, and stop() leaves the pool open.
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import pg from 'pg';
import { createScheduler, type RunContext } from '../../lib/index.ts';
import { createTestDatabase } from '../helpers/database.ts';
import { waitFor } from '../helpers/wait.ts';

let db: { url: string; drop(): Promise<void> };
let pool: pg.Pool;

before(async () => {
  db = await createTestDatabase();
  pool = new pg.Pool({ connectionString: db.url, max: 4 });
});

after(async () => {
  await pool?.end();
  await db?.drop();
});

it('runs on a pool the user owns and leaves it open at stop', async () => {
  const scheduler = createScheduler({ pool, schema: 'jobs_on_pool' });
  await scheduler.start();
  const handled: RunContext[] = [];
  await scheduler.work((run) => {
    handled.push(run);
  });
  await scheduler.create({ name: 'on-pool', cron: '* * * * * *' });
  const manual = await scheduler.trigger('on-pool');
  await waitFor(
    'a manual and a scheduled run',
    () => handled.some((r) => r.runId === manual.id) && handled.some((r) => r.trigger === 'schedule'),
  );
  await scheduler.stop();
  const { rows } = await pool.query('SELECT count(*)::int AS n FROM jobs_on_pool.schedules');
  assert.equal(rows[0].n, 1, 'the pool still answers after stop()');
});
