import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ValidationError } from '../../lib/errors.ts';
import {
  buildWebhookPayload,
  buildWebhookRequest,
  generateWebhookSecret,
  parseAllowList,
  parseTarget,
  redactTarget,
  secretFingerprint,
  type WebhookTarget,
} from '../../lib/targets/index.ts';

function refusedAt(input: unknown, field: string, pattern?: RegExp, options = {}): ValidationError {
  try {
    parseTarget(input, options);
  } catch (error) {
    assert.ok(error instanceof ValidationError, String(error));
    assert.equal(error.field, field);
    if (pattern) assert.match(error.message, pattern);
    return error;
  }
  assert.fail(`expected ${JSON.stringify(input)} to be refused at ${field}`);
}

describe('parseTarget', () => {
  it('defaults to a log target', () => {
    assert.deepEqual(parseTarget(undefined), { type: 'log' });
    assert.deepEqual(parseTarget(null), { type: 'log' });
    assert.deepEqual(parseTarget({ type: 'log' }), { type: 'log' });
  });

  it('reads a queue target with a pg-boss queue name', () => {
    assert.deepEqual(parseTarget({ type: 'queue', queue: 'billing/invoices.v2' }), {
      type: 'queue',
      queue: 'billing/invoices.v2',
    });
    refusedAt({ type: 'queue' }, 'target.queue');
    refusedAt({ type: 'queue', queue: 'has space' }, 'target.queue', /1-100 characters/);
    refusedAt({ type: 'queue', queue: 'a'.repeat(101) }, 'target.queue');
  });

  it('reads a webhook target and fills its defaults', () => {
    assert.deepEqual(parseTarget({ type: 'webhook', url: 'https://hooks.example.com/run' }), {
      type: 'webhook',
      url: 'https://hooks.example.com/run',
      method: 'POST',
      headers: {},
      secret_headers: [],
      timeout_seconds: 10,
    });
    const secret = generateWebhookSecret();
    const full = parseTarget({
      type: 'webhook',
      url: 'https://hooks.example.com/run',
      method: 'PUT',
      headers: { Authorization: 'Bearer abc', 'X-Team': 'ops' },
      secret_headers: ['AUTHORIZATION'],
      timeout_seconds: 300,
      secret,
    });
    assert.deepEqual(full, {
      type: 'webhook',
      url: 'https://hooks.example.com/run',
      method: 'PUT',
      headers: { authorization: 'Bearer abc', 'x-team': 'ops' },
      secret_headers: ['authorization'],
      timeout_seconds: 300,
      secret,
    });
  });

  it('names the field of every mistake', () => {
    refusedAt('webhook', 'target');
    refusedAt({}, 'target.type', /"log", "queue", "webhook"/);
    refusedAt({ type: 'email' }, 'target.type');
    refusedAt({ type: 'log', queue: 'x' }, 'target.queue', /no such field for a log target/);
    refusedAt({ type: 'webhook' }, 'target.url');
    refusedAt({ type: 'webhook', url: 'ftp://x/' }, 'target.url', /http or https/);
    refusedAt({ type: 'webhook', url: 'https://x.example/', extra: 1 }, 'target.extra');
    refusedAt({ type: 'webhook', url: 'https://x.example/', method: 'GET' }, 'target.method', /"POST", "PUT", "PATCH"/);
    refusedAt({ type: 'webhook', url: 'https://x.example/', method: 'post' }, 'target.method');
    for (const timeout of [0, 301, 1.5, '10']) {
      refusedAt(
        { type: 'webhook', url: 'https://x.example/', timeout_seconds: timeout },
        'target.timeout_seconds',
        /1 to 300/,
      );
    }
    refusedAt({ type: 'webhook', url: 'https://x.example/', secret: 'hunter2' }, 'target.secret', /whsec_/);
  });

  it('applies the destination policy to the URL', () => {
    refusedAt({ type: 'webhook', url: 'http://127.0.0.1:8080/' }, 'target.url', /loopback/);
    refusedAt({ type: 'webhook', url: 'http://169.254.169.254/' }, 'target.url', /metadata/);
    const policy = parseAllowList('127.0.0.1');
    assert.equal(
      (parseTarget({ type: 'webhook', url: 'http://127.0.0.1:8080/' }, { policy }) as WebhookTarget).url,
      'http://127.0.0.1:8080/',
    );
  });

  it('checks headers: token names, values without CR/LF, none of ours, at most 20 and 8 KiB', () => {
    const at = (headers: unknown, field: string, pattern?: RegExp) =>
      refusedAt({ type: 'webhook', url: 'https://x.example/', headers }, field, pattern);
    at(['a'], 'target.headers');
    at({ 'bad name': 'x' }, 'target.headers.bad name', /token/);
    at({ 'x-a': 'line\r\nInjected: 1' }, 'target.headers.x-a', /CR, LF/);
    at({ 'x-a': 'nul\0' }, 'target.headers.x-a');
    at({ 'x-a': 5 }, 'target.headers.x-a', /string/);
    for (const name of [
      'Content-Type',
      'host',
      'webhook-signature',
      'Webhook-Id',
      'webhook-timestamp',
      'webhook-anything',
      'Content-Length',
      'Transfer-Encoding',
      'user-agent',
    ]) {
      at({ [name]: 'x' }, `target.headers.${name}`, /does not set itself/);
    }
    at({ 'X-A': '1', 'x-a': '2' }, 'target.headers.x-a', /once/);
    at(Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`x-${i}`, 'v'])), 'target.headers', /at most 20/);
    at({ 'x-big': 'v'.repeat(8 * 1024) }, 'target.headers', /8192 bytes/);
    assert.ok(parseTarget({ type: 'webhook', url: 'https://x.example/', headers: { 'x-ok': 'v'.repeat(8000) } }));
  });

  it('never echoes a header value in a refusal', () => {
    const error = refusedAt(
      { type: 'webhook', url: 'https://x.example/', headers: { authorization: 'Bearer s3cr3t\n' } },
      'target.headers.authorization',
    );
    assert.ok(!JSON.stringify(error.issues).includes('s3cr3t'));
    assert.ok(!error.message.includes('s3cr3t'));
  });

  it('checks that secret_headers name headers of the target', () => {
    const at = (secretHeaders: unknown, field: string) =>
      refusedAt(
        { type: 'webhook', url: 'https://x.example/', headers: { authorization: 'x' }, secret_headers: secretHeaders },
        field,
      );
    at('authorization', 'target.secret_headers');
    at(['x-missing'], 'target.secret_headers[0]');
    at(['authorization', 7], 'target.secret_headers[1]');
  });
});

