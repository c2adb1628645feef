/**
 * No control from other web pages: a change sent by a browser for a page on another origin is 403,
 * a Host nobody allowed is 421 (DNS rebinding), and the read-only token reads but never changes.
 * Through `app.request()` on a real scheduler and database, plus one run on a real socket.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { serve } from '@hono/node-server';
import { createScheduler, type Scheduler } from '../../lib/index.ts';
import { type AppOptions, createApp } from '../../server/app.ts';
import { parseHost } from '../../server/security.ts';
import { spawnChild, startServer, stopChild } from '../faults/support.ts';
import { createTestDatabase } from '../helpers/database.ts';

const FULL = 'full-token-0123456789abcdef';
const READ = 'read-token-0123456789abcdef';
const BASE = { apiToken: null, maxBodyBytes: 1024 * 1024, host: '127.0.0.1' } as const;
const JOB = 'target';

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let scheduler: Scheduler;
let open: ReturnType<typeof createApp>;

const appWith = (config: Partial<AppOptions['config']>) => createApp({ scheduler, config: { ...BASE, ...config } });

before(async () => {
  db = await createTestDatabase();
  scheduler = createScheduler({ connectionString: db.url, fire: false });
  await scheduler.start();
  open = appWith({});
  const created = await open.request('/jobs', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ name: JOB, cron: '0 0 1 1 *' }),
  });
  assert.equal(created.status, 201, await created.clone().text());
});

after(async () => {
  await scheduler?.stop();
  await db?.drop();
});

type App = ReturnType<typeof createApp>;

async function send(app: App, method: string, path: string, headers: Record<string, string> = {}, body?: unknown) {
  const init: RequestInit = { method, headers: { ...headers } };
  if (body !== undefined) {
    (init.headers as Record<string, string>)['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  return app.request(path, init);
}

/** Asserts a problem+json answer of `status` and `kind`; returns its detail. */
async function assertProblem(res: Response, status: number, kind: string, label = ''): Promise<string> {
  const text = await res.text();
  assert.equal(res.status, status, `${label}: ${text}`);
  assert.equal(res.headers.get('content-type'), 'application/problem+json', label);
  const body = JSON.parse(text) as Record<string, unknown>;
  assert.equal(body['type'], `urn:pg-cron-scheduler:problem:${kind}`, label);
  assert.equal(body['status'], status, label);
  assert.equal(body['request_id'], res.headers.get('x-request-id'), label);
  assert.doesNotMatch(text, /\n\s+at /);
  return String(body['detail']);
}

/** The job as stored, and how many runs it has: what a refused change must leave alone. */
async function jobState() {
  const job = (await (await open.request(`/jobs/${JOB}`)).json()) as { paused: boolean; cron: string };
  const runs = (await (await open.request(`/jobs/${JOB}/runs`)).json()) as unknown[];
  return { paused: job.paused, cron: job.cron, runs: runs.length };
}

/** Every state-changing operation, with a body where it takes one. */
const CHANGES: [method: string, path: string, body?: unknown][] = [
  ['POST', `/jobs/${JOB}/run`],
  ['POST', `/jobs/${JOB}/pause`],
  ['POST', `/jobs/${JOB}/resume`],
  ['PATCH', `/jobs/${JOB}`, { cron: '*/5 * * * *' }],
  ['DELETE', `/jobs/${JOB}`],
  ['POST', '/jobs', { name: 'planted', cron: '* * * * *' }],
  ['POST', '/cron/preview', { cron: '* * * * *' }],
];

