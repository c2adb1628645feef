/**
 * SCHEDULER_API_TOKEN: with a token, every operation the OpenAPI document marks as secured answers
 * 401 without it; the others (probes, documentation) never do. Without a token, nothing does.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createScheduler, type Scheduler } from '../../lib/index.ts';
import { createApp } from '../../server/app.ts';
import { createTestDatabase } from '../helpers/database.ts';

const TOKEN = 'test-token-0123456789abcdef';
const CHALLENGE = 'Bearer realm="pg-cron-scheduler"';

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let scheduler: Scheduler;
let secured: ReturnType<typeof createApp>;
let open: ReturnType<typeof createApp>;
let operations: { method: string; path: string; secured: boolean; body: boolean }[];

before(async () => {
  db = await createTestDatabase();
  scheduler = createScheduler({ connectionString: db.url, fire: false });
  await scheduler.start();
  secured = createApp({ scheduler, config: { apiToken: TOKEN, maxBodyBytes: 1024 * 1024 } });
  open = createApp({ scheduler, config: { apiToken: null, maxBodyBytes: 1024 * 1024 } });
  const spec = (await (await secured.request('/openapi.json')).json()) as {
    paths: Record<string, Record<string, { security?: unknown[]; requestBody?: unknown }>>;
  };
  operations = Object.entries(spec.paths).flatMap(([path, item]) =>
    Object.entries(item).map(([method, op]) => ({
      method: method.toUpperCase(),
      path: path.replaceAll('{id}', 'no-such-job'),
      secured: Array.isArray(op.security) && op.security.length > 0,
      body: op.requestBody !== undefined,
    })),
  );
});

after(async () => {
  await scheduler?.stop();
  await db?.drop();
});

function send(app: ReturnType<typeof createApp>, op: (typeof operations)[number], authorization?: string) {
  const headers: Record<string, string> = {};
  if (authorization !== undefined) headers['Authorization'] = authorization;
  if (op.body) headers['Content-Type'] = 'application/json';
  return app.request(op.path, { method: op.method, headers, ...(op.body ? { body: '{}' } : {}) });
}

describe('with SCHEDULER_API_TOKEN set', () => {
  test('the document secures the API and leaves probes and docs open', () => {
    assert.ok(operations.filter((o) => o.secured).length >= 10);
    assert.deepEqual(
      operations
        .filter((o) => !o.secured)
        .map((o) => o.path)
        .sort(),
      [
        '/doc',
        '/doc/swagger-ui-bundle.js',
        '/doc/swagger-ui.css',
        '/docs',
        '/health/ready',
        '/healthcheck',
        '/openapi.json',
        '/redoc',
        '/redoc/redoc.standalone.js',
      ],
    );
  });

  test('every secured operation answers 401 with a challenge without the token, or with a wrong one', async () => {
    for (const op of operations.filter((o) => o.secured)) {
      for (const [authorization, challenge] of [
        [undefined, CHALLENGE],
        ['Basic dXNlcjpwYXNz', CHALLENGE],
        ['Bearer', CHALLENGE],
        ['Bearer wrong-token', `${CHALLENGE}, error="invalid_token"`],
        [`Bearer ${TOKEN}x`, `${CHALLENGE}, error="invalid_token"`],
        [`Bearer ${TOKEN.slice(0, -1)}`, `${CHALLENGE}, error="invalid_token"`],
      ] as const) {
        const res = await send(secured, op, authorization);
        const label = `${op.method} ${op.path} with ${authorization ?? 'no header'}`;
        assert.equal(res.status, 401, label);
        assert.equal(res.headers.get('www-authenticate'), challenge, label);
        assert.equal(res.headers.get('content-type'), 'application/problem+json', label);
        const body = (await res.json()) as { status: number; detail: string };
        assert.equal(body.status, 401);
        assert.ok(!body.detail.includes(TOKEN));
      }
    }
  });

  test('every secured operation passes with the token (any case of "Bearer")', async () => {
    for (const op of operations.filter((o) => o.secured)) {
      for (const scheme of ['Bearer', 'bearer']) {
        const res = await send(secured, op, `${scheme} ${TOKEN}`);
        assert.notEqual(res.status, 401, `${op.method} ${op.path}`);
        assert.notEqual(res.status, 500, `${op.method} ${op.path}`);
      }
    }
  });

  test('probes and documentation need no token', async () => {
    for (const op of operations.filter((o) => !o.secured)) {
      const res = await send(secured, op);
      assert.ok(res.status < 400, `${op.method} ${op.path}: ${res.status}`);
    }
  });

  test('unknown routes answer 401 too, so they reveal nothing without the token', async () => {
    const res = await secured.request('/admin');
    assert.equal(res.status, 401);
    const authorized = await secured.request('/admin', { headers: { Authorization: `Bearer ${TOKEN}` } });
    assert.equal(authorized.status, 404);
  });
});

describe('without a token', () => {
  test('no operation asks for one', async () => {
    for (const op of operations) {
      const res = await send(open, op);
      assert.notEqual(res.status, 401, `${op.method} ${op.path}`);
      assert.equal(res.headers.get('www-authenticate'), null);
    }
  });
});
