/**
 * The HTTP side of every kind of job: intervals, one-off instants, windows and limits in bodies and
 * previews; PUT as an idempotent upsert; ETag, If-Match and If-None-Match; pause notes.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createScheduler, type Scheduler } from '../../lib/index.ts';
import { createApp } from '../../server/app.ts';
import { createTestDatabase } from '../helpers/database.ts';
import { waitFor } from '../helpers/wait.ts';

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let scheduler: Scheduler;
let app: ReturnType<typeof createApp>;

before(async () => {
  db = await createTestDatabase();
  scheduler = createScheduler({ connectionString: db.url, fire: false });
  await scheduler.start();
  app = createApp({ scheduler, config: { apiToken: null, maxBodyBytes: 1024 * 1024 } });
});

after(async () => {
  await scheduler?.stop();
  await db?.drop();
});

type Json = Record<string, unknown> & { errors?: { path: string; message: string }[] };

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const init: RequestInit = {
    method,
    headers: { ...(body === undefined ? {} : { 'Content-Type': 'application/json' }), ...headers },
  };
  if (body !== undefined) init.body = JSON.stringify(body);
  const res = await app.request(path, init);
  const text = await res.text();
  const json = text && /json/.test(res.headers.get('content-type') ?? '') ? (JSON.parse(text) as Json) : ({} as Json);
  return { res, status: res.status, json, text, etag: res.headers.get('etag') };
}

const paths = (p: Json) => (p.errors ?? []).map((e) => e.path).sort();

describe('kinds of job over HTTP', () => {
  test('an interval with an anchor, a window, a limit and jitter', async () => {
    const r = await call('POST', '/jobs', {
      name: 'crm-sync',
      every: '15m',
      anchor_at: '2026-01-01T00:05:00.000Z',
      start_at: '2026-01-01T00:00:00.000Z',
      end_at: '2099-01-01T00:00:00.000Z',
      max_runs: 100,
      jitter_seconds: 60,
    });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json.every, '15m');
    assert.equal(r.json.cron, null);
    assert.equal(r.json.state, 'active');
    assert.equal(r.json.max_runs, 100);
    assert.equal(r.json.fired_count, 0);
    assert.equal(r.etag, `"${r.json.version}"`);
    const minutes = new Date(String(r.json.next_run_at)).getUTCMinutes();
    assert.equal((minutes - 5 + 60) % 15, 0, `phase of ${r.json.next_run_at}`);
  });

  test('a one-off instant in the past is completed at once', async () => {
    const r = await call('POST', '/jobs', { name: 'past-once', at: '2020-01-01T00:00:00.000Z' });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json.state, 'completed');
    assert.equal(r.json.next_run_at, null);
    assert.equal(typeof r.json.completed_at, 'string');
  });

  test('422 naming the field: two kinds, none, a bad interval, jitter over the gap', async () => {
    const two = await call('POST', '/jobs', { name: 'two', cron: '* * * * *', every: '1m' });
    assert.equal(two.status, 422);
    assert.deepEqual(paths(two.json), ['cron']);
    const none = await call('POST', '/jobs', { name: 'none' });
    assert.deepEqual(paths(none.json), ['cron']);
    const bad = await call('POST', '/jobs', { name: 'bad', every: '5 minutes' });
    assert.deepEqual(paths(bad.json), ['every']);
    const jitter = await call('POST', '/jobs', { name: 'j', every: '1m', jitter_seconds: 120 });
    assert.deepEqual(paths(jitter.json), ['jitter_seconds']);
    assert.match(jitter.json.errors![0]!.message, /at most 60/);
  });

  test('preview of each kind', async () => {
    const every = await call('POST', '/cron/preview', { every: '6h', anchor_at: '2026-01-01T02:00:00.000Z', count: 2 });
    assert.equal(every.status, 200, every.text);
    assert.equal(every.json.description, 'Every 6 hours');
    const at = await call('POST', '/cron/preview', { at: '2030-03-01T09:00:00.000Z' });
    assert.deepEqual(at.json.next, ['2030-03-01T09:00:00.000Z']);
    const cron = await call('POST', '/cron/preview', { cron: '0 9 * * *', count: 1 });
    assert.equal(cron.json.cron, '0 9 * * *');
  });
});

describe('PUT /jobs/{name}', () => {
  test('creates (201, Location, ETag), then is idempotent (200, same version), then replaces', async () => {
    const created = await call('PUT', '/jobs/nightly', { cron: '0 2 * * *', job_fields: { a: 1 } });
    assert.equal(created.status, 201, created.text);
    assert.equal(created.res.headers.get('location'), `/jobs/${created.json.id}`);
    const again = await call('PUT', '/jobs/nightly', { cron: '0 2 * * *', job_fields: { a: 1 } });
    assert.equal(again.status, 200);
    assert.equal(again.etag, created.etag);
    const replaced = await call('PUT', '/jobs/nightly', { every: '1h' });
    assert.equal(replaced.status, 200);
    assert.notEqual(replaced.etag, created.etag);
    assert.equal(replaced.json.cron, null);
    assert.deepEqual(replaced.json.job_fields, {});
  });

  test('eight concurrent PUTs of a new name: one 201, the rest 200, one job', async () => {
    const all = await Promise.all(
      Array.from({ length: 8 }, () => call('PUT', '/jobs/raced', { every: '1m', job_fields: { x: 1 } })),
    );
    assert.deepEqual(all.map((r) => r.status).sort(), [200, 200, 200, 200, 200, 200, 200, 201]);
    assert.equal(new Set(all.map((r) => r.json.id)).size, 1);
  });

  test('If-None-Match: * creates only; If-Match replaces only that version (412 problem otherwise)', async () => {
    const first = await call('PUT', '/jobs/guarded', { cron: '0 0 * * *' }, { 'If-None-Match': '*' });
    assert.equal(first.status, 201);
    const second = await call('PUT', '/jobs/guarded', { cron: '0 1 * * *' }, { 'If-None-Match': '*' });
    assert.equal(second.status, 412);
    assert.equal(second.res.headers.get('content-type'), 'application/problem+json');
    assert.equal(second.json.type, 'urn:pg-cron-scheduler:problem:precondition_failed');
    const stale = await call('PUT', '/jobs/guarded', { cron: '0 1 * * *' }, { 'If-Match': '"1"' });
    assert.equal(stale.status, 412);
    const garbage = await call('PATCH', '/jobs/guarded', { cron: '0 1 * * *' }, { 'If-Match': 'W/"x"' });
    assert.equal(garbage.status, 412);
    const ok = await call('PATCH', '/jobs/guarded', { cron: '0 1 * * *' }, { 'If-Match': first.etag! });
    assert.equal(ok.status, 200, ok.text);
    const lost = await call('DELETE', '/jobs/guarded', undefined, { 'If-Match': first.etag! });
    assert.equal(lost.status, 412);
    assert.equal((await call('GET', '/jobs/guarded')).json.cron, '0 1 * * *');
    const gone = await call('DELETE', '/jobs/guarded', undefined, { 'If-Match': ok.etag! });
    assert.equal(gone.status, 204);
    const missing = await call('PUT', '/jobs/ghost', { cron: '0 0 * * *' }, { 'If-Match': '*' });
    assert.equal(missing.status, 412);
  });

  test('a body naming another job is refused', async () => {
    const r = await call('PUT', '/jobs/one', { name: 'two', cron: '0 0 * * *' });
    assert.equal(r.status, 422);
    assert.deepEqual(paths(r.json), ['name']);
  });
});

describe('pause with a note', () => {
  test('the note is kept and shown; a bodyless pause still works', async () => {
    await call('PUT', '/jobs/noted', { cron: '0 0 * * *' });
    const paused = await call('POST', '/jobs/noted/pause', { note: 'vendor outage' });
    assert.equal(paused.status, 200, paused.text);
    assert.equal(paused.json.pause_note, 'vendor outage');
    assert.equal(paused.json.state, 'paused');
    const resumed = await call('POST', '/jobs/noted/resume');
    assert.equal(resumed.json.pause_note, null);
    const bare = await call('POST', '/jobs/noted/pause');
    assert.equal(bare.status, 200, bare.text);
    assert.equal(bare.json.pause_note, null);
  });
});

describe('POST /jobs/{id}/backfill', () => {
  test('queues a past range, refuses the future and too many ticks, naming the field', async () => {
    await call('PUT', '/jobs/yearly', { cron: '0 0 1 1 *' });
    const r = await call('POST', '/jobs/yearly/backfill', {
      from: '2020-01-01T00:00:00.000Z',
      to: '2024-06-01T00:00:00.000Z',
    });
    assert.equal(r.status, 202, r.text);
    assert.equal(r.json.ticks, 5);
    const future = await call('POST', '/jobs/yearly/backfill', {
      from: '2020-01-01T00:00:00.000Z',
      to: '2999-01-01T00:00:00.000Z',
    });
    assert.equal(future.status, 422);
    assert.deepEqual(paths(future.json), ['to']);
    await call('PUT', '/jobs/secondly', { every: '1s', paused: true });
    const big = await call('POST', '/jobs/secondly/backfill', {
      from: '2020-01-01T00:00:00.000Z',
      to: '2020-01-02T00:00:00.000Z',
    });
    assert.equal(big.status, 422);
    assert.match(big.json.errors![0]!.message, /at most 10000 ticks/);
  });
});

describe('targets over HTTP', () => {
  test('a webhook target is shown without its secrets; a refused URL is 422 naming target.url', async () => {
    const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    const created = await call('POST', '/jobs', {
      name: 'hooked',
      cron: '0 0 * * *',
      target: {
        type: 'webhook',
        url: 'https://hooks.example.com/x',
        headers: { authorization: 'Bearer topsecret' },
        secret_headers: ['authorization'],
        secret,
      },
    });
    assert.equal(created.status, 201, created.text);
    for (const r of [created, await call('GET', '/jobs/hooked'), await call('GET', '/jobs')]) {
      assert.equal(r.text.includes(secret), false);
      assert.equal(r.text.includes('topsecret'), false);
    }
    const target = created.json.target as Record<string, unknown>;
    assert.match(String(target.secret_fingerprint), /^sha256:/);
    const refused = await call('POST', '/jobs', {
      name: 'hooked-internal',
      cron: '0 0 * * *',
      target: { type: 'webhook', url: 'http://169.254.169.254/latest/meta-data' },
    });
    assert.equal(refused.status, 422);
    assert.deepEqual(paths(refused.json), ['target.url']);
  });
});

describe('GET /health/schedules', () => {
  test('200 while nothing is stale, 503 listing a job with no success for alert_after_seconds', async () => {
    const ok = await call('GET', '/health/schedules');
    assert.equal(ok.status, 200, ok.text);
    assert.deepEqual(ok.json, { status: 'ok', stale: [] });
    const created = await call('POST', '/jobs', { name: 'backup', cron: '0 3 * * *', alert_after_seconds: 1 });
    assert.equal(created.status, 201, created.text);
    assert.equal(created.json.stale, false);
    // Stale once a second has passed without a success: polled with a deadline.
    const r = await waitFor(
      'the job to be listed as stale',
      async () => {
        const answer = await call('GET', '/health/schedules');
        return answer.status === 503 ? answer : null;
      },
      { timeoutMs: 10_000, intervalMs: 100 },
    );
    assert.equal(r.status, 503, r.text);
    assert.equal(r.res.headers.get('content-type'), 'application/problem+json');
    assert.equal(r.json.type, 'urn:pg-cron-scheduler:problem:stale_jobs');
    const stale = (r.json as unknown as { stale: { name: string }[] }).stale;
    assert.deepEqual(
      stale.map((s) => s.name),
      ['backup'],
    );
    assert.equal((await call('GET', '/jobs/backup')).json.stale, true);
  });
});
