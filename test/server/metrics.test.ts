/**
 * `GET /metrics` and the request metric, through `app.request()` on a real scheduler (`fire: false`):
 * Prometheus text that parses (and that promtool accepts, where it is installed), the token rules
 * (the API's tokens, or SCHEDULER_METRICS_TOKEN alone), and route labels that are patterns.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Hono } from 'hono';
import { createScheduler, type Scheduler } from '../../lib/index.ts';
import { createApp } from '../../server/app.ts';
import { ConfigError, loadConfig } from '../../server/config.ts';
import { UNMATCHED_ROUTE } from '../../server/metrics.ts';
import { createTestDatabase } from '../helpers/database.ts';
import { hasPromtool, parseSamples, promtoolCheckMetrics, samplesOf, sampleValue } from '../helpers/prometheus.ts';

const P = 'pg_cron_scheduler_';
const API_TOKEN = 'api-token-0123456789';
const READ_TOKEN = 'read-token-0123456789';
const METRICS_TOKEN = 'metrics-token-0123456789';
const REQUESTS = `${P}http_request_duration_seconds_count`;

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let scheduler: Scheduler;

before(async () => {
  db = await createTestDatabase();
  scheduler = createScheduler({ connectionString: db.url, fire: false });
  await scheduler.start();
});

after(async () => {
  await scheduler?.stop();
  await db?.drop();
});

const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

describe('GET /metrics', () => {
  test('answers the registry in Prometheus text format, with prom-client’s content type', async () => {
    const app = createApp({ scheduler });
    const res = await app.request('/metrics');
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), scheduler.metrics!.contentType);
    assert.match(res.headers.get('content-type')!, /^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    assert.ok(parseSamples(text).length > 0);
    assert.equal(sampleValue(text, `${P}schedules`, { state: 'active' }), 0);
    assert.equal(sampleValue(text, `${P}pool_connections`, { pool: 'main' })! >= 1, true);
    const head = await app.request('/metrics', { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(await head.text(), '');
  });

  test('passes promtool check metrics', { skip: !hasPromtool && 'promtool is not installed' }, async () => {
    const app = createApp({ scheduler });
    await app.request('/jobs');
    const text = await (await app.request('/metrics')).text();
    assert.equal(await promtoolCheckMetrics(text), '');
  });

  test('labels requests by the route pattern, never by the requested path', async () => {
    const app = createApp({ scheduler });
    const job = await scheduler.create({ name: 'labelled', cron: '0 0 * * *' });
    assert.equal((await app.request(`/jobs/${job.id}`)).status, 200);
    assert.equal((await app.request('/jobs/00000000-0000-4000-8000-000000000000')).status, 404);
    assert.equal((await app.request(`/jobs/${job.id}/runs`)).status, 200);
    assert.equal((await app.request('/no/such/path/at-all')).status, 404);
    const text = await (await app.request('/metrics')).text();
    assert.equal(sampleValue(text, REQUESTS, { method: 'GET', route: '/jobs/:id', status: '200' }), 1);
    assert.equal(sampleValue(text, REQUESTS, { method: 'GET', route: '/jobs/:id', status: '404' }), 1);
    assert.equal(sampleValue(text, REQUESTS, { method: 'GET', route: '/jobs/:id/runs', status: '200' }), 1);
    assert.equal(sampleValue(text, REQUESTS, { method: 'GET', route: UNMATCHED_ROUTE, status: '404' }), 1);
    const routes = new Set(samplesOf(text, REQUESTS).map((s) => s.labels.route));
    for (const route of routes) assert.doesNotMatch(route!, /[0-9a-f]{8}-|such/, `route label ${route}`);
  });

  test('under a prefix, the route label is the app’s own pattern', async () => {
    const registryScheduler = createScheduler({ connectionString: db.url, fire: false });
    try {
      const parent = new Hono();
      parent.route('/scheduler', createApp({ scheduler: registryScheduler }));
      assert.equal((await parent.request('/scheduler/healthcheck')).status, 200);
      const res = await parent.request('/scheduler/metrics');
      assert.equal(res.status, 200);
      const text = await res.text();
      assert.equal(sampleValue(text, REQUESTS, { method: 'GET', route: '/healthcheck', status: '200' }), 1);
    } finally {
      await registryScheduler.stop();
    }
  });

  test('takes the API’s tokens when only they are set (the read token too)', async () => {
    const app = createApp({ scheduler, config: { apiToken: API_TOKEN, apiReadToken: READ_TOKEN } });
    assert.equal((await app.request('/metrics')).status, 401);
    assert.equal((await app.request('/metrics', { headers: bearer('wrong-token-0123456789') })).status, 401);
    assert.equal((await app.request('/metrics', { headers: bearer(API_TOKEN) })).status, 200);
    assert.equal((await app.request('/metrics', { headers: bearer(READ_TOKEN) })).status, 200);
  });

  test('takes SCHEDULER_METRICS_TOKEN and no other when it is set; the API does not take it', async () => {
    const app = createApp({ scheduler, config: { apiToken: API_TOKEN, metricsToken: METRICS_TOKEN } });
    const refused = await app.request('/metrics', { headers: bearer(API_TOKEN) });
    assert.equal(refused.status, 401);
    assert.equal(refused.headers.get('content-type'), 'application/problem+json');
    assert.match(refused.headers.get('www-authenticate') ?? '', /invalid_token/);
    assert.equal((await app.request('/metrics')).status, 401);
    assert.equal((await app.request('/metrics', { headers: bearer(METRICS_TOKEN) })).status, 200);
    assert.equal((await app.request('/jobs', { headers: bearer(METRICS_TOKEN) })).status, 401);
    assert.equal((await app.request('/jobs', { headers: bearer(API_TOKEN) })).status, 200);
    // With no API token the API is open, and /metrics still wants its own.
    const open = createApp({ scheduler, config: { apiToken: null, metricsToken: METRICS_TOKEN } });
    assert.equal((await open.request('/jobs')).status, 200);
    assert.equal((await open.request('/metrics')).status, 401);
    assert.equal((await open.request('/metrics', { headers: bearer(METRICS_TOKEN) })).status, 200);
  });

  test('is not served when the scheduler’s metrics are off', async () => {
    const off = createScheduler({ connectionString: db.url, fire: false, metrics: false });
    try {
      assert.equal(off.metrics, null);
      const app = createApp({ scheduler: off });
      const res = await app.request('/metrics');
      assert.equal(res.status, 404);
      assert.equal((await app.request('/healthcheck')).status, 200);
    } finally {
      await off.stop();
    }
  });
});

describe('SCHEDULER_METRICS_TOKEN', () => {
  test('is read, at least 16 characters, never quoted back, and differs from the API tokens', () => {
    assert.equal(loadConfig({}).metricsToken, null);
    assert.equal(loadConfig({ SCHEDULER_METRICS_TOKEN: METRICS_TOKEN }).metricsToken, METRICS_TOKEN);
    assert.throws(
      () => loadConfig({ SCHEDULER_METRICS_TOKEN: 'short-secret' }),
      (error: unknown) =>
        error instanceof ConfigError &&
        /SCHEDULER_METRICS_TOKEN: expected at least 16 characters/.test(error.message) &&
        !error.message.includes('short-secret'),
    );
    for (const env of [
      { SCHEDULER_API_TOKEN: API_TOKEN, SCHEDULER_METRICS_TOKEN: API_TOKEN },
      { SCHEDULER_API_TOKEN: API_TOKEN, SCHEDULER_API_READ_TOKEN: READ_TOKEN, SCHEDULER_METRICS_TOKEN: READ_TOKEN },
    ]) {
      assert.throws(
        () => loadConfig(env),
        (error: unknown) =>
          error instanceof ConfigError &&
          /SCHEDULER_METRICS_TOKEN: must differ/.test(error.message) &&
          !error.message.includes(API_TOKEN),
      );
    }
  });
});
