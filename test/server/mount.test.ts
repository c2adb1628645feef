/**
 * `pg-cron-scheduler/server` mounted under a prefix of a user's own Hono app, with the user's own
 * auth in front: the same routes, document and docs pages, with every path correct under the prefix.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Hono } from 'hono';
import { createScheduler, type Scheduler } from '../../lib/index.ts';
import { createApp } from '../../server/index.ts';
import { createTestDatabase } from '../helpers/database.ts';

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let scheduler: Scheduler;
let app: Hono;

before(async () => {
  db = await createTestDatabase();
  scheduler = createScheduler({ connectionString: db.url, fire: false });
  await scheduler.start();

  // README "Use it in your app": the server entry.
  app = new Hono();
  app.get('/', (c) => c.text('my app'));
  // Your own auth in front of the API (any Hono middleware).
  app.use('/scheduler/*', async (c, next) => {
    if (c.req.header('X-Api-Key') !== 'let-me-in') return c.text('forbidden', 403);
    await next();
  });
  app.route('/scheduler', createApp({ scheduler }));
});

after(async () => {
  await scheduler?.stop();
  await db?.drop();
});

const KEY = { 'X-Api-Key': 'let-me-in' };
const json = (body: unknown) => ({
  method: 'POST',
  headers: { ...KEY, 'Content-Type': 'application/json' },
  body: JSON.stringify(body),
});

describe('mounted at /scheduler', () => {
  test('the user’s auth runs first, and the user’s own routes are untouched', async () => {
    assert.equal((await app.request('/scheduler/jobs')).status, 403);
    const own = await app.request('/');
    assert.equal(await own.text(), 'my app');
    assert.equal(own.headers.get('x-request-id'), null);
  });

  test('creating a job answers with its Location under the prefix, which resolves', async () => {
    const created = await app.request('/scheduler/jobs', json({ name: 'mounted-a', cron: '0 9 * * *' }));
    assert.equal(created.status, 201, await created.clone().text());
    const job = (await created.json()) as { id: string };
    assert.equal(created.headers.get('location'), `/scheduler/jobs/${job.id}`);
    const fetched = await app.request(created.headers.get('location')!, { headers: KEY });
    assert.equal(fetched.status, 200);
  });

  test('the next page link keeps the prefix', async () => {
    await app.request('/scheduler/jobs', json({ name: 'mounted-b', cron: '0 9 * * *' }));
    const page = await app.request('/scheduler/jobs?limit=1', { headers: KEY });
    assert.equal(page.status, 200);
    assert.match(page.headers.get('link') ?? '', /^<\/scheduler\/jobs\?limit=1&cursor=[^>]+>; rel="next"$/);
  });

  test('the document names the prefix as its server and keeps the API’s own paths', async () => {
    const res = await app.request('/scheduler/openapi.json', { headers: KEY });
    const spec = (await res.json()) as { servers: { url: string }[]; paths: Record<string, unknown> };
    assert.deepEqual(spec.servers, [{ url: '/scheduler', description: 'This server' }]);
    assert.ok(spec.paths['/jobs/{id}']);
  });

  test('Swagger UI and ReDoc load their assets and the document from under the prefix', async () => {
    for (const [page, assets] of [
      ['/scheduler/doc', ['doc/swagger-ui.css', 'doc/swagger-ui-bundle.js']],
      ['/scheduler/redoc', ['redoc/redoc.standalone.js']],
    ] as const) {
      const html = await (await app.request(page, { headers: KEY })).text();
      assert.match(html, /openapi\.json/);
      for (const asset of assets) {
        assert.ok(html.includes(`"${asset}"`), `${page} refers to ${asset}`);
        // Relative to the page's URL, as a browser resolves it.
        const url = new URL(asset, `http://host${page}`).pathname;
        const res = await app.request(url, { headers: KEY });
        assert.equal(res.status, 200, url);
        assert.ok((await res.arrayBuffer()).byteLength > 10_000, url);
      }
    }
    const redirect = await app.request('/scheduler/docs', { headers: KEY });
    assert.equal(redirect.status, 302);
    assert.equal(new URL(redirect.headers.get('location')!, 'http://host/scheduler/docs').pathname, '/scheduler/doc');
  });

  test('unknown routes and wrong methods under the prefix answer in the API’s problem shape', async () => {
    const missing = await app.request('/scheduler/nothing-here', { headers: KEY });
    assert.equal(missing.status, 404);
    assert.equal(missing.headers.get('content-type'), 'application/problem+json');
    const wrong = await app.request('/scheduler/jobs', { method: 'PUT', headers: KEY });
    assert.equal(wrong.status, 405);
    assert.deepEqual(wrong.headers.get('allow')?.split(', ').sort(), ['GET', 'HEAD', 'POST']);
  });
});

describe('mounted with a token of its own', () => {
  test('probes and documentation stay open under the prefix; the API needs the token', async () => {
    const outer = new Hono();
    outer.route('/api/scheduler', createApp({ scheduler, config: { apiToken: 'a-token-of-sixteen-chars' } }));
    assert.equal((await outer.request('/api/scheduler/healthcheck')).status, 200);
    assert.equal((await outer.request('/api/scheduler/redoc')).status, 200);
    assert.equal((await outer.request('/api/scheduler/jobs')).status, 401);
    const authorized = await outer.request('/api/scheduler/jobs', {
      headers: { Authorization: 'Bearer a-token-of-sixteen-chars' },
    });
    assert.equal(authorized.status, 200);
  });
});
