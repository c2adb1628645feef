import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ValidationError } from '../../lib/errors.ts';
import { createConcurrencyLimiter, parseRetryAfter, webhookLimiterKey } from '../../lib/targets/index.ts';

/** A promise with its resolver outside, to hold a task open until the test says so. */
function gate() {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

describe('createConcurrencyLimiter', () => {
  it('runs at most `limit` tasks of one key at once, the rest in arrival order', async () => {
    const limiter = createConcurrencyLimiter(2);
    const gates = [gate(), gate(), gate(), gate()];
    const started: number[] = [];
    const runs = gates.map((g, i) =>
      limiter.run('https://slow.example', async () => {
        started.push(i);
        await g.promise;
        return i;
      }),
    );
    await Promise.resolve();
    assert.deepEqual(started, [0, 1]);
    assert.equal(limiter.active('https://slow.example'), 2);
    assert.equal(limiter.pending('https://slow.example'), 2);
    gates[1]!.open();
    assert.equal(await runs[1], 1);
    assert.deepEqual(started, [0, 1, 2]);
    gates[0]!.open();
    gates[2]!.open();
    gates[3]!.open();
    assert.deepEqual(await Promise.all(runs), [0, 1, 2, 3]);
    assert.deepEqual(started, [0, 1, 2, 3]);
  });

  it('lets a slow key hold only its own slots: other keys run at once', async () => {
    const limiter = createConcurrencyLimiter(1);
    const slow = gate();
    const held = limiter.run('https://slow.example', () => slow.promise);
    const waiting = limiter.run('https://slow.example', () => 'second');
    assert.equal(await limiter.run('https://fast.example', () => 'fast'), 'fast');
    assert.equal(limiter.pending('https://slow.example'), 1);
    slow.open();
    await held;
    assert.equal(await waiting, 'second');
  });

  it('frees the slot when a task throws, and forgets idle keys', async () => {
    const limiter = createConcurrencyLimiter(1);
    await assert.rejects(
      limiter.run('k', () => {
        throw new Error('boom');
      }),
      /boom/,
    );
    assert.equal(await limiter.run('k', async () => 'after'), 'after');
    assert.deepEqual(limiter.keys(), []);
    assert.equal(limiter.active('k'), 0);
  });

  it('does not let a newcomer overtake a waiting task when a slot frees', async () => {
    const limiter = createConcurrencyLimiter(1);
    const order: string[] = [];
    const first = gate();
    const a = limiter.run('k', async () => {
      await first.promise;
      order.push('a');
    });
    const b = limiter.run('k', async () => {
      order.push('b');
    });
    first.open();
    await a;
    const c = limiter.run('k', async () => {
      order.push('c');
    });
    await Promise.all([b, c]);
    assert.deepEqual(order, ['a', 'b', 'c']);
  });

  it('refuses a limit that is not a positive integer', () => {
    for (const limit of [0, -1, 1.5, Number.NaN, 10_001]) {
      assert.throws(
        () => createConcurrencyLimiter(limit),
        (e: unknown) => e instanceof ValidationError && e.field === 'limit',
      );
    }
  });

  it('keys webhook URLs by origin', () => {
    assert.equal(webhookLimiterKey('https://Hooks.Example.com:443/a?b'), 'https://hooks.example.com');
    assert.equal(webhookLimiterKey('http://hooks.example.com:8080/x'), 'http://hooks.example.com:8080');
    assert.equal(webhookLimiterKey('not a url'), 'not a url');
  });
});

describe('parseRetryAfter', () => {
  const now = Date.UTC(2026, 0, 1, 12, 0, 0);

  it('reads whole seconds', () => {
    assert.equal(parseRetryAfter('120', now), 120_000);
    assert.equal(parseRetryAfter(' 0 ', now), 0);
  });

  it('reads an HTTP date as the time until it, 0 when past', () => {
    assert.equal(parseRetryAfter('Thu, 01 Jan 2026 12:00:30 GMT', now), 30_000);
    assert.equal(parseRetryAfter('Thu, 01 Jan 2026 11:00:00 GMT', now), 0);
  });

  it('caps the wait at an hour (or the cap given)', () => {
    assert.equal(parseRetryAfter('86400', now), 3_600_000);
    assert.equal(parseRetryAfter('Fri, 02 Jan 2026 12:00:00 GMT', now), 3_600_000);
    assert.equal(parseRetryAfter('600', now, 60_000), 60_000);
  });

  it('ignores what it cannot read', () => {
    for (const value of [undefined, null, '', '-5', '1.5', 'soon', '12abc'])
      assert.equal(parseRetryAfter(value, now), null, String(value));
  });
});
