/**
 * Every endpoint and every error status of the HTTP API, through `app.request()` (no network), on a
 * real scheduler (`fire: false`: nothing here needs ticks to fire) and a real database.
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { createScheduler, MAX_FIELDS_BYTES, type Scheduler } from '../../lib/index.ts';
import { createApp } from '../../server/app.ts';
import { createLogger } from '../../server/logger.ts';
import { createTestDatabase } from '../helpers/database.ts';

const JSON_HEADERS = { 'Content-Type': 'application/json' };
const config = { apiToken: null, maxBodyBytes: 1024 * 1024 };

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let scheduler: Scheduler;
let app: ReturnType<typeof createApp>;

before(async () => {
  db = await createTestDatabase();
  scheduler = createScheduler({ connectionString: db.url, fire: false });
  await scheduler.start();
  app = createApp({ scheduler, config });
});

after(async () => {
  await scheduler?.stop();
  await db?.drop();
});

type Json = Record<string, unknown> & { errors?: { path: string; message: string }[] };

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const init: RequestInit = { method, headers: { ...(body === undefined ? {} : JSON_HEADERS), ...headers } };
  if (body !== undefined) init.body = typeof body === 'string' ? body : JSON.stringify(body);
  const res = await app.request(path, init);
  const text = await res.text();
  const json = text && /json/.test(res.headers.get('content-type') ?? '') ? (JSON.parse(text) as unknown) : undefined;
  return { res, status: res.status, json: json as Json & Json[], text };
}

/** Asserts an RFC 9457 problem of `status`, and returns it. */
function assertProblem(r: Awaited<ReturnType<typeof call>>, status: number): Json {
  assert.equal(r.status, status, r.text);
  assert.equal(r.res.headers.get('content-type'), 'application/problem+json');
  const p = r.json;
  assert.equal(p.status, status);
  for (const key of ['type', 'title', 'detail', 'request_id']) assert.equal(typeof p[key], 'string', key);
  assert.equal(p.request_id, r.res.headers.get('x-request-id'));
  assert.doesNotMatch(r.text, /\n\s+at |SELECT|INSERT|UPDATE .* SET/);
  return p;
}

const paths = (p: Json) => (p.errors ?? []).map((e) => e.path).sort();

let counter = 0;
const uniqueName = (prefix: string) => `${prefix}-${process.pid}-${++counter}`;

async function createJob(extra: Record<string, unknown> = {}) {
  const r = await call('POST', '/jobs', { name: uniqueName('job'), cron: '*/5 * * * *', ...extra });
  assert.equal(r.status, 201, r.text);
  return r.json;
}

