/**
 * API: the HTTP server (`pg-cron-scheduler serve`, its own process) with N jobs stored, loaded by autocannon
 * over loopback: GET /jobs/{id}, GET /jobs?limit=100 (first and a deep page), POST /jobs.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import autocannon from 'autocannon';
import { freePort } from '../../lib/embedded-postgres.ts';
import { encodeCursor } from '../../lib/validate.ts';
import { createBenchDatabase, migrate, seedSchedules } from './database.ts';
import type { Benchmark, Row } from './report.ts';
import { nodeArgs, ROOT } from './spawn.ts';
import { count, median, ms } from './stats.ts';

const CONNECTIONS = 10;

interface Endpoint {
  label: string;
  request: () => { method: string; path: string; body?: string };
}

export const api: Benchmark = {
  name: 'api',
  title: '4. HTTP API under load (autocannon over loopback)',
  async run(ctx) {
    const stored = ctx.quick ? 2000 : 100_000;
    const seconds = ctx.quick ? 1 : 5;
    const rounds = ctx.quick ? 1 : 3;
    const db = await createBenchDatabase(ctx.serverUrl, 'api');
    try {
      await migrate(db.url);
      // None of them fires during the run: yearly, next on the coming 1 January.
      await seedSchedules(db.pool, {
        count: stored,
        prefix: 'stored',
        cron: '0 0 1 1 *',
        nextRunAt: `date_trunc('year', now()) + interval '1 year'`,
      });
      const { rows: idRows } = await db.pool.query('SELECT id FROM scheduler.schedules ORDER BY random() LIMIT 1000');
      const ids = idRows.map((r) => r.id as string);
      const { rows: deep } = await db.pool.query(
        'SELECT created_at, id FROM scheduler.schedules ORDER BY created_at, id OFFSET $1 LIMIT 1',
        [stored - 200],
      );
      const deepCursor = encodeCursor(deep[0].created_at as Date, deep[0].id as string);
      const port = await freePort();
      const child = spawn(process.execPath, [...nodeArgs(join(ROOT, 'cli/index.ts')), 'serve'], {
        cwd: ROOT,
        env: {
          ...process.env,
          DATABASE_URL: db.url,
          PORT: String(port),
          HOST: '127.0.0.1',
          LOG_LEVEL: 'warn',
          SCHEDULER_WORKER: 'false',
          LOG_DIR: await mkdtemp(join(tmpdir(), 'bench-logs-')),
        },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      child.stderr!.on('data', (c: Buffer) => {
        stderr = (stderr + c.toString()).slice(-5000);
      });
      const base = `http://127.0.0.1:${port}`;
      try {
        const deadline = Date.now() + 60_000;
        for (;;) {
          const ok = await fetch(`${base}/health/ready`).then(
            (r) => r.ok,
            () => false,
          );
          if (ok) break;
          if (child.exitCode !== null || Date.now() > deadline) throw new Error(`server did not start: ${stderr}`);
          await delay(200);
        }
        let created = 0;
        let pick = 0;
        const endpoints: Endpoint[] = [
          { label: 'GET /jobs/{id}', request: () => ({ method: 'GET', path: `/jobs/${ids[pick++ % ids.length]}` }) },
          { label: 'GET /jobs?limit=100 (first page)', request: () => ({ method: 'GET', path: '/jobs?limit=100' }) },
          {
            label: `GET /jobs?limit=100 (page at row ${count(stored - 200)})`,
            request: () => ({ method: 'GET', path: `/jobs?limit=100&cursor=${deepCursor}` }),
          },
          {
            label: 'POST /jobs',
            request: () => ({
              method: 'POST',
              path: '/jobs',
              body: JSON.stringify({ name: `posted-${process.pid}-${created++}`, cron: '0 0 1 1 *' }),
            }),
          },
        ];
        const rows: Row[] = [];
        for (const endpoint of endpoints) {
          const runOnce = (duration: number) =>
            autocannon({
              url: base,
              connections: CONNECTIONS,
              duration,
              requests: [
                {
                  headers: { 'content-type': 'application/json' },
                  setupRequest: (req) => ({ ...req, ...endpoint.request() }),
                },
              ],
            });
          await runOnce(1); // warm-up: JIT, plan cache, pool
          const results = [];
          for (let r = 0; r < rounds; r++) results.push(await runOnce(seconds));
          const bad = results.reduce((a, r) => a + r.non2xx + r.errors + r.timeouts, 0);
          const rps = median(results.map((r) => r.requests.average));
          const p50 = median(results.map((r) => r.latency.p50));
          const p99 = median(results.map((r) => r.latency.p99));
          const max = Math.max(...results.map((r) => r.latency.max));
          ctx.log(`${endpoint.label}: ${count(rps)} req/s, p50 ${ms(p50)}, p99 ${ms(p99)}, failed ${bad}`);
          rows.push({
            figure: `${endpoint.label}: req/s, latency p50 / p99 / max`,
            value: `${count(rps)} req/s, ${ms(p50)} / ${ms(p99)} / ${ms(max)}${bad > 0 ? `, ${count(bad)} failed` : ''}`,
          });
        }
        return {
          rows,
          notes: [
            `${count(stored)} jobs seeded in the database (yearly cron, none due). Server: \`pg-cron-scheduler serve\` in its own process ` +
              'with the defaults but LOG_LEVEL=warn (no per-request log line) and SCHEDULER_WORKER=false.',
            `autocannon 9 in the benchmark process, ${CONNECTIONS} connections, no pipelining, 1 s warm-up then ` +
              `${rounds} rounds of ${seconds} s per endpoint; median of the rounds (max: the largest seen). ` +
              'Load generator, server and PostgreSQL share the 2 cores.',
            'GET /jobs/{id} cycles through 1,000 random stored ids; POST /jobs creates a new job per request.',
          ],
        };
      } finally {
        child.kill('SIGTERM');
        if (child.exitCode === null) await once(child, 'exit');
      }
    } finally {
      await db.drop();
    }
  },
};
