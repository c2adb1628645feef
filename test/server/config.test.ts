/**
 * The environment schema: defaults, engine variables, and failing fast with the variable's name.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, isLoopbackAddress, loadConfig, variableForEngineOption } from '../../server/config.ts';

test('defaults', () => {
  const config = loadConfig({});
  assert.equal(config.databaseUrl, null);
  assert.equal(config.dataDir, '.data/postgres');
  assert.equal(config.port, 8000);
  assert.equal(config.host, '127.0.0.1');
  assert.equal(config.logDir, './logs');
  assert.equal(config.apiToken, null);
  assert.equal(config.apiReadToken, null);
  assert.deepEqual(config.allowedHosts, []);
  assert.deepEqual(config.allowedOrigins, []);
  assert.equal(config.allowUnauthenticated, false);
  assert.equal(config.logLevel, 'info');
  assert.equal(config.maxBodyBytes, 1024 * 1024);
  assert.equal(config.worker, true);
  assert.equal(config.api, true);
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
    SCHEDULER_POOLER: 'true',
    DATABASE_DIRECT_URL: 'postgres://u@db-primary:5432/app',
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
    pooler: true,
    directConnectionString: 'postgres://u@db-primary:5432/app',
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

/** Asserts loadConfig refuses `env` with a line for each of `names`; returns the message. */
function refused(env: Record<string, string>, names: string[]): string {
  let message = '';
  assert.throws(
    () => loadConfig(env),
    (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      message = error.message;
      return true;
    },
  );
  for (const name of names) assert.match(message, new RegExp(`^  ${name}: `, 'm'), `${name} in:\n${message}`);
  return message;
}

test('a HOST other machines can reach, with no token, is refused at start', () => {
  for (const host of ['0.0.0.0', '::', '192.168.1.10', 'scheduler.example.com']) {
    const message = refused({ HOST: host, PORT: '8080' }, ['HOST']);
    assert.match(
      message,
      new RegExp(`HOST: ${JSON.stringify(host).replace(/\./g, '\\.')} lets other machines reach the API`),
    );
    assert.match(message, /SCHEDULER_API_TOKEN is unset/);
    assert.match(message, /port 8080/);
    assert.match(message, /SCHEDULER_ALLOW_UNAUTHENTICATED=true/);
  }
});

test('loopback HOSTs need no token', () => {
  for (const host of ['127.0.0.1', '127.0.0.2', 'localhost', '::1', '[::1]', '::ffff:127.0.0.1']) {
    assert.equal(loadConfig({ HOST: host }).host, host);
    assert.equal(isLoopbackAddress(host), true, host);
  }
  for (const host of ['0.0.0.0', '::', '10.0.0.1', '128.0.0.1', 'localhost.example.com', '::ffff:10.0.0.1']) {
    assert.equal(isLoopbackAddress(host), false, host);
  }
});

test('a reachable HOST starts with a token, or with the explicit opt-out', () => {
  const withToken = loadConfig({ HOST: '0.0.0.0', SCHEDULER_API_TOKEN: 'a-long-enough-token' });
  assert.equal(withToken.allowUnauthenticated, false);
  const optedOut = loadConfig({ HOST: '0.0.0.0', SCHEDULER_ALLOW_UNAUTHENTICATED: 'true' });
  assert.equal(optedOut.apiToken, null);
  assert.equal(optedOut.allowUnauthenticated, true);
  refused({ HOST: '0.0.0.0', SCHEDULER_ALLOW_UNAUTHENTICATED: 'false' }, ['HOST']);
  refused({ HOST: '0.0.0.0', SCHEDULER_ALLOW_UNAUTHENTICATED: 'sure' }, ['SCHEDULER_ALLOW_UNAUTHENTICATED']);
});

test('roles: SCHEDULER_API, SCHEDULER_WORKER and SCHEDULER_FIRE, each alone or together', () => {
  const fireOnly = loadConfig({ SCHEDULER_API: 'false', SCHEDULER_WORKER: 'false' });
  assert.deepEqual([fireOnly.api, fireOnly.worker, fireOnly.engine.fire], [false, false, undefined]);
  const workerOnly = loadConfig({ SCHEDULER_API: 'no', SCHEDULER_FIRE: 'false' });
  assert.deepEqual([workerOnly.api, workerOnly.worker, workerOnly.engine.fire], [false, true, false]);
  const apiOnly = loadConfig({ SCHEDULER_API: '1', SCHEDULER_WORKER: '0', SCHEDULER_FIRE: '0' });
  assert.deepEqual([apiOnly.api, apiOnly.worker, apiOnly.engine.fire], [true, false, false]);
  refused({ SCHEDULER_API: 'off' }, ['SCHEDULER_API']);
});

