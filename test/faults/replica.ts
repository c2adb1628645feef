/**
 * PostgreSQL clusters with streaming replication, for the failover drill: a primary (initdb), a
 * standby made from it (pg_basebackup -R), a hard stop (SIGQUIT to the postmaster, what
 * `pg_ctl stop -m immediate` sends) and a promotion. Uses the system's PostgreSQL binaries
 * (`pg_config --bindir`). Like lib/embedded-postgres.ts, the servers run as an unprivileged user when
 * we are root (initdb and postgres refuse root): the `postgres` OS user, in a folder handed to it.
 * No Unix socket (a socket in /tmp would outlive a killed run): TCP on 127.0.0.1 only.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { appendFile, chown, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { freePort } from '../../lib/embedded-postgres.ts';
import { waitFor } from '../helpers/wait.ts';

/** One cluster: its data folder and port. */
export interface Cluster {
  readonly name: string;
  readonly dataDir: string;
  readonly port: number;
  /** `postgres://postgres@127.0.0.1:<port>/postgres`. */
  readonly url: string;
}

export interface ReplicaSet {
  /** The folder holding every cluster, removed by `destroy()`. */
  readonly folder: string;
  /** Creates the primary (initdb, wal_level=replica) on a free port. */
  createPrimary(name: string): Promise<Cluster>;
  /**
   * A streaming standby of `primary` on `port` (a free one when not given), started, and streaming.
   * With `lagMs`, it replicates through a link that delays every byte that long each way (see
   * startLagLink).
   */
  createStandby(primary: Cluster, name: string, options?: { port?: number; lagMs?: number }): Promise<Cluster>;
  /** Makes `standby` the synchronous standby of `primary` (synchronous_commit stays `on`: remote flush). */
  makeSynchronous(primary: Cluster, standby: Cluster): Promise<void>;
  /**
   * SIGQUIT to the postmaster (an immediate stop: no checkpoint, nothing more sent to standbys),
   * after cutting the lag links from it (what they held is lost, as with a machine that dies).
   * Resolves with the instant of the kill once the postmaster is gone.
   */
  killHard(cluster: Cluster): Promise<number>;
  /** Promotes `standby` (pg_promote, waiting for the end of recovery). */
  promote(standby: Cluster): Promise<void>;
  /** Stops every cluster still running (immediately) and removes the folder. Never throws. */
  destroy(): Promise<void>;
}

const RUN_AS = 'postgres';

/** The PostgreSQL binaries' folder, or null when there is none (no pg_config, or no initdb in it). */
export function postgresBinDir(): string | null {
  try {
    const dir = execFileSync('pg_config', ['--bindir'], { encoding: 'utf8' }).trim();
    return existsSync(path.join(dir, 'initdb')) && existsSync(path.join(dir, 'pg_basebackup')) ? dir : null;
  } catch {
    return null;
  }
}

const asRoot = process.getuid?.() === 0;

function userIds(name: string): { uid: number; gid: number } {
  const uid = Number(execFileSync('id', ['-u', name], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', name], { encoding: 'utf8' }).trim());
  return { uid, gid };
}

/** Runs a PostgreSQL binary to completion (as the postgres user when we are root); rejects with its output on failure. */
function run(bin: string, file: string, args: string[]): Promise<void> {
  const ids = asRoot ? userIds(RUN_AS) : null;
  return new Promise((resolve, reject) => {
    // Nothing from our environment: PGPORT, PGDATA and the like would change what the binaries do.
    const child = spawn(path.join(bin, file), args, {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LC_ALL: 'C', LANG: 'C' },
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(ids ?? {}),
    });
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += String(chunk);
    });
    child.stderr.on('data', (chunk) => {
      output += String(chunk);
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`${file} ${args.join(' ')} failed (${signal ?? code}): ${output}`));
    });
  });
}

