/**
 * The bundled log-file sink (server/worker.ts) on its own: a fake scheduler hands its handler runs
 * directly (no database). One line per run, whole lines under concurrency, a rotated file reopened
 * at its path, and a FIFO refused instead of blocking the process.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs, { existsSync } from 'node:fs';
import { mkdtemp, readFile, rename, rm } from 'node:fs/promises';
import { syncBuiltinESMExports } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, mock, test } from 'node:test';
import type { RunContext, RunHandler, Scheduler, WorkOptions } from '../../lib/index.ts';
import { createLogger } from '../../server/logger.ts';
import { startLogWorker } from '../../server/worker.ts';
import { waitFor } from '../helpers/wait.ts';

let logDir: string;
let handle: (run: RunContext) => Promise<void>;
let prepare: (run: RunContext) => unknown;

before(async () => {
  logDir = await mkdtemp(path.join(tmpdir(), 'log-worker-'));
  const scheduler = {
    work: async (handler: RunHandler, options: WorkOptions) => {
      handle = async (run) => {
        await handler(run);
      };
      prepare = options.prepare!;
      return 'scheduled-runs';
    },
  } as unknown as Scheduler;
  await startLogWorker({ scheduler, logDir, logger: createLogger('silent') });
});

after(async () => {
  await rm(logDir, { recursive: true, force: true });
});

let runs = 0;
function run(name: string, fields: Record<string, unknown> = {}): RunContext {
  runs += 1;
  return {
    runId: `run-${runs}`,
    scheduleId: `id-${name}`,
    scheduleName: name,
    scheduledFor: new Date('2026-01-01T00:00:00.000Z'),
    firedAt: new Date(),
    attempt: 1,
    fields,
  } as unknown as RunContext;
}

const linesOf = async (name: string) =>
  (await readFile(path.join(logDir, `${name}.log`), 'utf8')).split('\n').filter(Boolean);

test('appends one line per run to <LOG_DIR>/<name>.log', async () => {
  await handle(run('nightly', { a: 1 }));
  await handle(run('nightly', { a: 2 }));
  const lines = await linesOf('nightly');
  assert.equal(lines.length, 2);
  assert.match(lines[0]!, /^\d{4}-\d\d-\d\dT\S+Z run-\d+ 2026-01-01T00:00:00\.000Z \{"a":1\}$/);
  assert.match(lines[1]!, / \{"a":2\}$/);
});

test('concurrent runs, to one file and to many, leave whole lines', async () => {
  const big = 'x'.repeat(5000);
  await Promise.all(
    Array.from({ length: 300 }, (_, i) => handle(run(i % 3 === 0 ? 'shared' : `job-${i}`, { i, big }))),
  );
  const shared = await linesOf('shared');
  assert.equal(shared.length, 100);
  for (const line of shared) assert.match(line, /\{"i":\d+,"big":"x{5000}"\}$/);
  assert.equal((await linesOf('job-1')).length, 1);
});

test('a file rotated away is reopened at its path', async () => {
  await handle(run('rotated'));
  const file = path.join(logDir, 'rotated.log');
  await rename(file, `${file}.1`);
  // The sink notices within its recheck interval (5 s) of a write: keep writing until it has.
  await waitFor(
    'a new rotated.log',
    async () => {
      await handle(run('rotated'));
      return existsSync(file);
    },
    { timeoutMs: 15_000, intervalMs: 200 },
  );
  assert.ok((await readFile(`${file}.1`, 'utf8')).length > 0);
});

test('a FIFO in place of a log file fails the run instead of blocking the process', async () => {
  try {
    execFileSync('mkfifo', [path.join(logDir, 'fifo.log')]);
  } catch {
    return; // no mkfifo on this system
  }
  await assert.rejects(handle(run('fifo')), /ENXIO|not a regular file/);
});

test("prepare opens (creates) a job's file ahead of its first line, which then goes to it", async () => {
  const file = path.join(logDir, 'ahead.log');
  prepare(run('ahead'));
  await waitFor('ahead.log created by prepare', () => existsSync(file));
  assert.equal(await readFile(file, 'utf8'), '');
  await handle(run('ahead', { first: true }));
  assert.deepEqual((await linesOf('ahead')).length, 1);
});

test("prepare reads a file idle for a while ahead (its inode's block by a chown to the same owner, then its last byte), and only then", async () => {
  await handle(run('idle', { n: 1 }));
  const file = path.join(logDir, 'idle.log');
  const size = (await readFile(file)).length;
  const calls: string[] = [];
  const realRead = fs.read;
  const realChown = fs.fchown;
  mock.method(fs, 'read', (...args: unknown[]) => {
    calls.push(`read at ${args[4]}`);
    return (realRead as (...a: unknown[]) => void)(...args);
  });
  mock.method(fs, 'fchown', (...args: unknown[]) => {
    calls.push(`fchown ${args[1]} ${args[2]}`);
    return (realChown as (...a: unknown[]) => void)(...args);
  });
  syncBuiltinESMExports();
  try {
    prepare(run('idle')); // written just now: nothing to read
    assert.deepEqual(calls, []);
    mock.timers.enable({ apis: ['Date'], now: Date.now() + 60_000 });
    try {
      prepare(run('idle')); // a minute later: its blocks may have left the cache
      prepare(run('idle')); // read ahead once
    } finally {
      mock.timers.reset();
    }
    await waitFor('the read ahead', () => calls.length >= 2);
    assert.deepEqual(calls, ['fchown -1 -1', `read at ${size - 1}`]);
  } finally {
    mock.restoreAll();
    syncBuiltinESMExports();
  }
  await handle(run('idle', { n: 2 }));
  const lines = await linesOf('idle');
  assert.equal(lines.length, 2);
  assert.match(lines[1]!, /\{"n":2\}$/);
});
