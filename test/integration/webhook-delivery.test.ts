/**
 * Webhook delivery against real node:http receivers on 127.0.0.1, which the tests allow explicitly.
 * Refused destinations are proven refused without a connection: a diagnostics channel counts every
 * client socket the process creates, and the resolver is a fake that maps names to refused
 * addresses. No database, no network beyond loopback, no fixed sleeps.
 */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, afterEach, before, describe, it } from 'node:test';
import { createWebhookReceiver } from '../../examples/webhook-receiver.ts';
import {
  buildWebhookPayload,
  buildWebhookRequest,
  DEFAULT_DESTINATION_POLICY,
  deliverWebhook,
  generateWebhookSecret,
  parseAllowList,
  parseTarget,
  type WebhookPayload,
  type WebhookResolver,
  type WebhookTarget,
} from '../../lib/targets/index.ts';

const ALLOW_LOOPBACK = parseAllowList('127.0.0.1');

/** Counts client sockets created anywhere in this process while `fn` runs. */
async function countSockets<T>(fn: () => Promise<T>): Promise<{ result: T; sockets: number }> {
  let sockets = 0;
  const onSocket = () => {
    sockets++;
  };
  subscribe('net.client.socket', onSocket);
  try {
    const result = await fn();
    return { result, sockets };
  } finally {
    unsubscribe('net.client.socket', onSocket);
  }
}