describe('state changes from a page on another origin', () => {
  test('Origin of another site: every change is 403 cross_site and changes nothing', async () => {
    const before = await jobState();
    for (const [method, path, body] of CHANGES) {
      const res = await send(open, method, path, { Origin: 'http://evil.example' }, body);
      const detail = await assertProblem(res, 403, 'cross_site', `${method} ${path}`);
      assert.match(detail, /Origin: "http:\/\/evil\.example"/);
    }
    assert.deepEqual(await jobState(), before);
    assert.equal((await open.request('/jobs/planted')).status, 404);
  });

  test('Sec-Fetch-Site cross-site is refused, with or without an Origin', async () => {
    const before = await jobState();
    for (const headers of [
      { 'Sec-Fetch-Site': 'cross-site' } as Record<string, string>,
      { 'Sec-Fetch-Site': 'cross-site', Origin: 'http://evil.example' },
    ]) {
      const detail = await assertProblem(await send(open, 'POST', `/jobs/${JOB}/run`, headers), 403, 'cross_site');
      assert.match(detail, /Sec-Fetch-Site: cross-site/);
    }
    assert.deepEqual(await jobState(), before);
  });

  test('same-site is refused too: every port of localhost is one site', async () => {
    // A dev server or any local tool page on another port is "same-site" to a service on localhost.
    const headers = { 'Sec-Fetch-Site': 'same-site', Origin: 'http://localhost:3000' };
    await assertProblem(await send(open, 'POST', `/jobs/${JOB}/pause`, headers), 403, 'cross_site');
    // An old browser that sends only Origin: another port is another origin.
    await assertProblem(
      await send(open, 'POST', `/jobs/${JOB}/pause`, { Origin: 'http://localhost:3000' }),
      403,
      'cross_site',
    );
    // Sandboxed frames and file: pages send Origin: null.
    await assertProblem(await send(open, 'POST', `/jobs/${JOB}/pause`, { Origin: 'null' }), 403, 'cross_site');
    assert.equal((await jobState()).paused, false);
  });

  test('the service’s own pages (Swagger UI) may change state', async () => {
    for (const headers of [
      { 'Sec-Fetch-Site': 'same-origin', Origin: 'http://localhost' } as Record<string, string>,
      // Typed into the address bar or opened from a bookmark.
      { 'Sec-Fetch-Site': 'none' },
      // A browser too old for Sec-Fetch-Site: Origin names the Host the request went to.
      { Origin: 'http://localhost' },
      // Behind a proxy that terminates TLS the page is https and we see http: the scheme is not compared.
      { Origin: 'https://localhost' },
      { Origin: 'http://localhost:8000', Host: 'localhost:8000' },
      { Origin: 'https://[::1]:8443', Host: '[::1]:8443' },
      // Behind a proxy that rewrites Host, Sec-Fetch-Site (computed by the browser) decides.
      { 'Sec-Fetch-Site': 'same-origin', Origin: 'https://scheduler.example.com', Host: '127.0.0.1:8000' },
    ]) {
      const res = await send(open, 'POST', `/jobs/${JOB}/run`, headers);
      assert.equal(res.status, 202, `${JSON.stringify(headers)}: ${await res.text()}`);
    }
  });

  test('clients that are not browsers (no Origin, no Sec-Fetch-Site) pass: curl, the CLI, servers', async () => {
    const res = await send(open, 'POST', `/jobs/${JOB}/run`);
    assert.equal(res.status, 202, await res.text());
    const preview = await send(open, 'POST', '/cron/preview', {}, { cron: '0 9 * * *' });
    assert.equal(preview.status, 200);
  });

  test('a GET from another origin is answered: reading changes nothing, and with no CORS header the page cannot read it', async () => {
    const res = await send(open, 'GET', `/jobs/${JOB}`, {
      Origin: 'http://evil.example',
      'Sec-Fetch-Site': 'cross-site',
    });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('access-control-allow-origin'), null);
  });

  test('an origin in allowedOrigins may change state; others still may not', async () => {
    const app = appWith({ allowedOrigins: ['https://admin.example.com'] });
    const allowed = await send(app, 'POST', `/jobs/${JOB}/run`, {
      Origin: 'https://admin.example.com',
      'Sec-Fetch-Site': 'cross-site',
    });
    assert.equal(allowed.status, 202, await allowed.text());
    await assertProblem(
      await send(app, 'POST', `/jobs/${JOB}/run`, {
        Origin: 'https://admin.example.org',
        'Sec-Fetch-Site': 'cross-site',
      }),
      403,
      'cross_site',
    );
  });

  test('with a token, a cross-site change is still 403, before the token is looked at', async () => {
    const app = appWith({ apiToken: FULL });
    await assertProblem(
      await send(app, 'POST', `/jobs/${JOB}/pause`, { Origin: 'http://evil.example', Authorization: `Bearer ${FULL}` }),
      403,
      'cross_site',
    );
    assert.equal((await jobState()).paused, false);
  });
});

