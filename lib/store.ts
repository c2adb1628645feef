/**
 * The only code that executes SQL. Statements come from sql.ts; rows become domain types here.
 */
import pg from 'pg';
import type { SqlExecutor } from './boss.ts';
import { connectionSettings, type SchedulerConfig } from './config.ts';
import { describeCron } from './cron.ts';
import * as sql from './sql.ts';
import type { CatchUpPolicy, OverlapPolicy, Run, RunStatus, RunTrigger, Schedule, ScheduleInput } from './types.ts';

interface Queryable {
  query(text: string, values?: unknown[]): Promise<pg.QueryResult>;
}

/** A schedule row as the ticker claims it. */
export interface ClaimedRow {
  id: string;
  name: string;
  cron: string;
  timezone: string;
  fields: Record<string, unknown>;
  queue: string;
  catchUp: CatchUpPolicy;
  catchUpWindowSeconds: number | null;
  overlap: OverlapPolicy;
  nextRunAt: Date;
  now: Date;
  previousActive: boolean;
}

/** A run to insert. */
export interface NewRun {
  id: string;
  scheduleId: string;
  scheduledFor: Date;
  lastScheduledFor: Date;
  tickCount: number;
  trigger: RunTrigger;
  status: RunStatus;
  queue: string;
}

/** Values of a schedule row that create/update write. */
export type ScheduleValues = Required<Omit<ScheduleInput, 'catchUpWindowSeconds'>> & {
  catchUpWindowSeconds: number | null;
  nextRunAt: Date | null;
};

function toSchedule(row: Record<string, unknown>): Schedule {
  return {
    id: row.id as string,
    name: row.name as string,
    cron: row.cron as string,
    timezone: row.timezone as string,
    description: describeCron(row.cron as string),
    fields: row.fields as Record<string, unknown>,
    queue: row.queue as string,
    paused: row.paused as boolean,
    catchUp: row.catch_up as CatchUpPolicy,
    catchUpWindowSeconds: (row.catch_up_window_seconds as number | null) ?? null,
    overlap: row.overlap as OverlapPolicy,
    nextRunAt: (row.next_run_at as Date | null) ?? null,
    lastRunAt: (row.last_run_at as Date | null) ?? null,
    createdAt: row.created_at as Date,
    updatedAt: row.updated_at as Date,
  };
}

function toRun(row: Record<string, unknown>): Run & { queue: string } {
  return {
    id: row.id as string,
    scheduleId: row.schedule_id as string,
    scheduledFor: row.scheduled_for as Date,
    lastScheduledFor: row.last_scheduled_for as Date,
    tickCount: row.tick_count as number,
    trigger: row.trigger as RunTrigger,
    status: row.status as RunStatus,
    queue: row.queue as string,
    enqueuedAt: (row.enqueued_at as Date | null) ?? null,
    startedAt: (row.started_at as Date | null) ?? null,
    finishedAt: (row.finished_at as Date | null) ?? null,
    attempts: row.attempts as number,
    error: (row.error as string | null) ?? null,
  };
}

/** The values of a schedule row in the order insertSchedule and updateSchedule take them ($2 on). */
function scheduleParams(v: ScheduleValues): unknown[] {
  return [
    v.name,
    v.cron,
    v.timezone,
    v.fields,
    v.queue,
    v.paused,
    v.catchUp,
    v.catchUpWindowSeconds,
    v.overlap,
    v.nextRunAt,
  ];
}

/** A run as the public API shows it: without the queue, which only the engine needs. */
export function publicRun(run: Run & { queue: string }): Run {
  const { queue: _queue, ...rest } = run;
  return rest;
}

function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: string })?.code === '23505';
}

/** Statements bound to one connection (the pool, or a client inside a transaction). */
export class Queries {
  readonly #db: Queryable;
  readonly #schema: string;
  readonly #bossSchema: string;

  constructor(db: Queryable, config: SchedulerConfig) {
    this.#db = db;
    this.#schema = config.schema;
    this.#bossSchema = config.bossSchema;
  }

