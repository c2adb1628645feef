/**
 * Crash drill, long form (`npm run test:faults`): 3 server processes on one database, 200
 * every-second jobs, 60 s; every 5 s one process is SIGKILLed and restarted. Every job has exactly
 * one run per second of the window, and every run finishes (the ones in flight on a killed process
 * are retried after their expiry).
 */
import { test } from 'node:test';
import { crashDrill } from './scenarios.ts';

test('SIGKILL one of 3 servers every 5 s for 60 s: one run per job per second, every run finishes', {
  timeout: 600_000,
}, async () => {
  const summary = await crashDrill({ processes: 3, jobs: 200, seconds: 60, killEverySeconds: 5, runTimeoutSeconds: 5 });
  console.log('crash drill:', summary);
});
