/**
 * Roles: the same load on one PostgreSQL, served by (1) one process doing everything (fire, work,
 * API: `npm start` with its defaults), (2) a split layout of three processes, each `npm start` with
 * one role (SCHEDULER_API / SCHEDULER_FIRE / SCHEDULER_WORKER): fire-only, worker-only, API-only, and
 * (3) two processes: fire + work, and API-only.
 *
 * Load: N every-second schedules (`* * * * * *`) handled by the bundled log-file sink (the server's
 * own worker: one line per run in <LOG_DIR>/<name>.log), while autocannon sends GET /jobs/{id} at a
 * fixed rate to the process that serves the API. Measured over a window: the lateness of each line
 * (the time it starts with, taken as the handler starts, minus its scheduled second), lines written
 * / expected and duplicates, API latency and throughput, and CPU per process (and of the database's
 * backends) as a share of one core.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import autocannon from 'autocannon';
import { createBenchDatabase, migrate, seedSchedules, wakeTickers } from './database.ts';
import type { Benchmark, Row } from './report.ts';
import { processStats, startServe, stopServe } from './server-tick.ts';
import { count, ms, summarize } from './stats.ts';

/** API requests at once (autocannon connections); the rate is fixed, so this only bounds queueing. */
const CONNECTIONS = 10;

interface Role {
  label: string;
  env: Record<string, string>;
  api: boolean;
}

interface Layout {
  label: string;
  roles: Role[];
}

const LAYOUTS: Layout[] = [
  { label: 'one process (fire + work + API)', roles: [{ label: 'all', env: {}, api: true }] },
  {
    label: 'split (fire / work / API)',
    roles: [
      { label: 'fire', env: { SCHEDULER_API: 'false', SCHEDULER_WORKER: 'false' }, api: false },
      { label: 'work', env: { SCHEDULER_API: 'false', SCHEDULER_FIRE: 'false' }, api: false },
      { label: 'api', env: { SCHEDULER_WORKER: 'false', SCHEDULER_FIRE: 'false' }, api: true },
    ],
  },
  {
    // A firing process hands the runs it claims to its own worker from memory (no fetch); the
    // split layout's runs go through pg-boss instead, so keep fire and work together and move the API.
    label: 'API apart (fire + work / API)',
    roles: [
      { label: 'fire+work', env: { SCHEDULER_API: 'false' }, api: false },
      { label: 'api', env: { SCHEDULER_WORKER: 'false', SCHEDULER_FIRE: 'false' }, api: true },
    ],
  },
];

