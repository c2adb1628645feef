/**
 * A big tick's handlers start before the bookkeeping of the ones that already ended: the worker
 * starts a tick in slices with the event loop let in between, and the attempts that end in a gap
 * (a handler that returns at once) are settled (recorded, `succeeded` emitted) only once the
 * tick's last handler has started.
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { createScheduler, type Scheduler } from '../../lib/index.ts';
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

/** Holds the thread this long: a handler with synchronous work, so a tick takes several slices. */
function busy(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // Spinning on purpose.
  }
}

it('starts every handler of a tick before settling the ones that ended meanwhile', async () => {
  const count = 200;
  scheduler = createScheduler({ connectionString: db.url, schema: 'tick_start' });
  // In the order they happen, per tick (ms epoch of the scheduled instant).
  const sequence = new Map<number, ('start' | 'settled')[]>();
  const note = (scheduledFor: Date, what: 'start' | 'settled') => {
    const at = scheduledFor.getTime();
    const list = sequence.get(at) ?? [];
    list.push(what);
    sequence.set(at, list);
  };
  scheduler.on('succeeded', (run) => {
    if (run.trigger === 'schedule') note(run.scheduledFor, 'settled');
  });
  await scheduler.start();
  await scheduler.work(
    (run) => {
      if (run.trigger !== 'schedule') return;
      note(run.scheduledFor, 'start');
      // 200 x 0.25 ms: about five of the worker's 10 ms slices.
      busy(0.25);
    },
    { concurrency: count },
  );
  for (let i = 0; i < count; i++) await scheduler.create({ name: `wide-${i}`, cron: '* * * * * *' });
  const whole = () => [...sequence.values()].filter((list) => list.length === 2 * count);
  await waitFor('two ticks of every schedule started and settled', () => whole().length >= 2, {
    timeoutMs: 30_000,
  });
  for (const list of whole()) {
    const lastStart = list.lastIndexOf('start');
    const firstSettled = list.indexOf('settled');
    assert.ok(
      firstSettled > lastStart,
      `a run was settled (event ${firstSettled}) before the tick's last handler started (event ${lastStart})`,
    );
  }
  await scheduler.stop();
  scheduler = null;
});
