/**
 * `npm test`: runs the test files with node:test against DATABASE_URL, or, when it is unset, against a
 * throwaway embedded PostgreSQL started here and stopped afterwards.
 *
 *   npm test                                  every test/**\/*.test.ts but the benchmarks and fault drills
 *   npm test -- test/unit/cron.test.ts        just these files
 *   npm test -- --test-name-pattern=cron      options go to node --test, the file list stays
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { glob, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type EmbeddedPostgres, startEmbeddedPostgres } from '../lib/embedded-postgres.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
/** Run on their own (`npm run bench`, fault drills), not by `npm test`. */
const EXCLUDED = ['test/bench/', 'test/faults/'];
/** Two files at a time suits a 2-core machine; each file has its own database, so they do not collide. */
const NODE_TEST_OPTIONS = ['--test-concurrency=2', '--test-timeout=120000'];

const args = process.argv.slice(2);
const options = args.filter((arg) => arg.startsWith('-'));
// Options take the `--name=value` form, so every other argument is a file.
const named = args.filter((arg) => !arg.startsWith('-')).map((file) => resolve(file));
const files = named.length > 0 ? named : await findTestFiles();
console.log(`test: ${files.length} test file${files.length === 1 ? '' : 's'}${named.length > 0 ? ' (given)' : ''}`);
if (files.length === 0) process.exit(1);

let database: EmbeddedPostgres | undefined;
const env = { ...process.env };
if (!env['DATABASE_URL']) {
  // mkdtemp makes the folder 0700 for us; the launcher hands it to PostgreSQL's own user when we are root.
  const dataDir = await mkdtemp(join(tmpdir(), 'pg-cron-test-'));
  const started = performance.now();
  try {
    database = await startEmbeddedPostgres({ dataDir, ephemeral: true });
  } catch (err) {
    console.error(`test: the embedded PostgreSQL did not start: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  }
  env['DATABASE_URL'] = database.connectionString;
  console.log(`test: embedded PostgreSQL on port ${database.port} (${Math.round(performance.now() - started)} ms)`);
} else {
  console.log('test: using DATABASE_URL');
}

const child = spawn(process.execPath, ['--import', 'tsx', '--test', ...NODE_TEST_OPTIONS, ...options, ...files], {
  cwd: root,
  env,
  stdio: 'inherit',
});
// A Ctrl-C reaches the whole process group, the test runner included; let it finish its report, and
// hand a signal sent to us alone on to it, so the database is always stopped after the tests.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  });
}
const [code, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];

let exitCode = code ?? 1;
if (signal) console.error(`test: the test runner was ended by ${signal}`);
try {
  await database?.stop();
} catch (err) {
  console.error(
    `test: the embedded PostgreSQL did not stop cleanly: ${err instanceof Error ? err.message : String(err)}`,
  );
  exitCode ||= 1;
}
process.exit(exitCode);

async function findTestFiles(): Promise<string[]> {
  const found: string[] = [];
  for await (const file of glob('test/**/*.test.ts', { cwd: root })) {
    const path = file.split('\\').join('/');
    if (!EXCLUDED.some((prefix) => path.startsWith(prefix))) found.push(path);
  }
  return found.sort();
}
