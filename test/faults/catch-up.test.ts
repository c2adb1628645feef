/**
 * Catch-up drill, long form (`npm run test:faults`): 1,000 every-second schedules a day behind
 * (86 million missed ticks, 100,000 catch-up runs), in the server with its bundled worker.
 */
import { test } from 'node:test';
import { catchUpDrill } from './scenarios.ts';

test('1,000 every-second schedules a day behind: answers, fresh ticks on time, exact accounts', {
  timeout: 900_000,
}, async () => {
  const summary = await catchUpDrill({
    schedules: 1000,
    downtimeHours: 24,
    watchSeconds: 60,
    catchUpTimeoutSeconds: 600,
    healthcheckP99Ms: 100,
    freshP99Ms: 100,
  });
  console.log('catch-up drill:', JSON.stringify(summary));
});
