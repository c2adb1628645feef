/**
 * A run whose handler outlives the shutdown bound is released, and a release is not the run's
 * failure: the run is retried by the next worker even when `retryLimit` is 0.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { test } from 'node:test';
import pg from 'pg';
import { createScheduler, type RunContext } from '../../lib/index.ts';
import { createTestDatabase } from '../helpers/database.ts';
import { waitFor } from '../helpers/wait.ts';

test('a run released at shutdown is retried even when it was its last allowed attempt', async () => {
  const db = await createTestDatabase();
  const sql = new pg.Pool({ connectionString: db.url, max: 1 });
  const options = { connectionString: db.url, retryLimit: 0, retryDelaySeconds: 0 };
  const first = createScheduler(options);
  const second = createScheduler(options);
  try {
    await first.start();
    let started!: (run: RunContext) => void;
    const running = new Promise<RunContext>((resolve) => {
      started = resolve;
    });
    // Runs until the worker gives it up.
    await first.work(async (run) => {
      started(run);
      await once(run.signal, 'abort');
    });
    await first.create({ name: 'released', cron: '0 0 1 1 *' });
    const run = await first.trigger('released');
    assert.equal((await running).runId, run.id);

    await first.stop({ timeoutSeconds: 0 });
    const { rows } = await sql.query('SELECT state FROM pgboss.job WHERE id = $1', [run.id]);
    assert.deepEqual(rows, [{ state: 'retry' }], 'waits in pg-boss for a retry, not failed for good');

    await second.start();
    const attempts: number[] = [];
    await second.work((retried) => {
      if (retried.runId === run.id) attempts.push(retried.attempt);
    });
    await waitFor(
      'the released run to succeed in the second worker',
      async () => (await second.runs('released')).items.find((r) => r.id === run.id)?.status === 'succeeded',
      { timeoutMs: 30_000, intervalMs: 100 },
    );
    assert.deepEqual(attempts, [2], 'run once more, as its second attempt');
  } finally {
    await first.stop({ timeoutSeconds: 0 }).catch(() => {});
    await second.stop({ timeoutSeconds: 0 }).catch(() => {});
    await sql.end();
    await db.drop();
  }
});