describe('the Host allowlist (DNS rebinding)', () => {
  const REFUSED = [
    'evil.example',
    'attacker.com:8000',
    '7f000001.c0a80001.rbndr.us:8000',
    '127.0.0.1.nip.io:8000',
    'localhost.evil.example',
    'evil.example@localhost',
    '[not-an-ip]:8000',
  ];

  test('a Host nobody allowed is 421 host_not_allowed on every route, and nothing changes', async () => {
    const before = await jobState();
    for (const host of REFUSED) {
      for (const [method, path, body] of [
        ['GET', '/jobs'],
        ['GET', '/healthcheck'],
        ['GET', '/openapi.json'],
        ['GET', '/no-such-route'],
        ...CHANGES,
      ] as [string, string, unknown?][]) {
        const res = await send(open, method, path, { Host: host }, body);
        const detail = await assertProblem(res, 421, 'host_not_allowed', `${method} ${path} Host: ${host}`);
        assert.match(detail, /SCHEDULER_ALLOWED_HOSTS/);
      }
    }
    assert.deepEqual(await jobState(), before);
  });

  test('421 comes before 401: a rebinding page learns nothing, token or not', async () => {
    const app = appWith({ apiToken: FULL });
    await assertProblem(await send(app, 'GET', '/jobs', { Host: 'attacker.com:8000' }), 421, 'host_not_allowed');
  });

  test('IP literals and localhost pass, with any port: probes by pod IP keep working', async () => {
    for (const host of [
      'localhost',
      'localhost:8000',
      'LOCALHOST:8000',
      'localhost.:8000',
      '127.0.0.1:8000',
      '127.0.0.1',
      '[::1]:8000',
      '[::1]',
      '10.42.0.17:8000',
      '[fd00::17]:8000',
    ]) {
      assert.equal((await send(open, 'GET', '/healthcheck', { Host: host })).status, 200, host);
      assert.equal((await send(open, 'GET', `/jobs/${JOB}`, { Host: host })).status, 200, host);
    }
  });

  test('the configured host, when it is a name, passes', async () => {
    const app = appWith({ host: 'scheduler.internal' });
    assert.equal((await send(app, 'GET', '/jobs', { Host: 'scheduler.internal:8000' })).status, 200);
    assert.equal((await send(app, 'GET', '/jobs', { Host: 'Scheduler.Internal' })).status, 200);
    await assertProblem(await send(app, 'GET', '/jobs', { Host: 'other.internal' }), 421, 'host_not_allowed');
  });

  test('allowedHosts: exact names, and .suffix for a name and its subdomains', async () => {
    const app = appWith({ allowedHosts: ['api.example.com', '.svc.cluster.local'] });
    for (const host of [
      'api.example.com',
      'api.example.com:443',
      'scheduler.jobs.svc.cluster.local:8000',
      'svc.cluster.local',
    ]) {
      assert.equal((await send(app, 'GET', '/jobs', { Host: host })).status, 200, host);
    }
    for (const host of ['example.com', 'www.api.example.com', 'evilsvc.cluster.local', 'attacker.com']) {
      await assertProblem(await send(app, 'GET', '/jobs', { Host: host }), 421, 'host_not_allowed', host);
    }
  });

  test('allowedHosts * turns the check off', async () => {
    const app = appWith({ allowedHosts: ['*'] });
    assert.equal((await send(app, 'GET', '/jobs', { Host: 'attacker.com:8000' })).status, 200);
    // The cross-site check still holds.
    await assertProblem(
      await send(app, 'POST', `/jobs/${JOB}/pause`, { Host: 'attacker.com:8000', Origin: 'http://evil.example' }),
      403,
      'cross_site',
    );
  });

  test('parseHost splits name and port and refuses anything else', () => {
    assert.deepEqual(parseHost('Example.COM.:8080'), { hostname: 'example.com', port: '8080' });
    assert.deepEqual(parseHost('[::1]'), { hostname: '::1', port: null });
    for (const bad of ['', 'a b', 'user@host', 'host:port', '::1', '[zz::1]', 'host/path', 'host:123456']) {
      assert.equal(parseHost(bad), null, bad);
    }
  });
});