/** The postmaster's pid, from postmaster.pid; null when the cluster is not running. */
async function postmasterPid(dataDir: string): Promise<number | null> {
  try {
    const pid = Number((await readFile(path.join(dataDir, 'postmaster.pid'), 'utf8')).split('\n')[0]);
    return Number.isInteger(pid) && pid > 0 && alive(pid) ? pid : null;
  } catch {
    return null;
  }
}

/** Whether the process runs: a zombie (exited, not yet reaped by whoever adopted it) does not. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    // /proc/<pid>/stat: "pid (comm) state ..."; comm may hold spaces, the state follows its last ')'.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
}

/** One statement on a connection of its own. */
export async function query<T>(url: string, text: string, values: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  client.on('error', () => {});
  try {
    await client.connect();
    return (await client.query(text, values)).rows as T[];
  } finally {
    await client.end().catch(() => {});
  }
}

/** Settings every cluster gets (a standby inherits its primary's, then overrides port and the standby's own). */
const SERVER_SETTINGS = [
  "listen_addresses = '127.0.0.1'",
  "unix_socket_directories = ''",
  'wal_level = replica',
  'max_wal_senders = 5',
  'hot_standby = on',
  // The drill measures replication, not the disk: a killed postmaster loses nothing the OS holds.
  'fsync = off',
  'max_connections = 100',
  'shared_buffers = 32MB',
  "log_min_messages = 'warning'",
];

/** A TCP relay that delays everything it carries. */
interface LagLink {
  readonly port: number;
  /** Drops what is in flight and closes every connection; refuses new ones. */
  sever(): void;
  close(): Promise<void>;
}

/**
 * A replication link with latency: every chunk is delivered `lagMs` after it arrived, each way (so
 * a synchronous commit waits at least twice that). On localhost the standby otherwise receives WAL
 * within a fraction of a millisecond, and an asynchronous standby would hardly ever miss a commit;
 * with a lag, the last `lagMs` of WAL is still on its way when the primary dies, as between
 * machines or zones. Same-delay timers fire in the order they were set, so bytes stay in order.
 */
