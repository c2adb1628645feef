import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import { ValidationError } from '../../lib/errors.ts';
import {
  generateWebhookSecret,
  secretFingerprint,
  signWebhook,
  verifyWebhook,
  WebhookVerificationError,
} from '../../lib/index.ts';
import { checkWebhookSecret } from '../../lib/targets/index.ts';

// The vector of the reference implementation (standard-webhooks/standard-webhooks,
// libraries/javascript/src/webhook.test.ts, "sign function works").
const VECTOR = {
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
  timestamp: 1614265330,
  body: '{"test": 2432232314}',
  signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
};

const NOW = Date.UTC(2026, 0, 1, 12, 0, 0);
const NOW_S = NOW / 1000;

/** An independent recomputation from the spec's words, sharing no code with lib/. */
function recompute(secret: string, id: string, timestamp: number, body: string): string {
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  return `v1,${createHmac('sha256', key).update(`${id}.${timestamp}.${body}`, 'utf8').digest('base64')}`;
}

function signed(secret: string, body = '{"a":1}', timestamp = NOW_S, id = 'run-1') {
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': signWebhook(secret, id, timestamp, body),
  };
}

function refusal(fn: () => unknown): WebhookVerificationError {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof WebhookVerificationError, `expected a WebhookVerificationError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected verification to fail');
}

describe('signWebhook', () => {
  it('matches the reference implementation’s test vector', () => {
    assert.equal(signWebhook(VECTOR.secret, VECTOR.id, VECTOR.timestamp, VECTOR.body), VECTOR.signature);
  });

  it('matches an independent HMAC-SHA256 over "id.timestamp.body", for strings and bytes alike', () => {
    const secret = generateWebhookSecret();
    const body = '{"naïve":"☃"}';
    const expected = recompute(secret, 'abc', 1700000000, body);
    assert.equal(signWebhook(secret, 'abc', 1700000000, body), expected);
    assert.equal(signWebhook(secret, 'abc', 1700000000, Buffer.from(body, 'utf8')), expected);
  });

  it('signs with each secret of a rotation, space-separated', () => {
    const [a, b] = [generateWebhookSecret(), generateWebhookSecret()];
    assert.equal(signWebhook([a, b], 'x', 1, '{}'), `${recompute(a, 'x', 1, '{}')} ${recompute(b, 'x', 1, '{}')}`);
  });

  it('refuses an id with "." (it would make the signed text ambiguous) and a non-integer timestamp', () => {
    const secret = generateWebhookSecret();
    assert.throws(
      () => signWebhook(secret, 'a.b', 1, ''),
      (e: unknown) => e instanceof ValidationError && e.field === 'id',
    );
    assert.throws(
      () => signWebhook(secret, 'a', 1.5, ''),
      (e: unknown) => e instanceof ValidationError && e.field === 'timestamp',
    );
  });
});

describe('verifyWebhook', () => {
  const secret = generateWebhookSecret();

  it('accepts a webhook signed with the secret and returns its id and timestamp', () => {
    assert.deepEqual(verifyWebhook(secret, signed(secret), '{"a":1}', { now: NOW }), { id: 'run-1', timestamp: NOW_S });
  });

  it('accepts the reference vector at its own instant', () => {
    const headers = {
      'webhook-id': VECTOR.id,
      'webhook-timestamp': String(VECTOR.timestamp),
      'webhook-signature': VECTOR.signature,
    };
    assert.equal(verifyWebhook(VECTOR.secret, headers, VECTOR.body, { now: VECTOR.timestamp * 1000 }).id, VECTOR.id);
  });

  it('reads headers case-insensitively, from a record or a Fetch Headers', () => {
    const upper = Object.fromEntries(Object.entries(signed(secret)).map(([k, v]) => [k.toUpperCase(), v]));
    assert.equal(verifyWebhook(secret, upper, '{"a":1}', { now: NOW }).id, 'run-1');
    assert.equal(verifyWebhook(secret, new Headers(signed(secret)), '{"a":1}', { now: NOW }).id, 'run-1');
  });

  it('verifies the raw bytes: a body of bytes that are not UTF-8 still verifies', () => {
    const body = Buffer.from([0x7b, 0xff, 0xfe, 0x7d]);
    const headers = {
      'webhook-id': 'bin',
      'webhook-timestamp': String(NOW_S),
      'webhook-signature': signWebhook(secret, 'bin', NOW_S, body),
    };
    assert.equal(verifyWebhook(secret, headers, body, { now: NOW }).id, 'bin');
  });

  it('says which header is missing', () => {
    for (const name of ['webhook-id', 'webhook-timestamp', 'webhook-signature']) {
      const headers: Record<string, string> = signed(secret);
      delete headers[name];
      const error = refusal(() => verifyWebhook(secret, headers, '{"a":1}', { now: NOW }));
      assert.equal(error.reason, 'missing_header');
      assert.match(error.message, new RegExp(name));
    }
  });

  it('refuses a timestamp that is not whole seconds', () => {
    const headers = { ...signed(secret), 'webhook-timestamp': '1.5e9' };
    assert.equal(refusal(() => verifyWebhook(secret, headers, '{"a":1}', { now: NOW })).reason, 'invalid_header');
  });

  it('refuses a timestamp beyond the tolerance either way, and honours the tolerance option', () => {
    const old = signed(secret, '{"a":1}', NOW_S - 301);
    const error = refusal(() => verifyWebhook(secret, old, '{"a":1}', { now: NOW }));
    assert.equal(error.reason, 'stale_timestamp');
    assert.match(error.message, /301 s old/);
    const future = signed(secret, '{"a":1}', NOW_S + 301);
    assert.equal(refusal(() => verifyWebhook(secret, future, '{"a":1}', { now: NOW })).reason, 'stale_timestamp');
    // At the edge, and with a wider tolerance, the same messages pass.
    assert.equal(verifyWebhook(secret, signed(secret, '{"a":1}', NOW_S - 300), '{"a":1}', { now: NOW }).id, 'run-1');
    assert.equal(verifyWebhook(secret, old, '{"a":1}', { now: NOW, toleranceSeconds: 600 }).id, 'run-1');
    assert.equal(
      refusal(() =>
        verifyWebhook(secret, signed(secret, '{"a":1}', NOW_S - 11), '{"a":1}', { now: NOW, toleranceSeconds: 10 }),
      ).reason,
      'stale_timestamp',
    );
  });

  it('refuses a changed body, id or timestamp, another secret, and signatures that are not v1', () => {
    const headers = signed(secret);
    const bad = (h: Record<string, string>, body = '{"a":1}', s = secret) =>
      refusal(() => verifyWebhook(s, h, body, { now: NOW, toleranceSeconds: 600 })).reason;
    assert.equal(bad(headers, '{"a":2}'), 'bad_signature');
    assert.equal(bad({ ...headers, 'webhook-id': 'run-2' }), 'bad_signature');
    assert.equal(bad({ ...headers, 'webhook-timestamp': String(NOW_S + 1) }), 'bad_signature');
    assert.equal(bad(headers, '{"a":1}', generateWebhookSecret()), 'bad_signature');
    assert.equal(
      bad({ ...headers, 'webhook-signature': headers['webhook-signature'].replace('v1,', 'v2,') }),
      'bad_signature',
    );
    assert.equal(bad({ ...headers, 'webhook-signature': headers['webhook-signature'].slice(0, 10) }), 'bad_signature');
    assert.equal(bad({ ...headers, 'webhook-signature': 'v1,' }), 'bad_signature');
  });

  it('accepts any one of several signatures (the sender rotating its secret)', () => {
    const previous = generateWebhookSecret();
    const headers = {
      'webhook-id': 'run-1',
      'webhook-timestamp': String(NOW_S),
      'webhook-signature': `v1a,AAAA v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc= ${signWebhook([previous, secret], 'run-1', NOW_S, '{}')}`,
    };
    assert.equal(verifyWebhook(secret, headers, '{}', { now: NOW }).id, 'run-1');
    assert.equal(verifyWebhook(previous, headers, '{}', { now: NOW }).id, 'run-1');
  });

  it('accepts a list of secrets (the receiver rotating its secret)', () => {
    const next = generateWebhookSecret();
    assert.equal(verifyWebhook([next, secret], signed(secret), '{"a":1}', { now: NOW }).id, 'run-1');
    assert.equal(verifyWebhook([secret, next], signed(next), '{"a":1}', { now: NOW }).id, 'run-1');
  });

  it('reads a signature header sent on several lines as one list', () => {
    const other = generateWebhookSecret();
    const headers = {
      'webhook-id': 'run-1',
      'webhook-timestamp': String(NOW_S),
      'webhook-signature': [signWebhook(other, 'run-1', NOW_S, '{}'), signWebhook(secret, 'run-1', NOW_S, '{}')],
    };
    assert.equal(verifyWebhook(secret, headers, '{}', { now: NOW }).id, 'run-1');
  });

  it('throws ValidationError, not a verification error, for a malformed secret', () => {
    assert.throws(
      () => verifyWebhook('not-a-secret', signed(secret), '{}', { now: NOW }),
      (e: unknown) => e instanceof ValidationError && e.field === 'secret' && !e.message.includes('not-a-secret'),
    );
    assert.throws(
      () => verifyWebhook([secret, 'whsec_c2hvcnQ='], signed(secret), '{}', { now: NOW }),
      (e: unknown) => e instanceof ValidationError && e.field === 'secret[1]',
    );
  });
});

describe('secrets', () => {
  it('generates whsec_ secrets of 32 random bytes, each different', () => {
    const a = generateWebhookSecret();
    assert.match(a, /^whsec_[A-Za-z0-9+/]{43}=$/);
    assert.equal(Buffer.from(a.slice(6), 'base64').length, 32);
    assert.notEqual(a, generateWebhookSecret());
    assert.equal(checkWebhookSecret('target.secret', a), a);
  });

  it('refuses secrets that are not whsec_ + canonical base64 of 24-64 bytes, naming the field', () => {
    const cases = [
      undefined,
      42,
      'MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', // no prefix
      'whsec_', // empty
      `whsec_${Buffer.alloc(23).toString('base64')}`, // too short
      `whsec_${Buffer.alloc(65).toString('base64')}`, // too long
      'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw!', // not base64
      'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw=', // padding where none belongs
      `whsec_${'A'.repeat(33)}B==`, // 25 bytes with stray bits after the last: not canonical
    ];
    for (const value of cases) {
      assert.throws(
        () => checkWebhookSecret('target.secret', value),
        (e: unknown) => e instanceof ValidationError && e.field === 'target.secret' && /whsec_/.test(e.message),
        String(value),
      );
    }
    assert.equal(checkWebhookSecret('s', `whsec_${Buffer.alloc(64, 1).toString('base64')}`).length, 6 + 88);
    // Unpadded base64 of the same key is the same secret.
    assert.equal(checkWebhookSecret('s', `whsec_${'A'.repeat(34)}`), `whsec_${'A'.repeat(34)}`);
  });

  it('fingerprints a secret as sha256: + 12 hex of its key, never containing the secret', () => {
    const key = Buffer.from(VECTOR.secret.slice(6), 'base64');
    const fingerprint = secretFingerprint(VECTOR.secret);
    assert.equal(fingerprint, `sha256:${createHash('sha256').update(key).digest('hex').slice(0, 12)}`);
    assert.match(fingerprint, /^sha256:[0-9a-f]{12}$/);
    assert.ok(!fingerprint.includes(VECTOR.secret.slice(6, 18)));
    assert.notEqual(secretFingerprint(generateWebhookSecret()), fingerprint);
  });
});
