/**
 * The OpenAPI document: valid OpenAPI 3.1, clean under Redocly's recommended rules, and exactly the
 * routes the app serves, each with an operationId, a summary, tags, the error statuses it can return
 * and an example for every response.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createConfig, lintFromString } from '@redocly/openapi-core';
import { Validator } from '@seriousme/openapi-schema-validator';
import { createScheduler, type Scheduler } from '../../lib/index.ts';
import { createApp } from '../../server/app.ts';
import { isMetricsPath, isUiPath } from '../../server/security.ts';

interface Operation {
  operationId?: string;
  summary?: string;
  tags?: string[];
  security?: unknown[];
  parameters?: { in: string; name: string }[];
  requestBody?: { content: Record<string, { schema?: { $ref?: string; example?: unknown }; example?: unknown }> };
  responses: Record<
    string,
    { content?: Record<string, { schema?: { $ref?: string; example?: unknown }; example?: unknown }> }
  >;
}
interface Spec {
  openapi: string;
  info: { license?: { name: string } };
  servers?: { url: string }[];
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, { example?: unknown }>; securitySchemes: Record<string, unknown> };
}

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
let scheduler: Scheduler;
let app: ReturnType<typeof createApp>;
let spec: Spec;

before(async () => {
  // The document needs no database: the scheduler is never started.
  scheduler = createScheduler({ connectionString: 'postgres://unused@127.0.0.1:1/unused', fire: false });
  app = createApp({ scheduler });
  const res = await app.request('/openapi.json');
  assert.equal(res.status, 200);
  spec = (await res.json()) as Spec;
});

after(() => scheduler.stop());

function operations(): [string, Operation][] {
  return Object.entries(spec.paths).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([method]) => METHODS.includes(method))
      .map(([method, op]) => [`${method.toUpperCase()} ${path}`, op] as [string, Operation]),
  );
}

test('is a valid OpenAPI 3.1 document', async () => {
  assert.equal(spec.openapi, '3.1.0');
  const validator = new Validator();
  const result = await validator.validate(structuredClone(spec) as unknown as Parameters<Validator['validate']>[0]);
  assert.equal(validator.version, '3.1');
  assert.deepEqual(result.errors, undefined, JSON.stringify(result.errors, null, 2));
  assert.equal(result.valid, true);
});

test('lists every route the app serves, and nothing else (but the dashboard’s HTML pages and /metrics)', () => {
  // /metrics answers Prometheus's text format with a token of its own: for scrapers, not API clients.
  assert.ok(app.routes.some((route) => route.method === 'GET' && isMetricsPath(route.path)));
  assert.equal(spec.paths['/metrics'], undefined);
  const served = new Set(
    app.routes
      .filter((route) => route.method !== 'ALL' && !isUiPath(route.path) && !isMetricsPath(route.path))
      .map((route) => `${route.method} ${route.path.replaceAll(/:([^/]+)/g, '{$1}')}`),
  );
  const documented = new Set(operations().map(([key]) => key));
  assert.deepEqual([...served].sort(), [...documented].sort());
  for (const expected of [
    'POST /jobs',
    'GET /jobs',
    'GET /jobs/{id}',
    'PATCH /jobs/{id}',
    'DELETE /jobs/{id}',
    'POST /jobs/{id}/pause',
    'POST /jobs/{id}/resume',
    'POST /jobs/{id}/run',
    'GET /jobs/{id}/runs',
    'POST /cron/preview',
    'GET /healthcheck',
    'GET /health/ready',
    'GET /openapi.json',
    'GET /doc',
    'GET /docs',
  ]) {
    assert.ok(documented.has(expected), expected);
  }
});

test('each operation lists the error statuses it can return', () => {
  for (const [key, op] of operations()) {
    const statuses = Object.keys(op.responses);
    const need = ['500'];
    if (op.security?.length) need.push('401');
    // A change can be refused as cross-site, or as made with the read-only token.
    if (!key.startsWith('GET ') && op.security?.length) need.push('403');
    else
      assert.ok(
        !statuses.includes('403'),
        `${key} cannot answer 403: reading needs no origin check and the read token may read`,
      );
    if (op.requestBody) need.push('400', '413', '415', '422');
    if (op.parameters?.length) need.push('422');
    // PUT creates what it does not find.
    if (op.parameters?.some((p) => p.in === 'path' && p.name === 'id') && !key.startsWith('PUT')) need.push('404');
    if (
      key.startsWith('GET /jobs') ||
      key.startsWith('POST /jobs') ||
      key.startsWith('PATCH') ||
      key.startsWith('PUT') ||
      key.startsWith('DELETE')
    ) {
      need.push('503');
    }
    if (key === 'POST /jobs' || key === 'PATCH /jobs/{id}') need.push('409');
    if (key === 'GET /health/ready') need.push('503');
    for (const status of need) assert.ok(statuses.includes(status), `${key} lists ${status}`);
    assert.ok(
      statuses.some((s) => s.startsWith('2') || s.startsWith('3')),
      `${key} lists its success`,
    );
    assert.ok(
      statuses.some((s) => s.startsWith('4')),
      `${key} lists a 4xx`,
    );
    for (const [status, response] of Object.entries(op.responses)) {
      if (status.startsWith('4') || status.startsWith('5')) {
        assert.ok(response.content?.['application/problem+json'], `${key} ${status} is problem+json`);
      }
    }
  }
});

test('every JSON request and response has an example', () => {
  const hasExample = (media: { schema?: { $ref?: string; example?: unknown }; example?: unknown }) => {
    if (media.example !== undefined || media.schema?.example !== undefined) return true;
    const ref = media.schema?.$ref?.replace('#/components/schemas/', '');
    return ref !== undefined && spec.components.schemas[ref]?.example !== undefined;
  };
  for (const [key, op] of operations()) {
    for (const [type, media] of Object.entries(op.requestBody?.content ?? {})) {
      if (type.includes('json')) assert.ok(hasExample(media), `${key} request ${type}`);
    }
    for (const [status, response] of Object.entries(op.responses)) {
      for (const [type, media] of Object.entries(response.content ?? {})) {
        if (type.includes('json')) assert.ok(hasExample(media), `${key} ${status} ${type}`);
      }
    }
  }
});

test('declares the bearer scheme; probes and documentation need no token', () => {
  assert.deepEqual(spec.components.securitySchemes['bearerAuth'], {
    type: 'http',
    scheme: 'bearer',
    description:
      'Required only when the server runs with SCHEDULER_API_TOKEN set. The SCHEDULER_API_READ_TOKEN token allows GET only (other methods: 403).',
  });
  for (const [key, op] of operations()) assert.ok(Array.isArray(op.security), `${key} declares its security`);
  const open = operations()
    .filter(([, op]) => op.security?.length === 0)
    .map(([key]) => key)
    .sort();
  assert.deepEqual(open, [
    'GET /doc',
    'GET /doc/swagger-ui-bundle.js',
    'GET /doc/swagger-ui.css',
    'GET /docs',
    'GET /health/ready',
    'GET /healthcheck',
    'GET /openapi.json',
    'GET /redoc',
    'GET /redoc/redoc.standalone.js',
  ]);
});

test('every operation has a unique operationId, a summary and a known tag', () => {
  const tags = new Set((spec as unknown as { tags: { name: string }[] }).tags.map((t) => t.name));
  const ids = new Set<string>();
  for (const [key, op] of operations()) {
    assert.match(op.operationId ?? '', /^[a-z][A-Za-z]+$/, `${key} operationId`);
    assert.ok(!ids.has(op.operationId!), `${key}: ${op.operationId} is unique`);
    ids.add(op.operationId!);
    assert.ok(op.summary, `${key} summary`);
    assert.ok(op.tags?.length && op.tags.every((t) => tags.has(t)), `${key} tags`);
  }
});

test('sets servers (the prefix it is served under) and the licence', () => {
  assert.deepEqual(spec.servers, [{ url: '/', description: 'This server' }]);
  assert.equal(spec.info.license?.name, 'MIT');
});

test('passes Redocly’s recommended rules with no error, and no warning but the /docs redirect’s', async () => {
  const config = await createConfig({ extends: ['recommended'] });
  const problems = await lintFromString({ source: JSON.stringify(spec), absoluteRef: 'openapi.json', config });
  const shown = problems.map((p) => `${p.severity} ${p.ruleId} at ${p.location[0]?.pointer}`);
  // GET /docs is a redirect by design (the original service's URL), so it has no 2xx response.
  assert.deepEqual(shown, ['warn operation-2xx-response at #/paths/~1docs/get/responses']);
});
