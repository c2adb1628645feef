/**
 * Start-up: schema names, concurrent first starts, and a schema from a newer version.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { createScheduler, type RunContext, SchedulerError, ValidationError } from '../../lib/index.ts';
import { createTestDatabase } from '../helpers/database.ts';
import { waitFor } from '../helpers/wait.ts';

let db: { url: string; drop(): Promise<void> };
let sql: pg.Pool;

before(async () => {
  db = await createTestDatabase();
  sql = new pg.Pool({ connectionString: db.url, max: 2 });
});

after(async () => {
  await sql?.end();
  await db?.drop();
});

describe('schema names', () => {
  for (const schema of ['a'.repeat(63), 'user', 'select', '_9']) {
    it(`works in schema ${JSON.stringify(schema.length > 20 ? `${schema.slice(0, 8)}… (${schema.length})` : schema)}: created, fired, handled`, async () => {
      const scheduler = createScheduler({ connectionString: db.url, schema, queue: `q-${schema.slice(0, 20)}` });
      const handled: RunContext[] = [];
      try {
        await scheduler.start();
        await scheduler.work((run) => {
          handled.push(run);
        });
        const job = await scheduler.create({ name: 'every-second', cron: '* * * * * *' });
        await waitFor('a run handled', () => handled.length > 0);
        // A change announced by NOTIFY: its channel name must fit PostgreSQL's 63 bytes.
        await scheduler.pause(job.id);
        const resumed = await scheduler.resume(job.id);
        await waitFor('a run after the resume', () => handled.some((r) => r.scheduledFor >= resumed.nextRunAt!));
      } finally {
        await scheduler.stop({ timeoutSeconds: 1 });
      }
    });
  }

  it('refuses a name it cannot use, naming the option', () => {
    for (const schema of ['A', 'a-b', '1a', 'a'.repeat(64), 'a b', '"x"']) {
      assert.throws(
        () => createScheduler({ connectionString: db.url, schema }),
        (error: unknown) => error instanceof ValidationError && error.issues[0]?.field === 'schema',
        schema,
      );
    }
  });
});

describe('start-up', () => {
  it('three instances starting together on an empty database migrate once and all start', async () => {
    const schedulers = Array.from({ length: 3 }, () =>
      createScheduler({ connectionString: db.url, schema: 'together' }),
    );
    try {
      await Promise.all(schedulers.map((s) => s.start()));
      const { rows } = await sql.query('SELECT version FROM together.migrations ORDER BY version');
      assert.deepEqual(
        rows.map((r) => r.version),
        [1, 2, 3],
        'each migration applied once',
      );
      const { rows: instances } = await sql.query('SELECT count(*)::int AS n FROM together.instances');
      assert.equal(instances[0].n, 3, 'each holds a lease');
      for (const s of schedulers) assert.equal(await s.ping(), true);
    } finally {
      await Promise.all(schedulers.map((s) => s.stop({ timeoutSeconds: 0 })));
    }
    const { rows } = await sql.query('SELECT count(*)::int AS n FROM together.instances');
    assert.equal(rows[0].n, 0, 'a clean stop gives its lease back');
  });

  it('refuses a schema migrated by a newer version, saying so', async () => {
    const first = createScheduler({ connectionString: db.url, schema: 'newer' });
    await first.start();
    await first.stop();
    await sql.query('INSERT INTO newer.migrations (version) VALUES (999)');
    const scheduler = createScheduler({ connectionString: db.url, schema: 'newer' });
    await assert.rejects(scheduler.start(), (error: unknown) => {
      assert.ok(error instanceof SchedulerError);
      assert.equal(error.code, 'schema_version');
      assert.match(error.message, /migrated by a newer version of pg-cron-scheduler \(schema version 999/);
      return true;
    });
    assert.equal(await scheduler.ping(), false, 'nothing left running');
  });
});