function fakeResolver(table: Record<string, string[]>): WebhookResolver & { calls: string[] } {
  const calls: string[] = [];
  const resolver = async (hostname: string) => {
    calls.push(hostname);
    const addresses = table[hostname];
    if (!addresses) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
  return Object.assign(resolver, { calls });
}

interface Received {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

async function listen(handler: http.RequestListener): Promise<{ server: http.Server; origin: string; port: number }> {
  const server = http.createServer(handler);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return { server, origin: `http://127.0.0.1:${port}`, port };
}

function payload(runId = '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b', attempt = 1): WebhookPayload {
  return buildWebhookPayload({
    runId,
    job: { id: '0190a1b2-0000-7000-8000-000000000001', name: 'nightly-report' },
    scheduledFor: new Date('2026-03-01T02:00:00Z'),
    firedAt: new Date('2026-03-01T02:00:00.004Z'),
    trigger: 'schedule',
    attempt,
    fields: { recipient: 'ops@example.com' },
  });
}

describe('deliverWebhook', () => {
  const secret = generateWebhookSecret();
  const handled: WebhookPayload[] = [];
  const receiver = createWebhookReceiver({ secret, handle: (p) => void handled.push(p) });
  const received: Received[] = [];
  let hits = new Map<string, number>();
  let origin = '';
  let port = 0;
  let server: http.Server;

  before(async () => {
    ({ server, origin, port } = await listen(async (req, res) => {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      hits.set(path, (hits.get(path) ?? 0) + 1);
      if (path === '/hang') return; // never answers
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const body = Buffer.concat(chunks).toString('utf8');
      received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      switch (path) {
        case '/receiver':
          return receiverFromBody(req, res, body);
        case '/ok':
          return res.writeHead(204).end();
        case '/fail':
          return res.writeHead(500, { 'content-type': 'text/plain' }).end(`x${'é'.repeat(3000)}`);
        case '/big':
          return res.writeHead(200).end('a'.repeat(100_000));
        case '/binary':
          return res.writeHead(200).end(Buffer.from([0x6f, 0x6b, 0xff, 0xfe, 0x21]));
        case '/busy':
          return res.writeHead(503, { 'retry-after': '7' }).end('busy');
        case '/busy-until':
          return res.writeHead(429, { 'retry-after': new Date(Date.UTC(2026, 0, 1, 12, 0, 30)).toUTCString() }).end();
        case '/moved':
          return res.writeHead(302, { location: `${origin}/elsewhere` }).end();
        case '/slow-body':
          res.writeHead(200, { 'content-length': '10' });
          return res.write('12345'); // and never the rest
        default:
          return res.writeHead(404).end('no such path');
      }
    }));
  });

  /** Runs the example receiver's listener on a body already read, through a stand-in request. */
  function receiverFromBody(req: http.IncomingMessage, res: http.ServerResponse, body: string) {
    const standIn = Object.assign(
      (async function* () {
        yield Buffer.from(body, 'utf8');
      })(),
      { method: req.method, headers: req.headers, url: req.url },
    );
    receiver(standIn as unknown as http.IncomingMessage, res);
  }

  afterEach(() => {
    received.length = 0;
    hits = new Map();
  });

  after(() => {
    server.closeAllConnections();
    server.close();
  });

  function target(path: string, extra: Record<string, unknown> = {}): WebhookTarget {
    return parseTarget(
      { type: 'webhook', url: `${origin}${path}`, secret, ...extra },
      { policy: ALLOW_LOOPBACK },
    ) as WebhookTarget;
  }

  it('delivers a signed payload that the example receiver verifies, and an independent HMAC agrees', async () => {
    const t = target('/receiver', {
      headers: { 'X-Team': 'ops', Authorization: 'Bearer t0k' },
      secret_headers: ['authorization'],
    });
    const { result, sockets } = await countSockets(() =>
      deliverWebhook(buildWebhookRequest(t, payload()), { policy: ALLOW_LOOPBACK, version: '1.2.3' }),
    );
    assert.equal(result.ok, true, JSON.stringify(result));
    assert.equal(result.status, 200);
    assert.equal(result.address, '127.0.0.1');
    assert.deepEqual(JSON.parse(result.body), { id: payload().run_id, duplicate: false });
    assert.equal(result.error, undefined);
    assert.equal(result.retryAfterMs, null);
    assert.ok(result.latencyMs >= 0);
    assert.equal(sockets, 1, 'the socket counter sees a delivery');
    assert.deepEqual(handled.at(-1), payload());

    const [request] = received;
    assert.ok(request);
    assert.equal(request.method, 'POST');
    assert.equal(request.headers['content-type'], 'application/json');
    assert.equal(request.headers['user-agent'], 'pg-cron-scheduler/1.2.3');
    assert.equal(request.headers['webhook-id'], payload().run_id);
    assert.equal(request.headers['x-team'], 'ops');
    assert.equal(request.headers.authorization, 'Bearer t0k');
    assert.equal(request.headers.host, `127.0.0.1:${port}`);
    assert.equal(request.body, JSON.stringify(payload()));
    const timestamp = Number(request.headers['webhook-timestamp']);
    assert.ok(Math.abs(timestamp - Date.now() / 1000) < 60);
    const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
    const expected = createHmac('sha256', key)
      .update(`${payload().run_id}.${timestamp}.${request.body}`)
      .digest('base64');
    assert.equal(request.headers['webhook-signature'], `v1,${expected}`);
  });

  it('keeps the webhook-id across attempts, so the receiver handles a retried run once', async () => {
    const t = target('/receiver');
    const before = handled.length;
    const first = await deliverWebhook(buildWebhookRequest(t, payload('run-retried', 1)), { policy: ALLOW_LOOPBACK });
    const second = await deliverWebhook(buildWebhookRequest(t, payload('run-retried', 2)), { policy: ALLOW_LOOPBACK });
    assert.deepEqual(JSON.parse(first.body), { id: 'run-retried', duplicate: false });
    assert.deepEqual(JSON.parse(second.body), { id: 'run-retried', duplicate: true });
    assert.equal(handled.length, before + 1);
  });

  it('is refused by the receiver (401) when signed with another secret, or unsigned (400)', async () => {
    const other = { ...target('/receiver'), secret: generateWebhookSecret() };
    const wrong = await deliverWebhook(buildWebhookRequest(other, payload('r-wrong')), { policy: ALLOW_LOOPBACK });
    assert.equal(wrong.status, 401);
    assert.equal(wrong.ok, false);
    assert.equal(wrong.error?.kind, 'http');
    const { secret: _, ...unsigned } = target('/receiver');
    const none = await deliverWebhook(buildWebhookRequest(unsigned, payload('r-none')), { policy: ALLOW_LOOPBACK });
    assert.equal(none.status, 400);
    assert.match(none.body, /webhook-signature header is missing/);
    assert.equal(received.at(-1)?.headers['webhook-signature'], undefined);
  });

  it('uses the method of the target', async () => {
    const result = await deliverWebhook(buildWebhookRequest(target('/ok', { method: 'PUT' }), payload()), {
      policy: ALLOW_LOOPBACK,
    });
    assert.equal(result.ok, true);
    assert.equal(result.status, 204);
    assert.equal(received[0]?.method, 'PUT');
  });

  it('reports a 500 as failed, with its status and at most 1 KiB of its body', async () => {
    const result = await deliverWebhook(buildWebhookRequest(target('/fail'), payload()), { policy: ALLOW_LOOPBACK });
    assert.equal(result.ok, false);
    assert.equal(result.status, 500);
    assert.deepEqual(result.error, { kind: 'http', message: 'the receiver answered 500' });
    assert.ok(Buffer.byteLength(result.body, 'utf8') <= 1024);
    // Cut on a character boundary: "x" and then whole "é"s, no replacement character at the cut.
    assert.equal(result.body, `x${'é'.repeat(511)}`);
  });

  it('reads no more than 1 KiB of a large answer, and replaces bytes that are not UTF-8', async () => {
    const big = await deliverWebhook(buildWebhookRequest(target('/big'), payload()), { policy: ALLOW_LOOPBACK });
    assert.equal(big.ok, true);
    assert.equal(big.body, 'a'.repeat(1024));
    const binary = await deliverWebhook(buildWebhookRequest(target('/binary'), payload()), { policy: ALLOW_LOOPBACK });
    assert.equal(binary.body, 'ok\uFFFD\uFFFD!');
  });

  it('gives up on a receiver that never answers within the timeout, with a timeout result', async () => {
    const result = await deliverWebhook(buildWebhookRequest(target('/hang', { timeout_seconds: 1 }), payload()), {
      policy: ALLOW_LOOPBACK,
    });
    assert.equal(result.ok, false);
    assert.equal(result.status, null);
    assert.equal(result.error?.kind, 'timeout');
    assert.match(result.error?.message ?? '', /within 1 s/);
    assert.ok(result.latencyMs >= 950 && result.latencyMs < 3000, `latency ${result.latencyMs} ms`);
    assert.equal(hits.get('/hang'), 1);
  });

  it('counts the body in the timeout: headers then silence is a timeout with the status seen', async () => {
    const result = await deliverWebhook(buildWebhookRequest(target('/slow-body', { timeout_seconds: 1 }), payload()), {
      policy: ALLOW_LOOPBACK,
    });
    assert.equal(result.ok, false);
    assert.equal(result.status, 200);
    assert.equal(result.error?.kind, 'timeout');
    assert.equal(result.body, '12345');
  });

  it('reads Retry-After in seconds and as an HTTP date', async () => {
    const seconds = await deliverWebhook(buildWebhookRequest(target('/busy'), payload()), { policy: ALLOW_LOOPBACK });
    assert.equal(seconds.status, 503);
    assert.equal(seconds.retryAfterMs, 7000);
    assert.equal(seconds.body, 'busy');
    const now = () => Date.UTC(2026, 0, 1, 12, 0, 0);
    const { secret: _, ...unsigned } = target('/busy-until');
    const date = await deliverWebhook(buildWebhookRequest(unsigned, payload()), { policy: ALLOW_LOOPBACK, now });
    assert.equal(date.status, 429);
    assert.equal(date.retryAfterMs, 30_000);
    assert.equal(received.at(-1)?.headers['webhook-timestamp'], String(now() / 1000));
  });

  it('does not follow a redirect: a 3xx is a failed attempt', async () => {
    const result = await deliverWebhook(buildWebhookRequest(target('/moved'), payload()), { policy: ALLOW_LOOPBACK });
    assert.equal(result.ok, false);
    assert.equal(result.status, 302);
    assert.equal(result.error?.kind, 'http');
    assert.match(
      result.error?.message ?? '',
      /302, a redirect to http:\/\/127\.0\.0\.1:\d+\/elsewhere; redirects are not followed/,
    );
    assert.equal(hits.get('/elsewhere'), undefined);
  });

  it('connects to the address the guard checked, with the name in the Host header, resolving once', async () => {
    // hooks.test resolves to loopback, which the allow-list admits; a second lookup would say 10.0.0.1.
    let answers = 0;
    const resolver: WebhookResolver & { calls: number } = Object.assign(
      async () => {
        resolver.calls++;
        return answers++ === 0 ? [{ address: '127.0.0.1', family: 4 }] : [{ address: '10.0.0.1', family: 4 }];
      },
      { calls: 0 },
    );
    const t = { ...target('/ok'), url: `http://hooks.test:${port}/ok` };
    const result = await deliverWebhook(buildWebhookRequest(t, payload()), { policy: ALLOW_LOOPBACK, resolver });
    assert.equal(result.ok, true, JSON.stringify(result));
    assert.equal(result.address, '127.0.0.1');
    assert.equal(received[0]?.headers.host, `hooks.test:${port}`);
    assert.equal(resolver.calls, 1);
  });

  it('refuses names resolving to metadata, private, loopback or IPv4-mapped addresses without opening a socket', async () => {
    const resolver = fakeResolver({
      'metadata.test': ['169.254.169.254'],
      'ten.test': ['10.0.0.8'],
      'six.test': ['::1'],
      'mapped.test': ['::ffff:127.0.0.1'],
      'mixed.test': ['93.184.215.14', '192.168.1.20'],
    });
    const cases: [string, RegExp][] = [
      ['metadata.test', /169\.254\.169\.254 is a cloud metadata address/],
      ['ten.test', /10\.0\.0\.8 is private \(10\.0\.0\.0\/8\)/],
      ['six.test', /::1 is loopback/],
      ['mapped.test', /ipv4-mapped form of 127\.0\.0\.1\) is loopback/],
      ['mixed.test', /192\.168\.1\.20 is private/],
    ];
    for (const [host, message] of cases) {
      const request = buildWebhookRequest({ ...target('/ok'), url: `http://${host}:${port}/ok` }, payload());
      const { result, sockets } = await countSockets(() => deliverWebhook(request, { resolver }));
      assert.equal(sockets, 0, `no socket for ${host}`);
      assert.equal(result.ok, false);
      assert.equal(result.status, null);
      assert.equal(result.address, null);
      assert.equal(result.error?.kind, 'blocked');
      assert.match(result.error?.message ?? '', message);
    }
    assert.deepEqual(resolver.calls, ['metadata.test', 'ten.test', 'six.test', 'mapped.test', 'mixed.test']);
    assert.equal(received.length, 0);
  });

  it('refuses loopback literals, the IPv4-mapped form included, unless allowed', async () => {
    for (const url of [
      `${origin}/ok`,
      `http://[::ffff:127.0.0.1]:${port}/ok`,
      `http://[::1]:${port}/ok`,
      `http://localhost:${port}/ok`,
    ]) {
      const request = buildWebhookRequest({ ...target('/ok'), url }, payload());
      const { result, sockets } = await countSockets(() =>
        deliverWebhook(request, { policy: DEFAULT_DESTINATION_POLICY }),
      );
      assert.equal(sockets, 0, url);
      assert.equal(result.error?.kind, 'blocked', url);
    }
    assert.equal(received.length, 0);
  });

  it('reports DNS failures, and a resolver slower than the timeout, as results', async () => {
    const request = buildWebhookRequest(
      { ...target('/ok', { timeout_seconds: 1 }), url: 'http://nowhere.test/' },
      payload(),
    );
    const missing = await deliverWebhook(request, { resolver: fakeResolver({}) });
    assert.equal(missing.error?.kind, 'dns');
    assert.match(missing.error?.message ?? '', /ENOTFOUND/);
    const { result: stuck, sockets } = await countSockets(() =>
      deliverWebhook(request, { resolver: () => new Promise(() => {}) }),
    );
    assert.equal(stuck.error?.kind, 'timeout');
    assert.ok(stuck.latencyMs < 3000);
    assert.equal(sockets, 0);
  });

  it('reports a TLS handshake that fails as tls', async () => {
    // https to the plain-HTTP receiver: the handshake meets an HTTP answer.
    const request = buildWebhookRequest({ ...target('/ok'), url: `https://127.0.0.1:${port}/ok` }, payload());
    const result = await deliverWebhook(request, { policy: ALLOW_LOOPBACK });
    assert.equal(result.ok, false);
    assert.equal(result.status, null);
    assert.equal(result.error?.kind, 'tls', JSON.stringify(result.error));
  });

  it('reports a closed port as refused', async () => {
    const closed = await listen(() => {});
    closed.server.close();
    await once(closed.server, 'close');
    const request = buildWebhookRequest({ ...target('/ok'), url: `${closed.origin}/` }, payload());
    const result = await deliverWebhook(request, { policy: ALLOW_LOOPBACK });
    assert.equal(result.ok, false);
    assert.equal(result.error?.kind, 'refused');
  });
});
