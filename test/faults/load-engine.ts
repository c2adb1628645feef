/**
 * The firing side of test/faults/load.ts in the split layout: a process of its own that fires and
 * runs the handlers (as a server with SCHEDULER_WORKER=true beside API processes with
 * SCHEDULER_FIRE=false would). Reads its settings as JSON from LOAD_ENGINE, creates the jobs, prints
 * one JSON line with their ids, and when a line arrives on stdin stops and prints one JSON line:
 * EngineResult.
 */
import { once } from 'node:events';
import { createScheduler } from '../../lib/index.ts';
import { waitFor } from '../helpers/wait.ts';

export interface EngineSettings {
  url: string;
  jobs: number;
  prefix: string;
}

export interface EngineResult {
  /** `${scheduleId}@${scheduledFor epoch ms}` -> handler start minus scheduled instant, ms. */
  handled: [string, number][];
  duplicates: number;
  missedTicks: number;
  errors: string[];
}

const settings = JSON.parse(process.env['LOAD_ENGINE'] ?? '') as EngineSettings;
const scheduler = createScheduler({ connectionString: settings.url });
const errors: string[] = [];
let missedTicks = 0;
scheduler.on('error', (error) => errors.push(error.message));
scheduler.on('missed', (info) => {
  missedTicks += info.count;
});
await scheduler.start();
const handled = new Map<string, number>();
let duplicates = 0;
await scheduler.work(
  (run) => {
    const startMs = Date.now();
    if (run.trigger !== 'schedule' || run.attempt !== 1) return;
    const key = `${run.scheduleId}@${run.scheduledFor.getTime()}`;
    if (handled.has(key)) duplicates++;
    else handled.set(key, startMs - run.scheduledFor.getTime());
  },
  { concurrency: 1000 },
);
const ids: string[] = [];
for (let i = 0; i < settings.jobs; i += 50) {
  const batch = Array.from({ length: Math.min(50, settings.jobs - i) }, (_, k) =>
    scheduler.create({ name: `${settings.prefix}-tick-${i + k}`, cron: '* * * * * *' }),
  );
  ids.push(...(await Promise.all(batch)).map((job) => job.id));
}
process.stdout.write(`${JSON.stringify({ ids })}\n`);
process.stdin.setEncoding('utf8');
const [message] = (await once(process.stdin, 'data')) as [string];
const { ticks } = JSON.parse(message) as { ticks: number[] };
// Every tick of the measured windows is handled, however late: wait for the stragglers, within a bound.
const missing = () => ticks.reduce((sum, t) => sum + ids.filter((id) => !handled.has(`${id}@${t}`)).length, 0);
await waitFor('every tick of the measured windows to be handled', () => missing() === 0, {
  timeoutMs: 30_000,
  intervalMs: 200,
}).catch(() => {});
const reported = [...errors];
await scheduler.stop({ timeoutSeconds: 5 });
const result: EngineResult = { handled: [...handled], duplicates, missedTicks, errors: reported };
// Exit once the line is written: a pipe is written asynchronously.
process.stdout.write(`${JSON.stringify(result)}\n`, () => process.exit(0));
