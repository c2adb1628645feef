/**
 * The library in your own app: create a schedule, handle its runs, stop cleanly.
 *
 *   DATABASE_URL=postgres://... node --import tsx examples/basic.ts
 *
 * Without DATABASE_URL it starts an embedded PostgreSQL in a temporary folder.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedPostgres } from '../lib/embedded-postgres.ts';
import { createScheduler } from '../lib/index.ts';

const embedded = process.env.DATABASE_URL
  ? null
  : await startEmbeddedPostgres({ dataDir: await mkdtemp(join(tmpdir(), 'scheduler-example-')), ephemeral: true });
const scheduler = createScheduler({ connectionString: process.env.DATABASE_URL ?? embedded!.connectionString });
scheduler.on('error', (error) => console.error('scheduler:', error.message));
await scheduler.start();

await scheduler.work(async (run) => {
  // run.runId is stable across retries: use it as an idempotency key downstream.
  console.log(`${run.scheduleName} tick ${run.scheduledFor.toISOString()} (attempt ${run.attempt})`, run.fields);
});

const schedule = await scheduler.create({
  name: `report-${Date.now()}`,
  cron: '*/2 * * * * *',
  fields: { recipient: 'ops@example.com' },
});
console.log(`created ${schedule.name}: ${schedule.description}; next at ${schedule.nextRunAt?.toISOString()}`);

// Let it fire a few times, then clean up.
await new Promise((resolve) => setTimeout(resolve, 7000));
await scheduler.delete(schedule.id);
await scheduler.stop();
await embedded?.stop();
