/**
 * Firing does not compete with other database work: it has connections of its own, and schedule
 * writes wake the tickers only when they must.
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import pg from 'pg';
import { resolveConfig } from '../../lib/config.ts';
import { wakeChannel } from '../../lib/engine/ticker.ts';
import { createScheduler, type RunContext } from '../../lib/index.ts';
import { createTestDatabase } from '../helpers/database.ts';
import { waitFor } from '../helpers/wait.ts';

let db: { url: string; drop(): Promise<void> };

before(async () => {
  db = await createTestDatabase();
});

after(async () => {
  await db?.drop();
});

it('fires on time while every connection of the main pool is taken', async () => {
  const pool = new pg.Pool({ connectionString: db.url, max: 2 });
  const scheduler = createScheduler({ pool, schema: 'lane_busy' });
  const held: pg.PoolClient[] = [];
  try {
    await scheduler.start();
    const handled: { run: RunContext; startedMs: number }[] = [];
    await scheduler.work((run) => {
      handled.push({ run, startedMs: Date.now() });
    });
    await scheduler.create({ name: 'busy-pool', cron: '* * * * * *' });
    // Whatever else the application does, it holds every connection of the pool it gave us.
    held.push(await pool.connect(), await pool.connect());
    const from = handled.length;
    await waitFor('three ticks fired with the main pool exhausted', () => handled.length >= from + 3);
    for (const { run, startedMs } of handled) {
      assert.ok(
        startedMs >= run.scheduledFor.getTime(),
        `run of ${run.scheduledFor.toISOString()} started ${run.scheduledFor.getTime() - startedMs} ms early`,
      );
    }
  } finally {
    for (const client of held) client.release();
    await scheduler.stop({ timeoutSeconds: 2 });
    await pool.end();
  }
});

it('wakes the tickers for a change due soon, and not for a paused or far-off schedule', async () => {
  const scheduler = createScheduler({ connectionString: db.url, schema: 'lane_wake', fire: false });
  const listener = new pg.Client({ connectionString: db.url });
  const payloads: string[] = [];
  try {
    await scheduler.start();
    await listener.connect();
    listener.on('notification', (message) => payloads.push(message.payload ?? ''));
    await listener.query(`LISTEN ${wakeChannel(resolveConfig({ connectionString: db.url, schema: 'lane_wake' }))}`);
    await scheduler.create({ name: 'paused', cron: '* * * * * *', paused: true });
    await scheduler.create({ name: 'yearly', cron: '0 0 1 1 *' });
    await scheduler.update('yearly', { name: 'yearly-renamed' });
    const soon = await scheduler.create({ name: 'every-second', cron: '* * * * * *' });
    // Notifications arrive in commit order: once the last write's is here, earlier ones would be too.
    await waitFor('the wake of the schedule due soon', () => payloads.length > 0);
    assert.deepEqual(payloads, [String(soon.nextRunAt!.getTime())]);

    await scheduler.update('every-second', { paused: true });
    const resumed = await scheduler.update('every-second', { paused: false });
    await waitFor('the wake of the resumed schedule', () => payloads.length > 1);
    assert.deepEqual(payloads.slice(1), [String(resumed.nextRunAt!.getTime())], 'pausing sends no wake');
  } finally {
    await listener.end();
    await scheduler.stop({ timeoutSeconds: 2 });
  }
});