  /** For pg-boss calls that must join this connection's transaction. */
  get executor(): SqlExecutor {
    return { executeSql: (text, values) => this.#db.query(text, values) };
  }

  async now(): Promise<Date> {
    const { rows } = await this.#db.query(sql.selectNow);
    return rows[0].now as Date;
  }

  /** Sends a notification, delivered when (and if) the current transaction commits. */
  async notify(channel: string, payload: string): Promise<void> {
    await this.#db.query(sql.notify, [channel, payload]);
  }

  /** Null when the name is taken. */
  async insertSchedule(id: string, v: ScheduleValues): Promise<Schedule | null> {
    const { rows } = await this.#db.query(sql.insertSchedule(this.#schema), [id, ...scheduleParams(v)]);
    return rows[0] ? toSchedule(rows[0]) : null;
  }

  async findSchedule(idOrName: string, isId: boolean, forUpdate = false): Promise<Schedule | null> {
    const { rows } = await this.#db.query(sql.selectSchedule(this.#schema, forUpdate), [
      isId ? idOrName : null,
      idOrName,
    ]);
    return rows[0] ? toSchedule(rows[0]) : null;
  }

  async listSchedules(after: { t: string; id: string } | null, paused: boolean | null, limit: number) {
    const { rows } = await this.#db.query(sql.selectSchedulesPage(this.#schema), [
      after?.t ?? null,
      after?.id ?? null,
      paused,
      limit,
    ]);
    return rows.map(toSchedule);
  }

  /** Null when the new name is taken by another schedule. */
  async updateSchedule(id: string, v: ScheduleValues): Promise<Schedule | null> {
    try {
      const { rows } = await this.#db.query(sql.updateSchedule(this.#schema), [id, ...scheduleParams(v)]);
      return toSchedule(rows[0]);
    } catch (error) {
      if (isUniqueViolation(error)) return null;
      throw error;
    }
  }

  async deleteSchedule(id: string): Promise<void> {
    await this.#db.query(sql.deleteSchedule(this.#schema), [id]);
  }

  async openRuns(scheduleId: string): Promise<{ id: string; queue: string }[]> {
    const { rows } = await this.#db.query(sql.selectOpenRuns(this.#schema, this.#bossSchema), [scheduleId]);
    return rows as { id: string; queue: string }[];
  }

  /** Locks up to `limit` schedules due at or before `dueBy` (or overdue), skipping rows other claims hold. */
  async claimDue(limit: number, dueBy: Date): Promise<ClaimedRow[]> {
    const { rows } = await this.#db.query(sql.claimDueSchedules(this.#schema, this.#bossSchema), [limit, dueBy]);
    return rows.map((row) => ({
      id: row.id,
      name: row.name,
      cron: row.cron,
      timezone: row.timezone,
      fields: row.fields,
      queue: row.queue,
      catchUp: row.catch_up,
      catchUpWindowSeconds: row.catch_up_window_seconds,
      overlap: row.overlap,
      nextRunAt: row.next_run_at,
      now: row.now,
      previousActive: row.previous_active,
    }));
  }

  /** Returns the runs actually inserted (a tick already recorded is left out). */
  async insertRuns(runs: NewRun[]): Promise<(Run & { queue: string })[]> {
    if (runs.length === 0) return [];
    const { rows } = await this.#db.query(sql.insertRuns(this.#schema), [
      runs.map((r) => r.id),
      runs.map((r) => r.scheduleId),
      runs.map((r) => r.scheduledFor),
      runs.map((r) => r.lastScheduledFor),
      runs.map((r) => r.tickCount),
      runs.map((r) => r.trigger),
      runs.map((r) => r.status),
      runs.map((r) => r.queue),
    ]);
    return rows.map(toRun);
  }

  async insertManualRun(id: string, scheduleId: string, queue: string): Promise<Run & { queue: string }> {
    const { rows } = await this.#db.query(sql.insertManualRun(this.#schema), [id, scheduleId, queue]);
    return toRun(rows[0]);
  }

  async advanceSchedules(
    updates: { id: string; nextRunAt: Date | null; lastRunAt: Date | null; lastFiredRunId: string | null }[],
  ): Promise<void> {
    if (updates.length === 0) return;
    await this.#db.query(sql.advanceSchedules(this.#schema), [
      updates.map((u) => u.id),
      updates.map((u) => u.nextRunAt),
      updates.map((u) => u.lastRunAt),
      updates.map((u) => u.lastFiredRunId),
    ]);
  }

  async markFired(scheduleId: string, at: Date, runId: string): Promise<void> {
    await this.#db.query(sql.markFired(this.#schema), [scheduleId, at, runId]);
  }

  /** The earliest next run (epoch ms), the milliseconds until it by the database's clock, and how many are due by then; null when nothing is armed. */
  async nextWake(): Promise<{ atMs: number; waitMs: number; due: number } | null> {
    const { rows } = await this.#db.query(sql.selectNextWake(this.#schema));
    const row = rows[0];
    return row && row.next_ms !== null
      ? { atMs: row.next_ms as number, waitMs: row.wait_ms as number, due: row.due as number }
      : null;
  }

  async listRuns(
    scheduleId: string,
    before: { t: string; id: string } | null,
    status: RunStatus | null,
    limit: number,
  ): Promise<Run[]> {
    const { rows } = await this.#db.query(sql.selectRunsPage(this.#schema, this.#bossSchema), [
      scheduleId,
      before?.t ?? null,
      before?.id ?? null,
      status,
      limit,
    ]);
    return rows.map((row) => publicRun(toRun(row)));
  }

  async ping(): Promise<void> {
    await this.#db.query(sql.selectOne);
  }
}

