/**
 * When the run recorder writes, on a mocked clock: events gather for a moment, a write waits while a
 * worker is still starting a tick's handlers (at most a quarter of a second), and an attempt's end
 * joins its unwritten start in one row. The store is a stand-in that records what it is given; the
 * writes themselves are tested against PostgreSQL with the engine (test/integration).
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import type { Boss } from '../../lib/boss.ts';
import { RunRecorder } from '../../lib/engine/recorder.ts';
import type { RunEvent, Store } from '../../lib/store/store.ts';

/** A store whose transaction hands recordRunEvents' input to `writes`. */
function recordingStore(writes: RunEvent[][]): Store {
  const tx = {
    executor: null,
    recordRunEvents: async (events: RunEvent[]) => {
      writes.push(events.map((event) => ({ ...event })));
      return { applied: new Set(events.map((event) => event.id)), paused: [] };
    },
  };
  return { transaction: async (work: (q: typeof tx) => Promise<unknown>) => work(tx) } as unknown as Store;
}

/** Lets the recorder's promise chain (transaction, then, finally) run. */
async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}

/**
 * Moves the mocked clock on by `ms`, a millisecond at a time: a timer set by a timer's callback runs
 * in the same advance, as it would on a real clock.
 */
async function advance(ms: number): Promise<void> {
  for (let i = 0; i < ms; i++) {
    mock.timers.tick(1);
    await settle();
  }
}

describe('RunRecorder', () => {
  let writes: RunEvent[][];
  let starting: boolean;
  let recorder: RunRecorder;
  const startedAt = new Date('2026-01-01T10:00:00.000Z');

  beforeEach(() => {
    mock.timers.enable({ apis: ['setTimeout', 'Date'], now: startedAt.getTime() });
    writes = [];
    starting = false;
    recorder = new RunRecorder(
      recordingStore(writes),
      {} as Boss,
      (error) => assert.fail(error),
      async () => {},
      () => {},
      'wake',
      () => starting,
    );
  });

  afterEach(() => {
    recorder.close();
    mock.timers.reset();
  });

  it('writes what gathered 20 ms after the first event, an end merged into its start', async () => {
    recorder.started('run-1', 'owner', 1, startedAt, false);
    recorder.ended({
      id: 'run-1',
      owner: 'owner',
      attempt: 1,
      status: 'succeeded',
      finishedAt: new Date(startedAt.getTime() + 3),
      error: null,
      outcome: null,
      attemptStartedAt: startedAt,
      job: false,
    });
    await advance(19);
    assert.equal(writes.length, 0);
    await advance(1);
    assert.equal(writes.length, 1);
    assert.equal(writes[0]!.length, 1);
    const [row] = writes[0]!;
    assert.equal(row!.isStart, true);
    assert.equal(row!.status, 'succeeded');
    assert.deepEqual(row!.startedAt, startedAt);
    assert.equal(row!.finishedAt?.getTime(), startedAt.getTime() + 3);
    assert.equal(row!.response, null);
  });

  it('ended() writes the end into its unwritten start, or as an end of its own once the start is written', async () => {
    const finishedAt = new Date(startedAt.getTime() + 3);
    const succeeded = (id: string) => ({
      id,
      owner: 'owner',
      attempt: 1,
      status: 'succeeded' as const,
      finishedAt,
      error: null,
      outcome: null,
      attemptStartedAt: startedAt,
      job: false,
      response: null,
    });
    recorder.started('run-1', 'owner', 1, startedAt, false);
    recorder.ended(succeeded('run-1'));
    recorder.started('run-2', 'owner', 1, startedAt, false);
    await advance(20);
    assert.equal(writes.length, 1);
    const [merged, started] = writes[0]!;
    assert.equal(merged!.isStart, true);
    assert.equal(merged!.status, 'succeeded');
    assert.deepEqual(merged!.startedAt, startedAt);
    assert.deepEqual(merged!.finishedAt, finishedAt);
    assert.equal(started!.status, 'running');
    // run-2's start is written: its end is an event of its own.
    recorder.ended(succeeded('run-2'));
    await advance(20);
    assert.equal(writes.length, 2);
    const [ended] = writes[1]!;
    assert.equal(ended!.id, 'run-2');
    assert.equal(ended!.isStart, false);
    assert.equal(ended!.status, 'succeeded');
    assert.equal(ended!.startedAt, null);
    assert.deepEqual(ended!.attemptStartedAt, startedAt);
    assert.deepEqual(ended!.finishedAt, finishedAt);
    assert.equal(ended!.error, null);
    assert.equal(ended!.job, false);
  });

  it('waits while handlers are starting, and writes once they are started', async () => {
    starting = true;
    recorder.started('run-1', 'owner', 1, startedAt, false);
    await advance(100);
    assert.equal(writes.length, 0, 'no write while a tick is being started');
    starting = false;
    await advance(5);
    assert.equal(writes.length, 1);
  });

  it('waits at most 250 ms for handlers to be started', async () => {
    starting = true;
    recorder.started('run-1', 'owner', 1, startedAt, false);
    await advance(20 + 240);
    assert.equal(writes.length, 0);
    await advance(15);
    assert.equal(writes.length, 1, 'written after 250 ms of waiting, handlers still starting');
  });
});
