/**
 * `pg-cron-scheduler/client` against a real server over a socket: the API mounted under a prefix in a
 * user's Hono app, every method, the typed problem errors, paging, and an unreachable server.
 */
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { type ServerType, serve } from '@hono/node-server';
import { Hono } from 'hono';
import { ApiError, ConnectionError, createClient, type SchedulerClient } from '../../client/index.ts';
import { freePort } from '../../lib/embedded-postgres.ts';
import { createScheduler, type Scheduler } from '../../lib/index.ts';
import { createApp } from '../../server/index.ts';
import { createTestDatabase } from '../helpers/database.ts';

const TOKEN = 'client-test-token-0123456789';
let db: Awaited<ReturnType<typeof createTestDatabase>>;
let scheduler: Scheduler;
let server: ServerType;
let client: SchedulerClient;
let baseUrl: string;

before(async () => {
  db = await createTestDatabase();
  scheduler = createScheduler({ connectionString: db.url, fire: false });
  await scheduler.start();
  const app = new Hono().route('/scheduler', createApp({ scheduler, config: { apiToken: TOKEN } }));
  const port = await new Promise<number>((resolve) => {
    server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info: AddressInfo) => resolve(info.port));
  });
  baseUrl = `http://127.0.0.1:${port}/scheduler`;
  client = createClient({ baseUrl, token: TOKEN });
});

after(async () => {
  await new Promise((resolve) => server?.close(resolve));
  await scheduler?.stop();
  await db?.drop();
});

test('creates, reads, changes, pauses, resumes, runs and deletes a job', async () => {
  // README "Use it in your app": the client.
  const job = await client.jobs.create({ name: 'nightly-report', cron: '0 30 2 * * *', timezone: 'Europe/Berlin' });
  const detail = await client.jobs.get('nightly-report');
  assert.equal(detail.id, job.id);
  assert.equal(detail.upcoming.length, 5);

  const updated = await client.jobs.update(job.id, { job_fields: { to: 'ops@example.com' } });
  assert.deepEqual(updated.job_fields, { to: 'ops@example.com' });
  assert.equal((await client.jobs.pause(job.id)).paused, true);
  assert.equal((await client.jobs.resume(job.id)).paused, false);
  const run = await client.jobs.run(job.id);
  assert.equal(run.trigger, 'manual');
  const runs = await client.jobs.runs(job.id);
  assert.deepEqual(
    runs.items.map((r) => r.id),
    [run.id],
  );
  await client.jobs.delete(job.id);
  await assert.rejects(client.jobs.get(job.id), (error: unknown) => error instanceof ApiError && error.status === 404);
});

test('errors are ApiError with the problem body: 409, 422 naming the field, 401 without the token', async () => {
  await client.jobs.create({ name: 'taken', cron: '@daily' });
  try {
    await client.jobs.create({ name: 'taken', cron: '@daily' });
    assert.fail('expected a conflict');
  } catch (error) {
    assert.ok(error instanceof ApiError);
    assert.equal(error.status, 409);
    assert.equal(error.problem.type, 'urn:pg-cron-scheduler:problem:conflict');
  }
  await assert.rejects(client.jobs.create({ name: 'bad', cron: '61 * * * *' }), (error: unknown) => {
    assert.ok(error instanceof ApiError);
    assert.equal(error.status, 422);
    assert.deepEqual(
      error.problem.errors?.map((e) => e.path),
      ['cron'],
    );
    return true;
  });
});

test('pages through jobs with the next cursor', async () => {
  for (const name of ['page-a', 'page-b', 'page-c']) await client.jobs.create({ name, cron: '@hourly' });
  const seen: string[] = [];
  let cursor: string | null = null;
  do {
    const page = await client.jobs.list({ limit: 2, cursor });
    seen.push(...page.items.map((j) => j.name));
    cursor = page.nextCursor;
  } while (cursor);
  for (const name of ['page-a', 'page-b', 'page-c']) assert.ok(seen.includes(name), name);
  const paused = await client.jobs.list({ paused: true });
  assert.deepEqual(paused.items, []);
});

test('previews a cron expression and probes health', async () => {
  const preview = await client.cron.preview({ cron: '0 9 * * 1-5', timezone: 'America/New_York', count: 2 });
  assert.equal(preview.next.length, 2);
  assert.match(preview.description, /09:00/);
  await client.health.live();
  await client.health.ready();
});

test('a wrong token is a 401 ApiError; an unreachable server is a ConnectionError', async () => {
  await assert.rejects(createClient({ baseUrl, token: 'wrong-token-0123456789' }).jobs.list(), (error: unknown) => {
    assert.ok(error instanceof ApiError);
    assert.equal(error.status, 401);
    assert.equal(error.problem.type, 'urn:pg-cron-scheduler:problem:unauthorized');
    return true;
  });
  const port = await freePort();
  await assert.rejects(
    createClient({ baseUrl: `http://127.0.0.1:${port}` }).jobs.list(),
    (error: unknown) => error instanceof ConnectionError && /cannot reach the scheduler API/.test(error.message),
  );
});
