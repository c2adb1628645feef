/**
 * The command line as a user runs it (`cli/index.ts` in its own process) against a running server:
 * every command, tables and --json, --help everywhere, and the exit codes scripts rely on.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type ServerType, serve } from '@hono/node-server';
import pg from 'pg';
import { freePort } from '../../lib/embedded-postgres.ts';
import { createScheduler, type Scheduler } from '../../lib/index.ts';
import { createApp } from '../../server/index.ts';
import { createTestDatabase } from '../helpers/database.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const TOKEN = 'cli-test-token-0123456789';
let db: Awaited<ReturnType<typeof createTestDatabase>>;
let scheduler: Scheduler;
let server: ServerType;
let url: string;

before(async () => {
  db = await createTestDatabase();
  scheduler = createScheduler({ connectionString: db.url, fire: false });
  await scheduler.start();
  const app = createApp({ scheduler, config: { apiToken: TOKEN } });
  const port = await new Promise<number>((resolve) => {
    server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info: AddressInfo) => resolve(info.port));
  });
  url = `http://127.0.0.1:${port}`;
});

after(async () => {
  await new Promise((resolve) => server?.close(resolve));
  await scheduler?.stop();
  await db?.drop();
});

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI with the server's URL and token in the environment, as a user would set them. */
function cli(args: string[], env: Record<string, string> = {}): Promise<Result> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'cli/index.ts', ...args],
      {
        cwd: ROOT,
        env: { ...process.env, PG_CRON_SCHEDULER_URL: url, SCHEDULER_API_TOKEN: TOKEN, ...env },
        timeout: 60_000,
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

const ok = (r: Result) => {
  assert.equal(r.code, 0, r.stderr);
  return r;
};

describe('help and usage', () => {
  test('--help on the tool and on every command; bad command lines exit 2 and say what is wrong', async () => {
    const overview = ok(await cli(['--help']));
    for (const command of ['serve', 'migrate', 'jobs list', 'jobs create', 'runs', 'preview']) {
      assert.match(overview.stdout, new RegExp(`\\n  ${command}`), command);
    }
    for (const command of [
      ['serve'],
      ['migrate'],
      ['jobs', 'list'],
      ['jobs', 'get'],
      ['jobs', 'create'],
      ['jobs', 'update'],
      ['jobs', 'pause'],
      ['jobs', 'resume'],
      ['jobs', 'run'],
      ['jobs', 'delete'],
      ['runs'],
      ['preview'],
    ]) {
      const r = ok(await cli([...command, '--help']));
      assert.match(r.stdout, new RegExp(`^Usage: pg-cron-scheduler ${command.join(' ')}`), command.join(' '));
    }
    const unknown = await cli(['jobs', 'frobnicate']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown command "jobs frobnicate"/);
    const missing = await cli(['jobs', 'create', 'only-a-name']);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /missing <cron>/);
    const badJson = await cli(['jobs', 'create', 'x', '@daily', '--fields', '{nope']);
    assert.equal(badJson.code, 2);
    assert.match(badJson.stderr, /--fields: expected a JSON object/);
    const badOption = await cli(['jobs', 'list', '--colour']);
    assert.equal(badOption.code, 2);
    assert.match(badOption.stderr, /--colour/);
    assert.doesNotMatch(badOption.stderr, /\n\s+at /);
  });
});