test('a process with no role at all is refused', () => {
  const message = refused({ SCHEDULER_API: 'false', SCHEDULER_WORKER: 'false', SCHEDULER_FIRE: 'false' }, [
    'SCHEDULER_API, SCHEDULER_WORKER, SCHEDULER_FIRE',
  ]);
  assert.match(message, /would serve no API, handle no run and fire no tick/);
});

test('without the API, a reachable HOST with no token is still refused, naming what it would expose', () => {
  const message = refused({ HOST: '0.0.0.0', SCHEDULER_API: 'false' }, ['HOST']);
  assert.match(message, /lets other machines reach the probes and \/metrics/);
  assert.match(message, /could read \/metrics and \/health\/schedules/);
  assert.equal(
    loadConfig({ HOST: '0.0.0.0', SCHEDULER_API: 'false', SCHEDULER_ALLOW_UNAUTHENTICATED: 'true' }).api,
    false,
  );
});

test('the read-only token: beside a full one, different from it, never echoed', () => {
  const config = loadConfig({
    SCHEDULER_API_TOKEN: 'full-token-0123456789',
    SCHEDULER_API_READ_TOKEN: 'read-token-0123456789',
  });
  assert.equal(config.apiReadToken, 'read-token-0123456789');
  const alone = refused({ SCHEDULER_API_READ_TOKEN: 'read-token-0123456789' }, ['SCHEDULER_API_READ_TOKEN']);
  assert.match(alone, /needs SCHEDULER_API_TOKEN/);
  const same = refused(
    { SCHEDULER_API_TOKEN: 'same-token-0123456789', SCHEDULER_API_READ_TOKEN: 'same-token-0123456789' },
    ['SCHEDULER_API_READ_TOKEN'],
  );
  assert.match(same, /must differ/);
  const short = refused({ SCHEDULER_API_TOKEN: 'full-token-0123456789', SCHEDULER_API_READ_TOKEN: 'tiny' }, [
    'SCHEDULER_API_READ_TOKEN',
  ]);
  for (const message of [alone, same, short]) assert.doesNotMatch(message, /read-token|same-token|tiny/);
});

test('SCHEDULER_ALLOWED_HOSTS: names, .suffixes, IP literals or *, normalized; a port or scheme is refused', () => {
  const config = loadConfig({
    SCHEDULER_ALLOWED_HOSTS: ' API.example.com , .svc.cluster.local,,[::1], 10.0.0.1, name. ',
  });
  assert.deepEqual(config.allowedHosts, ['api.example.com', '.svc.cluster.local', '::1', '10.0.0.1', 'name']);
  assert.ok(Object.isFrozen(config.allowedHosts));
  assert.deepEqual(loadConfig({ SCHEDULER_ALLOWED_HOSTS: '*' }).allowedHosts, ['*']);
  for (const bad of ['api.example.com:8000', 'https://api.example.com', 'a b', 'a/b']) {
    const message = refused({ SCHEDULER_ALLOWED_HOSTS: `ok.example.com,${bad}` }, ['SCHEDULER_ALLOWED_HOSTS']);
    assert.match(message, /is not a host name: expected names without scheme or port/);
  }
});

test('SCHEDULER_ALLOWED_ORIGINS: http(s) origins without a path, normalized', () => {
  const config = loadConfig({
    SCHEDULER_ALLOWED_ORIGINS: 'https://Admin.example.com/, http://localhost:3000,https://x.io:443',
  });
  assert.deepEqual(config.allowedOrigins, ['https://admin.example.com', 'http://localhost:3000', 'https://x.io']);
  for (const bad of [
    '*',
    'admin.example.com',
    'ftp://example.com',
    'https://example.com/app',
    'https://example.com?x=1',
  ]) {
    const message = refused({ SCHEDULER_ALLOWED_ORIGINS: bad }, ['SCHEDULER_ALLOWED_ORIGINS']);
    assert.match(message, /is not an origin: expected http\(s\):\/\/host\[:port\]/);
  }
});

test('engine options map back to their variable', () => {
  assert.equal(variableForEngineOption('misfireGraceSeconds'), 'SCHEDULER_MISFIRE_GRACE_SECONDS');
  assert.equal(variableForEngineOption('nope'), undefined);
});
