import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { connectionSettings, resolveConfig } from '../../lib/config.ts';
import { ValidationError } from '../../lib/errors.ts';
import { parseHostList } from '../../lib/store/hosts.ts';

const hostsOf = (value: string) => parseHostList(value)?.hosts.map(({ host, port }) => `${host}|${port}`);

describe('parseHostList', () => {
  it('leaves one host without target_session_attrs (or with any) to pg, untouched', () => {
    assert.equal(parseHostList('postgres://u:p@db:5433/app?sslmode=require'), null);
    assert.equal(parseHostList('postgresql://db/app'), null);
    assert.equal(parseHostList('postgres://db/app?target_session_attrs=any'), null);
    assert.equal(parseHostList('host=db dbname=app'), null);
    assert.equal(parseHostList('/var/run/postgresql app'), null);
    assert.equal(parseHostList('socket://%2Fvar%2Frun/app'), null);
  });

  it('reads each host with its own port, 5432 where none is given', () => {
    assert.deepEqual(hostsOf('postgres://u@h1:5432,h2:5433,h3/db?target_session_attrs=read-write'), [
      'h1|5432',
      'h2|5433',
      'h3|5432',
    ]);
    assert.equal(parseHostList('postgres://u@h1,h2/db')?.targetSessionAttrs, 'any');
    assert.equal(parseHostList('postgres://h1,h2/db?target_session_attrs=primary')?.targetSessionAttrs, 'primary');
  });

  it('reads IPv6 addresses in brackets', () => {
    const list = parseHostList('postgres://u@[::1]:5433,[fe80::1%25eth0],127.0.0.1:6000/db')!;
    assert.deepEqual(
      list.hosts.map(({ host, port }) => `${host}|${port}`),
      ['::1|5433', 'fe80::1%eth0|5432', '127.0.0.1|6000'],
    );
    assert.equal(list.hosts[0]!.connectionString, 'postgres://u@[::1]:5433/db');
  });

  it('decodes percent-encoded host names and keeps user, password, database and parameters as written', () => {
    const list = parseHostList(
      'postgresql://us%40er:p%2Fw%3Fd@db%2Done:5432,db-two/my%20db?sslmode=require&target_session_attrs=read-write&application_name=a%26b',
    )!;
    assert.deepEqual(
      list.hosts.map((h) => h.host),
      ['db-one', 'db-two'],
    );
    assert.equal(
      list.hosts[1]!.connectionString,
      'postgresql://us%40er:p%2Fw%3Fd@db-two:5432/my%20db?sslmode=require&application_name=a%26b',
    );
    assert.equal(list.targetSessionAttrs, 'read-write');
  });

  it('makes a single host with target_session_attrs=read-write a list of one (its session is checked)', () => {
    const list = parseHostList('postgres://db:5433/app?target_session_attrs=read-write')!;
    assert.deepEqual(
      list.hosts.map((h) => h.connectionString),
      ['postgres://db:5433/app'],
    );
  });

  it('refuses target_session_attrs the scheduler cannot work with, naming the field', () => {
    for (const value of ['read-only', 'standby', 'prefer-standby', 'readwrite', '']) {
      assert.throws(
        () => parseHostList(`postgres://h1,h2/db?target_session_attrs=${value}`),
        (error: unknown) =>
          error instanceof ValidationError &&
          error.field === 'connectionString.target_session_attrs' &&
          /any, read-write, primary/.test(error.message),
      );
    }
  });

  it('refuses a malformed host entry or port', () => {
    for (const value of [
      'postgres://h1,,h2/db',
      'postgres://h1:99999,h2/db',
      'postgres://h1:x,h2/db',
      'postgres://[::1,h2/db',
    ]) {
      assert.throws(
        () => parseHostList(value),
        (error: unknown) => error instanceof ValidationError && error.field === 'connectionString',
      );
    }
  });
});

describe('connectionSettings with a host list', () => {
  it('gives every role the host list’s Client class and the first host’s string, never the list', () => {
    const config = resolveConfig({
      connectionString: 'postgres://u@h1:5432,h2:5433/db?target_session_attrs=read-write',
    });
    const main = connectionSettings(config, 'main');
    for (const role of ['firing', 'listen', 'lease', 'boss'] as const) {
      const settings = connectionSettings(config, role);
      assert.equal(settings.Client, main.Client, role);
      assert.equal(settings.connectionString, 'postgres://u@h1:5432/db', role);
    }
  });

  it('passes a single-host string on exactly as before', () => {
    const config = resolveConfig({ connectionString: 'postgres://u@h1:5433/db?sslmode=disable' });
    const settings = connectionSettings(config, 'main');
    assert.equal(config.hostRouter, null);
    assert.equal(settings.connectionString, 'postgres://u@h1:5433/db?sslmode=disable');
    assert.equal(settings.Client, undefined);
  });

  it('refuses a bad target_session_attrs when the scheduler is created', () => {
    assert.throws(
      () => resolveConfig({ connectionString: 'postgres://h1,h2/db?target_session_attrs=standby' }),
      ValidationError,
    );
  });
});
