/**
 * Crash drill, short forms (the long ones are test/faults/crash.test.ts): SIGKILLs at different
 * instants of the second, 20 every-second jobs. One server killed and started again 2.5 s later (no
 * other instance to take over), and three servers, one of them killed every 5 s.
 */
import { test } from 'node:test';
import { crashDrill, spreadOffsets } from '../faults/scenarios.ts';

test('SIGKILL the only server at 4 instants of the second, restart it 2.5 s later: every run handled within 5 s', async () => {
  const summary = await crashDrill({
    processes: 1,
    jobs: 20,
    kills: 4,
    killEverySeconds: 6,
    offsets: [0.75, 0.45, 0.1, 0.95],
    restartDelaySeconds: 2.5,
  });
  console.log('crash drill, one server:', summary);
});

test('SIGKILL one of 3 servers every 5 s at 5 instants of the second: every run handled within 5 s', async () => {
  // A kill every 5 s: each kill's runs must be handled within 5 s; closer kills aimed at whoever
  // holds runs would take one run over twice, which is two faults, not one.
  const summary = await crashDrill({
    processes: 3,
    jobs: 20,
    kills: 5,
    killEverySeconds: 5,
    offsets: spreadOffsets(5),
    restartDelaySeconds: 0,
  });
  console.log('crash drill, three servers:', summary);
});