describe('against a running server', () => {
  test('jobs create, list, get, update, pause, resume, run, runs and delete', async () => {
    // README "Use it in your app": the CLI.
    const created = ok(await cli(['jobs', 'create', 'cli-report', '0 30 2 * * *', '--tz', 'Europe/Berlin', '--json']));
    const job = JSON.parse(created.stdout) as { id: string; name: string; timezone: string };
    assert.equal(job.timezone, 'Europe/Berlin');

    const list = ok(await cli(['jobs', 'list']));
    assert.match(list.stdout, /^NAME +SCHEDULE +TIMEZONE +STATE +NEXT RUN +LAST RUN +ID\n/);
    assert.match(list.stdout, /cli-report +0 30 2 \* \* \* +Europe\/Berlin +active/);
    const listed = JSON.parse(ok(await cli(['jobs', 'list', '--json'])).stdout) as { name: string }[];
    assert.ok(listed.some((j) => j.name === 'cli-report'));

    const shown = ok(await cli(['jobs', 'get', 'cli-report']));
    assert.match(shown.stdout, /^id +[0-9a-f-]{36}$/m);
    assert.match(shown.stdout, /^upcoming +\S+Z, /m);

    const updated = ok(
      await cli(['jobs', 'update', 'cli-report', '--cron', '@hourly', '--fields', '{"a":1}', '--json']),
    );
    assert.deepEqual(JSON.parse(updated.stdout).job_fields, { a: 1 });
    assert.match(ok(await cli(['jobs', 'pause', 'cli-report'])).stdout, /^paused cli-report$/m);
    assert.match(ok(await cli(['jobs', 'resume', 'cli-report'])).stdout, /^resumed cli-report; next run /m);
    const run = JSON.parse(ok(await cli(['jobs', 'run', 'cli-report', '--json'])).stdout) as { id: string };
    const runs = ok(await cli(['runs', 'cli-report']));
    assert.match(runs.stdout, /^SCHEDULED FOR +TRIGGER +STATUS/);
    assert.ok(runs.stdout.includes(run.id));
    assert.match(ok(await cli(['jobs', 'delete', job.id])).stdout, /^deleted /);
  });

  test('preview prints the description and each instant in UTC and in the zone', async () => {
    const r = ok(await cli(['preview', '0 9 * * 1-5', '--tz', 'Europe/Paris', '--count', '2']));
    assert.match(r.stdout, /^At 09:00, Monday through Friday$/m);
    assert.match(r.stdout, /^\S+T0[78]:00:00\.000Z +\S+ 09:00:00 Europe\/Paris$/m);
  });

  test('exit codes: 3 not found, 4 name taken, 1 refused with the field named, 5 unreachable', async () => {
    const missing = await cli(['jobs', 'get', 'no-such-job']);
    assert.equal(missing.code, 3);
    assert.match(missing.stderr, /was not found \(404 Not found\)/);

    ok(await cli(['jobs', 'create', 'cli-taken', '@daily']));
    assert.equal((await cli(['jobs', 'create', 'cli-taken', '@daily'])).code, 4);

    const invalid = await cli(['jobs', 'create', 'cli-bad', '61 * * * *']);
    assert.equal(invalid.code, 1);
    assert.match(invalid.stderr, /\n {2}cron: expected /);

    const json = await cli(['jobs', 'get', 'no-such-job', '--json']);
    assert.equal(JSON.parse(json.stderr).status, 404);

    const wrongToken = await cli(['jobs', 'list'], { SCHEDULER_API_TOKEN: 'not-the-token-at-all' });
    assert.equal(wrongToken.code, 1);
    assert.match(wrongToken.stderr, /401/);

    const unreachable = await cli(['jobs', 'list', '--url', `http://127.0.0.1:${await freePort()}`]);
    assert.equal(unreachable.code, 5);
    assert.match(unreachable.stderr, /cannot reach the scheduler API/);
  });
});

describe('against the database', () => {
  test('migrate creates both schemas in an empty database and exits 0', async () => {
    const empty = await createTestDatabase();
    try {
      const r = ok(await cli(['migrate'], { DATABASE_URL: empty.url, SCHEDULER_SCHEMA: 'cli_sched' }));
      assert.match(r.stdout, /^migrated: schema cli_sched, pg-boss schema pgboss$/m);
      const client = new pg.Client({ connectionString: empty.url });
      await client.connect();
      try {
        const { rows } = await client.query(
          "SELECT nspname FROM pg_namespace WHERE nspname IN ('cli_sched', 'pgboss') ORDER BY nspname",
        );
        assert.deepEqual(
          rows.map((row) => row.nspname),
          ['cli_sched', 'pgboss'],
        );
      } finally {
        await client.end();
      }
    } finally {
      await empty.drop();
    }
  });
});
