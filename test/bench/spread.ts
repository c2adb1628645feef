/**
 * Many schedules, few due: 10,000 and then 1,000,000 daily schedules, each at its own second of the
 * day (about 12 due a second with a million), fired by one process for a window. Lateness, every
 * due tick handled once, the process's memory at the window's start and end, and the claim's query
 * plan and cost at rising due counts: the claim reads the due schedules through the partial index
 * on next_run_at, so its cost follows how many are due, not how many are stored.
 */

import { setTimeout as delay } from 'node:timers/promises';
import type pg from 'pg';
import { claimDueSchedules } from '../../lib/store/sql.ts';
import { createBenchDatabase, migrate, seedSchedules, wakeTickers } from './database.ts';
import type { Benchmark, Row } from './report.ts';
import { startInstance } from './spawn.ts';
import { count, ms, msSummary, summarize, tickAccounting } from './stats.ts';

const DAY = 86_400;
/** The smallest claim explained: what is due within this many seconds (a few ticks' worth). */
const FIRST_CLAIM_SECONDS = 3;

/** The claim as the ticker runs it, explained inside a transaction that is rolled back (it locks rows). */
async function explainClaim(
  pool: pg.Pool,
  dueBy: Date,
): Promise<{ plan: string[]; executionMs: number; rows: number }> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const { rows } = await client.query(`EXPLAIN (ANALYZE, BUFFERS) ${claimDueSchedules('scheduler')}`, [
      10_000,
      dueBy,
    ]);
    await client.query('ROLLBACK');
    const plan = rows.map((r) => r['QUERY PLAN'] as string);
    const executionMs = Number(/Execution Time: ([\d.]+) ms/.exec(plan.join('\n'))?.[1] ?? Number.NaN);
    const limitRows = Number(/^Limit .*actual time=[\d.]+\.\.[\d.]+ rows=(\d+)/m.exec(plan.join('\n'))?.[1] ?? 0);
    return { plan, executionMs, rows: limitRows };
  } finally {
    client.release();
  }
}

interface Outcome {
  size: number;
  due: number;
  handled: number;
  duplicates: number;
  lateness: ReturnType<typeof summarize>;
  rssStartMiB: number;
  rssEndMiB: number;
  heapEndMiB: number;
  claims: { dueSeconds: number; rows: number; executionMs: number }[];
  plan: string[];
}

