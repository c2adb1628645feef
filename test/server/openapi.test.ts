/**
 * The OpenAPI document: valid OpenAPI 3.1, and exactly the routes the app serves, each with the
 * error statuses it can return and an example for every response.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Validator } from '@seriousme/openapi-schema-validator';
import { createScheduler, type Scheduler } from '../../lib/index.ts';
import { createApp } from '../../server/app.ts';

interface Operation {
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
  app = createApp({ scheduler, config: { apiToken: null, maxBodyBytes: 1024 * 1024 } });
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

test('lists every route the app serves, and nothing else', () => {
  const served = new Set(
    app.routes
      .filter((route) => route.method !== 'ALL')
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
    if (op.security) need.push('401');
    if (op.requestBody) need.push('400', '413', '415', '422');
    if (op.parameters?.length) need.push('422');
    if (op.parameters?.some((p) => p.in === 'path' && p.name === 'id')) need.push('404');
    if (
      key.startsWith('GET /jobs') ||
      key.startsWith('POST /jobs') ||
      key.startsWith('PATCH') ||
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
    description: 'Required only when the server runs with SCHEDULER_API_TOKEN set.',
  });
  const open = operations()
    .filter(([, op]) => !op.security)
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
  ]);
});
