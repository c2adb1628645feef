/**
 * The bundled worker, as the original service had it: every run appends one line to
 * `<LOG_DIR>/<name>.log`. The run's status (succeeded / failed) is recorded by the library.
 */
import { closeSync, constants, fchown, fstat, open as openCallback, read, statSync, writeSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
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
const openFile = promisify(openCallback);
const fstatFile = promisify(fstat);
/** How often an open file is checked against its path (rotated or deleted: reopened). */
const RECHECK_MS = 5000;
/** How long after a write its file's check waits (see LogFiles.#checkSoon). */
const CHECK_DELAY_MS = 500;
/**
 * Append, create, and never wait: O_NONBLOCK makes opening a FIFO that nobody reads fail (ENXIO)
 * instead of blocking the process; on a regular file it changes nothing. Read too, for the read
 * ahead (LogFiles.prepare); a file this process may write but not read is opened write-only.
 */
const APPEND_FLAGS = constants.O_RDWR | constants.O_APPEND | constants.O_CREAT | constants.O_NONBLOCK;
const APPEND_ONLY_FLAGS = constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NONBLOCK;
/**
 * A file last written longer ago than this is read ahead before its next line (LogFiles.prepare):
 * its last page may have left the page cache. Written more recently, it has not.
 */
const READ_AHEAD_IDLE_MS = 10_000;
/** Where read-ahead bytes go; never looked at. */
const READ_AHEAD_BUFFER = Buffer.alloc(1);

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

/**
 * An instant as ISO 8601, remembering the last one: the runs of a tick share their scheduled
 * instant, and most of their start times fall in the same millisecond as another's.
 */
function isoMemo(): (ms: number) => string {
  let lastMs = Number.NaN;
  let last = '';
  return (ms) => {
    if (ms !== lastMs) {
      last = new Date(ms).toISOString();
      lastMs = ms;
    }
    return last;
  };
}
const nowIso = isoMemo();
const scheduledIso = isoMemo();

/** One line: the time it ran, the run id, the scheduled instant, and the job's fields as JSON. */
export function formatLine(run: RunContext, nowMs: number): string {
  return `${nowIso(nowMs)} ${run.runId} ${scheduledIso(run.scheduledFor.getTime())} ${JSON.stringify(run.fields)}\n`;
}

interface OpenFile {
  /** The descriptor once open; null while the open is under way. */
  fd: number | null;
  opening: Promise<number>;
  /** The file opened, to tell whether the path still names it. */
  dev: number;
  ino: number;
  checkedAt: number;
  /** Its size as far as this process knows (at open, plus the lines written since), for the read ahead. */
  size: number;
  /** When it was last written or read ahead (Date.now()). */
  touchedAt: number;
  /** Opened for reading too (see APPEND_FLAGS). */
  readable: boolean;
  /** Reads ahead (LogFiles.prepare) under way: the descriptor is closed after them (see #forget). */
  reads: number;
  /** Forgotten while reads were under way: the last one closes the descriptor. */
  closeAfterReads: boolean;
}

/**
 * Append-only files kept open between writes, at most MAX_OPEN_FILES at once. A file is opened
 * (created, the first time) through libuv's thread pool, so a tick of jobs whose files do not exist
 * yet does not stop the event loop: creating a file costs the filesystem about a millisecond (0.8-0.95
 * ms on the benchmark machine's ext4, sync or async alike), and a thousand of them would hold it for
 * a second. Lines are then written with plain synchronous calls: one write(2) of a hundred bytes to
 * the page cache, about 10 microseconds. Through the pool each line cost a thread hop and two
 * promises on one of 4 threads competing with the main thread for the cores (test/bench/server-tick.ts).
 * The worker starts handlers in slices of a few milliseconds, so the writes never hold the loop long.
 *
 * Each line is one write to a descriptor opened with O_APPEND, so lines of concurrent runs never
 * interleave. A file that was rotated or deleted under it is reopened at the path within RECHECK_MS
 * (and CHECK_DELAY_MS) of a write.
 */
class LogFiles {
  readonly #files = new Map<string, OpenFile>();
  /** Files written since their last check, checked together CHECK_DELAY_MS after the first. */
  readonly #toCheck = new Map<string, OpenFile>();
  #checkTimer: NodeJS.Timeout | null = null;

  /**
   * Appends a line: at once (synchronously) when the file is open, which is every line but a
   * file's first; returns a promise only while the file is being opened.
   */
  append(file: string, line: string): Promise<void> | undefined {
    const entry = this.#entry(file);
    // Once open, the line comes back here: a job's first line and every later one take the same
    // path, so code V8 optimized in the first tick (every file opening) holds in the next.
    if (entry.fd === null) return entry.opening.then(() => this.append(file, line));
    this.#write(file, entry, entry.fd, line);
    return undefined;
  }

  #write(file: string, entry: OpenFile, fd: number, line: string): void {
    try {
      // A regular file takes the whole line at once (the string is written without a Buffer of
      // our own); a short write (a full disk) is finished or fails.
      const length = Buffer.byteLength(line);
      let written = writeSync(fd, line);
      if (written < length) {
        const buffer = Buffer.from(line);
        while (written < buffer.length) written += writeSync(fd, buffer, written);
      }
      entry.size += written;
    } catch (error) {
      // A broken descriptor is not kept: the next line opens the file again.
      this.#forget(file, entry);
      throw error;
    }
    const now = Date.now();
    entry.touchedAt = now;
    if (now - entry.checkedAt > RECHECK_MS) {
      entry.checkedAt = now;
      this.#checkSoon(file, entry);
    }
  }

  /**
   * Gets `file` ready for a line due a second or more from now (the worker's prepare, as the run's
   * claim commits). A file not open yet is opened (created) now, so its first line does not wait for
   * the open. An open file not written for READ_AHEAD_IDLE_MS is read ahead, through libuv's thread
   * pool: appending to a file makes write(2) read from the disk, synchronously, what it changes and
   * has left the cache, and on the benchmark machine clean pages leave within a minute. It changes
   * two blocks: the file's last page, read ahead by reading its last byte, and the block of the
   * filesystem's inode table that holds the file's inode (its size and times change), read ahead by
   * a chown to the same owner and group (-1, -1), which changes nothing but the status-change time.
   * 1,000 lines to files idle for 75 s took 60 ms (one up to 8 ms); with the last byte read a second
   * before, 6-9 ms; with the chown too, 3-4 ms (max 0.2-0.3 ms), as for files written a moment ago.
   */
  prepare(file: string): void {
    const files = this.#files;
    const entry = files.get(file);
    if (entry === undefined) {
      // Never evicts an open file for a line that is not due yet.
      if (files.size < MAX_OPEN_FILES) files.set(file, this.#open(file));
      return;
    }
    const fd = entry.fd;
    if (fd === null) return;
    const now = Date.now();
    if (now - entry.touchedAt < READ_AHEAD_IDLE_MS) return;
    entry.touchedAt = now;
    entry.reads += 1;
    // A failed read ahead changes nothing: the line's write reads what it needs itself.
    const done = () => {
      entry.reads -= 1;
      if (entry.reads > 0 || !entry.closeAfterReads) return;
      try {
        closeSync(fd);
      } catch {
        // Nothing to do: an exception here would end the process.
      }
    };
    fchown(fd, -1, -1, () => {
      if (entry.readable && entry.size > 0) read(fd, READ_AHEAD_BUFFER, 0, 1, entry.size - 1, done);
      else done();
    });
  }

  /**
   * Checks the file against its path a moment after a write, with the other files written in the
   * same tick, rather than before the write: a stat per line was a tenth of a 1,000-job tick's work,
   * and a line written to a file rotated meanwhile lands in the rotated file, as it would have a
   * moment earlier. CHECK_DELAY_MS puts the checks between ticks even of every-second jobs.
   */
  #checkSoon(file: string, entry: OpenFile): void {
    this.#toCheck.set(file, entry);
    this.#checkTimer ??= setTimeout(() => {
      this.#checkTimer = null;
      const due = [...this.#toCheck];
      this.#toCheck.clear();
      for (const [path, checked] of due) {
        // Rotated or deleted under us: the next line goes to a file opened at the path again.
        if (this.#files.get(path) === checked && !this.#samePath(path, checked)) this.#forget(path, checked);
      }
    }, CHECK_DELAY_MS).unref();
  }

  #entry(file: string): OpenFile {
    const files = this.#files;
    const entry = files.get(file) ?? this.#open(file);
    // Most recently used last: Map keeps insertion order.
    files.delete(file);
    files.set(file, entry);
    while (files.size > MAX_OPEN_FILES) {
      const [oldest, old] = files.entries().next().value as [string, OpenFile];
      this.#forget(oldest, old);
    }
    return entry;
  }

  #open(file: string): OpenFile {
    const now = Date.now();
    const opened: OpenFile = {
      fd: null,
      opening: Promise.resolve(-1),
      dev: 0,
      ino: 0,
      // Checked after its first line too.
      checkedAt: now - RECHECK_MS - 1,
      size: 0,
      touchedAt: now,
      readable: false,
      reads: 0,
      closeAfterReads: false,
    };
    opened.opening = openAppend(file).then((o) => {
      opened.dev = o.dev;
      opened.ino = o.ino;
      opened.size = o.size;
      opened.readable = o.readable;
      opened.fd = o.fd;
      return o.fd;
    });
    // Forgotten (evicted) before the open finished: close what it opened.
    opened.opening.catch(() => this.#forget(file, opened));
    return opened;
  }

  /** Whether the path still names the open file (not rotated away or deleted). */
  #samePath(file: string, entry: OpenFile): boolean {
    try {
      const atPath = statSync(file);
      return atPath.ino === entry.ino && atPath.dev === entry.dev;
    } catch {
      return false;
    }
  }

  #forget(file: string, entry: OpenFile): void {
    if (this.#files.get(file) === entry) this.#files.delete(file);
    // Writes are synchronous, so none is under way on the descriptor: it may close now, or once open;
    // a read ahead under way closes it when done (its descriptor number must not be reused under it).
    entry.opening.then(
      (fd) => {
        if (entry.reads > 0) entry.closeAfterReads = true;
        else closeSync(fd);
      },
      () => {},
    );
  }
}