async function startLagLink(target: number, lagMs: number): Promise<LagLink> {
  const sockets = new Set<net.Socket>();
  let severed = false;
  const server = net.createServer((client) => {
    if (severed) {
      client.destroy();
      return;
    }
    const upstream = net.connect(target, '127.0.0.1');
    for (const [from, to] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      sockets.add(from);
      from.on('data', (chunk) => {
        setTimeout(() => {
          if (!severed && !to.destroyed) to.write(chunk);
        }, lagMs);
      });
      from.on('error', () => {});
      from.on('close', () => setTimeout(() => to.destroy(), lagMs));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const sever = () => {
    severed = true;
    for (const socket of sockets) socket.destroy();
  };
  return {
    port: (server.address() as net.AddressInfo).port,
    sever,
    async close() {
      sever();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export async function createReplicaSet(bin: string): Promise<ReplicaSet> {
  const folder = await mkdtemp(path.join(tmpdir(), 'faults-failover-'));
  const ids = asRoot ? userIds(RUN_AS) : null;
  if (ids) await chown(folder, ids.uid, ids.gid);
  const clusters: Cluster[] = [];
  /** Lag links by the port of the primary they lead to. */
  const links: { primary: number; link: LagLink }[] = [];

  const cluster = (name: string, port: number): Cluster => {
    const made = {
      name,
      dataDir: path.join(folder, `${name}-${port}`),
      port,
      url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    };
    clusters.push(made);
    return made;
  };

  const start = (c: Cluster) =>
    run(bin, 'pg_ctl', ['-D', c.dataDir, '-l', `${c.dataDir}.log`, '-w', '-t', '60', '-o', `-p ${c.port}`, 'start']);

  return {
    folder,

    async createPrimary(name) {
      const c = cluster(name, await freePort());
      await run(bin, 'initdb', ['-D', c.dataDir, '-A', 'trust', '-U', 'postgres', '--no-sync', '--no-instructions']);
      await appendFile(path.join(c.dataDir, 'postgresql.conf'), `\n${SERVER_SETTINGS.join('\n')}\nport = ${c.port}\n`);
      await start(c);
      return c;
    },

    async createStandby(primary, name, { port, lagMs = 0 } = {}) {
      const c = cluster(name, port ?? (await freePort()));
      let upstream = primary.port;
      if (lagMs > 0) {
        const link = await startLagLink(primary.port, lagMs);
        links.push({ primary: primary.port, link });
        upstream = link.port;
      }
      await rm(c.dataDir, { recursive: true, force: true });
      if (ids) {
        await mkdir(c.dataDir, { mode: 0o700 });
        await chown(c.dataDir, ids.uid, ids.gid);
      }
      await run(bin, 'pg_basebackup', [
        '-h',
        '127.0.0.1',
        '-p',
        String(primary.port),
        '-U',
        'postgres',
        '-D',
        c.dataDir,
        '-X',
        'stream',
        '-c',
        'fast',
        '-R',
        '--no-sync',
      ]);
      // Last setting wins in postgresql.auto.conf: its own port, a connection naming it (what
      // synchronous_standby_names refers to), and no synchronous standby of its own once promoted
      // (the primary's setting came with the copy; a promoted server waiting for a standby that does
      // not exist would hang every commit).
      await appendFile(
        path.join(c.dataDir, 'postgresql.auto.conf'),
        [
          `port = ${c.port}`,
          `primary_conninfo = 'host=127.0.0.1 port=${upstream} user=postgres application_name=${name}'`,
          "synchronous_standby_names = ''",
          '',
        ].join('\n'),
      );
      await start(c);
      await waitFor(
        `${name} to stream from ${primary.name}`,
        async () =>
          (
            await query<{ n: number }>(
              primary.url,
              `SELECT count(*)::int AS n FROM pg_stat_replication WHERE application_name = $1 AND state = 'streaming'`,
              [name],
            )
          )[0]!.n === 1,
        { timeoutMs: 30_000, intervalMs: 50 },
      );
      return c;
    },

    async makeSynchronous(primary, standby) {
      await query(primary.url, `ALTER SYSTEM SET synchronous_standby_names = '${standby.name}'`);
      await query(primary.url, 'ALTER SYSTEM SET synchronous_commit = on');
      await query(primary.url, 'SELECT pg_reload_conf()');
      await waitFor(
        `${standby.name} to be synchronous`,
        async () =>
          (
            await query<{ n: number }>(
              primary.url,
              `SELECT count(*)::int AS n FROM pg_stat_replication WHERE application_name = $1 AND sync_state = 'sync'`,
              [standby.name],
            )
          )[0]!.n === 1,
        { timeoutMs: 30_000, intervalMs: 50 },
      );
    },

    async killHard(c) {
      const pid = await postmasterPid(c.dataDir);
      if (pid === null) throw new Error(`${c.name} is not running`);
      for (const { primary, link } of links) if (primary === c.port) link.sever();
      process.kill(pid, 'SIGQUIT');
      const at = Date.now();
      await waitFor(`${c.name} to stop`, () => !alive(pid), { timeoutMs: 30_000, intervalMs: 10 });
      return at;
    },

    async promote(standby) {
      const [row] = await query<{ promoted: boolean }>(standby.url, 'SELECT pg_promote(true, 30) AS promoted');
      if (!row?.promoted) throw new Error(`${standby.name} was not promoted within 30 s`);
    },

    async destroy() {
      for (const { link } of links) await link.close().catch(() => {});
      for (const c of clusters) {
        const pid = await postmasterPid(c.dataDir);
        if (pid === null) continue;
        process.kill(pid, 'SIGQUIT');
        await waitFor(`${c.name} to stop`, () => !alive(pid), { timeoutMs: 10_000, intervalMs: 20 }).catch(() => {
          // Its children go with it: the postmaster's process group holds them all.
          for (const target of [-pid, pid]) {
            try {
              process.kill(target, 'SIGKILL');
            } catch {}
          }
        });
      }
      await rm(folder, { recursive: true, force: true }).catch(() => {});
    },
  };
}
