import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, lstat, mkdir, mkdtemp, readlink, rm, writeFile } from 'node:fs/promises';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { EmbeddedPostgresError, type PlacedFiles, startEmbeddedPostgres } from '../../lib/embedded-postgres.ts';

const LAUNCHER_URL = pathToFileURL(join(import.meta.dirname, '../../lib/embedded-postgres.ts')).href;
const folders: string[] = [];

/** A fresh folder that PostgreSQL's unprivileged user can reach when we run as root (mkdtemp makes 0700). */
async function tempFolder(): Promise<string> {
  const folder = await mkdtemp(join(tmpdir(), 'embedded-postgres-test-'));
  await chmod(folder, 0o755);
  folders.push(folder);
  return folder;
}

async function query<T extends pg.QueryResultRow>(connectionString: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  if (process.platform !== 'linux') return true;
  // An orphan that nobody reaps lingers as a zombie: it counts as gone.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
}

after(async () => {
  await Promise.all(folders.map((folder) => rm(folder, { recursive: true, force: true })));
});

describe('embedded PostgreSQL', () => {
  test('an ephemeral cluster speaks UTF8 on 127.0.0.1 only, and its folder goes on stop', async () => {
    const dataDir = join(await tempFolder(), 'data');
    const server = await startEmbeddedPostgres({ dataDir, ephemeral: true });
    try {
      const url = new URL(server.connectionString);
      assert.equal(url.hostname, '127.0.0.1');
      assert.equal(Number(url.port), server.port);
      const [row] = await query<{ encoding: string; address: string; listen: string; sockets: string }>(
        server.connectionString,
        `SELECT current_setting('server_encoding') AS encoding, host(inet_server_addr()) AS address,
                current_setting('listen_addresses') AS listen, current_setting('unix_socket_directories') AS sockets`,
      );
      assert.deepEqual(row, { encoding: 'UTF8', address: '127.0.0.1', listen: '127.0.0.1', sockets: '' });
    } finally {
      await server.stop();
    }
    assert.equal(existsSync(dataDir), false);
  });

  test('a warm start on the same folder keeps the data and the password, and the password is required', async () => {
    const dataDir = join(await tempFolder(), 'data');
    const first = await startEmbeddedPostgres({ dataDir });
    try {
      await query(first.connectionString, 'CREATE TABLE kept (value text); INSERT INTO kept VALUES ($$here$$)');
    } finally {
      await first.stop();
    }
    assert.equal(existsSync(join(dataDir, 'PG_VERSION')), true);

    const second = await startEmbeddedPostgres({ dataDir });
    try {
      assert.equal(new URL(second.connectionString).password, new URL(first.connectionString).password);
      assert.deepEqual(await query(second.connectionString, 'SELECT value FROM kept'), [{ value: 'here' }]);
      const wrong = new URL(second.connectionString);
      wrong.password = 'wrong';
      await assert.rejects(query(wrong.href, 'SELECT 1'), { code: '28P01' });
    } finally {
      await second.stop();
    }
  });

  test('a second start on a folder this process still runs is refused', async () => {
    const dataDir = join(await tempFolder(), 'data');
    const server = await startEmbeddedPostgres({ dataDir });
    try {
      await assert.rejects(startEmbeddedPostgres({ dataDir }), (err: unknown) => {
        assert.ok(err instanceof EmbeddedPostgresError);
        assert.match(err.message, /already runs on .*started by this process/);
        return true;
      });
      await query(server.connectionString, 'SELECT 1');
    } finally {
      await server.stop();
    }
  });

  test('a server orphaned by a killed process is shut down and the folder started again', async () => {
    const dataDir = join(await tempFolder(), 'data');
    // The child starts a server and reports it, then waits to be killed without any chance to stop it.
    const script = `
      const { startEmbeddedPostgres } = await import(${JSON.stringify(LAUNCHER_URL)});
      const server = await startEmbeddedPostgres({ dataDir: ${JSON.stringify(dataDir)} });
      console.log(JSON.stringify({ connectionString: server.connectionString }));
      setInterval(() => {}, 60_000);
    `;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '--eval', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exit = once(child, 'exit');
    const [line] = (await once(createInterface({ input: child.stdout! }), 'line')) as [string];
    const orphan = JSON.parse(line) as { connectionString: string };
    await query(orphan.connectionString, 'SELECT 1');
    child.kill('SIGKILL');
    await exit;

    const orphanPid = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    assert.equal(isAlive(orphanPid), true, 'the killed process left its server running');

    const server = await startEmbeddedPostgres({ dataDir });
    try {
      assert.equal(isAlive(orphanPid), false);
      assert.deepEqual(await query(server.connectionString, 'SELECT 1 AS one'), [{ one: 1 }]);
    } finally {
      await server.stop();
    }
  });

  test('a port in use is refused with a clear error, and the cluster starts on another', async () => {
    const dataDir = join(await tempFolder(), 'data');
    const taken = createServer();
    taken.listen(0, '127.0.0.1');
    await once(taken, 'listening');
    const { port } = taken.address() as AddressInfo;
    try {
      await assert.rejects(startEmbeddedPostgres({ dataDir, port }), (err: unknown) => {
        assert.ok(err instanceof EmbeddedPostgresError);
        assert.match(err.message, new RegExp(`could not listen on 127\\.0\\.0\\.1:${port}: the port is in use`));
        assert.ok(err.logLines.some((line) => line.includes('could not bind')));
        return true;
      });
    } finally {
      taken.close();
    }
    const server = await startEmbeddedPostgres({ dataDir, ephemeral: true });
    try {
      assert.notEqual(server.port, port);
      await query(server.connectionString, 'SELECT 1');
    } finally {
      await server.stop();
    }
  });

  test('a data folder whose parent is missing is refused with a clear error', async () => {
    const dataDir = join(await tempFolder(), 'missing', 'data');
    await assert.rejects(startEmbeddedPostgres({ dataDir }), (err: unknown) => {
      assert.ok(err instanceof EmbeddedPostgresError);
      assert.match(err.message, /parent folder .*missing of .* does not exist: create it first/);
      return true;
    });
  });

  test('as root, a data folder out of reach of the unprivileged user is placed where it can reach, and stays', {
    skip: process.getuid?.() !== 0 && 'runs as root only',
  }, async () => {
    const closed = join(await tempFolder(), 'closed');
    await mkdir(closed, { mode: 0o700 });
    const dataDir = join(closed, 'data');
    const placeRoot = await tempFolder();
    const placed: PlacedFiles[] = [];
    const options = { dataDir, placeRoot, onPlaced: (p: PlacedFiles) => placed.push(p) };

    const first = await startEmbeddedPostgres(options);
    try {
      assert.equal(first.dataDir, dataDir);
      assert.equal(placed.length, 1);
      assert.equal(placed[0]!.link, dataDir);
      assert.ok(placed[0]!.data_dir.startsWith(`${placeRoot}/data-`), placed[0]!.data_dir);
      assert.equal((await lstat(dataDir)).isSymbolicLink(), true);
      assert.equal(await readlink(dataDir), placed[0]!.data_dir);
      await query(first.connectionString, 'CREATE TABLE kept (v text); INSERT INTO kept VALUES ($$durable$$)');
    } finally {
      await first.stop();
    }

    // The same path finds the same cluster: the data is there after a restart.
    const second = await startEmbeddedPostgres(options);
    try {
      assert.equal(placed.at(-1)!.data_dir, placed[0]!.data_dir);
      assert.deepEqual(await query(second.connectionString, 'SELECT v FROM kept'), [{ v: 'durable' }]);
    } finally {
      await second.stop();
    }
  });

  test('as root, a non-empty data folder out of reach is refused with a clear error, and left alone', {
    skip: process.getuid?.() !== 0 && 'runs as root only',
  }, async () => {
    const closed = join(await tempFolder(), 'closed');
    await mkdir(join(closed, 'data'), { recursive: true, mode: 0o700 });
    await writeFile(join(closed, 'data', 'something'), 'x');
    const placeRoot = await tempFolder();
    await assert.rejects(startEmbeddedPostgres({ dataDir: join(closed, 'data'), placeRoot }), (err: unknown) => {
      assert.ok(err instanceof EmbeddedPostgresError);
      assert.match(err.message, /out of reach of the OS user .* is not empty, so it cannot be moved aside/);
      return true;
    });
    assert.equal(existsSync(join(closed, 'data', 'something')), true);
  });
});