/**
 * Opens `file` to append (creating it) as a plain descriptor, refusing anything but a regular file.
 * Not a FileHandle: one that is garbage-collected closes its descriptor, under the writes.
 */
async function openAppend(
  file: string,
): Promise<{ fd: number; dev: number; ino: number; size: number; readable: boolean }> {
  let readable = true;
  const fd = await openFile(file, APPEND_FLAGS, 0o644).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'EACCES') throw error;
    readable = false;
    return openFile(file, APPEND_ONLY_FLAGS, 0o644);
  });
  try {
    const stats = await fstatFile(fd);
    // A FIFO (that a reader holds open) or a device: not a log file, and a write to it could block.
    if (!stats.isFile()) throw new Error(`${file} is not a regular file`);
    return { fd, dev: stats.dev, ino: stats.ino, size: stats.size, readable };
  } catch (error) {
    closeSync(fd);
    throw error;
  }
}

/**
 * Registers the log-file handler with `scheduler.work()`. A run whose write fails throws, so the
 * library records it as failed and retries it.
 */
export async function startLogWorker({ scheduler, logDir, logger, concurrency }: LogWorkerOptions): Promise<string> {
  await mkdir(path.resolve(logDir), { recursive: true });
  const files = new LogFiles();
  // Each job's path, resolved once: two path.resolve() per line were a tenth of a tick's work.
  const paths = new Map<string, string>();
  const fileOf = (name: string) => {
    let file = paths.get(name);
    if (file === undefined) {
      // Bounded like the open files: deleted jobs' names do not pile up.
      if (paths.size >= MAX_OPEN_FILES) paths.clear();
      file = logFileFor(logDir, name);
      paths.set(name, file);
    }
    return file;
  };
  // Asked once (the level is set at start), so no run calls the logger for nothing.
  const debug = logger.isLevelEnabled('debug');
  const logged = (run: RunContext) =>
    logger.debug({ run_id: run.runId, job: run.scheduleName, attempt: run.attempt }, 'run logged');
  return scheduler.work(
    (run) => {
      // The line's time is taken here, as the handler starts: the write follows within microseconds,
      // before the handler returns (no promise of its own unless the file is still being opened).
      const opening = files.append(fileOf(run.scheduleName), formatLine(run, Date.now()));
      if (opening) return debug ? opening.then(() => logged(run)) : opening;
      if (debug) logged(run);
    },
    {
      concurrency: concurrency ?? LOG_WORKER_CONCURRENCY,
      // A second or more ahead of a leased run's tick: its file opened, or its last page read in.
      prepare: (run) => files.prepare(fileOf(run.scheduleName)),
    },
  );
}