describe('POST /jobs', () => {
  test('201 with the job in snake_case, its defaults, and a Location header', async () => {
    const name = uniqueName('create');
    const r = await call('POST', '/jobs', { name, cron: '0 9 * * 1-5', job_fields: { a: 1, nested: { b: [true] } } });
    assert.equal(r.status, 201, r.text);
    const job = r.json;
    assert.equal(r.res.headers.get('location'), `/jobs/${job.id}`);
    assert.match(String(job.id), /^[0-9a-f-]{36}$/);
    assert.deepEqual(Object.keys(job).sort(), [
      'alert_after_seconds',
      'anchor_at',
      'at',
      'catch_up',
      'catch_up_window_seconds',
      'completed_at',
      'consecutive_failures',
      'created_at',
      'cron',
      'description',
      'end_at',
      'every',
      'fired_count',
      'id',
      'jitter_seconds',
      'job_fields',
      'last_run_at',
      'last_success_at',
      'max_runs',
      'name',
      'next_run_at',
      'overlap',
      'owner',
      'pause_after_failures',
      'pause_note',
      'paused',
      'run_options',
      'stale',
      'start_at',
      'state',
      'target',
      'timezone',
      'updated_at',
      'version',
    ]);
    assert.equal(r.res.headers.get('etag'), `"${job.version}"`);
    assert.equal(job.state, 'active');
    assert.equal(job.name, name);
    assert.equal(job.timezone, 'UTC');
    assert.deepEqual(job.job_fields, { a: 1, nested: { b: [true] } });
    assert.equal(job.paused, false);
    assert.equal(job.catch_up, 'latest');
    assert.equal(job.overlap, 'allow');
    assert.equal(job.catch_up_window_seconds, null);
    assert.equal(job.last_run_at, null);
    assert.equal(typeof job.description, 'string');
    for (const key of ['next_run_at', 'created_at', 'updated_at']) {
      assert.match(String(job[key]), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/, key);
    }
  });

  test('accepts every option; job_fields defaults to {}', async () => {
    const job = await createJob({
      timezone: 'Europe/Paris',
      paused: true,
      catch_up: 'all',
      catch_up_window_seconds: 600,
      overlap: 'skip',
    });
    assert.deepEqual(job.job_fields, {});
    assert.equal(job.timezone, 'Europe/Paris');
    assert.equal(job.paused, true);
    assert.equal(job.next_run_at, null);
    assert.equal(job.catch_up, 'all');
    assert.equal(job.catch_up_window_seconds, 600);
    assert.equal(job.overlap, 'skip');
  });

  test('409 for a duplicate name', async () => {
    const job = await createJob();
    const p = assertProblem(await call('POST', '/jobs', { name: job.name, cron: '* * * * *' }), 409);
    assert.equal(p.type, 'urn:pg-cron-scheduler:problem:conflict');
  });

  test('400 for malformed JSON', async () => {
    assertProblem(await call('POST', '/jobs', '{"name": "x",'), 400);
  });

  test('415 for a body that is not JSON', async () => {
    assertProblem(await call('POST', '/jobs', 'name=x', { 'Content-Type': 'text/plain' }), 415);
  });

  test('422 naming each field of a wrong shape', async () => {
    const p = assertProblem(await call('POST', '/jobs', { cron: 5, paused: 'yes', fields: {} }), 422);
    assert.deepEqual(paths(p), ['cron', 'fields', 'name', 'paused']);
    assert.ok(p.errors!.every((e) => e.message.length > 0));
  });

  test('422 for a body that is not an object, or is missing', async () => {
    assert.deepEqual(paths(assertProblem(await call('POST', '/jobs', [1, 2]), 422)), ['body']);
    const p = assertProblem(await call('POST', '/jobs'), 422);
    // The kind (cron, every or at) is checked once the name is valid.
    assert.deepEqual(paths(p), ['name']);
  });

  test('422 for an invalid cron, an unknown zone, a bad name, a bad policy', async () => {
    const cron = assertProblem(await call('POST', '/jobs', { name: uniqueName('c'), cron: '61 * * * *' }), 422);
    assert.deepEqual(paths(cron), ['cron']);
    const zone = await call('POST', '/jobs', { name: uniqueName('z'), cron: '* * * * *', timezone: 'Mars/Olympus' });
    assert.deepEqual(paths(assertProblem(zone, 422)), ['timezone']);
    for (const name of ['../etc/passwd', '-lead', '', 'a'.repeat(129), 'sp ace', 'a/b']) {
      const r = await call('POST', '/jobs', { name, cron: '* * * * *' });
      assert.deepEqual(paths(assertProblem(r, 422)), ['name'], name);
    }
    const policy = await call('POST', '/jobs', { name: uniqueName('p'), cron: '* * * * *', catch_up: 'never' });
    assert.deepEqual(paths(assertProblem(policy, 422)), ['catch_up']);
  });

  test('413 for a body over the limit, and for job_fields over 64 KiB', async () => {
    const huge = { name: uniqueName('big'), cron: '* * * * *', job_fields: { blob: 'x'.repeat(1024 * 1024) } };
    assertProblem(await call('POST', '/jobs', huge), 413);
    const big = { name: uniqueName('big'), cron: '* * * * *', job_fields: { blob: 'x'.repeat(MAX_FIELDS_BYTES) } };
    const p = assertProblem(await call('POST', '/jobs', big), 413);
    assert.deepEqual(paths(p), ['job_fields']);
    // A body over the limit is refused also when it arrives without a Content-Length (streamed).
    const stream = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(JSON.stringify(huge)));
        controller.close();
      },
    });
    const res = await app.request('/jobs', {
      method: 'POST',
      headers: JSON_HEADERS,
      body: stream,
      duplex: 'half',
    } as RequestInit);
    assert.equal(res.status, 413);
  });
});

