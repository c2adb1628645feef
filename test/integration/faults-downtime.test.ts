/**
 * Downtime drill, short form (the long one is test/faults/downtime.test.ts): one instance down for
 * 4 s; `all` is uncapped here.
 */
import { test } from 'node:test';
import { downtimeDrill } from '../faults/scenarios.ts';

test('every instance down for 4 s: skip, latest and all give exactly the documented runs', async () => {
  const summary = await downtimeDrill({ instances: 1, downtimeSeconds: 4, graceSeconds: 1, maxCatchUpRuns: 100 });
  console.log('downtime drill:', JSON.stringify(summary));
});
