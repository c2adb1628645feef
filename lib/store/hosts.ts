/**
 * Multi-host connection strings (libpq's `postgres://u@h1:5432,h2:5433/db?target_session_attrs=read-write`),
 * which node-postgres does not understand: it reads `h1:5432,h2` as one host name, and ignores
 * target_session_attrs. This module parses them and provides the pg Client class that every
 * connection of the library is opened with (the scheduler's pools, its LISTEN and lease
 * connections, and pg-boss's pool, which passes its `Client` option on to pg.Pool), so that all of
 * them follow the writable host after a failover.
 *
 * A string with one host and no target_session_attrs (or `any`) is not touched: it goes to pg as
 * before.
 */
import pg from 'pg';
import { ValidationError } from '../errors.ts';
import * as sql from './sql.ts';

/**
 * The target_session_attrs values accepted: libpq's names and meanings. The scheduler writes, so
 * libpq's `read-only`, `standby` and `prefer-standby` are refused.
 */
export const TARGET_SESSION_ATTRS = ['any', 'read-write', 'primary'] as const;
export type TargetSessionAttrs = (typeof TARGET_SESSION_ATTRS)[number];

/** libpq's default port, used for a host of a list that names none. */
export const DEFAULT_PORT = 5432;

/** One host of a multi-host connection string. */
export interface HostEntry {
  /** Host name or address, percent-decoded, without IPv6 brackets. */
  readonly host: string;
  readonly port: number;
  /** The whole connection string with this host alone (user, database and other parameters kept). */
  readonly connectionString: string;
}

/** A parsed multi-host connection string. */
export interface HostList {
  readonly hosts: readonly HostEntry[];
  readonly targetSessionAttrs: TargetSessionAttrs;
}

