/**
 * A PgBouncer of the test's own, in front of the server at DATABASE_URL: Debian's binary, a config
 * in a temporary folder, a free loopback port. Tests skip (saying so) when the binary is missing.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { accessSync, constants } from 'node:fs';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import pg from 'pg';
import { waitFor } from './wait.ts';

export type PoolMode = 'session' | 'transaction';

export interface PgBouncer {
  /** `url` (a database URL on the real server) as reached through this PgBouncer. */
  through(url: string): string;
  stop(): Promise<void>;
}

/** The pgbouncer binary: on PATH, or where Debian's package puts it (/usr/sbin is not on every PATH). */
export function findPgBouncer(): string | null {
  const dirs = [...(process.env['PATH'] ?? '').split(delimiter), '/usr/sbin', '/usr/local/sbin'];
  for (const dir of dirs) {
    if (!dir) continue;
    const file = join(dir, 'pgbouncer');
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {}
  }
  return null;
}

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

/**
 * Starts PgBouncer in `mode` in front of `serverUrl`'s host and port (every database name passes
 * through), with trust authentication and the server's user and password in its userlist.
 * `ignore` fills `ignore_startup_parameters`.
 */
export async function startPgBouncer(
  binary: string,
  serverUrl: string,
  mode: PoolMode,
  { ignore = [] as string[] } = {},
): Promise<PgBouncer> {
  const server = new URL(serverUrl);
  const user = decodeURIComponent(server.username || 'postgres');
  const password = decodeURIComponent(server.password);
  const dir = await mkdtemp(join(tmpdir(), 'pgbouncer-test-'));
  const port = await freePort();
  const quote = (s: string) => `"${s.replaceAll('"', '""')}"`;
  await writeFile(join(dir, 'users.txt'), `${quote(user)} ${quote(password)}\n`);
  await writeFile(
    join(dir, 'pgbouncer.ini'),
    [
      '[databases]',
      // The wildcard entry: each database name is passed to the server as it is.
      `* = host=${server.hostname.replace(/^\[|\]$/g, '')} port=${server.port || 5432}`,
      '[pgbouncer]',
      'listen_addr = 127.0.0.1',
      `listen_port = ${port}`,
      // No Unix socket: nothing of ours to collide with in /tmp.
      'unix_socket_dir =',
      'auth_type = trust',
      `auth_file = ${join(dir, 'users.txt')}`,
      `pool_mode = ${mode}`,
      'max_client_conn = 500',
      'default_pool_size = 40',
      ...(ignore.length > 0 ? [`ignore_startup_parameters = ${ignore.join(',')}`] : []),
      '',
    ].join('\n'),
  );
  // PgBouncer refuses to run as root ("PgBouncer should not run as root") unless told a user to
  // become; that user must be able to read the folder and its files.
  const root = process.getuid?.() === 0;
  if (root) {
    await chmod(dir, 0o755);
    await chmod(join(dir, 'users.txt'), 0o644);
    await chmod(join(dir, 'pgbouncer.ini'), 0o644);
  }
  const child: ChildProcess = spawn(binary, [...(root ? ['-u', 'nobody'] : []), join(dir, 'pgbouncer.ini')], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  // Kept for the message should it not start; it logs every connection, so not kept beyond that.
  let log = '';
  const keep = (chunk: string) => {
    log += chunk;
  };
  child.stderr!.setEncoding('utf8').on('data', keep);
  const exited = once(child, 'exit');
  const through = (url: string) => {
    const u = new URL(url);
    u.hostname = '127.0.0.1';
    u.port = String(port);
    return u.href;
  };
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGINT');
      await exited;
    }
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await waitFor(
      `PgBouncer answering on port ${port}`,
      async () => {
        if (child.exitCode !== null) throw new Error(`pgbouncer exited (${child.exitCode}): ${log}`);
        const client = new pg.Client({ connectionString: through(serverUrl) });
        try {
          await client.connect();
          await client.query('SELECT 1');
          return true;
        } finally {
          await client.end().catch(() => {});
        }
      },
      { timeoutMs: 10_000, intervalMs: 100 },
    );
  } catch (error) {
    await stop();
    throw error;
  }
  child.stderr!.off('data', keep);
  child.stderr!.resume();
  log = '';
  return { through, stop };
}
