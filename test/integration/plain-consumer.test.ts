/**
 * Runs worked by plain pg-boss consumers (no library on their side): the run history still tells
 * what happened to them, read through pg-boss's public API.
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { PgBoss } from 'pg-boss';
import { createScheduler, type RunJobData, type Scheduler } from '../../lib/index.ts';
import { createTestDatabase } from '../helpers/database.ts';
import { waitFor } from '../helpers/wait.ts';

let db: { url: string; drop(): Promise<void> };
let scheduler: Scheduler;
let boss: PgBoss;

before(async () => {
  db = await createTestDatabase();
  scheduler = createScheduler({ connectionString: db.url, retryLimit: 0 });
  await scheduler.start();
  boss = new PgBoss({ connectionString: db.url, schedule: false });
  boss.on('error', () => {});
  await boss.start();
});

after(async () => {
  await boss?.stop({ graceful: false });
  await scheduler?.stop({ timeoutSeconds: 0 });
  await db?.drop();
});

it('shows succeeded and failed runs of a queue only a plain pg-boss consumer works', async () => {
  await scheduler.create({ name: 'elsewhere', cron: '0 0 1 1 *', paused: true, queue: 'elsewhere' });
  const ok = await scheduler.trigger('elsewhere');
  const bad = await scheduler.trigger('elsewhere');
  // Plain pg-boss, as another service would: fetch, then complete or fail.
  const jobs = await waitFor('both jobs fetched', async () => {
    const fetched = await boss.fetch<RunJobData>('elsewhere', { batchSize: 2 });
    return fetched.length === 2 && fetched;
  });
  for (const job of jobs) {
    assert.equal(job.data.attemptsBefore, 0);
    if (job.id === ok.id) await boss.complete('elsewhere', job.id);
    else await boss.fail('elsewhere', job.id, { message: 'the consumer said no' });
  }
  const runs = await waitFor(
    'the history to tell',
    async () => {
      const { items } = await scheduler.runs('elsewhere');
      const byId = new Map(items.map((r) => [r.id, r]));
      return byId.get(ok.id)?.status === 'succeeded' && byId.get(bad.id)?.status === 'failed' && byId;
    },
    { timeoutMs: 30_000, intervalMs: 250 },
  );
  const succeeded = runs.get(ok.id)!;
  assert.equal(succeeded.attempts, 1);
  assert.ok(succeeded.startedAt && succeeded.finishedAt);
  const failed = runs.get(bad.id)!;
  assert.equal(failed.error, 'the consumer said no');
  assert.ok(failed.finishedAt);
});
