/**
 * The whole service as a real process: `pg-cron-scheduler serve` listening on a free port over a fresh
 * database, the bundled worker writing log files, and a clean exit on SIGTERM.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { isRunning, type ServerHandle, startServer, stopChild } from '../faults/support.ts';
import { createTestDatabase } from '../helpers/database.ts';
import { waitFor } from '../helpers/wait.ts';

const TOKEN = 'e2e-token-0123456789abcdef';

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let logDir: string;
let server: ServerHandle | undefined;

before(async () => {
  db = await createTestDatabase();
  logDir = await mkdtemp(path.join(tmpdir(), 'scheduler-e2e-'));
});

after(async () => {
  if (server && isRunning(server)) await stopChild(server, 'SIGKILL');
  await db?.drop();
  await rm(logDir, { recursive: true, force: true });
});

test('a job with an every-second cron writes its log file and lists succeeded runs; SIGTERM exits 0', async () => {
  server = await startServer('e2e server', {
    DATABASE_URL: db.url,
    LOG_DIR: logDir,
    SCHEDULER_API_TOKEN: TOKEN,
    SCHEDULER_SHUTDOWN_TIMEOUT_SECONDS: '10',
  });
  const { base, child: proc, lines } = server;
  const auth = { Authorization: `Bearer ${TOKEN}` };

  const health = await fetch(`${base}/healthcheck`);
  assert.equal(health.status, 200);
  assert.equal(await health.json(), 'ok');
  assert.equal((await fetch(`${base}/jobs`)).status, 401);

  const created = await fetch(`${base}/jobs`, {
    method: 'POST',
    headers: { ...auth, 'Content-Type': 'application/json' },
    body: JSON.stringify({ name: 'every-second', cron: '* * * * * *', job_fields: { hello: 'world', n: 1 } }),
  });
  assert.equal(created.status, 201, await created.clone().text());
  const job = (await created.json()) as { id: string };

  const file = path.join(logDir, 'every-second.log');
  const logLines = await waitFor(
    'two lines in the job’s log file',
    async () => {
      const text = await readFile(file, 'utf8').catch(() => '');
      const found = text.split('\n').filter(Boolean);
      return found.length >= 2 ? found : null;
    },
    { timeoutMs: 20_000 },
  );
  const runIds = new Set<string>();
  for (const line of logLines) {
    const match = /^(\S+Z) ([0-9a-f-]{36}) (\S+Z) (\{.*\})$/.exec(line);
    assert.ok(match, line);
    assert.ok(!Number.isNaN(Date.parse(match[1]!)));
    assert.equal(new Date(match[3]!).getUTCMilliseconds(), 0, 'scheduled on a whole second');
    assert.deepEqual(JSON.parse(match[4]!), { hello: 'world', n: 1 });
    runIds.add(match[2]!);
  }
  assert.equal(runIds.size, logLines.length, 'one line per run');

  const succeeded = await waitFor(
    'succeeded runs listed',
    async () => {
      const res = await fetch(`${base}/jobs/${job.id}/runs?status=succeeded`, { headers: auth });
      const runs = (await res.json()) as { id: string; status: string; trigger: string; attempts: number }[];
      return runs.length >= 2 ? runs : null;
    },
    { timeoutMs: 20_000 },
  );
  for (const run of succeeded) {
    assert.equal(run.status, 'succeeded');
    assert.equal(run.trigger, 'schedule');
    assert.ok(run.attempts >= 1);
  }
  assert.ok(
    succeeded.some((run) => runIds.has(run.id)),
    'the runs listed are the ones written to the file',
  );

  // Every request logged a line carrying its request id.
  const requestLines = lines.filter((l) => l.msg === 'request');
  assert.ok(requestLines.length >= 4);
  assert.ok(requestLines.every((l) => typeof l.request_id === 'string' && typeof l.status === 'number'));

  proc.kill('SIGTERM');
  // A deadline beyond the engine's 10-second shutdown bound.
  const [code, signal] = (await once(proc, 'exit', { signal: AbortSignal.timeout(30_000) })) as [
    number | null,
    NodeJS.Signals | null,
  ];
  assert.equal(signal, null, server.stderr());
  assert.equal(code, 0, server.stderr());
  assert.ok(lines.some((l) => l.msg === 'stopped'));
});
