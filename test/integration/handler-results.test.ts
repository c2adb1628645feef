/**
 * What a handler returns decides when its attempt ends: a value that is not a thenable (nothing,
 * a number, an object without a `then` method) ends it at once as succeeded, freeing its slot for
 * the tick's next run; a thenable, a Promise or not, holds the slot until it settles, and its
 * outcome is the attempt's.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, it } from 'node:test';
import { createScheduler, type RunContext, type Scheduler } from '../../lib/index.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { waitFor } from '../helpers/wait.ts';

let db: TestDatabase;
let scheduler: Scheduler | null = null;

before(async () => {
  db = await createTestDatabase();
});

afterEach(async () => {
  // Each test's scheduler, stopped here whether the test passed or not.
  await scheduler?.stop({ timeoutSeconds: 0 });
  scheduler = null;
});

after(async () => {
  await db?.drop();
});

it('ends an attempt whose handler returns a value that is not a thenable as succeeded, freeing its slot', async () => {
  scheduler = createScheduler({ connectionString: db.url, schema: 'results_at_once' });
  const returned: Record<string, unknown> = {
    nothing: undefined,
    null: null,
    number: 42,
    text: 'done',
    // biome-ignore lint/suspicious/noThenProperty: an object with a `then` that is not a method is no thenable.
    'not-thenable': { then: 'not a function' },
  };
  const succeeded = new Map<string, number>();
  scheduler.on('succeeded', (run) => {
    if (run.trigger === 'schedule') succeeded.set(run.scheduleName, (succeeded.get(run.scheduleName) ?? 0) + 1);
  });
  await scheduler.start();
  // One slot for five schedules due at the same instants: each tick's runs start one after another,
  // each as the one before returns.
  await scheduler.work((run) => (run.trigger === 'schedule' ? returned[run.scheduleName] : undefined), {
    concurrency: 1,
  });
  for (const name of Object.keys(returned)) await scheduler.create({ name, cron: '* * * * * *' });
  await waitFor('two scheduled runs of every schedule succeeded', () =>
    Object.keys(returned).every((name) => (succeeded.get(name) ?? 0) >= 2),
  );
  // The run history is written in batches, a moment after the events.
  for (const name of Object.keys(returned)) {
    const scheduled = await waitFor(`${name}: two runs recorded as succeeded`, async () => {
      const runs = (await scheduler!.runs(name)).items.filter((r) => r.trigger === 'schedule');
      return runs.filter((r) => r.status === 'succeeded').length >= 2 ? runs : null;
    });
    assert.deepEqual(
      scheduled.filter((r) => r.status === 'failed').map((r) => r.error),
      [],
      `${name}: no run failed`,
    );
  }
});

it('holds the slot of a handler that returns a thenable until it settles, with its outcome', async () => {
  scheduler = createScheduler({ connectionString: db.url, schema: 'results_thenable' });
  const outcomes = new Map<string, string>();
  scheduler.on('succeeded', (run) => outcomes.set(run.runId, 'succeeded'));
  scheduler.on('failed', (run) => outcomes.set(run.runId, `failed: ${run.error.message}`));
  const fired = new Set<number>();
  scheduler.on('fired', (run) => fired.add(run.scheduledFor.getTime()));
  await scheduler.start();
  // A thenable that is not a Promise, settled by the test.
  const pending: { run: RunContext; settle: (error?: Error) => void }[] = [];
  await scheduler.work(
    (run) => {
      if (run.trigger !== 'schedule') return undefined;
      return {
        // biome-ignore lint/suspicious/noThenProperty: the point of the test is a thenable that is not a Promise.
        then(onFulfilled: (value: unknown) => void, onRejected: (reason: unknown) => void) {
          pending.push({ run, settle: (error) => (error ? onRejected(error) : onFulfilled('ignored')) });
        },
      };
    },
    { concurrency: 1 },
  );
  await scheduler.create({ name: 'held', cron: '* * * * * *' });
  await waitFor('a run started', () => pending.length >= 1);
  const first = pending[0]!;
  // Its slot is held: the next second's run, fired and due meanwhile, does not start while it is
  // unsettled. Proving that something does not happen takes time: half a second past its instant,
  // where a free slot starts it within milliseconds.
  const nextDue = first.run.scheduledFor.getTime() + 1000;
  await waitFor(
    'the next tick fired, and half a second past it',
    () => fired.has(nextDue) && Date.now() > nextDue + 500,
  );
  assert.equal(pending.length, 1, 'no second run started while the only slot was held');
  assert.equal(outcomes.get(first.run.runId), undefined, 'not settled before its thenable was');
  first.settle();
  await waitFor('the first run succeeded', () => outcomes.get(first.run.runId) === 'succeeded');
  await waitFor('a second run started', () => pending.length >= 2);
  const second = pending[1]!;
  second.settle(new Error('the thenable rejected'));
  await waitFor('the second attempt failed', () => outcomes.get(second.run.runId) === 'failed: the thenable rejected');
});

it('fails an attempt whose result has a `then` getter that throws, with what it threw', async () => {
  scheduler = createScheduler({ connectionString: db.url, schema: 'results_getter' });
  const failures: string[] = [];
  scheduler.on('failed', (run) => {
    if (run.trigger === 'schedule') failures.push(run.error.message);
  });
  await scheduler.start();
  await scheduler.work(() =>
    Object.defineProperty({}, 'then', {
      get() {
        throw new Error('then is not readable');
      },
    }),
  );
  await scheduler.create({ name: 'unreadable', cron: '* * * * * *' });
  await waitFor('a failed attempt', () => failures.length >= 1);
  assert.equal(failures[0], 'then is not readable');
});
