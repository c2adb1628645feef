// A strict TypeScript app (module nodenext, skipLibCheck false) against the shipped declarations:
// compiled, not run, by scripts/package-test.sh. The @ts-expect-error lines prove the types refuse
// what they should, so they are accurate rather than `any`.
import { Hono } from 'hono';
import {
  ConflictError,
  createScheduler,
  NotFoundError,
  type RunContext,
  type RunHandler,
  type Schedule,
  type SchedulerOptions,
  ValidationError,
} from 'pg-cron-scheduler';
import { ApiError, createClient, type Job, type Problem } from 'pg-cron-scheduler/client';
import { startEmbeddedPostgres } from 'pg-cron-scheduler/embedded';
import { createApp } from 'pg-cron-scheduler/server';

const options: SchedulerOptions = { connectionString: 'postgres://localhost/app', pollIntervalSeconds: 10 };
// @ts-expect-error: the connection string is a string
const wrong: SchedulerOptions = { connectionString: 42 };
void wrong;
const scheduler = createScheduler(options);

const handler: RunHandler = async (run: RunContext) => {
  const id: string = run.runId;
  const at: Date = run.scheduledFor;
  const attempt: number = run.attempt;
  const signal: AbortSignal = run.signal;
  // @ts-expect-error: fields are unknown values, not strings
  const field: string = run.fields['to'];
  void [id, at, attempt, signal, field];
};
await scheduler.work(handler, { concurrency: 5 });
scheduler.on('fired', (run) => {
  const name: string = run.scheduleName;
  void name;
});
scheduler.on('error', (error: Error) => void error);

try {
  const schedule: Schedule = await scheduler.create({ name: 'n', cron: '@daily', catchUp: 'all', overlap: 'skip' });
  const next: Date | null = schedule.nextRunAt;
  void next;
  // @ts-expect-error: not a catch-up policy
  await scheduler.create({ name: 'n', cron: '@daily', catchUp: 'sometimes' });
} catch (error) {
  if (error instanceof ValidationError) {
    const issue = error.issues[0];
    const where: string | undefined = issue?.field;
    void where;
  }
  if (error instanceof ConflictError || error instanceof NotFoundError) {
    const code: string = error.code;
    void code;
  }
}

const app = new Hono();
app.route('/scheduler', createApp({ scheduler, config: { maxBodyBytes: 65536 } }));

const client = createClient({ baseUrl: 'http://127.0.0.1:8000/scheduler', token: process.env['TOKEN'] });
try {
  const job: Job = await client.jobs.create({ name: 'n', cron: '@daily', job_fields: { to: 'x' } });
  const next: string | null = job.next_run_at;
  void next;
  // @ts-expect-error: the API's names are snake_case
  await client.jobs.create({ name: 'n', cron: '@daily', jobFields: {} });
} catch (error) {
  if (error instanceof ApiError) {
    const problem: Problem = error.problem;
    const paths: string[] | undefined = problem.errors?.map((e) => e.path);
    void paths;
  }
}

const embedded = await startEmbeddedPostgres({ dataDir: '/tmp/x', ephemeral: true });
const url: string = embedded.connectionString;
void url;