describe('GET /jobs', () => {
  test('pages with Link: rel="next", filters on paused, and checks its query', async () => {
    const prefix = uniqueName('page');
    for (let i = 0; i < 3; i++) await createJob({ name: `${prefix}-${i}`, paused: i === 1 });
    const seen: string[] = [];
    let next: string | null = '/jobs?limit=2';
    let pages = 0;
    while (next) {
      const r = await call('GET', next);
      assert.equal(r.status, 200);
      assert.ok(Array.isArray(r.json));
      assert.ok(r.json.length <= 2);
      seen.push(...r.json.map((j) => String(j.name)));
      const link = r.res.headers.get('link');
      next = link ? /^<([^>]+)>; rel="next"$/.exec(link)![1]! : null;
      if (next) assert.match(next, /^\/jobs\?limit=2&cursor=/);
      pages++;
    }
    assert.ok(pages >= 2);
    assert.equal(new Set(seen).size, seen.length, 'no job twice');
    for (let i = 0; i < 3; i++) assert.ok(seen.includes(`${prefix}-${i}`));

    const paused = await call('GET', '/jobs?paused=true&limit=1000');
    assert.ok(paused.json.every((j) => j.paused === true));
    assert.ok(paused.json.some((j) => j.name === `${prefix}-1`));
    const active = await call('GET', '/jobs?paused=false&limit=1000');
    assert.ok(active.json.every((j) => j.paused === false));
  });

  test('422 for a bad limit, paused or cursor', async () => {
    assert.deepEqual(paths(assertProblem(await call('GET', '/jobs?limit=0'), 422)), ['limit']);
    assert.deepEqual(paths(assertProblem(await call('GET', '/jobs?limit=1001'), 422)), ['limit']);
    assert.deepEqual(paths(assertProblem(await call('GET', '/jobs?limit=ten'), 422)), ['limit']);
    assert.deepEqual(paths(assertProblem(await call('GET', '/jobs?paused=maybe'), 422)), ['paused']);
    assert.deepEqual(paths(assertProblem(await call('GET', '/jobs?cursor=not-a-cursor'), 422)), ['cursor']);
  });
});

describe('GET /jobs/{id}', () => {
  test('by id or by name, with its next five instants', async () => {
    const job = await createJob({ cron: '0 * * * *', timezone: 'Asia/Kolkata' });
    for (const key of [job.id, job.name]) {
      const r = await call('GET', `/jobs/${key}`);
      assert.equal(r.status, 200);
      assert.equal(r.json.id, job.id);
      const upcoming = r.json.upcoming as string[];
      assert.equal(upcoming.length, 5);
      assert.equal(upcoming[0], r.json.next_run_at);
      // Kolkata is UTC+05:30: the top of each local hour is at :30 UTC, an hour apart.
      for (const [i, instant] of upcoming.entries()) {
        assert.match(instant, /:30:00\.000Z$/);
        if (i > 0) assert.equal(Date.parse(instant) - Date.parse(upcoming[i - 1]!), 3_600_000);
      }
    }
  });

  test('a paused job has no upcoming instants', async () => {
    const job = await createJob({ paused: true });
    const r = await call('GET', `/jobs/${job.name}`);
    assert.deepEqual(r.json.upcoming, []);
  });

  test('404 for an unknown id or name; 422 for an id too long to be one', async () => {
    assertProblem(await call('GET', '/jobs/no-such-job'), 404);
    assertProblem(await call('GET', '/jobs/00000000-0000-4000-8000-000000000000'), 404);
    assert.deepEqual(paths(assertProblem(await call('GET', `/jobs/${'a'.repeat(129)}`), 422)), ['id']);
  });
});

describe('PATCH /jobs/{id}', () => {
  test('changes any subset of fields; a new cron recomputes next_run_at', async () => {
    const job = await createJob({ cron: '0 0 1 1 *' });
    const r = await call('PATCH', `/jobs/${job.id}`, { cron: '*/10 * * * * *', job_fields: { v: 2 }, overlap: 'skip' });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.cron, '*/10 * * * * *');
    assert.deepEqual(r.json.job_fields, { v: 2 });
    assert.equal(r.json.overlap, 'skip');
    assert.notEqual(r.json.next_run_at, job.next_run_at);
    assert.ok(Date.parse(String(r.json.next_run_at)) - Date.now() <= 11_000);
    const unchanged = await call('PATCH', `/jobs/${job.name}`, {});
    assert.equal(unchanged.status, 200);
    assert.equal(unchanged.json.cron, '*/10 * * * * *');
  });

  test('renames; 409 when the new name is taken', async () => {
    const a = await createJob();
    const b = await createJob();
    const renamed = await call('PATCH', `/jobs/${a.id}`, { name: uniqueName('renamed') });
    assert.equal(renamed.status, 200);
    assertProblem(await call('PATCH', `/jobs/${a.id}`, { name: b.name }), 409);
  });

  test('400, 404, 413, 415 and 422', async () => {
    const job = await createJob();
    assertProblem(await call('PATCH', `/jobs/${job.id}`, '{'), 400);
    assertProblem(await call('PATCH', '/jobs/no-such-job', { paused: true }), 404);
    const big = { job_fields: { blob: 'x'.repeat(MAX_FIELDS_BYTES) } };
    assertProblem(await call('PATCH', `/jobs/${job.id}`, big), 413);
    assertProblem(await call('PATCH', `/jobs/${job.id}`, 'x', { 'Content-Type': 'text/plain' }), 415);
    assert.deepEqual(paths(assertProblem(await call('PATCH', `/jobs/${job.id}`, { cron: 'every day' }), 422)), [
      'cron',
    ]);
    assert.deepEqual(paths(assertProblem(await call('PATCH', `/jobs/${job.id}`, { job_fields: [] }), 422)), [
      'job_fields',
    ]);
    assert.deepEqual(paths(assertProblem(await call('PATCH', `/jobs/${job.id}`, { id: 'x' }), 422)), ['id']);
  });
});

