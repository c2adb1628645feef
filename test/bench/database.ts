/**
 * One fresh database per benchmark on the server the run uses (DATABASE_URL, or the embedded
 * cluster run.ts starts), dropped afterwards; plus the SQL the benchmarks seed with.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { resolveConfig } from '../../lib/config.ts';
import { wakeChannel } from '../../lib/engine/ticker.ts';
import { createScheduler, type SchedulerOptions } from '../../lib/index.ts';

export interface BenchDatabase {
  url: string;
  name: string;
  /** A pool for the benchmark's own queries (seeding, counting). */
  pool: pg.Pool;
  drop(): Promise<void>;
}

export async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export async function createBenchDatabase(serverUrl: string, label: string): Promise<BenchDatabase> {
  const name = `bench_${label}_${randomBytes(4).toString('hex')}`;
  await withClient(serverUrl, async (c) => {
    await c.query(`CREATE DATABASE ${name} TEMPLATE template0`);
    // Diagnostics only (never set by the benchmarks): BENCH_DB_SET="synchronous_commit=off;..." applies
    // settings to the new database, to test a hypothesis about where time goes.
    for (const setting of (process.env.BENCH_DB_SET ?? '').split(';').filter(Boolean)) {
      const [key, value] = setting.split('=');
      await c.query(`ALTER DATABASE ${name} SET ${key} = '${value}'`);
    }
  });
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const pool = new pg.Pool({ connectionString: url.href, max: 4 });
  let dropped: Promise<void> | undefined;
  return {
    url: url.href,
    name,
    pool,
    drop: () => {
      dropped ??= (async () => {
        await pool.end().catch(() => {});
        await withClient(serverUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
      })();
      return dropped;
    },
  };
}

/**
 * Creates the scheduler's and pg-boss's schemas (and the default queue) by starting a scheduler
 * that does not fire, then stops it. Queue options (retention) come from `options`.
 */
export async function migrate(url: string, options: Partial<SchedulerOptions> = {}): Promise<void> {
  const scheduler = createScheduler({ ...options, connectionString: url, fire: false });
  scheduler.on('error', () => {});
  await scheduler.start();
  await scheduler.stop({ timeoutSeconds: 1 });
}

/**
 * Seeds `count` schedules straight into `scheduler.schedules` (names `<prefix>-<n>` from `offset`),
 * all on queue `scheduled-runs`. `nextRunAt` is an SQL expression of `i` (the series index); the
 * cron is `cron` for all, or `cronSql`, an SQL expression of `i`, for each its own.
 */
export async function seedSchedules(
  pool: pg.Pool,
  {
    count,
    offset = 0,
    prefix,
    cron,
    cronSql,
    nextRunAt,
  }: { count: number; offset?: number; prefix: string; nextRunAt: string } & (
    | { cron: string; cronSql?: undefined }
    | { cron?: undefined; cronSql: string }
  ),
): Promise<void> {
  // created_at strictly increasing, so list pages have a realistic (created_at, id) order.
  await pool.query(
    `INSERT INTO scheduler.schedules
       (id, name, cron, timezone, fields, queue, paused, catch_up, overlap, next_run_at, created_at, updated_at)
     SELECT gen_random_uuid(), $1 || '-' || i, coalesce($2::text, ${cronSql ?? 'NULL'}), 'UTC', '{}'::jsonb, 'scheduled-runs', false, 'latest', 'allow',
       ${nextRunAt}, now() - interval '1 day' + i * interval '1 ms', now()
     FROM generate_series($3::int, $4::int) AS i`,
    [prefix, cron ?? null, offset, offset + count - 1],
  );
  await pool.query('ANALYZE scheduler.schedules');
}

/** Wakes sleeping tickers the way create() does: a notification with the due instant (epoch ms). */
export async function wakeTickers(pool: pg.Pool, atMs: number): Promise<void> {
  const channel = wakeChannel(resolveConfig({ connectionString: 'postgres://unused' }));
  await pool.query('SELECT pg_notify($1, $2)', [channel, String(atMs)]);
}
