/**
 * The environment schema: defaults, engine variables, and failing fast with the variable's name.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, loadConfig, variableForEngineOption } from '../../server/config.ts';

test('defaults', () => {
  const config = loadConfig({});
  assert.equal(config.databaseUrl, null);
  assert.equal(config.dataDir, '.data/postgres');
  assert.equal(config.port, 8000);
  assert.equal(config.host, '127.0.0.1');
  assert.equal(config.logDir, './logs');
  assert.equal(config.apiToken, null);
  assert.equal(config.logLevel, 'info');
  assert.equal(config.maxBodyBytes, 1024 * 1024);
  assert.equal(config.worker, true);
  assert.deepEqual(config.engine, {});
  assert.ok(Object.isFrozen(config));
});

test('reads every variable; empty values count as unset', () => {
  const config = loadConfig({
    DATABASE_URL: 'postgres://u@db:5432/app',
    PORT: '0',
    HOST: '0.0.0.0',
    LOG_DIR: '/var/log/jobs',
    SCHEDULER_API_TOKEN: 'a-long-enough-token',
    LOG_LEVEL: 'debug',
    MAX_BODY_BYTES: '2048',
    SCHEDULER_WORKER: 'false',
    SCHEDULER_SCHEMA: 'cron',
    SCHEDULER_FIRE: 'no',
    SCHEDULER_MISFIRE_GRACE_SECONDS: '2.5',
    SCHEDULER_RUN_RETENTION_SECONDS: '86400',
    SCHEDULER_SHUTDOWN_TIMEOUT_SECONDS: '10',
    SCHEDULER_RETRY_LIMIT: '0',
    SCHEDULER_RUN_TIMEOUT_SECONDS: '60',
    SCHEDULER_QUEUE: '',
  });
  assert.equal(config.databaseUrl, 'postgres://u@db:5432/app');
  assert.equal(config.port, 0);
  assert.equal(config.host, '0.0.0.0');
  assert.equal(config.apiToken, 'a-long-enough-token');
  assert.equal(config.worker, false);
  assert.equal(config.maxBodyBytes, 2048);
  assert.deepEqual(config.engine, {
    schema: 'cron',
    fire: false,
    misfireGraceSeconds: 2.5,
    runRetentionSeconds: 86400,
    shutdownTimeoutSeconds: 10,
    retryLimit: 0,
    runTimeoutSeconds: 60,
  });
});

test('fails fast naming each bad variable, without echoing secrets', () => {
  assert.throws(
    () =>
      loadConfig({
        PORT: '80a',
        LOG_LEVEL: 'loud',
        SCHEDULER_RETRY_LIMIT: '-1',
        SCHEDULER_API_TOKEN: 'short',
        DATABASE_URL: 'mysql://secret@x',
      }),
    (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      for (const name of ['PORT', 'LOG_LEVEL', 'SCHEDULER_RETRY_LIMIT', 'SCHEDULER_API_TOKEN', 'DATABASE_URL']) {
        assert.match(error.message, new RegExp(`^  ${name}: `, 'm'), name);
      }
      assert.doesNotMatch(error.message, /short|secret/);
      return true;
    },
  );
});

test('engine options map back to their variable', () => {
  assert.equal(variableForEngineOption('misfireGraceSeconds'), 'SCHEDULER_MISFIRE_GRACE_SECONDS');
  assert.equal(variableForEngineOption('nope'), undefined);
});
