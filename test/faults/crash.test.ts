/**
 * Crash drill, long forms (`npm run test:faults`): SIGKILLs at 10 and 20 different instants of the
 * second, before, during and after the claims that fire the ticks. Every job has exactly one run per
 * second of the window, every run succeeds with its successful attempt started within 5 s of its
 * tick, and no attempt runs twice.
 */
import { test } from 'node:test';
import { crashDrill, spreadOffsets } from './scenarios.ts';

test('SIGKILL the only server 10 times, restart it 2.5 s later each time', { timeout: 600_000 }, async () => {
  const summary = await crashDrill({
    processes: 1,
    jobs: 200,
    kills: 10,
    killEverySeconds: 7,
    offsets: spreadOffsets(10, 0.07),
    restartDelaySeconds: 2.5,
  });
  console.log('crash drill, one server:', summary);
});

test('SIGKILL one of 3 servers every 5 s, 20 times', { timeout: 600_000 }, async () => {
  const summary = await crashDrill({
    processes: 3,
    jobs: 200,
    kills: 20,
    killEverySeconds: 5,
    offsets: spreadOffsets(20, 0.02),
    restartDelaySeconds: 1,
  });
  console.log('crash drill, three servers:', summary);
});
