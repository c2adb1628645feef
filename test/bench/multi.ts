/**
 * Multi-instance: 3 scheduler processes share every-second schedules. Exactly once across them
 * (duplicates, gaps), lateness, and how evenly firing and handling spread.
 */
import { CONCURRENCY, everySecond, exactlyOnceRows } from './precision.ts';
import type { Benchmark } from './report.ts';
import { count } from './stats.ts';

const INSTANCES = 3;

const share = (parts: number[]) => {
  const total = parts.reduce((a, b) => a + b, 0);
  return parts.map((p) => `${total === 0 ? 0 : Math.round((p / total) * 100)}%`).join(' / ');
};

export const multi: Benchmark = {
  name: 'multi',
  title: '3. Multi-instance (3 processes, every-second schedules)',
  async run(ctx) {
    const schedules = ctx.quick ? 50 : 1000;
    const seconds = ctx.quick ? 5 : 60;
    const o = await everySecond(ctx, 'multi', { schedules, seconds, instances: INSTANCES, options: {} });
    const minMax = (parts: number[]) => (Math.max(...parts) === 0 ? 0 : Math.min(...parts) / Math.max(...parts));
    return {
      rows: [
        ...exactlyOnceRows(o, 50),
        { figure: 'handled per process', value: `${o.perInstance.map(count).join(' / ')} (${share(o.perInstance)})` },
        { figure: 'handled: least / most loaded process', value: minMax(o.perInstance).toFixed(2) },
        {
          figure: 'fired per process',
          value: `${o.firedPerInstance.map(count).join(' / ')} (${share(o.firedPerInstance)})`,
        },
        { figure: 'fired: least / most', value: minMax(o.firedPerInstance).toFixed(2) },
      ],
      notes: [
        `${INSTANCES} processes on one machine (and one PostgreSQL), each a scheduler with default options and ` +
          `\`work(handler, { concurrency: ${CONCURRENCY} })\`; ${count(schedules)} \`* * * * * *\` schedules for ${seconds} s.`,
        'Measures as in 1. "Fired per process": ticks whose claim transaction that process committed.',
      ],
    };
  },
};