/** Statements and transactions on one pool. */
export class Lane {
  readonly pool: pg.Pool;
  readonly queries: Queries;
  protected readonly config: SchedulerConfig;

  constructor(pool: pg.Pool, config: SchedulerConfig) {
    this.pool = pool;
    this.config = config;
    this.queries = new Queries(pool, config);
  }

  /** Runs `fn` in a transaction; commits when it resolves, rolls back when it throws. */
  transaction<T>(fn: (tx: Queries) => Promise<T>): Promise<T> {
    return this.#run(null, fn);
  }

  /**
   * A transaction that commits no earlier than `commitAt` by the database's clock (at once if it
   * has passed): the database waits, not this process, so a busy event loop here cannot make it late.
   */
  transactionCommittingAt<T>(commitAt: Date, fn: (tx: Queries) => Promise<T>): Promise<T> {
    return this.#run(commitAt, fn);
  }

  async #run<T>(commitAt: Date | null, fn: (tx: Queries) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const result = await fn(new Queries(client, this.config));
      if (commitAt) {
        await client.query(sql.setCommitAt, [commitAt.toISOString()]);
        await client.query(sql.sleepThenCommit);
      } else {
        await client.query('COMMIT');
      }
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    } finally {
      client.release();
    }
  }
}

/**
 * Owns the pool (unless the user brought one) and hands out Queries for the pool or a transaction.
 * Firing has a pool of its own (`firing`), so that API traffic queued for the main pool never
 * delays a tick's claim.
 */
export class Store extends Lane {
  readonly #ownsPool: boolean;
  readonly #onError: (error: Error) => void;
  #firing: Lane | null = null;

  constructor(config: SchedulerConfig, onError: (error: Error) => void) {
    super(
      config.pool ??
        new pg.Pool({
          connectionString: config.connectionString ?? undefined,
          max: config.poolSize,
          application_name: 'pg-cron-scheduler',
        }),
      config,
    );
    this.#onError = onError;
    this.#ownsPool = !config.pool;
    // An idle client that loses its server (database restart) must not crash the process.
    if (this.#ownsPool) this.pool.on('error', onError);
  }

  /**
   * The ticker's lane: a pool of `config.fireConnections` connections, always the scheduler's own
   * (also when the user brought the main pool), opened on first use.
   */
  get firing(): Lane {
    if (!this.#firing) {
      const pool = new pg.Pool({
        ...connectionSettings(this.config),
        max: this.config.fireConnections,
        application_name: 'pg-cron-scheduler:fire',
      });
      pool.on('error', this.#onError);
      this.#firing = new Lane(pool, this.config);
    }
    return this.#firing;
  }

  /** Applies pending migrations in one transaction under an advisory lock (safe with many instances starting at once). */
  async migrate(): Promise<void> {
    const { schema } = this.config;
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(sql.lockMigrations, [`${schema}.migrate`]);
      await client.query(sql.createSchema(schema));
      const { rows } = await client.query(sql.selectMigrationVersion(schema));
      const current = rows[0].version as number;
      for (const migration of sql.migrations(schema)) {
        if (migration.version <= current) continue;
        await client.query(migration.sql);
        await client.query(sql.insertMigration(schema), [migration.version]);
      }
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    } finally {
      client.release();
    }
  }

  /**
   * Deletes runs older than the retention in batches of `batchSize`, each its own statement so a
   * large backlog never holds long locks. Returns how many, or null when another instance is pruning.
   */
  async pruneRuns(retentionSeconds: number, batchSize: number): Promise<number | null> {
    const client = await this.pool.connect();
    const key = `${this.config.schema}.prune`;
    try {
      const { rows } = await client.query(sql.tryPruneLock, [key]);
      if (!rows[0]?.locked) return null;
      try {
        let total = 0;
        for (;;) {
          const result = await client.query(sql.pruneRuns(this.config.schema), [retentionSeconds, batchSize]);
          total += result.rowCount ?? 0;
          if ((result.rowCount ?? 0) < batchSize) return total;
        }
      } finally {
        await client.query(sql.unlockPrune, [key]);
      }
    } finally {
      client.release();
    }
  }

  /** A dedicated connection for LISTEN (not from the pool: it must stay on one session). */
  newListenClient(): pg.Client {
    return new pg.Client({ ...connectionSettings(this.config), application_name: 'pg-cron-scheduler:listen' });
  }

  async listen(client: pg.Client, channel: string): Promise<void> {
    await client.query(sql.listenChannel(channel));
  }

  async end(): Promise<void> {
    await this.#firing?.pool.end();
    if (this.#ownsPool) await this.pool.end();
  }
}
