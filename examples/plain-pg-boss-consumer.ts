/**
 * Another Node app consuming the scheduler's runs with plain pg-boss: no dependency on this library.
 * Each job's data is a RunJobData: { runId, scheduleId, scheduleName, scheduledFor, firedAt, trigger,
 * fields, attemptsBefore }. The job id equals the run id, stable across retries and takeovers; the
 * attempt a fetch stands for is attemptsBefore + retryCount + 1. Jobs become fetchable at their tick.
 * The scheduler's run history shows what happens to them (it reads their state through pg-boss).
 *
 *   DATABASE_URL=postgres://... node --import tsx examples/plain-pg-boss-consumer.ts
 *
 * Run it beside a scheduler (e.g. `npm start`) that fires schedules into the default queue.
 * Note: the bundled server also works this queue; point schedules at a queue of their own
 * (`queue: 'billing'` on create) to give one consumer all of them.
 */
import { PgBoss } from 'pg-boss';

const queue = process.env.QUEUE ?? 'scheduled-runs';
const boss = new PgBoss({ connectionString: process.env.DATABASE_URL!, useListenNotify: true, schedule: false });
boss.on('error', (error) => console.error(error));
await boss.start();
await boss.createQueue(queue).catch(() => {}); // the scheduler creates it too; either may be first

await boss.work<{ runId: string; scheduleName: string; scheduledFor: string; fields: object; attemptsBefore: number }>(
  queue,
  { includeMetadata: true },
  async ([job]) => {
    const attempt = (job!.data.attemptsBefore ?? 0) + job!.retryCount + 1;
    console.log(`${job!.data.scheduleName} @ ${job!.data.scheduledFor} (attempt ${attempt})`, job!.data.fields);
  },
);

process.on('SIGINT', () => void boss.stop({ graceful: true }).then(() => process.exit(0)));
