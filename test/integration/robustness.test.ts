/**
 * What cannot take the process down or leave a run unsettled: listeners and handlers that throw.
 * And what a lost LISTEN connection cannot delay: a schedule created meanwhile fires on time.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createScheduler, type Run, type Scheduler } from '../../lib/index.ts';
import { createTestDatabase } from '../helpers/database.ts';
import { startProxy } from '../helpers/proxy.ts';
import { waitFor } from '../helpers/wait.ts';

let db: { url: string; drop(): Promise<void> };

before(async () => {
  db = await createTestDatabase();
});

after(async () => {
  await db?.drop();
});

async function runsOf(scheduler: Scheduler, name: string): Promise<Run[]> {
  return (await scheduler.runs(name, { limit: 1000 })).items;
}

describe('listeners and handlers that throw', () => {
  let scheduler: Scheduler;
  const uncaught: unknown[] = [];
  const onUncaught = (error: unknown) => uncaught.push(error);

  before(async () => {
    process.on('uncaughtException', onUncaught);
    process.on('unhandledRejection', onUncaught);
    scheduler = createScheduler({ connectionString: db.url, schema: 'throwing', retryLimit: 0 });
    await scheduler.start();
  });

  after(async () => {
    await scheduler.stop({ timeoutSeconds: 1 });
    process.off('uncaughtException', onUncaught);
    process.off('unhandledRejection', onUncaught);
  });

  it('listeners of every event throw: runs still settle, the process goes on, each throw is reported', async () => {
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.message);
    const reported: string[] = [];
    const throwing = () => {
      throw new Error('a listener broke');
    };
    // The first 'error' listener records what is reported; the second throws too: that is a warning.
    const record = (error: Error) => reported.push(error.message);
    const throwingOnError = () => {
      throw new Error('the error listener broke');
    };
    process.on('warning', onWarning);
    try {
      for (const event of ['fired', 'succeeded', 'failed', 'missed'] as const) scheduler.on(event, throwing);
      scheduler.on('error', record);
      scheduler.on('error', throwingOnError);
      await scheduler.work((run) => {
        if (run.fields['fail']) throw new Error('handler broke');
      });
      await scheduler.create({ name: 'ok', cron: '* * * * * *' });
      await scheduler.create({ name: 'bad', cron: '* * * * * *', fields: { fail: true } });
      await waitFor('a succeeded run', async () =>
        (await runsOf(scheduler, 'ok')).some((r) => r.status === 'succeeded'),
      );
      await waitFor('a failed run', async () => (await runsOf(scheduler, 'bad')).some((r) => r.status === 'failed'));
      const failed = (await runsOf(scheduler, 'bad')).find((r) => r.status === 'failed')!;
      assert.equal(failed.error, 'handler broke');
      assert.deepEqual(
        failed.failedAttempts.map((a) => [a.attempt, a.outcome, a.error]),
        [[1, 'failed', 'handler broke']],
      );
      for (const event of ['fired', 'succeeded', 'failed']) {
        await waitFor(`the ${event} listener’s throw reported`, () =>
          reported.some((m) => m.startsWith(`a "${event}" listener threw: a listener broke`)),
        );
      }
      await waitFor('the error listener’s throw, a warning', () =>
        warnings.some((w) => /an "error" listener threw: the error listener broke/.test(w)),
      );
      assert.deepEqual(uncaught, []);
    } finally {
      process.off('warning', onWarning);
      for (const event of ['fired', 'succeeded', 'failed', 'missed'] as const) scheduler.off(event, throwing);
      scheduler.off('error', record);
      scheduler.off('error', throwingOnError);
      await scheduler.pause('ok');
      await scheduler.pause('bad');
    }
  });

  it('handlers that throw anything, at once or later, leave a failed run with a message', async () => {
    const throwers: Record<string, () => unknown> = {
      string: () => {
        throw 'a string';
      },
      object: () => {
        throw { code: 42 };
      },
      undefined: () => {
        throw undefined;
      },
      rejected: () => Promise.reject(new TypeError('rejected later')),
    };
    await scheduler.work(
      (run) => {
        const thrower = throwers[run.scheduleName.slice('throws-'.length)];
        return thrower?.();
      },
      { queue: 'throwers' },
    );
    for (const name of Object.keys(throwers)) {
      await scheduler.create({ name: `throws-${name}`, cron: '0 0 1 1 *', paused: true, queue: 'throwers' });
      await scheduler.trigger(`throws-${name}`);
    }
    for (const name of Object.keys(throwers)) {
      const [run] = await waitFor(`throws-${name} failed`, async () => {
        const runs = await runsOf(scheduler, `throws-${name}`);
        return runs[0]?.status === 'failed' && runs;
      });
      assert.ok(run!.error && run!.error.length > 0, `${name}: ${run!.error}`);
    }
    assert.deepEqual(uncaught, []);
  });
});

describe('LISTEN lost', () => {
  it('a schedule created while the LISTEN connection is silently dead fires on time; LISTEN comes back', async () => {
    const target = new URL(db.url);
    const proxy = await startProxy({ host: target.hostname, port: Number(target.port || 5432) });
    const firing = createScheduler({ connectionString: proxy.url(db.url), schema: 'unlistened' });
    const admin = createScheduler({ connectionString: db.url, schema: 'unlistened', fire: false });
    const handled = new Map<string, { scheduledFor: number; at: number; trigger: string }>();
    const listenLinks = () => proxy.links().filter((l) => l.applicationName === 'pg-cron-scheduler:listen');
    try {
      await firing.start();
      await admin.start();
      await firing.work((run) => {
        handled.set(run.scheduleName, {
          scheduledFor: run.scheduledFor.getTime(),
          at: Date.now(),
          trigger: run.trigger,
        });
      });
      await waitFor('the LISTEN connection', () => listenLinks().length === 1);
      proxy.cut((name) => name === 'pg-cron-scheduler:listen');
      // The dead connection is noticed (a ping goes unanswered) and a new one tried: dead too.
      await waitFor('LISTEN noticed dead and tried again', () => listenLinks().length >= 2, { timeoutMs: 10_000 });
      const now = Date.now();
      const due = new Date(Math.ceil((now + 3000) / 1000) * 1000);
      const cron = `${due.getUTCSeconds()} ${due.getUTCMinutes()} ${due.getUTCHours()} * * *`;
      await admin.create({ name: 'while-unlistened', cron });
      const run = await waitFor('the tick', () => handled.get('while-unlistened'), { timeoutMs: 15_000 });
      assert.equal(run.trigger, 'schedule');
      assert.equal(run.scheduledFor, due.getTime());
      assert.ok(run.at - run.scheduledFor < 1000, `fired ${run.at - run.scheduledFor} ms after its tick`);

      proxy.heal();
      await waitFor('LISTEN back', () => listenLinks().some((l) => !l.blackholed), { timeoutMs: 10_000 });
      const due2 = new Date(Math.ceil((Date.now() + 3000) / 1000) * 1000);
      await admin.create({
        name: 'after-heal',
        cron: `${due2.getUTCSeconds()} ${due2.getUTCMinutes()} ${due2.getUTCHours()} * * *`,
      });
      const second = await waitFor('the tick after the heal', () => handled.get('after-heal'), { timeoutMs: 15_000 });
      assert.equal(second.trigger, 'schedule');
      assert.ok(second.at - second.scheduledFor < 1000);
    } finally {
      // Only the LISTEN connections were cut, and the listener ends its own: the rest stops cleanly.
      await Promise.all([firing.stop({ timeoutSeconds: 0 }), admin.stop({ timeoutSeconds: 0 })]);
      await proxy.close();
    }
  });
});
