/**
 * Memory: the server process's resident memory (RSS, read from outside in /proc) idle after start,
 * after 10,000 jobs were created through its API, and with 100,000 stored after 10,000 more API
 * requests over them; for three ways of running it: the TypeScript sources through tsx with V8's
 * defaults (how `npm start` ran it first), the built JavaScript with a 1 MiB young generation and
 * Maglev off (how it ran it next), and `npm start` now (scripts/serve.sh: the same, with one malloc
 * arena). The original Python service held
 * 71 MiB idle and 77 MiB with 10,000 jobs on the same kind of machine. */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { freePort } from '../../lib/embedded-postgres.ts';
import { createBenchDatabase, seedSchedules } from './database.ts';
import type { Benchmark, Row } from './report.ts';
import { ROOT } from './spawn.ts';
import { count } from './stats.ts';

/** The original service's figures (MiB), measured side by side on the same machine (issue 12). */
const ORIGINAL = { idle: 71, tenThousand: 77 };
/** API requests at once while creating jobs. */
export const CONCURRENCY = 8;

interface Layout {
  label: string;
  /** Run from the repository's root; the process it starts (or execs into) is the one measured. */
  command: string;
  args: string[];
}

const node = process.execPath;
const LAYOUTS: Layout[] = process.env.BENCH_MEMORY_FLAGS
  ? // Diagnostics: BENCH_MEMORY_FLAGS="--flag ..." measures the built server with those node flags only.
    [
      {
        label: `dist with ${process.env.BENCH_MEMORY_FLAGS}`,
        command: node,
        args: [...process.env.BENCH_MEMORY_FLAGS.split(' ').filter(Boolean), 'dist/cli/index.js', 'serve'],
      },
    ]
  : [
      { label: 'first (tsx, V8 defaults)', command: node, args: ['--import', 'tsx', 'cli/index.ts', 'serve'] },
      {
        label: 'next (dist, 1 MiB semi-space, no Maglev)',
        command: node,
        args: ['--max-semi-space-size=1', '--no-maglev', 'dist/cli/index.js', 'serve'],
      },
      // scripts/serve.sh execs node, so the process spawned here is the server itself.
      { label: 'now (npm start: scripts/serve.sh)', command: 'sh', args: ['scripts/serve.sh'] },
    ];

async function rssMiB(pid: number): Promise<{ rss: number; peak: number }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const field = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0) / 1024;
  return { rss: field('VmRSS'), peak: field('VmHWM') };
}

/** Runs `total` requests, `CONCURRENCY` at a time; every one must succeed. */
export async function drive(total: number, request: (i: number) => Promise<Response>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < total) {
      const i = next++;
      const res = await request(i);
      if (!res.ok) throw new Error(`request ${i} answered ${res.status}: ${await res.text()}`);
      await res.arrayBuffer();
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
}

