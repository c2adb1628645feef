/**
 * Database-restart drill, short form (the long one is test/faults/database-restart.test.ts): one
 * server process, the database down for 4 s once, grace period 1 s.
 */
import { test } from 'node:test';
import { databaseRestartDrill } from '../faults/scenarios.ts';

test('the database stops for 4 s: the server stays up and catches up per policy', async () => {
  const summary = await databaseRestartDrill({ processes: 1, outageSeconds: 4, graceSeconds: 1, outages: 1 });
  console.log('database restart drill:', JSON.stringify(summary));
});
