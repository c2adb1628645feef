/**
 * Catch-up drill, short form (the long one is test/faults/catch-up.test.ts): 300 every-second
 * schedules a day behind, as in the report that a restart froze the process for 2.1 s.
 */
import { test } from 'node:test';
import { catchUpDrill } from '../faults/scenarios.ts';

test('300 every-second schedules a day behind: the server keeps answering, fresh ticks on time, exact accounts', async () => {
  const summary = await catchUpDrill({
    schedules: 300,
    downtimeHours: 24,
    watchSeconds: 10,
    catchUpTimeoutSeconds: 90,
    healthcheckP99Ms: 500,
    freshP99Ms: 1000,
  });
  console.log('catch-up drill:', JSON.stringify(summary));
});