const FIELD = 'connectionString';
const URI = /^(postgres(?:ql)?:\/\/)([^/?#]*)(.*)$/is;

/**
 * Parses a libpq URI with a host list and/or target_session_attrs. Null for anything else (one host
 * and no target_session_attrs, key=value strings, socket paths): those go to pg untouched.
 * Throws ValidationError for a malformed host entry or an unknown target_session_attrs.
 */
export function parseHostList(connectionString: string): HostList | null {
  const match = URI.exec(connectionString);
  if (!match) return null;
  const [, scheme, authority, rest] = match as unknown as [string, string, string, string];
  const at = authority.lastIndexOf('@');
  const userinfo = at >= 0 ? authority.slice(0, at + 1) : '';
  const hostspec = authority.slice(at + 1);
  const queryStart = rest.indexOf('?');
  const path = queryStart >= 0 ? rest.slice(0, queryStart) : rest;
  const query = queryStart >= 0 ? rest.slice(queryStart + 1) : '';
  // Parameters are kept as written (their encoding too); only target_session_attrs is ours.
  let attrs: string | null = null;
  const kept: string[] = [];
  for (const pair of query.split('&')) {
    if (pair === '') continue;
    const [key = '', value = ''] = pair.split('=', 2).map((part) => decodeURIComponent(part.replace(/\+/g, ' ')));
    if (key === 'target_session_attrs') attrs = value;
    else kept.push(pair);
  }
  const entries = hostspec.split(',');
  if (entries.length === 1 && (attrs === null || attrs === 'any')) return null;
  if (attrs !== null && !(TARGET_SESSION_ATTRS as readonly string[]).includes(attrs)) {
    throw new ValidationError({
      field: `${FIELD}.target_session_attrs`,
      value: attrs,
      expected: `one of ${TARGET_SESSION_ATTRS.join(', ')} (the scheduler writes: read-only, standby and prefer-standby are refused)`,
    });
  }
  const suffix = `${path}${kept.length > 0 ? `?${kept.join('&')}` : ''}`;
  const hosts = entries.map((entry): HostEntry => {
    const parts = /^\[([^\]]+)\](?::(\d*))?$/.exec(entry) ?? /^([^:[\]]+)(?::(\d*))?$/.exec(entry);
    const port = parts?.[2] ? Number(parts[2]) : DEFAULT_PORT;
    if (!parts || !Number.isInteger(port) || port < 1 || port > 65535) {
      throw new ValidationError({
        field: FIELD,
        value: entry,
        expected: 'each host of the list as host, host:port, [IPv6] or [IPv6]:port (port 1-65535)',
      });
    }
    const host = decodeURIComponent(parts[1]!);
    const literal = parts[1]!;
    const hostToken = entry.startsWith('[') ? `[${literal}]` : literal;
    return Object.freeze({ host, port, connectionString: `${scheme}${userinfo}${hostToken}:${port}${suffix}` });
  });
  return Object.freeze({ hosts: Object.freeze(hosts), targetSessionAttrs: (attrs ?? 'any') as TargetSessionAttrs });
}

/** The session reported as unfit for target_session_attrs (no host gave one, or the known host changed). */
export class HostSelectionError extends Error {
  /** SQLSTATE sqlclient_unable_to_establish_sqlconnection: the engine counts it as "database unavailable". */
  readonly code = '08001';
}

/** Session facts PostgreSQL 14+ reports at connection start (ParameterStatus), so checking costs no round trip. */
type ReportedStatus = Map<string, string>;

/**
 * Why the session does not fit `attrs` (null: it fits). Reads the ParameterStatus values
 * `in_hot_standby` and `default_transaction_read_only`, as libpq does; a server older than 14
 * reports no `in_hot_standby`, and is asked (one query, on new connections only).
 */
async function unfitness(
  client: pg.Client,
  reported: ReportedStatus,
  attrs: TargetSessionAttrs,
): Promise<string | null> {
  if (attrs === 'any') return null;
  let inRecovery = reported.get('in_hot_standby');
  let readOnly = reported.get('default_transaction_read_only');
  if (inRecovery === undefined || readOnly === undefined) {
    const { rows } = await client.query(sql.selectSessionState);
    inRecovery = rows[0].in_recovery ? 'on' : 'off';
    readOnly = rows[0].read_only ? 'on' : 'off';
  }
  if (inRecovery === 'on') return 'in hot standby';
  if (attrs === 'read-write' && readOnly === 'on') return 'read-only (default_transaction_read_only)';
  return null;
}

function recordStatus(client: pg.Client): ReportedStatus {
  const reported: ReportedStatus = new Map();
  // pg keeps no ParameterStatus values of its own; its connection emits each one as it arrives.
  client.connection.on('parameterStatus', (message: { parameterName: string; parameterValue: string }) => {
    reported.set(message.parameterName, message.parameterValue);
  });
  return reported;
}

const label = (entry: HostEntry) =>
  entry.host.includes(':') ? `[${entry.host}]:${entry.port}` : `${entry.host}:${entry.port}`;

/** pg's connect() in both forms: a promise, or a callback that pg-pool passes. */
type ConnectCallback = (error: Error | null, client?: pg.Client) => void;

/** What connects to a host list: the Client class. */
export interface HostRouter {
  readonly list: HostList;
  /** The pg Client class (pg.Pool's `Client` option, or `new`): connects to a fitting host. */
  readonly Client: typeof pg.Client;
  /** The host that last gave a fitting session; null before the first and after it failed. */
  current(): HostEntry | null;
}

/**
 * The connections of one host list. `Client` remembers the host that last gave a fitting session
 * (shared by every connection made through this router: the pools, the side connections, pg-boss's
 * pool). A new connection goes straight to that host and checks the session from what the server
 * reports at start-up (PostgreSQL 14+; a query on older servers); an open connection is never checked
 * again, so a pool checkout costs nothing more than before. When the remembered host fails
 * (unreachable, or no longer fits), that connection fails, the host is forgotten, and the next new
 * connection looks for a fitting host again (see firstFitting).
 *
 * Every connection of the library goes through this class: pg-boss's pool takes it as pg.Pool's
 * `Client` option, and pg-boss opens no other connection (it runs without its LISTEN connection,
 * see lib/boss.ts).
 */
export function hostRouter(list: HostList): HostRouter {
  let known: HostEntry | null = null;
  let search: Promise<HostEntry> | null = null;

  /** A throwaway connection to `entry`: resolves when its session fits, rejects with why not. */
  async function probe(entry: HostEntry, settings: pg.ClientConfig): Promise<HostEntry> {
    const client = new pg.Client({ ...settings, connectionString: entry.connectionString });
    const reported = recordStatus(client);
    client.on('error', () => {});
    try {
      await client.connect();
      const why = await unfitness(client, reported, list.targetSessionAttrs);
      if (why) throw new Error(why);
      return entry;
    } finally {
      await client.end().catch(() => {});
    }
  }

  /**
   * `any`: the first host, in the list's order, that accepts a connection (libpq's order). Otherwise
   * all are asked at once and the first fitting one to answer wins: at most one host should be
   * writable, and a dead former primary listed first must not delay finding the new one.
   */
  async function firstFitting(settings: pg.ClientConfig): Promise<HostEntry> {
    if (list.targetSessionAttrs !== 'any') return Promise.any(list.hosts.map((entry) => probe(entry, settings)));
    const errors: unknown[] = [];
    for (const entry of list.hosts) {
      try {
        return await probe(entry, settings);
      } catch (error) {
        errors.push(error);
      }
    }
    throw new AggregateError(errors);
  }

  /** One search at a time: the connections a pool opens at once all wait for the same one. */
  function find(settings: pg.ClientConfig): Promise<HostEntry> {
    search ??= firstFitting(settings)
      .then(
        (entry) => {
          known = entry;
          return entry;
        },
        (failed: AggregateError) => {
          const reasons = list.hosts.map((entry, i) => `${label(entry)} (${(failed.errors[i] as Error)?.message})`);
          throw new HostSelectionError(
            `no host of the connection string gave a session with target_session_attrs=${list.targetSessionAttrs}: ${reasons.join(', ')}`,
          );
        },
      )
      .finally(() => {
        search = null;
      });
    return search;
  }

  class FailoverClient extends pg.Client {
    readonly #settings: pg.ClientConfig;
    readonly #reported: ReportedStatus;

    constructor(config?: pg.ClientConfig) {
      const { Client: _client, ...settings } = (config ?? {}) as pg.PoolConfig;
      super({ ...settings, connectionString: (known ?? list.hosts[0]!).connectionString });
      this.#settings = settings;
      this.#reported = recordStatus(this);
    }

    override connect(): Promise<pg.Client>;
    override connect(callback: ((err: Error) => void) | ((err: null, c: pg.Client) => void)): void;
    override connect(callback?: unknown): Promise<pg.Client> | undefined {
      const connecting = this.#connect().then(() => this);
      if (!callback) return connecting;
      const done = callback as ConnectCallback;
      connecting.then(
        (client) => done(null, client),
        (error: Error) => done(error),
      );
      return undefined;
    }

    async #connect(): Promise<void> {
      const entry = known ?? (await find(this.#settings));
      // Only host and port differ between the hosts' strings: user, database, ssl and the rest were
      // read from the first at construction and hold for every host.
      const self = this as unknown as {
        host: string;
        port: number;
        connectionParameters: { host: string; port: number };
      };
      self.host = self.connectionParameters.host = entry.host;
      self.port = self.connectionParameters.port = entry.port;
      try {
        await super.connect();
      } catch (error) {
        if (known === entry) known = null;
        throw error;
      }
      const why = await unfitness(this, this.#reported, list.targetSessionAttrs).catch((error: Error) => error.message);
      if (why) {
        if (known === entry) known = null;
        await this.end().catch(() => {});
        throw new HostSelectionError(
          `${label(entry)} no longer fits target_session_attrs=${list.targetSessionAttrs}: ${why}`,
        );
      }
      known = entry;
    }
  }

  return Object.freeze({ list, Client: FailoverClient, current: () => known });
}
