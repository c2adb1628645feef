/**
 * Jobs with a target, end to end against a real PostgreSQL, real pg-boss and a real HTTP receiver on
 * 127.0.0.1 (allowed explicitly): signed deliveries, retries after 500s and timeouts, Retry-After,
 * each attempt's answer in the run history, refusals of internal destinations at create and at
 * delivery (with no connection made), secrets never shown, and queue targets.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import {
  createScheduler,
  generateWebhookSecret,
  type Run,
  type RunContext,
  type Scheduler,
  ValidationError,
  verifyWebhook,
} from '../../lib/index.ts';
import { createTestDatabase } from '../helpers/database.ts';
import { waitFor } from '../helpers/wait.ts';

interface Received {
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
  at: number;
}

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let scheduler: Scheduler;
let server: Server;
let base: string;
const received: Received[] = [];
const handled: RunContext[] = [];
const secret = generateWebhookSecret();
const resolved: string[] = [];
let hits = new Map<string, number>();

before(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      const path = req.url ?? '/';
      received.push({ path, headers: req.headers, body, at: Date.now() });
      const n = (hits.get(path) ?? 0) + 1;
      hits.set(path, n);
      if (path.startsWith('/ok')) res.writeHead(200).end('thanks');
      else if (path.startsWith('/fail-twice')) {
        if (n <= 2) res.writeHead(500).end(`boom ${n} ${'x'.repeat(3000)}`);
        else res.writeHead(204).end();
      } else if (path.startsWith('/late-retry-after')) {
        if (n === 1) res.writeHead(500).end('first');
        else if (n === 2) res.writeHead(429, { 'Retry-After': '2' }).end('slow down');
        else res.writeHead(200).end('ok now');
      } else if (path.startsWith('/retry-after')) {
        if (n === 1) res.writeHead(503, { 'Retry-After': '2' }).end('later');
        else res.writeHead(200).end('ok now');
      } else if (path.startsWith('/hang')) {
        // Never answers.
      } else res.writeHead(404).end();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  db = await createTestDatabase();
  scheduler = createScheduler({
    connectionString: db.url,
    webhookAllow: '127.0.0.1',
    webhookSecret: secret,
    retryDelaySeconds: 0,
    // A name that resolves to an internal address: refused at delivery, never connected to.
    webhookResolver: async (hostname) => {
      resolved.push(hostname);
      return hostname === 'internal.test' ? [{ address: '10.1.2.3', family: 4 }] : [];
    },
  });
  scheduler.on('error', (error) => console.error('scheduler error:', error.message));
  await scheduler.start();
  await scheduler.work((run) => {
    handled.push(run);
  });
});

after(async () => {
  await scheduler?.stop({ timeoutSeconds: 1 });
  server?.closeAllConnections();
  server?.close();
  await db?.drop();
});

const soon = () => new Date(Math.ceil(Date.now() / 1000) * 1000 + 1000);

async function finished(name: string, timeoutMs = 20_000): Promise<Run> {
  return waitFor(
    `the run of ${name} to finish`,
    async () => {
      const [run] = (await scheduler.runs(name)).items;
      return run && (run.status === 'succeeded' || run.status === 'failed') ? run : null;
    },
    { timeoutMs },
  );
}

describe('webhook targets', () => {
  it('delivers a signed body the receiver verifies; the run records the answer', async () => {
    const s = await scheduler.create({
      name: 'hook-ok',
      at: soon(),
      fields: { report: 'sales' },
      target: {
        type: 'webhook',
        url: `${base}/ok`,
        headers: { authorization: 'Bearer abc', 'x-team': 'ops' },
        secret_headers: ['authorization'],
      },
    });
    // Secrets never shown: the default secret is not the job's own, and the header is redacted.
    assert.equal(JSON.stringify(s).includes('Bearer abc'), false);
    assert.equal(s.target.type, 'webhook');
    const run = await finished('hook-ok');
    assert.equal(run.status, 'succeeded');
    assert.equal(run.response?.status, 200);
    assert.equal(run.response?.body, 'thanks');
    const request = received.find((r) => r.path === '/ok')!;
    const verified = verifyWebhook(secret, request.headers as Record<string, string>, request.body);
    assert.equal(verified.id, run.id, 'webhook-id is the run id');
    const body = JSON.parse(request.body);
    assert.deepEqual(
      { run_id: body.run_id, job: body.job, trigger: body.trigger, attempt: body.attempt, fields: body.fields },
      {
        run_id: run.id,
        job: { id: s.id, name: 'hook-ok' },
        trigger: 'schedule',
        attempt: 1,
        fields: { report: 'sales' },
      },
    );
    assert.equal(request.headers.authorization, 'Bearer abc');
    assert.equal(request.headers['x-team'], 'ops');
    assert.equal(
      handled.some((r) => r.scheduleName === 'hook-ok'),
      false,
      'the handler never sees a webhook run',
    );
  });

  it('retries after 500s; each attempt’s status and the first 1 KiB of the answer are in the history', async () => {
    await scheduler.create({
      name: 'hook-flaky',
      at: soon(),
      target: { type: 'webhook', url: `${base}/fail-twice` },
      runOptions: { retryLimit: 3, retryDelaySeconds: 0 },
    });
    const run = await finished('hook-flaky');
    assert.equal(run.status, 'succeeded');
    assert.equal(run.attempts, 3);
    assert.equal(run.response?.status, 204);
    assert.deepEqual(
      run.failedAttempts.map((a) => [a.attempt, a.response?.status]),
      [
        [1, 500],
        [2, 500],
      ],
    );
    const first = run.failedAttempts[0]!.response!;
    assert.ok(first.body.startsWith('boom 1 '));
    assert.ok(Buffer.byteLength(first.body) <= 1024);
    assert.match(run.failedAttempts[0]!.error!, /http/);
  });

  it('a receiver that never answers fails the attempt at its timeout', async () => {
    await scheduler.create({
      name: 'hook-hang',
      at: soon(),
      target: { type: 'webhook', url: `${base}/hang`, timeout_seconds: 1 },
      runOptions: { retryLimit: 0 },
    });
    const run = await finished('hook-hang');
    assert.equal(run.status, 'failed');
    assert.equal(run.failedAttempts[0]?.response?.status, null);
    assert.match(run.failedAttempts[0]?.response?.error ?? '', /^timeout/);
  });

  it('honours Retry-After before the next attempt', async () => {
    await scheduler.create({
      name: 'hook-later',
      at: soon(),
      target: { type: 'webhook', url: `${base}/retry-after` },
      runOptions: { retryLimit: 2, retryDelaySeconds: 0 },
    });
    const run = await finished('hook-later');
    assert.equal(run.status, 'succeeded');
    const times = received.filter((r) => r.path === '/retry-after').map((r) => r.at);
    assert.equal(times.length, 2);
    assert.ok(times[1]! - times[0]! >= 1900, `second attempt ${times[1]! - times[0]!} ms after the first`);
  });

  it('honours Retry-After for a retry pg-boss carries too (the job is replaced by one that starts later)', async () => {
    await scheduler.create({
      name: 'hook-later-2',
      at: soon(),
      target: { type: 'webhook', url: `${base}/late-retry-after` },
      runOptions: { retryLimit: 3, retryDelaySeconds: 0 },
    });
    const run = await finished('hook-later-2');
    assert.equal(run.status, 'succeeded');
    assert.equal(run.attempts, 3);
    assert.deepEqual(
      run.failedAttempts.map((a) => [a.attempt, a.response?.status]),
      [
        [1, 500],
        [2, 429],
      ],
    );
    const times = received.filter((r) => r.path === '/late-retry-after').map((r) => r.at);
    assert.equal(times.length, 3);
    assert.ok(times[2]! - times[1]! >= 1900, `third attempt ${times[2]! - times[1]!} ms after the second`);
  });

  it('refuses internal destinations at create, naming the field, and at delivery after resolving', async () => {
    for (const url of [
      'http://10.0.0.1/x',
      'http://169.254.169.254/latest/meta-data',
      'http://[::1]:8080/',
      'ftp://example.com/',
    ]) {
      await assert.rejects(
        scheduler.create({ name: 'hook-bad', at: soon(), target: { type: 'webhook', url } }),
        (error: unknown) => error instanceof ValidationError && error.issues[0]?.field === 'target.url',
        url,
      );
    }
    await scheduler.create({
      name: 'hook-rebound',
      at: soon(),
      target: { type: 'webhook', url: 'http://internal.test/ok' },
      runOptions: { retryLimit: 0 },
    });
    const run = await finished('hook-rebound');
    assert.equal(run.status, 'failed');
    assert.match(run.failedAttempts[0]?.response?.error ?? '', /^blocked/);
    assert.ok(resolved.includes('internal.test'));
    assert.equal(
      received.some((r) => r.path === '/ok' && r.headers.host === 'internal.test'),
      false,
    );
  });

  it('keeps a job’s own secret write-only, shown only as a fingerprint, and signs with it', async () => {
    const own = generateWebhookSecret();
    const s = await scheduler.create({
      name: 'hook-own-secret',
      at: soon(),
      target: { type: 'webhook', url: `${base}/ok-own`, secret: own },
    });
    assert.equal(JSON.stringify(s).includes(own), false);
    assert.match(String((s.target as { secret_fingerprint?: string }).secret_fingerprint), /^sha256:/);
    await finished('hook-own-secret');
    const request = received.find((r) => r.path === '/ok-own')!;
    assert.throws(() => verifyWebhook(secret, request.headers as Record<string, string>, request.body));
    verifyWebhook(own, request.headers as Record<string, string>, request.body);
    // An update that leaves the target alone keeps the secret.
    await scheduler.update('hook-own-secret', { fields: { v: 2 } });
    hits = new Map();
  });
});

describe('queue targets', () => {
  it('sends the runs to the named pg-boss queue', async () => {
    const got: RunContext[] = [];
    await scheduler.work(
      (run) => {
        got.push(run);
      },
      { queue: 'custom-runs' },
    );
    const s = await scheduler.create({ name: 'to-queue', at: soon(), target: { type: 'queue', queue: 'custom-runs' } });
    assert.equal(s.queue, 'custom-runs');
    await waitFor('the run in its queue', () => got.some((r) => r.scheduleName === 'to-queue'));
    await assert.rejects(
      scheduler.create({
        name: 'to-queue-2',
        at: soon(),
        queue: 'other',
        target: { type: 'queue', queue: 'custom-runs' },
      }),
      (error: unknown) => error instanceof ValidationError && error.issues[0]?.field === 'queue',
    );
  });
});
