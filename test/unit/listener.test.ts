/**
 * The listener's self-test tells a pooler that drops notifications from an outage: its bound is
 * counted from the NOTIFY's commit, and a LISTEN connection that no longer answers a ping is an
 * outage. A fake store stands in for PostgreSQL; the clock is node:test's mock timers.
 */
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { afterEach, beforeEach, it, mock } from 'node:test';
import type pg from 'pg';
import { Listener } from '../../lib/engine/listener.ts';
import { PoolerError } from '../../lib/errors.ts';
import type { Store } from '../../lib/store/store.ts';

const PROBE_TIMEOUT_MS = 5000;

/** A store whose NOTIFY and ping the test settles, over a fake LISTEN client. */
function fakeStore() {
  const client = Object.assign(new EventEmitter(), {
    connect: async () => {},
    end: async () => {},
  });
  const notified: { payload: string; sent: () => void }[] = [];
  const pings: { answer: (ok: boolean) => void }[] = [];
  const store = {
    newClient: () => client as unknown as pg.Client,
    listen: async () => {},
    pingOn: () =>
      new Promise<void>((resolve, reject) => {
        pings.push({ answer: (ok) => (ok ? resolve() : reject(new Error('ping timed out'))) });
      }),
    queries: {
      notify: (_channel: string, payload: string) =>
        new Promise<void>((resolve) => {
          notified.push({ payload, sent: resolve });
        }),
    },
  } as unknown as Store;
  /** The token reaches the LISTEN connection. */
  const hear = (payload: string) => client.emit('notification', { channel: 'probe', payload });
  return { store, notified, pings, hear };
}

/** One turn of the event loop: pending promise callbacks run (the mock clock does not move). */
const turn = () => new Promise((resolve) => setImmediate(resolve));

const MAX_TURNS = 100;

/** Turns the event loop until `check` holds; fails after MAX_TURNS (the fake store never waits on I/O). */
async function until(what: string, check: () => boolean): Promise<void> {
  for (let i = 0; i < MAX_TURNS; i++) {
    if (check()) return;
    await turn();
  }
  assert.fail(`not within ${MAX_TURNS} turns of the event loop: ${what}`);
}

/**
 * Lets every promise callback that is due run, before asserting that something has NOT happened,
 * or before moving the mock clock (the listener arms its timer once the NOTIFY has resolved).
 */
async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await turn();
}

/** How ready() ended so far: 'pending', 'ready', or the error it rejected with. */
function outcome(listener: Listener): () => 'pending' | 'ready' | Error {
  let state: 'pending' | 'ready' | Error = 'pending';
  listener.ready().then(
    () => {
      state = 'ready';
    },
    (error: Error) => {
      state = error;
    },
  );
  return () => state;
}

let unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
let listener: Listener | null = null;

/** A listener on a fake store, started; what it reported, and how its ready() ended so far. */
function startListener() {
  const fake = fakeStore();
  const errors: Error[] = [];
  const started = new Listener(fake.store, { probeChannel: 'probe', onError: (e) => errors.push(e) });
  // Closed after the test (afterEach).
  listener = started;
  const ready = outcome(started);
  started.start();
  return { fake, errors, ready, started };
}

beforeEach(() => {
  mock.timers.enable({ apis: ['setTimeout', 'setInterval'] });
  unhandled = [];
  process.on('unhandledRejection', onUnhandled);
});

afterEach(async () => {
  await listener?.close();
  listener = null;
  mock.timers.reset();
  process.off('unhandledRejection', onUnhandled);
});

it('counts its bound from the NOTIFY commit: a pool slow to send it is not a pooler', async () => {
  const { fake, errors, ready, started } = startListener();
  await until('the token sent', () => fake.notified.length === 1);
  assert.equal(fake.notified.length, 1, 'the token was sent');
  // The pool takes twice the bound to send it (a network cut), then it arrives at once.
  mock.timers.tick(2 * PROBE_TIMEOUT_MS);
  await settle();
  assert.equal(ready(), 'pending');
  fake.notified[0]!.sent();
  await settle();
  fake.hear(fake.notified[0]!.payload);
  await until('ready', () => ready() === 'ready');
  assert.equal(ready(), 'ready');
  assert.equal(started.connected, true);
  assert.deepEqual(errors, []);
  assert.deepEqual(unhandled, [], 'no promise rejected unhandled');
});

it('takes a token not heard while the LISTEN connection no longer answers for an outage, and retries', async () => {
  const { fake, errors, ready, started } = startListener();
  await until('the token sent', () => fake.notified.length === 1);
  fake.notified[0]!.sent();
  await settle();
  mock.timers.tick(PROBE_TIMEOUT_MS);
  await until('a ping', () => fake.pings.length === 1);
  assert.equal(fake.pings.length, 1, 'the LISTEN connection was pinged');
  fake.pings[0]!.answer(false);
  await until('ready', () => ready() !== 'pending');
  // Not refused: start() goes on, and the connect is tried again.
  assert.equal(ready(), 'ready');
  assert.equal(started.connected, false);
  mock.timers.tick(1000);
  await until('a second token sent', () => fake.notified.length === 2);
  assert.equal(fake.notified.length, 2, 'a second connect sent a token of its own');
  assert.deepEqual(errors, []);
  assert.deepEqual(unhandled, []);
});

it('refuses with a PoolerError when the token is not heard on a connection that answers', async () => {
  const { fake, ready } = startListener();
  await until('the token sent', () => fake.notified.length === 1);
  fake.notified[0]!.sent();
  await settle();
  mock.timers.tick(PROBE_TIMEOUT_MS - 1);
  await settle();
  assert.equal(fake.pings.length, 0, 'still waiting for the token');
  mock.timers.tick(1);
  await until('a ping', () => fake.pings.length === 1);
  fake.pings[0]!.answer(true);
  await until('refused', () => ready() !== 'pending');
  const error = ready();
  assert.ok(error instanceof PoolerError, `refused with a PoolerError, not ${String(error)}`);
  assert.equal(error.code, 'pooler');
  assert.match(error.message, /did not reach the LISTEN connection within 5 s/);
  assert.deepEqual(unhandled, []);
});