describe('the read-only token', () => {
  let secured: App;
  let operations: { method: string; path: string; body: boolean }[];

  before(async () => {
    secured = appWith({ apiToken: FULL, apiReadToken: READ });
    const spec = (await (await secured.request('/openapi.json')).json()) as {
      paths: Record<string, Record<string, { security?: unknown[]; requestBody?: unknown }>>;
    };
    operations = Object.entries(spec.paths).flatMap(([path, item]) =>
      Object.entries(item)
        .filter(([, op]) => Array.isArray(op.security) && op.security.length > 0)
        .map(([method, op]) => ({
          method: method.toUpperCase(),
          path: path.replaceAll('{id}', 'no-such-job'),
          body: op.requestBody !== undefined,
        })),
    );
    assert.ok(operations.some((o) => o.method === 'GET'));
    assert.ok(operations.some((o) => o.method !== 'GET'));
  });

  const auth = (token: string) => ({ Authorization: `Bearer ${token}` });

  test('reads every secured GET (and HEAD)', async () => {
    for (const op of operations.filter((o) => o.method === 'GET')) {
      for (const method of ['GET', 'HEAD']) {
        const res = await send(secured, method, op.path, auth(READ));
        assert.ok(![401, 403, 500].includes(res.status), `${method} ${op.path}: ${res.status}`);
      }
    }
    assert.equal((await send(secured, 'GET', `/jobs/${JOB}`, auth(READ))).status, 200);
  });

  test('every other secured operation is 403 forbidden (insufficient_scope) and changes nothing', async () => {
    const before = await jobState();
    for (const op of operations.filter((o) => o.method !== 'GET')) {
      const res = await send(secured, op.method, op.path, auth(READ), op.body ? {} : undefined);
      assert.equal(
        res.headers.get('www-authenticate'),
        'Bearer realm="pg-cron-scheduler", error="insufficient_scope"',
        `${op.method} ${op.path}`,
      );
      const detail = await assertProblem(res, 403, 'forbidden', `${op.method} ${op.path}`);
      assert.ok(!detail.includes(READ));
    }
    for (const [method, path, body] of CHANGES) {
      await assertProblem(await send(secured, method, path, auth(READ), body), 403, 'forbidden', `${method} ${path}`);
    }
    assert.deepEqual(await jobState(), before);
  });

  test('the full token still changes state; no token or a wrong one is 401 as before', async () => {
    assert.equal((await send(secured, 'POST', `/jobs/${JOB}/run`, auth(FULL))).status, 202);
    for (const headers of [{}, auth(`${READ}x`), auth('wrong-token-0123456789')]) {
      for (const [method, path] of [
        ['GET', `/jobs/${JOB}`],
        ['POST', `/jobs/${JOB}/run`],
      ] as const) {
        const res = await send(secured, method, path, headers);
        await assertProblem(res, 401, 'unauthorized', `${method} ${path} ${JSON.stringify(headers)}`);
      }
    }
  });
});

describe('mounted in a user’s app', () => {
  test('with no host settings any Host is served (the parent app decides); cross-site changes are still refused', async () => {
    const { Hono } = await import('hono');
    const parent = new Hono();
    parent.route('/scheduler', createApp({ scheduler }));
    const read = await parent.request(`/scheduler/jobs/${JOB}`, { headers: { Host: 'scheduler.example.com' } });
    assert.equal(read.status, 200, await read.clone().text());
    await assertProblem(
      await parent.request(`/scheduler/jobs/${JOB}/pause`, {
        method: 'POST',
        headers: { Host: 'scheduler.example.com', Origin: 'http://evil.example', 'Sec-Fetch-Site': 'cross-site' },
      }),
      403,
      'cross_site',
      'a cross-site POST under the prefix',
    );
  });
});

