/**
 * Webhook isolation (issue 14): 1,000 every-second schedules, a tenth of them with a webhook target
 * whose endpoint accepts connections and never answers. The other 900 go to the no-op handler; their
 * handler-start lateness must stay at p99 <= 50 ms while the dead endpoint holds its deliveries.
 */
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { everySecond } from './precision.ts';
import type { Benchmark } from './report.ts';
import { count, msSummary } from './stats.ts';

export const webhooks: Benchmark = {
  name: 'webhooks',
  title: '8. Webhook isolation (a tenth of the jobs aimed at an endpoint that never answers)',
  async run(ctx) {
    const schedules = ctx.quick ? 100 : 1000;
    const dead = Math.round(schedules / 10);
    const seconds = ctx.quick ? 5 : 60;
    // Accepts every connection and request, answers none.
    const sockets = new Set<import('node:net').Socket>();
    let requests = 0;
    const server: Server = createServer(() => {
      requests++;
    });
    server.on('connection', (socket) => sockets.add(socket));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/never`;
    try {
      const outcome = await everySecond(ctx, 'webhooks', {
        schedules,
        seconds,
        instances: 1,
        options: { webhookAllow: '127.0.0.1' },
        prepare: async (pool) => {
          await pool.query(
            `UPDATE scheduler.schedules SET target = $1
             WHERE id IN (SELECT id FROM scheduler.schedules ORDER BY created_at LIMIT $2)`,
            [{ type: 'webhook', url, timeout_seconds: 10 }, dead],
          );
        },
      });
      ctx.log(`webhooks: lateness of the others ${msSummary(outcome.lateness)}; ${requests} requests held`);
      const others = (schedules - dead) * seconds;
      return {
        rows: [
          {
            figure: 'the other jobs: lateness min / p50 / p99 / max',
            value: msSummary(outcome.lateness),
            target: 'p99 <= 50 ms',
            met: outcome.lateness.n > 0 && outcome.lateness.p99 <= 50,
          },
          {
            figure: 'the other jobs: runs handled / expected',
            value: `${count(outcome.unique)} / ${count(others)}`,
            target: 'all',
            met: outcome.unique === others,
          },
          { figure: 'duplicates / gaps', value: `${count(outcome.duplicates)} / ${count(outcome.gaps)}` },
          { figure: 'requests the dead endpoint received (held open)', value: count(requests) },
        ],
        notes: [
          `${count(schedules)} schedules \`* * * * * *\` for ${seconds} s in one process (handler concurrency 1,000); ` +
            `${count(dead)} of them have a webhook target on 127.0.0.1 that accepts and never answers (timeout 10 s). ` +
            'Deliveries per destination are limited (SCHEDULER_WEBHOOK_CONCURRENCY, default 10 at once and 10 waiting; ' +
            'beyond that an attempt fails at once and is retried by its policy), so the dead endpoint holds at most 20 slots.',
        ],
      };
    } finally {
      for (const socket of sockets) socket.destroy();
      server.close();
    }
  },
};