export const memory: Benchmark = {
  name: 'memory',
  title: '7. Server memory (RSS idle, 10,000 and 100,000 jobs)',
  async run(ctx) {
    if (!existsSync(join(ROOT, 'dist/cli/index.js'))) throw new Error('dist/ is missing: run npm run build first');
    const created = ctx.quick ? 500 : 10_000;
    const stored = ctx.quick ? 2_000 : 100_000;
    const settleMs = ctx.quick ? 3_000 : 15_000;
    const rows: Row[] = [];
    for (const layout of LAYOUTS) {
      const db = await createBenchDatabase(ctx.serverUrl, 'memory');
      const port = await freePort();
      const base = `http://127.0.0.1:${port}`;
      const child: ChildProcess = spawn(layout.command, layout.args, {
        cwd: ROOT,
        env: {
          ...process.env,
          DATABASE_URL: db.url,
          PORT: String(port),
          HOST: '127.0.0.1',
          LOG_LEVEL: 'warn',
          LOG_DIR: await mkdtemp(join(tmpdir(), 'bench-memory-logs-')),
        },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      child.stderr!.on('data', (c: Buffer) => {
        stderr = (stderr + c.toString()).slice(-5000);
      });
      try {
        const deadline = Date.now() + 60_000;
        while (
          !(await fetch(`${base}/health/ready`).then(
            (r) => r.ok,
            () => false,
          ))
        ) {
          if (child.exitCode !== null || Date.now() > deadline) throw new Error(`server did not start: ${stderr}`);
          await delay(200);
        }
        const measure = async (what: string) => {
          await delay(settleMs);
          const { rss, peak } = await rssMiB(child.pid!);
          ctx.log(`${layout.label}: ${what}: RSS ${rss.toFixed(0)} MiB (peak ${peak.toFixed(0)})`);
          return { rss, peak };
        };
        const idle = await measure('idle');

        const json = { 'Content-Type': 'application/json' };
        await drive(created, (i) =>
          fetch(`${base}/jobs`, {
            method: 'POST',
            headers: json,
            body: JSON.stringify({ name: `created-${i}`, cron: '0 0 1 1 *' }),
          }),
        );
        const tenThousand = await measure(`${count(created)} created through the API`);

        await seedSchedules(db.pool, {
          count: stored - created,
          offset: created,
          prefix: 'stored',
          cron: '0 0 1 1 *',
          nextRunAt: `date_trunc('year', now()) + interval '1 year'`,
        });
        // Reads across the whole table and more writes: pages, single jobs, creations, changes.
        await drive(created, (i) => {
          const kind = i % 4;
          if (kind === 0) return fetch(`${base}/jobs?limit=100`);
          if (kind === 1) return fetch(`${base}/jobs/stored-${created + ((i * 7919) % (stored - created))}`);
          if (kind === 2) {
            return fetch(`${base}/jobs`, {
              method: 'POST',
              headers: json,
              body: JSON.stringify({ name: `more-${i}`, cron: '*/5 * * * *' }),
            });
          }
          return fetch(`${base}/jobs/created-${i % created}`, {
            method: 'PATCH',
            headers: json,
            body: JSON.stringify({ job_fields: { i } }),
          });
        });
        const hundredThousand = await measure(`${count(stored)} stored, after ${count(created)} more requests`);

        rows.push(
          {
            figure: `${layout.label}: RSS idle (peak)`,
            value: `${idle.rss.toFixed(0)} MiB (${idle.peak.toFixed(0)})`,
            target: `<= ${ORIGINAL.idle} MiB`,
            met: idle.rss <= ORIGINAL.idle,
          },
          {
            figure: `${layout.label}: RSS with ${count(created)} created through the API (peak)`,
            value: `${tenThousand.rss.toFixed(0)} MiB (${tenThousand.peak.toFixed(0)})`,
            target: `<= ${ORIGINAL.tenThousand} MiB`,
            met: tenThousand.rss <= ORIGINAL.tenThousand,
          },
          {
            figure: `${layout.label}: RSS with ${count(stored)} stored, after ${count(created)} more requests (peak)`,
            value: `${hundredThousand.rss.toFixed(0)} MiB (${hundredThousand.peak.toFixed(0)})`,
            target: `<= ${ORIGINAL.tenThousand} MiB`,
            met: hundredThousand.rss <= ORIGINAL.tenThousand,
          },
        );
      } finally {
        child.kill('SIGTERM');
        if (child.exitCode === null) await once(child, 'exit');
        await db.drop();
      }
    }
    return {
      rows,
      notes: [
        'One server process per layout (`pg-cron-scheduler serve`, defaults but LOG_LEVEL=warn, the bundled worker on), ' +
          'a fresh database each; RSS and its peak (VmHWM) read from /proc/<pid>/status after ' +
          `${settleMs / 1000} s without requests. "First": the TypeScript sources through tsx, V8 defaults; ` +
          '"next": `node --max-semi-space-size=1 --no-maglev dist/cli/index.js serve`; "now": `npm start`, which runs ' +
          'scripts/serve.sh: `MALLOC_ARENA_MAX=1 node --max-semi-space-size=1 --no-maglev --invocation-count-for-turbofan=500 ' +
          'dist/cli/index.js serve`, one process.',
        `${count(created)} jobs created with POST /jobs, ${CONCURRENCY} at a time; then ${count(stored - created)} more ` +
          `seeded with SQL and ${count(created)} more requests (pages of 100, single jobs, creations, changes).`,
        `Targets: the original Python service, ${ORIGINAL.idle} MiB idle and ${ORIGINAL.tenThousand} MiB with 10,000 ` +
          'jobs (issue 12); the same 77 MiB is held as the bound at 100,000.',
      ],
    };
  },
};
