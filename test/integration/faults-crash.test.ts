/**
 * Crash drill, short form (the long one is test/faults/crash.test.ts): 3 server processes, 20
 * every-second jobs, 8 s, one process SIGKILLed and restarted every 2 s.
 */
import { test } from 'node:test';
import { crashDrill } from '../faults/scenarios.ts';

test('SIGKILL a server every 2 s: one run per job per second, every run finishes', async () => {
  const summary = await crashDrill({ processes: 3, jobs: 20, seconds: 8, killEverySeconds: 2, runTimeoutSeconds: 2 });
  console.log('crash drill:', summary);
});