describe('on a real socket', () => {
  test('a rebinding Host is 421, another origin’s POST is 403, the service’s own origin and curl pass', async () => {
    const server = serve({ fetch: open.fetch, port: 0, hostname: '127.0.0.1' });
    try {
      if (!server.listening) await once(server, 'listening');
      const { port } = server.address() as AddressInfo;
      const request = (method: string, path: string, headers: Record<string, string>) =>
        new Promise<{ status: number; type: string | undefined }>((resolve, reject) => {
          const req = http.request({
            host: '127.0.0.1',
            port,
            method,
            path,
            headers: { Connection: 'close', ...headers },
          });
          req.on('error', reject);
          req.on('response', (res) => {
            res.resume();
            res.on('end', () => resolve({ status: res.statusCode!, type: res.headers['content-type'] }));
          });
          req.end();
        });

      const rebound = await request('GET', '/jobs', { Host: `attacker.com:${port}` });
      assert.deepEqual(rebound, { status: 421, type: 'application/problem+json' });
      const health = await request('GET', '/healthcheck', { Host: `127.0.0.1:${port}` });
      assert.equal(health.status, 200);
      const crossSite = await request('POST', `/jobs/${JOB}/pause`, {
        Host: `127.0.0.1:${port}`,
        Origin: 'http://evil.example',
      });
      assert.deepEqual(crossSite, { status: 403, type: 'application/problem+json' });
      const own = await request('POST', `/jobs/${JOB}/run`, {
        Host: `127.0.0.1:${port}`,
        Origin: `http://127.0.0.1:${port}`,
      });
      assert.equal(own.status, 202);
      const curl = await request('POST', `/jobs/${JOB}/run`, { Host: `localhost:${port}` });
      assert.equal(curl.status, 202);
      assert.equal((await jobState()).paused, false);
    } finally {
      server.close();
      if ('closeAllConnections' in server) server.closeAllConnections();
    }
  });
});

describe('starting the process', () => {
  // Empty values count as unset: whatever the test's own environment holds, these runs have no token.
  const noToken = { SCHEDULER_API_TOKEN: '', SCHEDULER_API_READ_TOKEN: '', SCHEDULER_ALLOW_UNAUTHENTICATED: '' };

  test('HOST=0.0.0.0 with no token exits 1 saying why; the explicit opt-out starts, with a warning', async () => {
    const refusedStart = spawnChild(
      'reachable, no token',
      'cli/index.ts',
      { ...noToken, HOST: '0.0.0.0', PORT: '0', DATABASE_URL: db.url },
      ['serve'],
    );
    const exit = await Promise.race([
      refusedStart.exit,
      once(AbortSignal.timeout(60_000), 'abort').then(() => assert.fail(`no exit: ${refusedStart.stderr()}`)),
    ]);
    assert.deepEqual(exit, { code: 1, signal: null });
    assert.match(
      refusedStart.stderr(),
      /^ {2}HOST: "0\.0\.0\.0" lets other machines reach the API, and SCHEDULER_API_TOKEN is unset/m,
    );
    assert.match(refusedStart.stderr(), /SCHEDULER_ALLOW_UNAUTHENTICATED=true/);
    assert.doesNotMatch(refusedStart.stderr(), /\n\s+at /);

    const server = await startServer('reachable, opted out', {
      ...noToken,
      HOST: '0.0.0.0',
      DATABASE_URL: db.url,
      SCHEDULER_ALLOW_UNAUTHENTICATED: 'true',
      SCHEDULER_FIRE: 'false',
      SCHEDULER_WORKER: 'false',
    });
    try {
      assert.ok(
        server.lines.some(
          (l) => l.level === 'warn' && /reachable from other machines with no token/.test(String(l.msg)),
        ),
        JSON.stringify(server.lines),
      );
      assert.equal((await fetch(`${server.base}/healthcheck`)).status, 200);
    } finally {
      await stopChild(server, 'SIGTERM');
    }
  });
});
