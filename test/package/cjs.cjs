// The installed package with plain node, as CommonJS: require() of every entry (Node >= 22.12 loads
// ES modules with require() when their graph has no top-level await), then the library in use.
const assert = require('node:assert/strict');
const { createScheduler, NotFoundError } = require('pg-cron-scheduler');
const { createClient } = require('pg-cron-scheduler/client');
const { createApp } = require('pg-cron-scheduler/server');
const { startEmbeddedPostgres } = require('pg-cron-scheduler/embedded');

assert.equal(typeof createClient, 'function');
assert.equal(typeof createApp, 'function');
assert.equal(typeof startEmbeddedPostgres, 'function');

(async () => {
  const scheduler = createScheduler({ connectionString: process.env.DATABASE_URL, fire: false });
  await scheduler.start();
  const created = await scheduler.create({ name: 'from-cjs', cron: '@daily', timezone: 'Europe/Berlin' });
  assert.equal((await scheduler.get('from-cjs')).id, created.id);
  await scheduler.delete(created.id);
  await assert.rejects(scheduler.get('from-cjs'), NotFoundError);
  await scheduler.stop();
  console.log('cjs: require() of every entry and the library ok');
})().catch((error) => {
  console.error(error);
  process.exit(1);
});
