/**
 * The bundled worker, as the original service had it: every run appends one line to
 * `<LOG_DIR>/<name>.log`. The run's status (succeeded / failed) is recorded by the library.
 */
import { appendFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { NAME_PATTERN, type RunContext, type Scheduler } from '../lib/index.ts';
import type { Logger } from './logger.ts';

export interface LogWorkerOptions {
  scheduler: Scheduler;
  /** The folder of the `<name>.log` files; created when missing. */
  logDir: string;
  logger: Logger;
  /** Runs handled at once by this process. Default: the engine's `workConcurrency`. */
  concurrency?: number;
}

/**
 * The file a job's runs go to. Names match NAME_PATTERN (the library guarantees it), which has no
 * separators; the check is repeated here, and the resolved path must still be a direct child of
 * the folder, so a name can never address another path.
 */
export function logFileFor(logDir: string, name: string): string {
  const root = path.resolve(logDir);
  const file = path.resolve(root, `${name}.log`);
  if (!NAME_PATTERN.test(name) || path.dirname(file) !== root) {
    throw new Error(`refusing to write a log file for job name ${JSON.stringify(name)}`);
  }
  return file;
}

/** One line: the time it ran, the run id, the scheduled instant, and the job's fields as JSON. */
export function formatLine(run: RunContext, now: Date): string {
  return `${now.toISOString()} ${run.runId} ${run.scheduledFor.toISOString()} ${JSON.stringify(run.fields)}\n`;
}

/**
 * Registers the log-file handler with `scheduler.work()`. A run whose write fails throws, so the
 * library records it as failed and retries it. Lines are appended with O_APPEND, one write per
 * line, so concurrent runs of one job do not interleave within a line.
 */
export async function startLogWorker({ scheduler, logDir, logger, concurrency }: LogWorkerOptions): Promise<string> {
  await mkdir(path.resolve(logDir), { recursive: true });
  return scheduler.work(
    async (run) => {
      const file = logFileFor(logDir, run.scheduleName);
      await appendFile(file, formatLine(run, new Date()), { encoding: 'utf8', flag: 'a' });
      logger.debug({ run_id: run.runId, job: run.scheduleName, attempt: run.attempt }, 'run logged');
    },
    concurrency === undefined ? {} : { concurrency },
  );
}
