/**
 * Baseline for 1: pg-boss 12's own `schedule()`, 1,000 schedules due at one minute boundary, at its
 * default settings and at its tightest (cronMonitorIntervalSeconds 1, cronWorkerIntervalSeconds 1,
 * LISTEN/NOTIFY). Same measure: handler start minus the scheduled instant. The two run at the same
 * time, each on its own database, to keep the whole set near 10 minutes.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { PgBoss } from 'pg-boss';
import { createBenchDatabase } from './database.ts';
import type { BenchContext, Benchmark, Row } from './report.ts';
import { count, msSummary, summarize } from './stats.ts';

const QUEUE = 'baseline';

interface Variant {
  label: string;
  options: Record<string, unknown>;
  notify: boolean;
}

const VARIANTS: Variant[] = [
  { label: 'pg-boss defaults', options: {}, notify: false },
  {
    label: 'pg-boss tightest',
    options: { cronMonitorIntervalSeconds: 1, cronWorkerIntervalSeconds: 1, useListenNotify: true },
    notify: true,
  },
];

async function measure(
  ctx: BenchContext,
  variant: Variant,
  n: number,
  plan: { dueAt: number; cron: string; deadline: number },
): Promise<{ lateness: number[]; duplicates: number }> {
  const db = await createBenchDatabase(ctx.serverUrl, 'baseline');
  const boss = new PgBoss({ connectionString: db.url, schema: 'pgboss_baseline', ...variant.options });
  boss.on('error', (error) => ctx.log(`${variant.label}: ${error.message}`));
  try {
    await boss.start();
    await boss.createQueue(QUEUE, variant.notify ? { notify: true } : {});
    for (let i = 0; i < n; i++) await boss.schedule(QUEUE, plan.cron, { i }, { key: `s${i}`, tz: 'UTC' });
    const seen = new Map<number, number>();
    let duplicates = 0;
    // The worker must not be the bottleneck: big batches at the shortest polling pg-boss allows.
    await boss.work<{ i: number }>(QUEUE, { batchSize: 100, pollingIntervalSeconds: 0.5 }, async (jobs) => {
      const now = Date.now();
      for (const job of jobs) {
        if (seen.has(job.data.i)) duplicates += 1;
        else seen.set(job.data.i, now - plan.dueAt);
      }
    });
    if (Date.now() > plan.dueAt) ctx.log(`${variant.label}: WARNING, set up only after the due instant`);
    while (seen.size < n && Date.now() < plan.deadline) await delay(100);
    return { lateness: [...seen.values()], duplicates };
  } finally {
    await boss.stop({ graceful: false, close: true }).catch(() => {});
    await db.drop();
  }
}

export const baseline: Benchmark = {
  name: 'baseline-pgboss',
  title: '1b. Baseline: pg-boss 12 schedule(), same measure',
  async run(ctx) {
    const n = ctx.quick ? 50 : 1000;
    // Full mode: the next minute boundary at least 20 s away, cron `m h * * *` so the one tick is
    // unambiguous. Quick mode: a 6-field cron at a second 6 s away (pg-boss allows one per minute).
    let dueAt: number;
    let cron: string;
    if (ctx.quick) {
      dueAt = Math.ceil(Date.now() / 1000) * 1000 + 6000;
      const d = new Date(dueAt);
      cron = `${d.getUTCSeconds()} ${d.getUTCMinutes()} ${d.getUTCHours()} * * *`;
    } else {
      dueAt = Math.ceil((Date.now() + 20_000) / 60_000) * 60_000;
      const d = new Date(dueAt);
      cron = `${d.getUTCMinutes()} ${d.getUTCHours()} * * *`;
    }
    const observeMs = ctx.quick ? 8000 : 100_000;
    const deadline = dueAt + observeMs;
    ctx.log(`${n} schedules due at ${new Date(dueAt).toISOString()}, observed until +${observeMs / 1000} s`);
    const outcomes = await Promise.all(VARIANTS.map((v) => measure(ctx, v, n, { dueAt, cron, deadline })));
    const rows: Row[] = [];
    VARIANTS.forEach((variant, i) => {
      const o = outcomes[i]!;
      const s = summarize(o.lateness);
      rows.push(
        { figure: `${variant.label}: lateness min / p50 / p99 / max`, value: msSummary(s) },
        {
          figure: `${variant.label}: delivered within +${observeMs / 1000} s`,
          value: `${count(o.lateness.length)} / ${count(n)}`,
        },
        { figure: `${variant.label}: duplicates`, value: count(o.duplicates) },
      );
    });
    return {
      rows,
      notes: [
        `${count(n)} schedules via \`boss.schedule(queue, cron, data, { key })\` on one queue, cron \`${ctx.quick ? 's m h * * *' : 'm h * * *'}\` ` +
          'matching one instant only, so every job seen stands for that tick (pg-boss evaluates it as it does an every-minute schedule).',
        'Defaults: cronMonitorIntervalSeconds 30, cronWorkerIntervalSeconds 5, polling. Tightest: both intervals 1 s, ' +
          'useListenNotify and a notify queue. Workers in both: batchSize 100, pollingIntervalSeconds 0.5 (the minimum), so the ' +
          'worker is not the bottleneck. Lateness: handler start minus the scheduled instant, first delivery per schedule.',
        'Both variants run at the same time on separate databases (the minute boundary is shared).',
      ],
    };
  },
};
