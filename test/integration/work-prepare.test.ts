/**
 * work()'s `prepare`: called for each run leased to the process as its claim commits, ahead of the
 * handler, with the same run; what it throws is an `error` event and the run still starts.
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { createScheduler, type RunContext, type Scheduler, ValidationError } from '../../lib/index.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { waitFor } from '../helpers/wait.ts';

let db: TestDatabase;
let scheduler: Scheduler | null = null;

before(async () => {
  db = await createTestDatabase();
});

after(async () => {
  await scheduler?.stop({ timeoutSeconds: 0 });
  await db?.drop();
});

it('prepares each leased run before its handler starts, with the run the handler gets', async () => {
  scheduler = createScheduler({ connectionString: db.url, schema: 'prepare_calls' });
  await scheduler.start();
  const prepared = new Map<string, { at: number; run: RunContext }>();
  const started: { at: number; run: RunContext }[] = [];
  await scheduler.work(
    (run) => {
      started.push({ at: performance.now(), run });
    },
    {
      prepare: (run) => {
        prepared.set(run.runId, { at: performance.now(), run });
      },
    },
  );
  await scheduler.create({ name: 'prepared', cron: '* * * * * *', fields: { to: 'ops' } });
  await waitFor('three scheduled runs', () => started.filter((s) => s.run.trigger === 'schedule').length >= 3);
  for (const { at, run } of started.filter((s) => s.run.trigger === 'schedule')) {
    const before = prepared.get(run.runId);
    assert.ok(before, `run ${run.runId} was prepared`);
    assert.ok(before.at <= at, 'prepared before its handler started');
    assert.equal(before.run.scheduledFor.getTime(), run.scheduledFor.getTime());
    assert.deepEqual(before.run.fields, { to: 'ops' });
  }
  await scheduler.stop();
  scheduler = null;
});

it('reports what prepare throws or rejects with as an error event, and the run still starts', async () => {
  scheduler = createScheduler({ connectionString: db.url, schema: 'prepare_errors' });
  const errors: Error[] = [];
  scheduler.on('error', (error) => errors.push(error));
  await scheduler.start();
  let calls = 0;
  const handled: RunContext[] = [];
  await scheduler.work(
    (run) => {
      handled.push(run);
    },
    {
      prepare: (run) => {
        calls += 1;
        if (calls % 2 === 0) return Promise.reject(new Error(`not ready: ${run.scheduleName} (rejected)`));
        throw new Error(`not ready: ${run.scheduleName} (thrown)`);
      },
    },
  );
  await scheduler.create({ name: 'unready', cron: '* * * * * *' });
  await waitFor('two scheduled runs handled', () => handled.filter((r) => r.trigger === 'schedule').length >= 2);
  await waitFor('both kinds reported', () => {
    const messages = errors.map((e) => e.message);
    return messages.includes('not ready: unready (thrown)') && messages.includes('not ready: unready (rejected)');
  });
  const runs = await scheduler.runs('unready');
  assert.ok(
    runs.items.some((r) => r.status === 'succeeded'),
    'runs of an unready prepare still succeed',
  );
  await scheduler.stop();
  scheduler = null;
});

it('refuses a prepare that is not a function, naming the field', async () => {
  scheduler = createScheduler({ connectionString: db.url, schema: 'prepare_refused' });
  await scheduler.start();
  await assert.rejects(
    scheduler.work(() => {}, { prepare: 'soon' as unknown as () => void }),
    (error: unknown) =>
      error instanceof ValidationError &&
      error.issues.some((i) => i.field === 'prepare' && /function/.test(i.expected)),
  );
  await scheduler.stop();
  scheduler = null;
});
