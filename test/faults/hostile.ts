/**
 * Hostile input, property-based (fast-check), shared by the short forms in test/integration/ (run in
 * CI) and the long forms in test/faults/: the same properties, parameterised by how many cases each
 * one runs. Everything goes through `app.request()` on a real scheduler and a real database.
 *
 * The routes are read from the OpenAPI document, so a route added later is fuzzed (and, behind a
 * token, checked for 401) without anyone remembering to list it here.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { serve } from '@hono/node-server';
import fc from 'fast-check';
import pg from 'pg';
import { createScheduler, NAME_PATTERN, type Scheduler } from '../../lib/index.ts';
import { createApp } from '../../server/app.ts';
import { createLogger } from '../../server/logger.ts';
import { logFileFor, startLogWorker } from '../../server/worker.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { waitFor } from '../helpers/wait.ts';

/** How many generated cases each property runs. */
export interface HostileSize {
  /** Requests per operation of the OpenAPI document. */
  requestsPerOperation: number;
  /** Refused names tried (each through POST and PATCH). */
  names: number;
  /** Jobs created with SQL-looking content, each read back. */
  sqlJobs: number;
  /** Wrong Authorization headers tried per secured operation. */
  authPerOperation: number;
  /** Names checked against the log-file path rule (pure, cheap). */
  logPaths: number;
  /** Jobs run through the bundled log-file worker. */
  logJobs: number;
  /** fast-check seed; a failure prints the seed and path that reproduce it. */
  seed?: number;
}

export const SHORT: HostileSize = {
  requestsPerOperation: 60,
  names: 80,
  sqlJobs: 40,
  authPerOperation: 25,
  logPaths: 2000,
  logJobs: 12,
};

export const LONG: HostileSize = {
  requestsPerOperation: 3000,
  names: 3000,
  sqlJobs: 1000,
  authPerOperation: 1000,
  logPaths: 100_000,
  logJobs: 300,
};

/** A seed from the environment (HOSTILE_SEED) replays a failure; otherwise fast-check picks one. */
export function sizeFromEnv(base: HostileSize): HostileSize {
  const seed = process.env['HOSTILE_SEED'];
  return seed === undefined ? base : { ...base, seed: Number(seed) };
}

// ---------------------------------------------------------------------------------------------
// The harness: a database, a started scheduler (no firing), the app, and a connection for checks.
// ---------------------------------------------------------------------------------------------

export const TOKEN = 'hostile-token-0123456789abcdef';
const JSON_TYPE = 'application/json';
const PROBLEM_TYPE = 'application/problem+json';
const PROBLEM_KEYS = new Set(['type', 'title', 'status', 'detail', 'request_id', 'errors']);

export interface Harness {
  db: TestDatabase;
  scheduler: Scheduler;
  app: ReturnType<typeof createApp>;
  /** The same scheduler behind SCHEDULER_API_TOKEN. */
  securedApp: ReturnType<typeof createApp>;
  /** A connection of its own, to look at the tables behind the API's back. */
  sql: pg.Client;
  operations: Operation[];
  /** Every job a 2xx response announced and none has deleted since: id -> name. */
  announced: Map<string, string>;
  close(): Promise<void>;
}

export async function startHarness(): Promise<Harness> {
  const db = await createTestDatabase();
  const scheduler = createScheduler({ connectionString: db.url, fire: false });
  await scheduler.start();
  const config = { maxBodyBytes: 64 * 1024 };
  const app = createApp({ scheduler, config: { ...config, apiToken: null } });
  const securedApp = createApp({ scheduler, config: { ...config, apiToken: TOKEN } });
  const sql = new pg.Client({ connectionString: db.url });
  await sql.connect();
  const spec = (await (await app.request('/openapi.json')).json()) as OpenApiDocument;
  return {
    db,
    scheduler,
    app,
    securedApp,
    sql,
    operations: operationsOf(spec),
    announced: new Map(),
    async close() {
      await sql.end();
      await scheduler.stop();
      await db.drop();
    },
  };
}

/** The stored jobs, straight from the table. */
async function storedJobs(h: Harness): Promise<Map<string, string>> {
  const { rows } = await h.sql.query<{ id: string; name: string }>(
    'SELECT id, name FROM scheduler.schedules WHERE deleted_at IS NULL',
  );
  return new Map(rows.map((row) => [row.id, row.name]));
}