describe('pause, resume, delete', () => {
  test('pause clears next_run_at, resume re-arms it; both are idempotent', async () => {
    const job = await createJob();
    for (let i = 0; i < 2; i++) {
      const paused = await call('POST', `/jobs/${job.id}/pause`);
      assert.equal(paused.status, 200);
      assert.equal(paused.json.paused, true);
      assert.equal(paused.json.next_run_at, null);
    }
    for (let i = 0; i < 2; i++) {
      const resumed = await call('POST', `/jobs/${job.name}/resume`);
      assert.equal(resumed.status, 200);
      assert.equal(resumed.json.paused, false);
      assert.equal(typeof resumed.json.next_run_at, 'string');
    }
    assertProblem(await call('POST', '/jobs/no-such-job/pause'), 404);
    assertProblem(await call('POST', '/jobs/no-such-job/resume'), 404);
  });

  test('DELETE answers 204, then the job is gone', async () => {
    const job = await createJob();
    const r = await call('DELETE', `/jobs/${job.id}`);
    assert.equal(r.status, 204);
    assert.equal(r.text, '');
    assertProblem(await call('GET', `/jobs/${job.id}`), 404);
    assertProblem(await call('DELETE', `/jobs/${job.id}`), 404);
  });
});

describe('runs', () => {
  test('POST /jobs/{id}/run queues a manual run (202), listed newest first with Link paging', async () => {
    const job = await createJob({ paused: true });
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await call('POST', `/jobs/${job.name}/run`);
      assert.equal(r.status, 202, r.text);
      assert.deepEqual(Object.keys(r.json).sort(), [
        'attempts',
        'enqueued_at',
        'error',
        'failed_attempts',
        'finished_at',
        'id',
        'job_id',
        'last_scheduled_for',
        'options',
        'response',
        'scheduled_for',
        'started_at',
        'status',
        'tick_count',
        'trigger',
      ]);
      assert.equal(r.json.job_id, job.id);
      assert.equal(r.json.trigger, 'manual');
      assert.equal(r.json.status, 'queued');
      ids.push(String(r.json.id));
    }
    const first = await call('GET', `/jobs/${job.id}/runs?limit=2`);
    assert.equal(first.status, 200);
    assert.equal(first.json.length, 2);
    const link = first.res.headers.get('link');
    assert.ok(link, 'a next link');
    const next = /^<([^>]+)>; rel="next"$/.exec(link)![1]!;
    assert.match(next, new RegExp(`^/jobs/${job.id}/runs\\?limit=2&cursor=`));
    const second = await call('GET', next);
    assert.equal(second.json.length, 1);
    assert.equal(second.res.headers.get('link'), null);
    const listed = [...first.json, ...second.json].map((r) => String(r.id));
    assert.deepEqual(new Set(listed), new Set(ids));
    const times = [...first.json, ...second.json].map((r) => Date.parse(String(r.scheduled_for)));
    assert.deepEqual(
      times,
      [...times].sort((a, b) => b - a),
      'newest first',
    );

    const queued = await call('GET', `/jobs/${job.id}/runs?status=queued`);
    assert.equal(queued.json.length, 3);
    const succeeded = await call('GET', `/jobs/${job.id}/runs?status=succeeded`);
    assert.deepEqual(succeeded.json, []);
  });

  test('404 for an unknown job; 422 for a bad status, limit or cursor', async () => {
    assertProblem(await call('POST', '/jobs/no-such-job/run'), 404);
    assertProblem(await call('GET', '/jobs/no-such-job/runs'), 404);
    const job = await createJob();
    assert.deepEqual(paths(assertProblem(await call('GET', `/jobs/${job.id}/runs?status=done`), 422)), ['status']);
    assert.deepEqual(paths(assertProblem(await call('GET', `/jobs/${job.id}/runs?limit=-1`), 422)), ['limit']);
    assert.deepEqual(paths(assertProblem(await call('GET', `/jobs/${job.id}/runs?cursor=abc`), 422)), ['cursor']);
  });
});

