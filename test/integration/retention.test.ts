/**
 * Run history is pruned after runRetentionSeconds, by one instance at a time.
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import pg from 'pg';
import { createScheduler, type Scheduler } from '../../lib/index.ts';
import { createTestDatabase } from '../helpers/database.ts';
import { waitFor } from '../helpers/wait.ts';

let db: { url: string; drop(): Promise<void> };
let scheduler: Scheduler;
let sql: pg.Pool;

before(async () => {
  db = await createTestDatabase();
  sql = new pg.Pool({ connectionString: db.url, max: 2 });
  scheduler = createScheduler({ connectionString: db.url, runRetentionSeconds: 60, pruneIntervalSeconds: 1 });
  await scheduler.start();
});

after(async () => {
  await scheduler?.stop();
  await sql?.end();
  await db?.drop();
});

it('prunes runs older than the retention and keeps the newer ones', async () => {
  const schedule = await scheduler.create({
    name: 'kept',
    cron: '0 0 1 1 *',
    paused: true,
    queue: 'nobody-works-this',
  });
  const fresh = await scheduler.trigger('kept');
  // An old history, as if written two minutes ago.
  await sql.query(
    `INSERT INTO scheduler.runs (id, schedule_id, scheduled_for, last_scheduled_for, trigger, status, queue, created_at)
     SELECT gen_random_uuid(), $1, now() - interval '2 minutes' - g * interval '1 second',
       now() - interval '2 minutes' - g * interval '1 second', 'schedule', 'missed', 'nobody-works-this',
       now() - interval '2 minutes'
     FROM generate_series(1, 500) g`,
    [schedule.id],
  );
  await waitFor('the old runs pruned', async () => {
    const { rows } = await sql.query('SELECT count(*)::int AS n FROM scheduler.runs WHERE schedule_id = $1', [
      schedule.id,
    ]);
    return rows[0].n === 1;
  });
  const { items } = await scheduler.runs('kept');
  assert.deepEqual(
    items.map((r) => r.id),
    [fresh.id],
  );
});
