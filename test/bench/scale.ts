/**
 * Scale: with 1,000, 100,000 and 1,000,000 schedules stored and none due for the next minute, one
 * idle scheduler process (fire: true, no worker): RSS, CPU per minute, queries per minute.
 */
import { setTimeout as delay } from 'node:timers/promises';
import type pg from 'pg';
import { createBenchDatabase, migrate, seedSchedules } from './database.ts';
import type { Benchmark, Row } from './report.ts';
import { startInstance } from './spawn.ts';
import { count } from './stats.ts';

async function commits(pool: pg.Pool, name: string): Promise<number> {
  const { rows } = await pool.query(
    'SELECT xact_commit + xact_rollback AS n FROM pg_stat_database WHERE datname = $1',
    [name],
  );
  return Number(rows[0].n);
}

export const scale: Benchmark = {
  name: 'scale',
  title: '5. Scale (idle with many schedules stored)',
  async run(ctx) {
    const sizes = ctx.quick ? [100, 1000] : [1000, 100_000, 1_000_000];
    const settleMs = ctx.quick ? 1000 : 10_000;
    const idleMs = ctx.quick ? 3000 : 20_000;
    const db = await createBenchDatabase(ctx.serverUrl, 'scale');
    const rows: Row[] = [];
    const measured: {
      size: number;
      rssMiB: number;
      cpuMsPerMin: number;
      queriesPerMin: number;
      xactsPerMin: number;
    }[] = [];
    try {
      await migrate(db.url);
      let stored = 0;
      for (const size of sizes) {
        const t0 = performance.now();
        // Due tomorrow, spread over the day: nothing comes due during the measure.
        await seedSchedules(db.pool, {
          count: size - stored,
          offset: stored,
          prefix: 'idle',
          cron: '0 0 * * *',
          nextRunAt: `now() + interval '1 day' + (i % 86400) * interval '1 second'`,
        });
        await db.pool.query('VACUUM ANALYZE scheduler.schedules');
        stored = size;
        ctx.log(`${count(size)} stored (seeded in ${Math.round(performance.now() - t0)} ms)`);
        const instance = await startInstance({ url: db.url });
        try {
          await delay(settleMs);
          const before = await instance.stats();
          const xBefore = await commits(db.pool, db.name);
          await delay(idleMs);
          const after = await instance.stats();
          const xAfter = await commits(db.pool, db.name);
          const perMinute = 60_000 / (after.t - before.t);
          if (process.env.BENCH_DEBUG) ctx.log(JSON.stringify({ before, after }));
          const m = {
            size,
            rssMiB: after.rss / 2 ** 20,
            cpuMsPerMin: ((after.cpuUs - before.cpuUs) / 1000) * perMinute,
            queriesPerMin: (after.queries - before.queries) * perMinute,
            // The two commits() reads are transactions too: one of them falls inside the window.
            xactsPerMin: (xAfter - xBefore - 1) * perMinute,
          };
          measured.push(m);
          ctx.log(
            `${count(size)}: RSS ${m.rssMiB.toFixed(0)} MiB, CPU ${m.cpuMsPerMin.toFixed(0)} ms/min, ` +
              `${m.queriesPerMin.toFixed(0)} queries/min, ${m.xactsPerMin.toFixed(0)} transactions/min`,
          );
        } finally {
          await instance.stop();
        }
      }
    } finally {
      await db.drop();
    }
    for (const m of measured) {
      rows.push({
        figure: `${count(m.size)} stored: RSS, CPU/min, queries/min, transactions/min`,
        value: `${m.rssMiB.toFixed(0)} MiB, ${m.cpuMsPerMin.toFixed(0)} ms, ${m.queriesPerMin.toFixed(0)}, ${m.xactsPerMin.toFixed(0)}`,
      });
    }
    const first = measured[0]!;
    const last = measured.at(-1)!;
    const ratio = (a: number, b: number) => (b === 0 ? (a === 0 ? 1 : Number.POSITIVE_INFINITY) : a / b);
    const rss = ratio(last.rssMiB, first.rssMiB);
    const cpu = ratio(last.cpuMsPerMin, first.cpuMsPerMin);
    const q = ratio(last.queriesPerMin, first.queriesPerMin);
    // "Flat": within 1.5x (RSS, queries) and 2x (CPU, which is small and noisy) from the smallest to the largest.
    rows.push(
      {
        figure: `RSS ratio ${count(last.size)} / ${count(first.size)}`,
        value: `${rss.toFixed(2)}x`,
        target: '<= 1.5x (flat)',
        met: rss <= 1.5,
      },
      {
        figure: `CPU/min ratio ${count(last.size)} / ${count(first.size)}`,
        value: `${cpu.toFixed(2)}x`,
        target: '<= 2x (flat)',
        met: cpu <= 2,
      },
      {
        figure: `queries/min ratio ${count(last.size)} / ${count(first.size)}`,
        value: `${q.toFixed(2)}x`,
        target: '<= 1.5x (flat)',
        met: q <= 1.5,
      },
    );
    return {
      rows,
      notes: [
        'Schedules seeded with SQL (daily cron, next_run_at spread over tomorrow), then VACUUM ANALYZE; one scheduler ' +
          'process per size with default options (fire: true) and no worker registered.',
        `After ${settleMs / 1000} s of settling, ${idleMs / 1000} s idle measured and scaled to a minute. CPU: ` +
          'process.cpuUsage() (user + system) of that process. Queries: every pg Client.query() call in the process ' +
          '(the scheduler’s pool, its LISTEN client and pg-boss). Transactions: the xact_commit + xact_rollback delta of ' +
          'the database in pg_stat_database (pg_stat_statements is not preloaded on this server); it also counts autovacuum, ' +
          'and backends flush these counters lazily (up to ~10 s), hence the settling time; the client-side count is the exact one.',
      ],
    };
  },
};