describe('POST /cron/preview', () => {
  test('the description and the next instants (5 by default)', async () => {
    const r = await call('POST', '/cron/preview', { cron: '0 12 * * *', timezone: 'America/New_York' });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.cron, '0 12 * * *');
    assert.equal(r.json.timezone, 'America/New_York');
    assert.equal(typeof r.json.description, 'string');
    const next = r.json.next as string[];
    assert.equal(next.length, 5);
    for (const instant of next) assert.match(instant, /T1[67]:00:00\.000Z$/);
    const three = await call('POST', '/cron/preview', { cron: '@hourly', count: 3 });
    assert.equal((three.json.next as string[]).length, 3);
    assert.equal(three.json.timezone, 'UTC');
  });

  test('400, 413, 415 and 422 naming what is wrong', async () => {
    assertProblem(await call('POST', '/cron/preview', 'nope'), 400);
    assertProblem(await call('POST', '/cron/preview', { cron: 'x'.repeat(1024 * 1024 + 1) }), 413);
    assertProblem(await call('POST', '/cron/preview', '* * * * *', { 'Content-Type': 'text/plain' }), 415);
    assert.deepEqual(paths(assertProblem(await call('POST', '/cron/preview', { cron: '* * *' }), 422)), ['cron']);
    const zone = assertProblem(
      await call('POST', '/cron/preview', { cron: '* * * * *', timezone: 'Nowhere/City' }),
      422,
    );
    assert.deepEqual(paths(zone), ['timezone']);
    assert.deepEqual(paths(assertProblem(await call('POST', '/cron/preview', { cron: '* * * * *', count: 0 }), 422)), [
      'count',
    ]);
    assert.deepEqual(paths(assertProblem(await call('POST', '/cron/preview', { count: 3 }), 422)), ['cron']);
  });
});

describe('health', () => {
  test('GET /healthcheck answers "ok"', async () => {
    const r = await call('GET', '/healthcheck');
    assert.equal(r.status, 200);
    assert.equal(r.json, 'ok');
  });

  test('GET /health/ready: 200 when the database answers, 503 when it does not', async () => {
    const ready = await call('GET', '/health/ready');
    assert.equal(ready.status, 200);
    assert.deepEqual(ready.json, { status: 'ready' });
    // A scheduler never started has no database connection: not ready, and the API answers 503.
    const idle = createScheduler({ connectionString: db.url, fire: false });
    const down = createApp({ scheduler: idle, config });
    const res = await down.request('/health/ready');
    assert.equal(res.status, 503);
    assert.equal(res.headers.get('content-type'), 'application/problem+json');
    const jobs = await down.request('/jobs');
    assert.equal(jobs.status, 503);
    assert.equal(((await jobs.json()) as Json).type, 'urn:pg-cron-scheduler:problem:not_started');
  });
});

