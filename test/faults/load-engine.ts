/**
 * The firing side of test/faults/load.ts in the split layout: a process of its own that fires and
 * runs the handlers (as a server with SCHEDULER_WORKER=true beside API processes with
 * SCHEDULER_FIRE=false would). Reads its settings as JSON from LOAD_ENGINE, creates the jobs, prints
 * one JSON line with their ids; when a line with the measured ticks arrives on stdin, waits for
 * them, stops and prints one JSON line: EngineResult.
 */
import { once } from 'node:events';
import { createScheduler } from '../../lib/index.ts';
import { startFiring } from './load-firing.ts';

export interface EngineSettings {
  url: string;
  jobs: number;
  prefix: string;
}

const settings = JSON.parse(process.env['LOAD_ENGINE'] ?? '') as EngineSettings;
const scheduler = createScheduler({ connectionString: settings.url });
const firing = await startFiring(scheduler, settings.jobs, settings.prefix);
process.stdout.write(`${JSON.stringify({ ids: firing.ids })}\n`);
process.stdin.setEncoding('utf8');
const [message] = (await once(process.stdin, 'data')) as [string];
const result = await firing.finish((JSON.parse(message) as { ticks: number[] }).ticks);
await scheduler.stop({ timeoutSeconds: 5 });
// Exit once the line is written: a pipe is written asynchronously.
process.stdout.write(`${JSON.stringify(result)}\n`, () => process.exit(0));
