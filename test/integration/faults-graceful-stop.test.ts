/**
 * Graceful-stop drill, short form (the long one is test/faults/graceful-stop.test.ts): bound 2 s.
 */
import { test } from 'node:test';
import { gracefulStopDrill } from '../faults/scenarios.ts';

test('SIGTERM with runs in flight: they finish within the bound or are released and retried', async () => {
  const summary = await gracefulStopDrill({ boundSeconds: 2, shortRunMs: 1_000, longRunMs: 30_000, inFlight: 2 });
  console.log('graceful stop drill:', summary);
});
