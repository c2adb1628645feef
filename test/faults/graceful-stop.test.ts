/**
 * Graceful-stop drill, long form: SIGTERM with a dozen runs in flight; bound 10 s.
 */
import { test } from 'node:test';
import { gracefulStopDrill } from './scenarios.ts';

test('SIGTERM with runs in flight: they finish within the bound or are released and retried', {
  timeout: 300_000,
}, async () => {
  const summary = await gracefulStopDrill({ boundSeconds: 10, shortRunMs: 4_000, longRunMs: 60_000, inFlight: 12 });
  console.log('graceful stop drill:', summary);
});