/** No half-created job: the table holds exactly the jobs the responses announced, under their names. */
export async function assertOnlyAnnouncedJobs(h: Harness, context: string): Promise<void> {
  const stored = await storedJobs(h);
  assert.deepEqual(
    [...stored].sort(),
    [...h.announced].sort(),
    `${context}: the stored jobs differ from those the API announced`,
  );
  // A deleted job's runs are kept (its history) but none is still open: they were cancelled.
  const { rows } = await h.sql.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM scheduler.runs r JOIN scheduler.schedules s ON s.id = r.schedule_id
     WHERE s.deleted_at IS NOT NULL AND r.status IN ('queued', 'running')`,
  );
  assert.equal(rows[0]!.n, 0, `${context}: open runs of deleted jobs`);
}

// ---------------------------------------------------------------------------------------------
// The operations, from the OpenAPI document.
// ---------------------------------------------------------------------------------------------

interface JsonSchema {
  $ref?: string;
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  anyOf?: JsonSchema[];
  example?: unknown;
}

interface OpenApiOperation {
  security?: unknown[];
  parameters?: { name: string; in: string; required?: boolean; schema: JsonSchema }[];
  requestBody?: { content: Record<string, { schema: JsonSchema }> };
  responses: Record<string, unknown>;
}

interface OpenApiDocument {
  paths: Record<string, Record<string, OpenApiOperation>>;
  components: { schemas: Record<string, JsonSchema> };
}

/** One operation of the document, with what a generator needs to know about its inputs. */
export interface Operation {
  method: string;
  /** The OpenAPI path, e.g. `/jobs/{id}/run`. */
  template: string;
  secured: boolean;
  pathParams: string[];
  query: Record<string, JsonSchema>;
  /** The JSON body's schema (refs resolved), or null when the operation takes none. */
  body: JsonSchema | null;
  /** Every status the document says it may answer. */
  statuses: Set<number>;
  label: string;
}

function resolve(spec: OpenApiDocument, schema: JsonSchema): JsonSchema {
  if (!schema.$ref) return schema;
  const name = schema.$ref.replace('#/components/schemas/', '');
  const target = spec.components.schemas[name];
  assert.ok(target, `unresolved ${schema.$ref}`);
  return resolve(spec, target);
}

export function operationsOf(spec: OpenApiDocument): Operation[] {
  return Object.entries(spec.paths).flatMap(([template, item]) =>
    Object.entries(item).map(([method, op]) => {
      const params = op.parameters ?? [];
      const bodySchema = op.requestBody?.content[JSON_TYPE]?.schema;
      let body: JsonSchema | null = null;
      if (bodySchema) {
        body = resolve(spec, bodySchema);
        body = {
          ...body,
          properties: Object.fromEntries(
            Object.entries(body.properties ?? {}).map(([key, value]) => [key, resolve(spec, value)]),
          ),
        };
      }
      return {
        method: method.toUpperCase(),
        template,
        secured: Array.isArray(op.security) && op.security.length > 0,
        pathParams: params.filter((p) => p.in === 'path').map((p) => p.name),
        query: Object.fromEntries(params.filter((p) => p.in === 'query').map((p) => [p.name, resolve(spec, p.schema)])),
        body,
        statuses: new Set(Object.keys(op.responses).map(Number)),
        label: `${method.toUpperCase()} ${template}`,
      };
    }),
  );
}

// ---------------------------------------------------------------------------------------------
// Hostile values.
// ---------------------------------------------------------------------------------------------

/** SQL that would do damage if it were ever interpolated, and the characters that break quoting. */
export const SQL_FRAGMENTS = [
  "'; DROP TABLE scheduler.schedules; --",
  "' OR '1'='1",
  '" OR ""="',
  "'); DELETE FROM scheduler.runs; --",
  '$1',
  '$$; SELECT pg_sleep(10); $$',
  '/* comment */',
  '-- comment',
  "E'\\x41'",
  '\\',
  "\\'",
  '%',
  '_',
  '::jsonb',
  "1; COPY (SELECT '') TO PROGRAM 'touch /tmp/pwned'",
  "'; NOTIFY scheduler_wake, 'x'; --",
  'UNION SELECT * FROM pg_shadow',
  ';',
] as const;

/** Strings that have broken things elsewhere: paths, encodings, control characters, injections. */
const NASTY_STRINGS = [
  '',
  ' ',
  '..',
  '../../etc/passwd',
  '..\\..\\windows',
  '/',
  '/etc/passwd',
  '\0',
  'a\0b',
  '\r\nX-Injected: 1',
  '\u0007\u001b[31m',
  '\u007f',
  '\u202eevil',
  '\u200b',
  '\ufeff',
  '\ud800',
  '\udfff',
  'a\ud800b',
  'é',
  'e\u0301',
  '日本語',
  '😀',
  '／',
  '%00',
  '%2e%2e%2f',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a log-injection payload, sent as plain text.
  '${jndi:ldap://x}',
  '{{7*7}}',
  '<script>alert(1)</script>',
  'CON',
  'NUL',
  'a'.repeat(129),
  'x'.repeat(1000),
  'null',
  'undefined',
  'true',
  '0',
  '-1',
  'NaN',
  'Infinity',
  '1e309',
  '__proto__',
  'constructor',
  '00000000-0000-0000-0000-000000000000',
  ...SQL_FRAGMENTS,
] as const;

/** Lone surrogates, which `binary` strings leave out. */
const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((code) => String.fromCharCode(code));
const controlChar = fc
  .oneof(fc.integer({ min: 0, max: 0x1f }), fc.constant(0x7f), fc.integer({ min: 0x80, max: 0x9f }))
  .map((code) => String.fromCharCode(code));
const nonAscii = fc
  .integer({ min: 0xa0, max: 0x10ffff })
  .filter((code) => code < 0xd800 || code > 0xdfff)
  .map((code) => String.fromCodePoint(code));

export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...NASTY_STRINGS) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: fc.oneof(loneSurrogate, controlChar, nonAscii), maxLength: 8 }) },
  {
    weight: 2,
    arbitrary: fc
      .tuple(fc.string({ maxLength: 10 }), fc.constantFrom(...NASTY_STRINGS), fc.string({ maxLength: 10 }))
      .map((parts) => parts.join('')),
  },
);

/** A JSON value nested `depth` levels deep: parsers and serializers that recurse run out of stack. */
const deepJson = (depth: number) => JSON.parse(`${'['.repeat(depth)}${']'.repeat(depth)}`) as unknown;

/** Any JSON value, with hostile strings in keys and values. */
export const hostileJson: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 6, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 3, arbitrary: hostileString },
  {
    weight: 2,
    arbitrary: fc.dictionary(hostileString, fc.oneof(hostileString, fc.jsonValue({ maxDepth: 2 })), { maxKeys: 4 }),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom<unknown>(
      Number.MAX_SAFE_INTEGER + 2,
      -0,
      1e308,
      5e-324,
      2 ** 31,
      -(2 ** 31) - 1,
      1.5,
      [],
      {},
      null,
      { __proto__: null, constructor: 'x' },
    ),
  },
  { weight: 1, arbitrary: fc.constantFrom(100, 1_000).map(deepJson) },
);

/** Texts that are not JSON, or not quite. */
const malformedJson = fc.oneof(
  fc.constantFrom(
    '',
    '{',
    '{"name":',
    '[',
    'nul',
    '{"a":1,}',
    "{'a':1}",
    '{"a":1}{"b":2}',
    '\ufeff{}',
    'NaN',
    '{"a":01}',
  ),
  fc.string({ unit: 'binary', maxLength: 60 }),
);

/** Valid values, by the shape the document gives; the document's example is always among them. */
function validValue(name: string, schema: JsonSchema): fc.Arbitrary<unknown> {
  const examples: unknown[] = schema.example === undefined ? [] : [schema.example];
  const types = Array.isArray(schema.type) ? schema.type : [schema.type];
  const options: fc.Arbitrary<unknown>[] = [];
  if (schema.enum) options.push(fc.constantFrom(...schema.enum));
  else if (schema.pattern) {
    // fast-check generates from patterns without lookarounds; the whole pattern then filters.
    const pattern = new RegExp(schema.pattern);
    const generating = new RegExp(schema.pattern.replaceAll(/\(\?<?[=!][^)]*\)/g, ''));
    options.push(fc.stringMatching(generating).filter((value) => pattern.test(value)));
  } else if (types.includes('integer')) {
    options.push(fc.integer({ min: schema.minimum ?? -(2 ** 31), max: Math.min(schema.maximum ?? 2 ** 31, 2 ** 31) }));
  } else if (types.includes('boolean')) options.push(fc.boolean());
  else if (types.includes('object')) options.push(fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 2 })));
  // Strings with no pattern: what each field holds (cron, timezone) is not in the document's types.
  if (name === 'cron')
    options.push(fc.constantFrom('*/5 * * * *', '0 9 * * 1-5', '@daily', '*/10 * * * * *', '0 0 L * *'));
  if (name === 'timezone')
    options.push(fc.constantFrom('UTC', 'Asia/Kolkata', 'America/New_York', 'Australia/Lord_Howe'));
  if (types.includes('null')) options.push(fc.constant(null));
  if (examples.length > 0) options.push(fc.constantFrom(...examples));
  return options.length > 0 ? fc.oneof(...options) : hostileJson;
}

/** A body built field by field: each one absent, valid or hostile; sometimes a field the schema lacks. */
function objectBody(schema: JsonSchema): fc.Arbitrary<Record<string, unknown>> {
  const fields = Object.entries(schema.properties ?? {}).map(([name, field]) =>
    fc
      .oneof(
        { weight: 3, arbitrary: fc.constant(undefined) },
        { weight: 4, arbitrary: validValue(name, field) },
        { weight: 2, arbitrary: hostileJson },
      )
      .map((value) => [name, value] as const),
  );
  return fc
    .tuple(
      fc.tuple(...fields),
      fc.oneof(
        { weight: 9, arbitrary: fc.constant(null) },
        { weight: 1, arbitrary: fc.tuple(hostileString, hostileJson) },
      ),
    )
    .map(([entries, extra]) => {
      const body: Record<string, unknown> = {};
      for (const [key, value] of entries) if (value !== undefined) body[key] = value;
      if (extra) Object.defineProperty(body, extra[0], { value: extra[1], enumerable: true });
      return body;
    });
}

/**
 * Objects nested thousands of levels deep in each object field, written as text: serializers that
 * recurse (JSON.stringify, PostgreSQL's jsonb input) run out of stack on them.
 */
function deepBodyText(schema: JsonSchema): fc.Arbitrary<string> {
  const objectFields = Object.entries(schema.properties ?? {}).filter(([, field]) => field.type === 'object');
  if (objectFields.length === 0) return malformedJson;
  return fc
    .tuple(fc.constantFrom(...objectFields.map(([name]) => name)), fc.constantFrom(1_000, 5_000, 20_000))
    .map(([name, depth]) => `{"${name}":{"a":${'['.repeat(depth)}${']'.repeat(depth)}}}`);
}

/** A request body as text: an object by the schema (mostly), any JSON document, or not JSON at all. */
function bodyText(schema: JsonSchema): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 16, arbitrary: objectBody(schema).map((body) => JSON.stringify(body)) },
    { weight: 2, arbitrary: hostileJson.map((value) => JSON.stringify(value) ?? 'null') },
    { weight: 2, arbitrary: malformedJson },
    { weight: 1, arbitrary: deepBodyText(schema) },
  );
}

/** Cursors are base64url JSON `{t, id}`: forge ones whose parts are hostile, not just random text. */
const forgedCursor = fc
  .record({
    t: fc.oneof(
      fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
      fc.constantFrom('1', '0', '2025', '2025-02-30', '1 2', '-271821-04-20T00:00:00Z', '+275760-09-13T00:00:00Z'),
      fc.constantFrom('Tue, 1 Jan 2030 00:00:00 GMT+9999', '0000-01-01T00:00:00.000Z', '2025-01-01 BC'),
      hostileString,
    ),
    id: fc.oneof(fc.uuid(), hostileString),
  })
  .map((cursor) => Buffer.from(JSON.stringify(cursor), 'utf8').toString('base64url'));

function queryValue(name: string, schema: JsonSchema): fc.Arbitrary<string> {
  const valid = validValue(name, schema).map((value) =>
    typeof value === 'string' ? value : (JSON.stringify(value) ?? ''),
  );
  const options = [valid, hostileString];
  if (name === 'cursor') options.push(forgedCursor);
  if (schema.type === 'integer' || schema.type === 'number') {
    options.push(fc.constantFrom('0x10', '1e2', ' 5', '5 ', '+5', '-0', '1.0', '1.5', '9'.repeat(400), ''));
  }
  return fc.oneof(...options);
}

/** Percent-encodes any string; a lone surrogate (which encodeURIComponent refuses) as its WTF-8 bytes. */
export function encodeSegment(value: string): string {
  let out = '';
  for (const ch of value) {
    const code = ch.codePointAt(0)!;
    out +=
      code >= 0xd800 && code <= 0xdfff
        ? [0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f)]
            .map((byte) => `%${byte.toString(16).toUpperCase()}`)
            .join('')
        : encodeURIComponent(ch);
  }
  return out;
}

/** Header values a client can send (bytes 0x20-0x7e and latin-1). */
const headerValue = fc.string({
  unit: fc.oneof(
    fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
    fc.integer({ min: 0xa0, max: 0xff }).map((c) => String.fromCharCode(c)),
  ),
  maxLength: 80,
});

const contentType = fc.constantFrom(
  'application/json',
  'application/json',
  'application/json',
  'application/json; charset=utf-8',
  'APPLICATION/JSON',
  'application/problem+json',
  'application/json; charset=utf-16',
  'text/plain',
  'text/json',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  '',
  undefined,
);

/** How the `{id}` of a request is chosen: a real job's id or name, or something hostile. */
type IdChoice =
  | { kind: 'job'; index: number; byName: boolean }
  | { kind: 'value'; value: string }
  | { kind: 'raw'; value: string };

const idChoice: fc.Arbitrary<IdChoice> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('job' as const), index: fc.nat(), byName: fc.boolean() }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('value' as const), value: hostileString }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('value' as const), value: fc.uuid() }) },
  {
    weight: 1,
    // Sent as is, not encoded: the URL parser and the router see these first.
    arbitrary: fc.record({
      kind: fc.constant('raw' as const),
      value: fc.constantFrom(
        '%00',
        '%ZZ',
        '%C0%AE',
        '%ED%A0%80',
        '%FF',
        '..%2F..%2Fetc',
        '%2e%2e',
        'a%2Fb',
        '%20',
        '%',
      ),
    }),
  },
);

interface GeneratedRequest {
  id: IdChoice;
  query: [string, string][];
  body: string | undefined;
  contentType: string | undefined;
  requestId: string | undefined;
}

function requestOf(op: Operation): fc.Arbitrary<GeneratedRequest> {
  const queryEntries = fc.tuple(
    ...Object.entries(op.query).map(([name, schema]) =>
      fc.option(
        queryValue(name, schema).map((value) => [name, value] as [string, string]),
        { freq: 2 }, // absent half the time
      ),
    ),
  );
  const extraQuery = fc.array(fc.tuple(hostileString, hostileString), { maxLength: 2 });
  return fc.record({
    id: idChoice,
    query: fc.tuple(queryEntries, extraQuery, fc.boolean()).map(([declared, extra, twice]) => {
      const entries = declared.filter((e): e is [string, string] => e !== null);
      // The same parameter twice is an array to the validator: a shape clients do send.
      if (twice && entries[0]) entries.push(entries[0]);
      return [...entries, ...extra];
    }),
    body: op.body
      ? fc.oneof({ weight: 12, arbitrary: bodyText(op.body) }, { weight: 1, arbitrary: fc.constant(undefined) })
      : fc.constant(undefined),
    contentType,
    requestId: fc.oneof({ weight: 3, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: headerValue }),
  });
}

// ---------------------------------------------------------------------------------------------
// One request, and what every answer must look like.
// ---------------------------------------------------------------------------------------------

interface Answer {
  status: number;
  headers: Headers;
  text: string;
  json: unknown;
}

async function send(
  app: Harness['app'],
  method: string,
  url: string,
  init: { body?: string; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const requestInit: RequestInit = { method, headers: init.headers ?? {} };
  if (init.body !== undefined) requestInit.body = init.body;
  const res = await app.request(url, requestInit);
  const text = await res.text();
  let json: unknown;
  if (/json/.test(res.headers.get('content-type') ?? '') && text) json = JSON.parse(text);
  return { status: res.status, headers: res.headers, text, json };
}

/** Field paths a 422 may name: the operation's own fields and parameters, what was sent, or the whole body. */
function nameableFields(op: Operation, sentKeys: string[]): Set<string> {
  return new Set([
    ...Object.keys(op.body?.properties ?? {}),
    ...Object.keys(op.query),
    ...op.pathParams,
    ...sentKeys,
    // A key that is empty or holds a dot is named as a JSON string.
    ...sentKeys.map((key) => JSON.stringify(key)),
    'body',
  ]);
}

/**
 * Never a 5xx; every error is problem+json with its request id; a 422 names each field; the status
 * is one the document lists for the operation (when the request reached it).
 */
function assertWellFormedAnswer(answer: Answer, op: Operation | null, sentKeys: string[], label: string): void {
  assert.ok(answer.status < 500, `${label}: ${answer.status} ${answer.text}`);
  if (op)
    assert.ok(op.statuses.has(answer.status), `${label}: ${answer.status} is not in the document: ${answer.text}`);
  if (answer.status < 400) return;
  assert.equal(answer.headers.get('content-type'), PROBLEM_TYPE, label);
  const problem = answer.json as Record<string, unknown>;
  for (const key of Object.keys(problem)) assert.ok(PROBLEM_KEYS.has(key), `${label}: unexpected key ${key}`);
  assert.equal(problem['status'], answer.status, label);
  assert.match(String(problem['type']), /^urn:pg-cron-scheduler:problem:[a-z_]+$/, label);
  for (const key of ['title', 'detail', 'request_id']) assert.equal(typeof problem[key], 'string', `${label}: ${key}`);
  assert.equal(problem['request_id'], answer.headers.get('x-request-id'), label);
  if (answer.status === 422) {
    const errors = problem['errors'] as { path: unknown; message: unknown }[] | undefined;
    assert.ok(Array.isArray(errors) && errors.length > 0, `${label}: a 422 names its fields: ${answer.text}`);
    const nameable = op ? nameableFields(op, sentKeys) : null;
    for (const error of errors) {
      assert.equal(typeof error.path, 'string', label);
      assert.ok((error.path as string).length > 0, `${label}: empty path in ${answer.text}`);
      assert.equal(typeof error.message, 'string', label);
      assert.ok((error.message as string).length > 0, `${label}: empty message in ${answer.text}`);
      if (nameable) {
        const head = (error.path as string).split('.')[0]!;
        assert.ok(nameable.has(head) || nameable.has(error.path as string), `${label}: ${error.path} is no field`);
      }
    }
  }
}

/** Keeps `announced` in step with what the answers say happened. */
function recordEffects(h: Harness, op: Operation, key: string | undefined, answer: Answer): void {
  const job = answer.json as { id?: string; name?: string } | undefined;
  if (op.method === 'POST' && op.template === '/jobs' && answer.status === 201) {
    assert.match(String(job?.id), /^[0-9a-f-]{36}$/);
    assert.equal(answer.headers.get('location'), `/jobs/${job!.id}`);
    h.announced.set(job!.id!, job!.name!);
  } else if (op.method === 'PATCH' && answer.status === 200) {
    h.announced.set(job!.id!, job!.name!);
  } else if (op.method === 'DELETE' && answer.status === 204) {
    const id = [...h.announced].find(([id, name]) => id === key || name === key)?.[0];
    assert.ok(id, `DELETE ${key} answered 204 for a job no response announced`);
    h.announced.delete(id);
  }
}

function recordCreated(h: Harness, answer: Answer): void {
  const job = answer.json as { id: string; name: string };
  h.announced.set(job.id, job.name);
}

/** JSON as it comes back from jsonb: what JSON.stringify then JSON.parse leaves of it. */
const normalised = (value: unknown): unknown => JSON.parse(JSON.stringify(value)) as unknown;

// ---------------------------------------------------------------------------------------------
// The properties.
// ---------------------------------------------------------------------------------------------

/**
 * Every operation of the document, with generated parameters, query strings, headers and bodies:
 * never a 5xx, every error a problem naming its field, and after every request the table holds
 * exactly the jobs the answers announced. A job that is created comes back with the fields it was
 * sent, byte for byte (as JSON).
 */
export async function everyOperation(h: Harness, size: HostileSize): Promise<Record<string, Record<number, number>>> {
  const statuses: Record<string, Record<number, number>> = {};
  for (const op of h.operations) {
    const seen: Record<number, number> = {};
    statuses[op.label] = seen;
    await fc.assert(
      fc.asyncProperty(requestOf(op), async (req) => {
        let key: string | undefined;
        let segment: string | undefined;
        if (op.pathParams.length > 0) {
          const jobs = [...h.announced];
          if (req.id.kind === 'job' && jobs.length > 0) {
            const [id, name] = jobs[req.id.index % jobs.length]!;
            key = req.id.byName ? name : id;
            segment = encodeSegment(key);
          } else if (req.id.kind === 'raw') {
            segment = req.id.value;
          } else {
            key = req.id.kind === 'value' ? req.id.value : 'no-such-job';
            segment = encodeSegment(key);
          }
        }
        const pathname = op.template.replace('{id}', segment ?? '');
        const search = new URLSearchParams(req.query).toString();
        const url = search ? `${pathname}?${search}` : pathname;
        const headers: Record<string, string> = {};
        if (req.contentType !== undefined && req.body !== undefined) headers['Content-Type'] = req.contentType;
        if (req.requestId !== undefined) headers['X-Request-Id'] = req.requestId;
        const canHaveBody = op.method !== 'GET' && op.method !== 'HEAD';
        const body = canHaveBody ? req.body : undefined;
        const answer = await send(h.app, op.method, url, body === undefined ? { headers } : { headers, body });
        seen[answer.status] = (seen[answer.status] ?? 0) + 1;

        let sentKeys: string[] = [];
        let sent: unknown;
        try {
          sent = body === undefined ? undefined : (JSON.parse(body) as unknown);
          if (sent && typeof sent === 'object') sentKeys = Object.keys(sent);
        } catch {
          // not JSON: a 400 is expected, and no field to name
        }
        // A raw segment may route elsewhere (or nowhere); the document's statuses hold for the others.
        // So may an empty id or a dot segment, which the URL parser removes.
        const routed = op.pathParams.length === 0 || (req.id.kind !== 'raw' && !['', '.', '..'].includes(key ?? ''));
        const label = `${op.label} as ${op.method} ${url.slice(0, 200)}`;
        assertWellFormedAnswer(answer, routed ? op : null, sentKeys, label);
        if (req.requestId !== undefined && /^[A-Za-z0-9._:-]{1,64}$/.test(req.requestId)) {
          assert.equal(answer.headers.get('x-request-id'), req.requestId, label);
        }
        if (routed) recordEffects(h, op, key, answer);
        if (answer.status === 201 && sent && typeof sent === 'object' && 'job_fields' in sent) {
          const job = answer.json as { job_fields: unknown };
          assert.deepEqual(job.job_fields, normalised((sent as { job_fields: unknown }).job_fields), label);
        }
        await assertOnlyAnnouncedJobs(h, label);
      }),
      { numRuns: size.requestsPerOperation, ...(size.seed === undefined ? {} : { seed: size.seed }) },
    );
  }
  return statuses;
}

/** A name with one thing a name may not hold: a separator, `..`, NUL, a control or non-ASCII character. */
export const refusedName: fc.Arbitrary<string> = fc
  .tuple(
    fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_-]{0,20}$/),
    fc.oneof(
      fc.constantFrom('/', '\\', '..', '\0', ' ', ':', '*', '?', '%2F', '../'),
      controlChar,
      nonAscii,
      loneSurrogate,
    ),
    fc.stringMatching(/^[A-Za-z0-9_-]{0,20}$/),
    fc.boolean(),
  )
  .map(([head, bad, tail, leading]) => (leading ? `${bad}${head}${tail}` : `${head}${bad}${tail}`));

/**
 * Refused names: POST /jobs and a rename by PATCH answer 422 naming `name`, and nothing is stored or
 * changed.
 */
export async function refusedNames(h: Harness, size: HostileSize): Promise<void> {
  const created = await send(h.app, 'POST', '/jobs', {
    headers: { 'Content-Type': JSON_TYPE },
    body: JSON.stringify({ name: `rename-target-${process.pid}`, cron: '0 0 1 1 *', paused: true }),
  });
  assert.equal(created.status, 201, created.text);
  const target = created.json as { id: string; name: string };
  h.announced.set(target.id, target.name);
  await fc.assert(
    fc.asyncProperty(refusedName, async (name) => {
      const label = `name ${JSON.stringify(name)}`;
      const post = await send(h.app, 'POST', '/jobs', {
        headers: { 'Content-Type': JSON_TYPE },
        body: JSON.stringify({ name, cron: '* * * * *' }),
      });
      // Announced before the assertion, so that shrinking after a failure starts from a true state.
      if (post.status === 201) recordCreated(h, post);
      assert.equal(post.status, 422, `${label}: ${post.status} ${post.text}`);
      assert.deepEqual(
        (post.json as { errors: { path: string }[] }).errors.map((e) => e.path),
        ['name'],
        label,
      );
      const patch = await send(h.app, 'PATCH', `/jobs/${target.id}`, {
        headers: { 'Content-Type': JSON_TYPE },
        body: JSON.stringify({ name }),
      });
      if (patch.status === 200) recordCreated(h, patch);
      assert.equal(patch.status, 422, `${label} (rename): ${patch.status} ${patch.text}`);
      assert.deepEqual(
        (patch.json as { errors: { path: string }[] }).errors.map((e) => e.path),
        ['name'],
        label,
      );
      await assertOnlyAnnouncedJobs(h, label);
    }),
    { numRuns: size.names, ...(size.seed === undefined ? {} : { seed: size.seed }) },
  );
}

/** Strings made of SQL fragments and quoting characters. */
export const sqlString: fc.Arbitrary<string> = fc
  .array(fc.oneof(fc.constantFrom(...SQL_FRAGMENTS), fc.string({ maxLength: 6 })), { minLength: 1, maxLength: 5 })
  .map((parts) => parts.join(''));

/** SQL-looking names that are valid names: the name field is matched verbatim, never as a pattern. */
const sqlishName = fc
  .tuple(fc.stringMatching(/^[A-Za-z0-9]{1,8}$/), fc.constantFrom('--', '_', '-_-', '.', '__', '-1', '_%', '.sql'))
  .map(([head, tail]) => `${head}${tail}`.replace('%', ''));

/**
 * SQL-looking content is stored verbatim: `job_fields` keys and values come back unchanged through
 * the API and in the table, lookups by SQL-looking keys find nothing (and break nothing), and the
 * tables are all still there.
 */
export async function sqlStoredVerbatim(h: Harness, size: HostileSize): Promise<void> {
  let n = 0;
  await fc.assert(
    fc.asyncProperty(
      sqlishName,
      fc.dictionary(
        // Keys that mean something to JavaScript objects must be stored like any other.
        fc.oneof(sqlString, fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty')),
        fc.oneof(sqlString, fc.array(sqlString, { maxLength: 3 })),
        { minKeys: 1, maxKeys: 4 },
      ),
      sqlString,
      async (prefix, fields, lookup) => {
        const name = `${prefix}-${process.pid}-${++n}`;
        const post = await send(h.app, 'POST', '/jobs', {
          headers: { 'Content-Type': JSON_TYPE },
          body: JSON.stringify({ name, cron: '0 0 1 1 *', paused: true, job_fields: fields }),
        });
        if (post.status === 201) recordCreated(h, post);
        assert.equal(post.status, 201, `${name}: ${post.text}`);
        const job = post.json as { id: string; name: string; job_fields: unknown };
        assert.equal(job.name, name);
        assert.deepEqual(job.job_fields, normalised(fields));
        const read = await send(h.app, 'GET', `/jobs/${encodeURIComponent(name)}`);
        assert.equal(read.status, 200);
        assert.deepEqual((read.json as { job_fields: unknown }).job_fields, normalised(fields));
        const { rows } = await h.sql.query<{ name: string; fields: unknown }>(
          'SELECT name, fields FROM scheduler.schedules WHERE id = $1',
          [job.id],
        );
        assert.equal(rows[0]?.name, name);
        assert.deepEqual(rows[0]?.fields, normalised(fields));
        // `_` and `%` would match other names if lookups were patterns: they are not.
        const pattern = `${name[0]}${name.slice(1).replace(/[A-Za-z0-9]/, '_')}`;
        if (pattern !== name && ![...h.announced.values()].includes(pattern)) {
          const wildcard = await send(h.app, 'GET', `/jobs/${encodeURIComponent(pattern)}`);
          assert.equal(wildcard.status, 404, `GET /jobs/${pattern} matched ${wildcard.text}`);
        }
        const lookedUp = await send(h.app, 'GET', `/jobs/${encodeSegment(lookup)}`);
        assertWellFormedAnswer(lookedUp, null, [], `GET /jobs/${lookup}`);
        assert.notEqual(lookedUp.status, 200, `GET /jobs/${lookup} found something`);
      },
    ),
    { numRuns: size.sqlJobs, ...(size.seed === undefined ? {} : { seed: size.seed }) },
  );
  const { rows } = await h.sql.query<{ name: string }>(
    `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'scheduler' ORDER BY 1`,
  );
  assert.deepEqual(
    rows.map((row) => row.name),
    ['backfills', 'instances', 'migrations', 'run_attempts', 'runs', 'schedules'],
    'every table of the scheduler is still there',
  );
  await assertOnlyAnnouncedJobs(h, 'after SQL-looking content');
}

/** Authorization values that are not `Bearer <TOKEN>`: near misses of the token, and anything else. */
export const wrongAuthorization: fc.Arbitrary<string | undefined> = fc.oneof(
  fc.constant(undefined),
  headerValue,
  fc.constantFrom('Bearer', 'Bearer ', 'Basic dXNlcjpwYXNz', `Token ${TOKEN}`, `Bearer\t${TOKEN}`, `Bearer: ${TOKEN}`),
  fc.constantFrom(
    `${TOKEN}`,
    `Bearer ${TOKEN} x`,
    `Bearer ${TOKEN},${TOKEN}`,
    `Bearer ${TOKEN.toUpperCase()}`,
    `Bearer "${TOKEN}"`,
  ),
  fc
    .tuple(fc.nat({ max: TOKEN.length - 1 }), fc.integer({ min: 0x21, max: 0x7e }))
    .filter(([i, c]) => TOKEN.charCodeAt(i) !== c)
    .map(([i, c]) => `Bearer ${TOKEN.slice(0, i)}${String.fromCharCode(c)}${TOKEN.slice(i + 1)}`),
  fc.nat({ max: TOKEN.length - 1 }).map((i) => `Bearer ${TOKEN.slice(0, i)}`),
  headerValue.filter((s) => s.length > 0 && !/\s/.test(s)).map((s) => `Bearer ${TOKEN}${s}`),
  headerValue.map((s) => `Bearer ${s}`),
);

/**
 * Behind a token, every secured operation of the document answers 401 (with a challenge, as a
 * problem) to every wrong Authorization, whatever the body, and does nothing: no job appears,
 * changes or disappears. Also over a real socket, paths that only look public do not get through.
 */
export async function authEverywhere(h: Harness, size: HostileSize): Promise<number> {
  const secured = h.operations.filter((op) => op.secured);
  assert.ok(secured.length > 0);
  const created = await send(h.app, 'POST', '/jobs', {
    headers: { 'Content-Type': JSON_TYPE },
    body: JSON.stringify({ name: `auth-target-${process.pid}`, cron: '0 0 1 1 *', paused: true }),
  });
  assert.equal(created.status, 201, created.text);
  const target = created.json as { id: string; name: string };
  h.announced.set(target.id, target.name);
  const before = await storedJobs(h);
  const { rows: runsBefore } = await h.sql.query<{ n: number }>('SELECT count(*)::int AS n FROM scheduler.runs');
  let checked = 0;
  for (const op of secured) {
    await fc.assert(
      fc.asyncProperty(
        wrongAuthorization,
        op.body ? objectBody(op.body) : fc.constant(undefined),
        fc.boolean(),
        async (authorization, body, byName) => {
          const headers: Record<string, string> = {};
          if (authorization !== undefined) headers['Authorization'] = authorization;
          if (body !== undefined) headers['Content-Type'] = JSON_TYPE;
          const url = op.template.replace('{id}', encodeURIComponent(byName ? target.name : target.id));
          const answer = await send(
            h.securedApp,
            op.method,
            url,
            body === undefined ? { headers } : { headers, body: JSON.stringify(body) },
          );
          const label = `${op.label} with Authorization ${JSON.stringify(authorization)}`;
          assert.equal(answer.status, 401, `${label}: ${answer.text}`);
          assert.match(answer.headers.get('www-authenticate') ?? '', /^Bearer realm="pg-cron-scheduler"/, label);
          assertWellFormedAnswer(answer, op, [], label);
          checked++;
        },
      ),
      { numRuns: size.authPerOperation, ...(size.seed === undefined ? {} : { seed: size.seed }) },
    );
  }
  assert.deepEqual(await storedJobs(h), before, 'a request without the token changed the jobs');
  const { rows: runsAfter } = await h.sql.query<{ n: number }>('SELECT count(*)::int AS n FROM scheduler.runs');
  assert.equal(runsAfter[0]!.n, runsBefore[0]!.n, 'a request without the token queued a run');
  await rawPathsNeedTheToken(h, secured);
  return checked;
}

/**
 * Over a socket the request line is the client's, not a normalised URL: paths that start like a
 * public one (`/health/`, `/doc/`) but lead to a secured route must still need the token.
 */
async function rawPathsNeedTheToken(h: Harness, secured: Operation[]): Promise<void> {
  const server = serve({ fetch: h.securedApp.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise<void>((ready) => server.once('listening', () => ready()));
  const { port } = server.address() as AddressInfo;
  const raw = (method: string, target: string) =>
    new Promise<number>((done, fail) => {
      const req = http.request({ host: '127.0.0.1', port, method, path: target, headers: { Connection: 'close' } });
      req.on('response', (res) => {
        res.resume();
        res.on('end', () => done(res.statusCode ?? 0));
      });
      req.on('error', fail);
      req.end();
    });
  try {
    for (const op of secured) {
      const real = op.template.replace('{id}', 'x');
      for (const prefix of ['/health/..', '/doc/..', '/healthcheck/..', '/doc/%2e%2e', '/health/%2E%2E', '/./', '//']) {
        const target = `${prefix}${real}`;
        const status = await raw(op.method, target);
        assert.ok(status === 401 || status === 400 || status === 404, `${op.method} ${target} answered ${status}`);
      }
    }
  } finally {
    await new Promise<void>((done) => server.close(() => done()));
  }
}

/** Names that are valid but look like trouble for a file system. */
const fileTroubleName = fc.oneof(
  fc.constantFrom(
    'CON',
    'nul',
    'aux',
    'a.log',
    'x.log.log',
    'Z',
    'z',
    '0',
    'a-',
    'a_',
    'a.',
    'A'.repeat(128),
    'lpt1.txt',
  ),
  fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,40}$/),
);

/** Fields whose text would break a line-oriented log, or point somewhere else, if written carelessly. */
const fileTroubleFields = fc.dictionary(
  fc.oneof(
    hostileString.filter((s) => !s.includes('\0') && s.isWellFormed()),
    sqlString,
  ),
  fc.oneof(
    fc.constantFrom('../../etc/passwd', 'line\nbreak', 'cr\rlf\r\n', '\u2028\u2029', '/dev/null', '\t', '\\x00'),
    sqlString,
  ),
  { maxKeys: 3 },
);

/** Every file and folder under `root`, with sizes, as sorted relative paths. */
async function listing(root: string): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  const walk = async (dir: string) => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      const rel = path.relative(root, full);
      if (entry.isDirectory()) {
        out.set(`${rel}/`, 0);
        await walk(full);
      } else out.set(rel, (await stat(full)).size);
    }
  };
  await walk(root);
  return out;
}

/**
 * The bundled log-file worker on a temporary LOG_DIR: for the name rule itself, any string either is
 * refused or maps to a direct child `<name>.log` of LOG_DIR; then jobs with valid but awkward names
 * and hostile fields (plus hostile ids that must not run anything) are run for real, and the only
 * files that appear under the temporary parent are `LOG_DIR/<name>.log`, one line per run.
 */
export async function logFilesStayInLogDir(h: Harness, size: HostileSize): Promise<{ files: number; runs: number }> {
  const parent = await mkdtemp(path.join(tmpdir(), 'hostile-logdir-'));
  const logDir = path.join(parent, 'logs');
  try {
    fc.assert(
      fc.property(fc.oneof(hostileString, refusedName, fileTroubleName), (name) => {
        let file: string;
        try {
          file = logFileFor(logDir, name);
        } catch {
          assert.ok(!NAME_PATTERN.test(name), `${JSON.stringify(name)} is valid but refused`);
          return;
        }
        assert.ok(NAME_PATTERN.test(name), `${JSON.stringify(name)} is not a valid name, yet has a file`);
        assert.equal(file, path.join(path.resolve(logDir), `${name}.log`));
      }),
      { numRuns: size.logPaths, ...(size.seed === undefined ? {} : { seed: size.seed }) },
    );

    const before = await listing(parent);
    await startLogWorker({ scheduler: h.scheduler, logDir, logger: createLogger('silent') });
    // fc.sample, not fc.assert: name the seed in every message so that HOSTILE_SEED replays a failure.
    const seed = size.seed ?? Math.floor(Math.random() * 2 ** 31);
    const jobs = fc.sample(fc.tuple(fileTroubleName, fileTroubleFields, fc.integer({ min: 1, max: 3 })), {
      numRuns: size.logJobs,
      seed,
    });
    const expected = new Map<string, { id: string; fields: unknown; runs: number }>();
    for (const [name, fields, runs] of jobs) {
      if ([...expected.keys()].some((known) => known === name)) continue;
      const post = await send(h.app, 'POST', '/jobs', {
        headers: { 'Content-Type': JSON_TYPE },
        body: JSON.stringify({ name, cron: '0 0 1 1 *', paused: true, job_fields: fields }),
      });
      if (post.status === 409) continue; // made by an earlier property of this file
      if (post.status === 422) continue; // refused: it must not run, nor write, anything
      assert.equal(post.status, 201, `${name}: ${post.text} (HOSTILE_SEED=${seed})`);
      const job = post.json as { id: string; name: string };
      h.announced.set(job.id, job.name);
      expected.set(name, { id: job.id, fields, runs });
      for (let i = 0; i < runs; i++) {
        const run = await send(h.app, 'POST', `/jobs/${encodeURIComponent(name)}/run`);
        assert.equal(run.status, 202, run.text);
      }
    }
    const hostileIds = fc
      .sample(fc.oneof(hostileString, refusedName), { numRuns: 20, seed })
      .filter((id) => !expected.has(id));
    for (const hostile of hostileIds) {
      const run = await send(h.app, 'POST', `/jobs/${encodeSegment(hostile)}/run`);
      assertWellFormedAnswer(run, null, [], `POST /jobs/${hostile}/run`);
      assert.ok(run.status === 404 || run.status === 422 || run.status === 405, `${hostile}: ${run.status}`);
    }

    // The runs are done when the API says every one of them has succeeded.
    let failed: unknown;
    await waitFor(
      'every run to succeed',
      async () => {
        for (const { id, runs } of expected.values()) {
          const list = await send(h.app, 'GET', `/jobs/${id}/runs?limit=10`);
          const statuses = (list.json as { status: string; error: string | null }[]).map((run) => run.status);
          failed ??= (list.json as { status: string }[]).find((run) => run.status === 'failed');
          if (failed || statuses.length !== runs || !statuses.every((status) => status === 'succeeded')) {
            return Boolean(failed);
          }
        }
        return true;
      },
      { timeoutMs: 60_000, intervalMs: 100 },
    );
    assert.equal(failed, undefined, 'a run failed');

    const after = await listing(parent);
    const added = [...after.keys()].filter((key) => !before.has(key) || before.get(key) !== after.get(key)).sort();
    const allowed = ['logs/', ...[...expected.keys()].map((name) => path.join('logs', `${name}.log`))].sort();
    assert.deepEqual(added, allowed, `files written outside LOG_DIR/<name>.log (HOSTILE_SEED=${seed})`);
    for (const key of before.keys()) assert.ok(after.has(key), `${key} disappeared`);

    let runs = 0;
    for (const [name, { fields, runs: count }] of expected) {
      const lines = (await readFile(path.join(logDir, `${name}.log`), 'utf8')).split('\n');
      assert.equal(lines.pop(), '', `${name}.log ends with a newline`);
      assert.equal(lines.length, count, `${name}.log has one line per run (HOSTILE_SEED=${seed})`);
      for (const line of lines) {
        const [, , , ...rest] = line.split(' ');
        assert.deepEqual(
          JSON.parse(rest.join(' ')),
          normalised(fields),
          `${name}.log holds the fields as one JSON line (HOSTILE_SEED=${seed})`,
        );
      }
      runs += count;
    }
    await assertOnlyAnnouncedJobs(h, 'after the log-file worker');
    return { files: expected.size, runs };
  } finally {
    await rm(parent, { recursive: true, force: true });
  }
}
