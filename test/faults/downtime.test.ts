/**
 * Downtime drill, long form: 3 instances, all stopped for 20 s, then started. `skip`, `latest` and
 * `all` (capped at 10 catch-up runs) each give exactly the documented runs.
 */
import { test } from 'node:test';
import { downtimeDrill } from './scenarios.ts';

test('every instance down for 20 s: skip, latest and all give exactly the documented runs', {
  timeout: 300_000,
}, async () => {
  const summary = await downtimeDrill({ instances: 3, downtimeSeconds: 20, graceSeconds: 1, maxCatchUpRuns: 10 });
  console.log('downtime drill:', JSON.stringify(summary));
});