export const spread: Benchmark = {
  name: 'spread',
  title: '12. Many schedules, few due (1,000,000 daily schedules, each at its own second)',
  async run(ctx) {
    const sizes = ctx.quick ? [2_000, 20_000] : [10_000, 1_000_000];
    const seconds = ctx.quick ? 5 : 60;
    const outcomes: Outcome[] = [];
    for (const size of sizes) {
      const db = await createBenchDatabase(ctx.serverUrl, `spread${size}`);
      try {
        await migrate(db.url);
        const startAt = Math.ceil(Date.now() / 1000) * 1000 + (ctx.quick ? 15_000 : 40_000);
        // Each schedule at its own second, spread evenly over the day: s = floor(i x 86,400 / size)
        // (quick mode: over 2,000 s from just before the window, so a few are due in a short one).
        const first = ctx.quick ? Math.floor(startAt / 1000 - 5) % DAY : 0;
        const spreadOver = ctx.quick ? 2000 : DAY;
        const second = `((${first} + i::bigint * ${spreadOver} / ${size}) % ${DAY})`;
        const t0 = performance.now();
        await seedSchedules(db.pool, {
          count: size,
          prefix: 'daily',
          cronSql: `(${second} % 60) || ' ' || (${second} / 60 % 60) || ' ' || (${second} / 3600) || ' * * *'`,
          // Its next occurrence from now: today at that second, or tomorrow when it has passed.
          nextRunAt: `date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' + ${second} * interval '1 second'
            + CASE WHEN date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' + ${second} * interval '1 second'
              <= now() + interval '2 seconds' THEN interval '1 day' ELSE interval '0' END`,
        });
        await db.pool.query('VACUUM ANALYZE scheduler.schedules');
        ctx.log(`${count(size)} seeded in ${Math.round(performance.now() - t0)} ms`);
        const endAt = startAt + seconds * 1000;
        const { rows: dueRows } = await db.pool.query(
          'SELECT count(*)::int AS n FROM scheduler.schedules WHERE next_run_at >= to_timestamp($1) AND next_run_at < to_timestamp($2)',
          [startAt / 1000, endAt / 1000],
        );
        const due = dueRows[0].n as number;
        const instance = await startInstance({ url: db.url, options: {}, concurrency: 100, report: ['handled'] });
        try {
          await wakeTickers(db.pool, startAt);
          await delay(Math.max(0, startAt - Date.now()));
          const before = await instance.stats();
          await delay(Math.max(0, endAt - Date.now()));
          const after = await instance.stats();
          const inWindow = () =>
            instance.handled.filter((h) => h.scheduledForMs >= startAt && h.scheduledForMs < endAt);
          // The window's last runs are handled moments after it: wait for them (10 s at most).
          while (inWindow().length < due && Date.now() < endAt + 10_000) await delay(100);
          const handled = inWindow();
          const accounting = tickAccounting(handled, DAY * 1000);
          await instance.stop();
          // The claim at rising due counts (due within 3 s, 10 s, 100 s, 1,000 s), with the process
          // stopped: the next second's are claimed already (the process prepares a tick ahead).
          const claims: Outcome['claims'] = [];
          let plan: string[] = [];
          for (const dueSeconds of ctx.quick ? [FIRST_CLAIM_SECONDS, 100] : [FIRST_CLAIM_SECONDS, 10, 100, 1000]) {
            const explained = await explainClaim(db.pool, new Date(Date.now() + dueSeconds * 1000));
            claims.push({ dueSeconds, rows: explained.rows, executionMs: explained.executionMs });
            if (dueSeconds === FIRST_CLAIM_SECONDS) plan = explained.plan;
          }
          const o: Outcome = {
            size,
            due,
            handled: accounting.unique,
            duplicates: accounting.duplicates,
            lateness: summarize(handled.filter((h) => h.attempt === 1).map((h) => h.startMs - h.scheduledForMs)),
            rssStartMiB: before.rss / 2 ** 20,
            rssEndMiB: after.rss / 2 ** 20,
            heapEndMiB: after.heapUsed / 2 ** 20,
            claims,
            plan,
          };
          outcomes.push(o);
          ctx.log(
            `${count(size)}: ${o.handled}/${due} handled, lateness ${msSummary(o.lateness)}, RSS ${o.rssStartMiB.toFixed(0)} -> ` +
              `${o.rssEndMiB.toFixed(0)} MiB; claims ${claims.map((c) => `${c.rows} due ${ms(c.executionMs)}`).join(', ')}`,
          );
        } finally {
          await instance.stop();
        }
      } finally {
        await db.drop();
      }
    }
    const rows: Row[] = [];
    for (const o of outcomes) {
      rows.push(
        {
          figure: `${count(o.size)} stored: lateness min / p50 / p99 / max`,
          value: msSummary(o.lateness),
          target: 'p99 <= 50 ms',
          met: o.lateness.n > 0 && o.lateness.p99 <= 50,
        },
        {
          figure: `${count(o.size)} stored: ticks due in the window, handled, duplicates`,
          value: `${count(o.due)}, ${count(o.handled)}, ${count(o.duplicates)}`,
          target: 'all, once',
          met: o.handled === o.due && o.duplicates === 0,
        },
        {
          figure: `${count(o.size)} stored: process RSS at the window's start / end (JS heap used at the end)`,
          value: `${o.rssStartMiB.toFixed(0)} / ${o.rssEndMiB.toFixed(0)} MiB (${o.heapEndMiB.toFixed(0)} MiB)`,
        },
        {
          figure: `${count(o.size)} stored: claim execution time by schedules due (EXPLAIN ANALYZE)`,
          value: o.claims.map((c) => `${count(c.rows)} due: ${ms(c.executionMs)}`).join('; '),
        },
      );
    }
    const [small, large] = [outcomes[0]!, outcomes.at(-1)!];
    const rss = large.rssEndMiB / small.rssEndMiB;
    rows.push({
      figure: `RSS at the window's end, ${count(large.size)} / ${count(small.size)} stored`,
      value: `${rss.toFixed(2)}x`,
      target: '<= 1.5x (flat)',
      met: rss <= 1.5,
    });
    const oneSecond = (o: Outcome) => o.claims.find((c) => c.dueSeconds === FIRST_CLAIM_SECONDS)!;
    const claimRatio = oneSecond(large).executionMs / oneSecond(small).executionMs;
    rows.push({
      figure: `claim of what is due within ${FIRST_CLAIM_SECONDS} s, ${count(large.size)} / ${count(small.size)} stored`,
      value: `${claimRatio.toFixed(2)}x (${ms(oneSecond(large).executionMs)} / ${ms(oneSecond(small).executionMs)})`,
      target: '<= 3x (follows due, not stored)',
      met: claimRatio <= 3,
    });
    return {
      rows,
      notes: [
        `Daily 6-field cron schedules seeded with SQL, schedule i of N at second floor(i x ${count(DAY)} / N) of the day (about ` +
          `${(large.size / DAY).toFixed(1)} due a second with ${count(large.size)}); one process with default options and ` +
          `\`work(handler, { concurrency: 100 })\`, a ${seconds} s window. RSS and heap: process.memoryUsage() of that process.`,
        'Claims: the ticker’s own claim statement (LIMIT 10,000) run under EXPLAIN (ANALYZE, BUFFERS) in a transaction that is ' +
          'rolled back, after the window (the process stopped), for the schedules due within the next 3, 10, 100 and 1,000 s.',
        `The claim's plan with ${count(large.size)} stored, for what is due within ${FIRST_CLAIM_SECONDS} s:\n\n  \`\`\`\n${large.plan
          .map((line) => `  ${line}`)
          .join('\n')}\n  \`\`\``,
      ],
    };
  },
};
