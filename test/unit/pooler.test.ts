/**
 * What the library sends behind a pooler (pure: connection settings and error classification).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { connectionFor, connectionSettings, resolveConfig } from '../../lib/config.ts';
import { asPoolerError, isUnavailable, PoolerError, ValidationError } from '../../lib/errors.ts';

const url = 'postgres://app@pgbouncer:6432/app';
const direct = 'postgres://app@db:5432/app';
const SERVER_SETTINGS = ['statement_timeout', 'idle_in_transaction_session_timeout', 'options'];

test('without pooler every connection carries the server settings, as connectionSettings gives them', () => {
  const config = resolveConfig({ connectionString: url });
  for (const role of ['main', 'firing', 'listen', 'lease', 'boss'] as const) {
    assert.deepEqual(connectionFor(config, role), connectionSettings(config, role));
  }
});

test('with pooler no connection carries a startup parameter PgBouncer refuses; the rest is kept', () => {
  const config = resolveConfig({ connectionString: url, pooler: true });
  for (const role of ['main', 'firing', 'listen', 'lease', 'boss'] as const) {
    const settings = connectionFor(config, role) as Record<string, unknown>;
    for (const name of SERVER_SETTINGS) assert.equal(name in settings, false, `${role}: ${name}`);
    assert.equal(settings['connectionString'], url);
    assert.equal(settings['application_name'], connectionSettings(config, role).application_name);
    assert.equal(settings['keepAlive'], true);
  }
  assert.equal((connectionFor(config, 'main') as Record<string, unknown>)['query_timeout'], 35_000);
});

test('directConnectionString takes the LISTEN connection, with its server settings, and no other', () => {
  const config = resolveConfig({ connectionString: url, pooler: true, directConnectionString: direct });
  const listen = connectionFor(config, 'listen') as Record<string, unknown>;
  assert.equal(listen['connectionString'], direct);
  assert.match(String(listen['options']), /tcp_user_timeout/);
  assert.equal(typeof listen['statement_timeout'], 'number');
  for (const role of ['main', 'firing', 'lease', 'boss'] as const) {
    assert.equal(connectionFor(config, role).connectionString, url);
  }
  assert.throws(
    () => resolveConfig({ connectionString: url, directConnectionString: 'db:5432' }),
    (error: unknown) => error instanceof ValidationError && error.field === 'directConnectionString',
  );
  assert.throws(
    () => resolveConfig({ connectionString: url, pooler: 'yes' as unknown as boolean }),
    (error: unknown) => error instanceof ValidationError && error.field === 'pooler',
  );
});

test('a startup parameter refused by PgBouncer is a PoolerError, not an outage', () => {
  // As node-postgres reports PgBouncer 1.18's refusal.
  const refused = Object.assign(new Error('unsupported startup parameter: statement_timeout'), { code: '08P01' });
  assert.equal(isUnavailable(refused), false);
  const error = asPoolerError(refused);
  assert.ok(error instanceof PoolerError);
  assert.equal(error.code, 'pooler');
  assert.equal(error.problem, 'startup_parameters');
  assert.match(error.message, /statement_timeout/);
  assert.equal(asPoolerError(Object.assign(new Error('connection refused'), { code: 'ECONNREFUSED' })), null);
  assert.equal(isUnavailable(Object.assign(new Error('protocol violation'), { code: '08P01' })), true);
});
