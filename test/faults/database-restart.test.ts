/**
 * Database-restart drill, long form: 3 server processes on a PostgreSQL the test owns, which is
 * stopped for 5 s three times while every-second jobs fire (grace period 1 s). The processes stay
 * up, log each outage once, reconnect, and fire the outage's ticks per each job's catch-up policy.
 */
import { test } from 'node:test';
import { databaseRestartDrill } from './scenarios.ts';

test('the database stops for 5 s, three times: processes stay up and catch up per policy', {
  timeout: 600_000,
}, async () => {
  const summary = await databaseRestartDrill({ processes: 3, outageSeconds: 5, graceSeconds: 1, outages: 3 });
  console.log('database restart drill:', JSON.stringify(summary));
});