describe('routing, request ids and unexpected errors', () => {
  test('404 problem for an unknown route; 405 with Allow for a wrong method', async () => {
    assertProblem(await call('GET', '/nope'), 404);
    assertProblem(await call('GET', '/jobs/x/unknown'), 404);
    const r = await call('PUT', '/jobs');
    assertProblem(r, 405);
    assert.deepEqual(r.res.headers.get('allow')!.split(', ').sort(), ['GET', 'HEAD', 'POST']);
    const one = await call('POST', '/jobs/some-job');
    assertProblem(one, 405);
    assert.deepEqual(one.res.headers.get('allow')!.split(', ').sort(), ['DELETE', 'GET', 'HEAD', 'PATCH', 'PUT']);
  });

  test('X-Request-Id is honoured when short and safe, replaced otherwise', async () => {
    const kept = await call('GET', '/healthcheck', undefined, { 'X-Request-Id': 'abc-123.def' });
    assert.equal(kept.res.headers.get('x-request-id'), 'abc-123.def');
    for (const bad of ['has space', 'a'.repeat(65), '<script>']) {
      const r = await call('GET', '/healthcheck', undefined, { 'X-Request-Id': bad });
      const id = r.res.headers.get('x-request-id');
      assert.notEqual(id, bad);
      assert.match(id!, /^[0-9a-f-]{36}$/);
    }
  });

  test('an unknown error is a 500 with the request id, which the log also carries; no details leak', async () => {
    const lines: Record<string, unknown>[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
        done();
      },
    });
    // The real scheduler, with one method made to fail the way a bug would.
    const failing = new Proxy(scheduler, {
      get(target, key, receiver) {
        if (key === 'list') {
          return async () => {
            throw new Error('boom: SELECT secret FROM credentials');
          };
        }
        const value = Reflect.get(target, key, receiver);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const broken = createApp({ scheduler: failing, config, logger: createLogger('info', sink) });
    const res = await broken.request('/jobs', { headers: { 'X-Request-Id': 'trace-500' } });
    const text = await res.text();
    assert.equal(res.status, 500);
    assert.equal(res.headers.get('content-type'), 'application/problem+json');
    const p = JSON.parse(text) as Json;
    assert.equal(p.request_id, 'trace-500');
    assert.match(String(p.detail), /trace-500/);
    assert.doesNotMatch(text, /boom|SELECT|credentials|at /);
    const errorLine = lines.find((l) => l.level === 'error');
    assert.ok(errorLine, 'an error line');
    assert.equal(errorLine.request_id, 'trace-500');
    assert.match(JSON.stringify(errorLine.err), /boom/);
    const access = lines.find((l) => l.msg === 'request');
    assert.equal(access?.request_id, 'trace-500');
    assert.equal(access?.status, 500);
  });
});

describe('documentation', () => {
  test('/openapi.json, /doc and its local assets, /docs redirect', async () => {
    const spec = await call('GET', '/openapi.json');
    assert.equal(spec.status, 200);
    assert.equal(spec.json.openapi, '3.1.0');
    const doc = await call('GET', '/doc');
    assert.equal(doc.status, 200);
    assert.match(doc.res.headers.get('content-type')!, /^text\/html/);
    assert.doesNotMatch(doc.text, /https?:\/\//, 'no CDN');
    for (const [asset, type] of [
      ['/doc/swagger-ui.css', /^text\/css/],
      ['/doc/swagger-ui-bundle.js', /^text\/javascript/],
    ] as const) {
      assert.ok(doc.text.includes(`"${asset.slice(1)}"`), asset);
      const r = await app.request(asset);
      assert.equal(r.status, 200);
      assert.match(r.headers.get('content-type')!, type);
      assert.ok((await r.arrayBuffer()).byteLength > 10_000);
    }
    const redirect = await app.request('/docs');
    assert.equal(redirect.status, 302);
    assert.equal(new URL(redirect.headers.get('location')!, 'http://x/docs').pathname, '/doc');
  });
});

describe('api: false (SCHEDULER_API=false: a process that only fires or only works)', () => {
  const token = 'api-token-0123456789';
  const probes = () => createApp({ scheduler, config: { ...config, apiToken: token }, api: false });
  const bearer = { Authorization: `Bearer ${token}` };

  test('answers the probes and /metrics, with the same token rules', async () => {
    const app = probes();
    assert.equal((await app.request('/healthcheck')).status, 200);
    assert.equal((await app.request('/health/ready')).status, 200);
    assert.equal((await app.request('/health/schedules')).status, 401);
    assert.equal((await app.request('/health/schedules', { headers: bearer })).status, 200);
    assert.equal((await app.request('/metrics')).status, 401);
    const metrics = await app.request('/metrics', { headers: bearer });
    assert.equal(metrics.status, 200);
    assert.match(await metrics.text(), /^# HELP /m);
  });

  test('serves no API, UI or documentation, and its 404 says why', async () => {
    const app = probes();
    for (const [method, path] of [
      ['GET', '/jobs'],
      ['POST', '/jobs'],
      ['GET', '/jobs/nightly'],
      ['POST', '/cron/preview'],
      ['GET', '/ui'],
      ['GET', '/openapi.json'],
      ['GET', '/docs'],
    ] as const) {
      const res = await app.request(path, { method, headers: bearer });
      assert.equal(res.status, 404, `${method} ${path}`);
      const body = (await res.json()) as { detail: string };
      assert.match(body.detail, /serves only the probes and \/metrics: its API is off/, `${method} ${path}`);
    }
  });
});