describe('redactTarget', () => {
  it('replaces the secret by its fingerprint and secret header values by a redacted digest', () => {
    const secret = generateWebhookSecret();
    const target = parseTarget({
      type: 'webhook',
      url: 'https://hooks.example.com/run',
      headers: { Authorization: 'Bearer very-secret-token', 'X-Team': 'ops' },
      secret_headers: ['authorization'],
      secret,
    });
    const shown = redactTarget(target);
    const text = JSON.stringify(shown);
    assert.ok(!text.includes(secret));
    assert.ok(!text.includes(secret.slice(6, 20)));
    assert.ok(!text.includes('very-secret-token'));
    assert.equal((shown as { secret_fingerprint?: string }).secret_fingerprint, secretFingerprint(secret));
    assert.ok(!('secret' in shown));
    assert.match(
      (shown as { headers: Record<string, string> }).headers['authorization']!,
      /^<redacted sha256:[0-9a-f]{12}>$/,
    );
    assert.equal((shown as { headers: Record<string, string> }).headers['x-team'], 'ops');
    // The stored target is untouched.
    assert.equal((target as WebhookTarget).headers['authorization'], 'Bearer very-secret-token');
    assert.equal((target as WebhookTarget).secret, secret);
  });

  it('shows a change of a secret header value as a change of its digest', () => {
    const view = (value: string) =>
      (
        redactTarget(
          parseTarget({
            type: 'webhook',
            url: 'https://x.example/',
            headers: { authorization: value },
            secret_headers: ['authorization'],
          }),
        ) as {
          headers: Record<string, string>;
        }
      ).headers['authorization'];
    assert.equal(view('a'), view('a'));
    assert.notEqual(view('a'), view('b'));
  });

  it('leaves log and queue targets as they are', () => {
    assert.deepEqual(redactTarget({ type: 'log' }), { type: 'log' });
    assert.deepEqual(redactTarget({ type: 'queue', queue: 'q' }), { type: 'queue', queue: 'q' });
  });
});

describe('webhook payload', () => {
  it('builds the documented body with ISO times, and a request whose webhook-id is the run id', () => {
    const payload = buildWebhookPayload({
      runId: '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b',
      job: { id: '0190a1b2-0000-7000-8000-000000000001', name: 'nightly-report' },
      scheduledFor: new Date('2026-03-01T02:00:00Z'),
      firedAt: new Date('2026-03-01T02:00:00.004Z'),
      trigger: 'schedule',
      attempt: 2,
      fields: { recipient: 'ops@example.com' },
    });
    assert.deepEqual(payload, {
      run_id: '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b',
      job: { id: '0190a1b2-0000-7000-8000-000000000001', name: 'nightly-report' },
      scheduled_for: '2026-03-01T02:00:00.000Z',
      fired_at: '2026-03-01T02:00:00.004Z',
      trigger: 'schedule',
      attempt: 2,
      fields: { recipient: 'ops@example.com' },
    });
    const secret = generateWebhookSecret();
    const target = parseTarget({
      type: 'webhook',
      url: 'https://x.example/',
      method: 'PATCH',
      timeout_seconds: 5,
      secret,
    }) as WebhookTarget;
    const request = buildWebhookRequest(target, payload);
    assert.equal(request.id, payload.run_id);
    assert.equal(request.body, JSON.stringify(payload));
    assert.equal(request.method, 'PATCH');
    assert.equal(request.timeoutSeconds, 5);
    assert.equal(request.secret, secret);
    assert.equal('secret' in buildWebhookRequest({ ...target, secret: undefined }, payload), false);
  });
});