/** CPU time (ms) of the PostgreSQL backends connected to `database` (their title names it). */
async function backendCpuMs(database: string): Promise<number> {
  let total = 0;
  for (const pid of await readdir('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    const title = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (!title.startsWith('postgres:') || !title.includes(` ${database} `)) continue;
    total += await processStats(Number(pid)).then(
      (s) => s.cpuMs,
      () => 0,
    );
  }
  return total;
}

/** Lines of the window: lateness per line, unique (job, second) pairs, duplicates. */
async function readLines(
  logDir: string,
  fromMs: number,
  toMs: number,
): Promise<{ lateness: number[]; unique: number; duplicates: number }> {
  const lateness: number[] = [];
  let duplicates = 0;
  for (const file of await readdir(logDir)) {
    const seen = new Set<number>();
    for (const line of (await readFile(join(logDir, file), 'utf8')).split('\n')) {
      const [written, , scheduled] = line.split(' ', 3);
      if (!scheduled) continue;
      const at = Date.parse(scheduled);
      if (at < fromMs || at >= toMs) continue;
      if (seen.has(at)) {
        duplicates += 1;
        continue;
      }
      seen.add(at);
      lateness.push(Date.parse(written!) - at);
    }
  }
  return { lateness, unique: lateness.length, duplicates };
}

export const roles: Benchmark = {
  name: 'roles',
  title: '10. Roles: one process doing all vs fire / work / API in three processes',
  async run(ctx) {
    const schedules = ctx.quick ? 200 : 2000;
    const seconds = ctx.quick ? 5 : 30;
    const warmupSeconds = ctx.quick ? 2 : 5;
    const rate = ctx.quick ? 50 : 200;
    const rows: Row[] = [];
    for (const layout of LAYOUTS) {
      const db = await createBenchDatabase(ctx.serverUrl, 'roles');
      const logDir = await mkdtemp(join(tmpdir(), 'bench-roles-logs-'));
      const started: { role: Role; server: Awaited<ReturnType<typeof startServe>> }[] = [];
      try {
        await migrate(db.url);
        for (const role of layout.roles) {
          started.push({ role, server: await startServe({ DATABASE_URL: db.url, LOG_DIR: logDir, ...role.env }) });
        }
        const apiServer = started.find((s) => s.role.api)!.server;
        // Processes first, then the schedules, announced the way create() announces one.
        const startAt = Math.ceil(Date.now() / 1000) * 1000 + 3000;
        await seedSchedules(db.pool, {
          count: schedules,
          prefix: 'every-second',
          cron: '* * * * * *',
          nextRunAt: `to_timestamp(${startAt / 1000})`,
        });
        await wakeTickers(db.pool, startAt);
        const { rows: idRows } = await db.pool.query('SELECT id FROM scheduler.schedules');
        const ids = idRows.map((r) => r.id as string);

        // The window starts on a whole second after the warm-up, so every second in it is whole.
        const fromMs = startAt + warmupSeconds * 1000;
        await delay(fromMs - Date.now());
        const cpuBefore = await Promise.all(started.map((s) => processStats(s.server.child.pid!)));
        const dbBefore = await backendCpuMs(db.name);
        let pick = 0;
        const load = await autocannon({
          url: apiServer.base,
          connections: CONNECTIONS,
          overallRate: rate,
          duration: seconds,
          requests: [{ setupRequest: (req) => ({ ...req, method: 'GET', path: `/jobs/${ids[pick++ % ids.length]}` }) }],
        });
        const toMs = fromMs + seconds * 1000;
        const cpuAfter = await Promise.all(started.map((s) => processStats(s.server.child.pid!)));
        const dbAfter = await backendCpuMs(db.name);
        const elapsedMs = Math.max(Date.now() - fromMs, 1);
        // The last second's runs are handled well within this.
        const expected = schedules * seconds;
        // The window's last lines are written moments after it: read until all are there (or 10 s on).
        let lines = await readLines(logDir, fromMs, toMs);
        while (lines.unique < expected && Date.now() < toMs + 10_000) {
          await delay(250);
          lines = await readLines(logDir, fromMs, toMs);
        }
        const late = summarize(lines.lateness);
        const bad = load.non2xx + load.errors + load.timeouts;
        const cpu = started.map(
          (s, i) => `${s.role.label} ${(((cpuAfter[i]!.cpuMs - cpuBefore[i]!.cpuMs) / elapsedMs) * 100).toFixed(0)}%`,
        );
        const dbCpu = `${(((dbAfter - dbBefore) / elapsedMs) * 100).toFixed(0)}%`;
        const rss = started.map((s, i) => `${s.role.label} ${cpuAfter[i]!.rssMiB.toFixed(0)}`);
        ctx.log(
          `${layout.label}: lateness p50 ${ms(late.p50)} p99 ${ms(late.p99)} max ${ms(late.max)}, ` +
            `${count(lines.unique)} / ${count(expected)} lines, ${lines.duplicates} duplicates; API ${count(load.requests.average)} req/s ` +
            `p50 ${ms(load.latency.p50)} p99 ${ms(load.latency.p99)}, ${bad} failed; CPU ${cpu.join(', ')}, PostgreSQL ${dbCpu}`,
        );
        rows.push(
          {
            figure: `${layout.label}: handler-start lateness p50 / p99 / max`,
            value: `${ms(late.p50)} / ${ms(late.p99)} / ${ms(late.max)}`,
            target: 'p99 <= 50 ms',
            met: late.n > 0 && late.p99 <= 50,
          },
          {
            figure: `${layout.label}: lines written / expected, duplicates`,
            value: `${count(lines.unique)} / ${count(expected)}, ${count(lines.duplicates)}`,
          },
          {
            figure: `${layout.label}: GET /jobs/{id} at ${rate}/s: req/s, latency p50 / p99 / max`,
            value:
              `${count(load.requests.average)} req/s, ${ms(load.latency.p50)} / ${ms(load.latency.p99)} / ${ms(load.latency.max)}` +
              (bad > 0 ? `, ${count(bad)} failed` : ''),
          },
          {
            figure: `${layout.label}: CPU per process (share of one core), PostgreSQL backends`,
            value: `${cpu.join(', ')}; PostgreSQL ${dbCpu}`,
          },
          { figure: `${layout.label}: RSS per process at the end (MiB)`, value: rss.join(', ') },
        );
      } finally {
        await Promise.all(started.map((s) => stopServe(s.server.child)));
        await db.drop();
        await rm(logDir, { recursive: true, force: true });
      }
    }
    return {
      rows,
      notes: [
        `${count(schedules)} \`* * * * * *\` schedules seeded with SQL (${count(schedules)} runs/s), handled by the bundled ` +
          `log-file sink; measured over ${seconds} s after ${warmupSeconds} s of warm-up. Each layout on a fresh database ` +
          'of the same PostgreSQL, one after the other.',
        'Processes: `sh scripts/serve.sh` (`npm start`) with the defaults (LOG_LEVEL=info: one log line per request) and, ' +
          'split, SCHEDULER_API=false SCHEDULER_WORKER=false (fire), SCHEDULER_API=false SCHEDULER_FIRE=false (work), ' +
          'SCHEDULER_WORKER=false SCHEDULER_FIRE=false (API); API apart, SCHEDULER_API=false (fire + work) and the same API process.',
        'A process that fires and works hands the runs it claims to its own worker from memory; a fire-only ' +
          "process cannot, so the split layout's runs reach the worker through pg-boss (a fetch per batch).",
        `API: autocannon in the benchmark process, ${CONNECTIONS} connections, a fixed ${rate} requests/s of GET /jobs/{id} ` +
          'over the stored jobs, to the process serving the API. Latency as autocannon measures it (from sending).',
        'CPU: user + system time over the window from /proc, as a share of one core (the machine has 2, shared with ' +
          'PostgreSQL, the load generator and other work); PostgreSQL: the backends connected to the database.',
      ],
    };
  },
};
