/**
 * The bundled worker, as the original service had it: every run appends one line to
 * `<LOG_DIR>/<name>.log`. The run's status (succeeded / failed) is recorded by the library.
 */
import { mkdir, open, stat } from 'node:fs/promises';
import path from 'node:path';
import { NAME_PATTERN, type RunContext, type Scheduler } from '../lib/index.ts';
import type { Logger } from './logger.ts';

export interface LogWorkerOptions {
  scheduler: Scheduler;
  /** The folder of the `<name>.log` files; created when missing. */
  logDir: string;
  logger: Logger;
  /**
   * Runs handled at once by this process. Default 1000: a line is a single small write, so a whole
   * tick of a thousand jobs starts at once instead of waiting for slots.
   */
  concurrency?: number;
}

/** The sink's default concurrency (see LogWorkerOptions). */
export const LOG_WORKER_CONCURRENCY = 1000;
/**
 * Files kept open at most (least recently written closed first). Node raises its soft limit on
 * descriptors to the hard one at start (commonly 4096 or far more); this leaves room for sockets.
 * Beyond that many busy jobs, lines cost an open and a close again.
 */
const MAX_OPEN_FILES = 2048;
/** How often an open file is checked against its path (rotated or deleted: reopened). */
const RECHECK_MS = 5000;

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

interface OpenFile {
  handle: Promise<import('node:fs/promises').FileHandle>;
  /** Writes under way: the file is closed only once they are done. */
  writing: number;
  checkedAt: number;
}

/**
 * Append-only files kept open between writes (a tick of a thousand jobs is a thousand single
 * writes, not a thousand open/write/close), at most MAX_OPEN_FILES at once. Each line is one
 * write to a descriptor opened with O_APPEND, so lines of concurrent runs never interleave. A file
 * that was rotated or deleted under it is reopened at the path within RECHECK_MS.
 */
class LogFiles {
  readonly #files = new Map<string, OpenFile>();

  async append(file: string, line: string): Promise<void> {
    // Counted as writing before any await: an eviction meanwhile waits for this write to finish.
    const entry = this.#entry(file);
    entry.writing++;
    try {
      await (await entry.handle).write(line);
    } catch (error) {
      // A broken descriptor is not kept: the next line opens the file again.
      this.#forget(file, entry);
      throw error;
    } finally {
      entry.writing--;
    }
    if (Date.now() - entry.checkedAt > RECHECK_MS) {
      entry.checkedAt = Date.now();
      // Rotated or deleted under us: the next line goes to a file opened at the path again.
      if (!(await this.#samePath(file, entry))) this.#forget(file, entry);
    }
  }

  #entry(file: string): OpenFile {
    const entry = this.#files.get(file);
    if (entry) {
      // Most recently used last: Map keeps insertion order.
      this.#files.delete(file);
      this.#files.set(file, entry);
      return entry;
    }
    // The first check at a random moment: files opened together (a tick) are not all checked together.
    const opened: OpenFile = {
      handle: open(file, 'a'),
      writing: 0,
      checkedAt: Date.now() - Math.random() * RECHECK_MS,
    };
    opened.handle.catch(() => this.#forget(file, opened));
    this.#files.set(file, opened);
    while (this.#files.size > MAX_OPEN_FILES) {
      const [oldest, old] = this.#files.entries().next().value as [string, OpenFile];
      this.#forget(oldest, old);
    }
    return opened;
  }

  /** Whether the path still names the open file (not rotated away or deleted). */
  async #samePath(file: string, entry: OpenFile): Promise<boolean> {
    try {
      const [atPath, open] = await Promise.all([stat(file), (await entry.handle).stat()]);
      return atPath.ino === open.ino && atPath.dev === open.dev;
    } catch {
      return false;
    }
  }

  #forget(file: string, entry: OpenFile): void {
    if (this.#files.get(file) === entry) this.#files.delete(file);
    const close = async () => {
      // Writes already under way on the descriptor finish first.
      while (entry.writing > 0) await new Promise((resolve) => setTimeout(resolve, 5));
      await (await entry.handle).close();
    };
    close().catch(() => {});
  }
}

/**
 * Registers the log-file handler with `scheduler.work()`. A run whose write fails throws, so the
 * library records it as failed and retries it.
 */
export async function startLogWorker({ scheduler, logDir, logger, concurrency }: LogWorkerOptions): Promise<string> {
  await mkdir(path.resolve(logDir), { recursive: true });
  const files = new LogFiles();
  return scheduler.work(
    async (run) => {
      await files.append(logFileFor(logDir, run.scheduleName), formatLine(run, new Date()));
      logger.debug({ run_id: run.runId, job: run.scheduleName, attempt: run.attempt }, 'run logged');
    },
    { concurrency: concurrency ?? LOG_WORKER_CONCURRENCY },
  );
}
