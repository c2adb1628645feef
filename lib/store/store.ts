/**
 * The only code that executes SQL. Statements come from sql.ts; rows become domain types here.
 */
import pg from 'pg';
import type { SqlExecutor } from '../boss.ts';
import { connectionFor, type SchedulerConfig } from '../config.ts';
import { isUnavailable, SchedulerError } from '../errors.ts';
import { redactTarget, type Target } from '../targets/target.ts';
import { formatEvery, type TriggerSpec, triggerOf } from '../triggers/index.ts';
import type {
  AttemptOutcome,
  AttemptRecord,
  CatchUpPolicy,
  DeliveryRecord,
  OverlapPolicy,
  Run,
  RunOptionOverrides,
  RunOptions,
  RunStatus,
  RunTrigger,
  Schedule,
  ScheduleState,
  StaleSchedule,
} from '../types.ts';
import * as sql from './sql.ts';

interface Queryable {
  query(text: string, values?: unknown[]): Promise<pg.QueryResult>;
}

/** A schedule row as the ticker claims it. */
export interface ClaimedRow {
  id: string;
  name: string;
  /** What its trigger is built from. */
  spec: TriggerSpec;
  fields: Record<string, unknown>;
  queue: string;
  catchUp: CatchUpPolicy;
  catchUpWindowSeconds: number | null;
  overlap: OverlapPolicy;
  nextRunAt: Date;
  maxRuns: number | null;
  firedCount: number;
  /** Its own run settings. */
  runOptions: RunOptionOverrides;
  target: Target;
  now: Date;
  previousActive: boolean;
  /** Its tick at nextRunAt waits (overlap buffer_one) for the previous run to end. */
  buffered: boolean;
}

/** A range of ticks to fire a chunk at a time. */
export interface Backfill {
  id: string;
  scheduleId: string;
  trigger: 'catch_up' | 'backfill';
  /** The first tick still to fire is at or after this. */
  nextAt: Date;
  /** The last tick it may fire (inclusive). */
  untilAt: Date;
  /** How many runs it may still fire. */
  remaining: number;
  /** One run at a time: the next fires once the last one it fired has ended. */
  sequential: boolean;
}

/** A backfill as the ticker claims it, with its schedule. */
export interface ClaimedBackfill extends Backfill {
  name: string;
  spec: TriggerSpec;
  runOptions: RunOptionOverrides;
  target: Target;
  fields: Record<string, unknown>;
  queue: string;
  deleted: boolean;
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
  /** The instance it is leased to, or null. */
  owner: string | null;
  /** A pg-boss job carries it. */
  job: boolean;
  /** The run settings in force (null for skipped and missed records). */
  options: RunOptions | null;
}

/** What a claim writes back to a schedule it claimed. */
export interface ScheduleAdvance {
  id: string;
  nextRunAt: Date | null;
  lastRunAt: Date | null;
  lastFiredRunId: string | null;
  /** Runs fired for the schedule's ticks in this claim (counted against max_runs). */
  fired: number;
  buffered: boolean;
}

/** A run as the engine handles it: the public shape plus the queue it belongs to. */
export type StoredRun = Omit<Run, 'failedAttempts'> & { queue: string };

/** A schedule's definition, complete and validated (lib/definition.ts makes them). */
export interface ScheduleValues {
  name: string;
  cron: string | null;
  everySeconds: number | null;
  anchorAt: Date | null;
  at: Date | null;
  timezone: string;
  fields: Record<string, unknown>;
  queue: string;
  paused: boolean;
  pauseNote: string | null;
  startAt: Date | null;
  endAt: Date | null;
  maxRuns: number | null;
  jitterSeconds: number;
  catchUp: CatchUpPolicy;
  catchUpWindowSeconds: number | null;
  overlap: OverlapPolicy;
  runOptions: RunOptionOverrides;
  pauseAfterFailures: number | null;
  target: Target;
  alertAfterSeconds: number | null;
}

/** What a write stores beside the definition: when it fires next, whether it is completed, its owner. */
export interface ScheduleArming {
  nextRunAt: Date | null;
  completed: boolean;
  owner: string | null;
}

/** A schedule's own run settings from a row that has RUN_OPTION_COLUMNS. */
function runOptionsFromRow(row: Record<string, unknown>): RunOptionOverrides {
  return {
    retryLimit: (row.retry_limit as number | null) ?? null,
    retryDelaySeconds: (row.retry_delay_seconds as number | null) ?? null,
    retryBackoff: (row.retry_backoff as boolean | null) ?? null,
    runTimeoutSeconds: (row.run_timeout_seconds as number | null) ?? null,
    priority: (row.priority as number | null) ?? null,
  };
}

/** A trigger spec from a row that has TRIGGER_COLUMNS. */
function specFromRow(row: Record<string, unknown>): TriggerSpec {
  return {
    cron: (row.cron as string | null) ?? null,
    timezone: row.timezone as string,
    everySeconds: (row.every_seconds as number | null) ?? null,
    anchorAt: (row.anchor_at as Date | null) ?? null,
    at: (row.at as Date | null) ?? null,
    startAt: (row.start_at as Date | null) ?? null,
    endAt: (row.end_at as Date | null) ?? null,
    jitterSeconds: row.jitter_seconds as number,
    seed: row.name as string,
  };
}

/**
 * What a worker saw happen to one run, for recordRunEvents: an attempt that started, ended, or
 * both. `status` is the run's status afterwards.
 */
export interface RunEvent {
  id: string;
  /** The instance that saw it (its lease id at the time). */
  owner: string;
  attempt: number;
  status: RunStatus;
  /** Set when the attempt started since the last record. */
  startedAt: Date | null;
  /** Set when the run reached a final status. */
  finishedAt: Date | null;
  /** The attempt's error (a failure), or null. */
  error: string | null;
  /** The event includes the attempt's start. */
  isStart: boolean;
  /** Set when the attempt ended without success: it is logged in run_attempts. */
  outcome: AttemptOutcome | null;
  /** When the attempt's handler started, for the attempt log. */
  attemptStartedAt: Date | null;
  /** The run is (now) carried by a pg-boss job. */
  job: boolean;
  /** A webhook attempt that ended: what it got back. */
  response: DeliveryRecord | null;
}

/** An open run of an instance, as a takeover needs it. */
export interface HeldRun {
  id: string;
  scheduleId: string;
  scheduleName: string;
  fields: Record<string, unknown>;
  scheduledFor: Date;
  enqueuedAt: Date | null;
  startedAt: Date | null;
  trigger: RunTrigger;
  queue: string;
  status: RunStatus;
  job: boolean;
  attempts: number;
  /** Attempts that failed or timed out (lost and released ones are not the run's fault). */
  failures: number;
  /** The run settings in force (null for runs fired before they were recorded). */
  options: RunOptions | null;
  target: Target;
}

/** One run handed to pg-boss: the attempts it counts now, and the attempt cut short, if any. */
export interface HandOff {
  id: string;
  attempts: number;
  outcome: AttemptOutcome | null;
  error: string | null;
  attemptStartedAt: Date | null;
}

/** The scheduler's schema was migrated by a newer version than this one. */
export class SchemaVersionError extends SchedulerError {
  constructor(schema: string, found: number, known: number) {
    super(
      'schema_version',
      `the schema "${schema}" was migrated by a newer version of pg-cron-scheduler (schema version ${found}; ` +
        `this version knows up to ${known}): upgrade pg-cron-scheduler, or use another schema`,
    );
  }
}

/**
 * The stored target of schedules read from the database, secrets included. A Schedule shows the
 * redacted target only; an update that keeps the target writes back this one.
 */
const fullTargets = new WeakMap<Schedule, Target>();

/** A schedule's target with its secrets (for a schedule read here; else its shown target, which has none). */
export function fullTargetOf(schedule: Schedule): Target {
  return fullTargets.get(schedule) ?? (schedule.target as Target);
}

function toSchedule(row: Record<string, unknown>): Schedule {
  const spec = specFromRow(row);
  const paused = row.paused as boolean;
  const completedAt = (row.completed_at as Date | null) ?? null;
  let description: string;
  try {
    description = triggerOf(spec).describe();
  } catch {
    // A stored expression this version cannot read: the ticker disarms it and says so.
    description = `Cannot be evaluated: ${JSON.stringify(spec.cron)}`;
  }
  const schedule: Schedule = {
    id: row.id as string,
    name: row.name as string,
    cron: spec.cron,
    every: spec.everySeconds === null ? null : formatEvery(spec.everySeconds),
    everySeconds: spec.everySeconds,
    anchorAt: spec.anchorAt,
    at: spec.at,
    timezone: spec.timezone,
    description,
    fields: row.fields as Record<string, unknown>,
    queue: row.queue as string,
    paused,
    pauseNote: (row.pause_note as string | null) ?? null,
    state: paused ? 'paused' : completedAt ? 'completed' : 'active',
    startAt: spec.startAt,
    endAt: spec.endAt,
    maxRuns: (row.max_runs as number | null) ?? null,
    firedCount: row.fired_count as number,
    jitterSeconds: spec.jitterSeconds,
    completedAt,
    owner: (row.owner as string | null) ?? null,
    // bigint: node-postgres gives a string; versions stay far below 2^53.
    version: Number(row.version),
    catchUp: row.catch_up as CatchUpPolicy,
    catchUpWindowSeconds: (row.catch_up_window_seconds as number | null) ?? null,
    overlap: row.overlap as OverlapPolicy,
    target: redactTarget(row.target as Target),
    runOptions: runOptionsFromRow(row),
    pauseAfterFailures: (row.pause_after_failures as number | null) ?? null,
    consecutiveFailures: row.consecutive_failures as number,
    alertAfterSeconds: (row.alert_after_seconds as number | null) ?? null,
    lastSuccessAt: (row.last_success_at as Date | null) ?? null,
    stale: row.stale as boolean,
    nextRunAt: (row.next_run_at as Date | null) ?? null,
    lastRunAt: (row.last_run_at as Date | null) ?? null,
    createdAt: row.created_at as Date,
    updatedAt: row.updated_at as Date,
  };
  fullTargets.set(schedule, row.target as Target);
  return schedule;
}

/**
 * A PostgreSQL array literal of values that never need quoting: uuids, numbers, booleans, instants
 * (ISO 8601), and our own enumerations. pg would quote and escape each element, and format each
 * instant in local time, which at thousands of runs a tick was a sixth of a firing process's busy
 * time; arbitrary text (errors, queue names, JSON) still goes the pg way.
 */
function plainArray(values: readonly (string | number | boolean | Date | null | undefined)[]): string {
  const text = values.map((v) => (v === null || v === undefined ? 'NULL' : v instanceof Date ? v.toISOString() : v));
  return `{${text.join(',')}}`;
}

function toRun(row: Record<string, unknown>): StoredRun {
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
    options: (row.options as RunOptions | null) ?? null,
    response: (row.response as DeliveryRecord | null) ?? null,
  };
}

function toAttempts(value: unknown): AttemptRecord[] {
  return ((value as Record<string, unknown>[] | null) ?? []).map((a) => ({
    attempt: a.attempt as number,
    outcome: a.outcome as AttemptOutcome,
    error: (a.error as string | null) ?? null,
    startedAt: a.started_at ? new Date(a.started_at as string) : null,
    finishedAt: new Date(a.finished_at as string),
    response: (a.response as DeliveryRecord | null) ?? null,
  }));
}

/** The values of a schedule row in the order insertSchedule and updateSchedule take them ($2 on). */
function scheduleParams(v: ScheduleValues, a: ScheduleArming): unknown[] {
  return [
    v.name,
    v.cron,
    v.everySeconds,
    v.anchorAt,
    v.at,
    v.timezone,
    v.fields,
    v.queue,
    v.paused,
    v.pauseNote,
    v.startAt,
    v.endAt,
    v.maxRuns,
    v.jitterSeconds,
    v.catchUp,
    v.catchUpWindowSeconds,
    v.overlap,
    a.nextRunAt,
    a.completed,
    a.owner,
    v.runOptions.retryLimit,
    v.runOptions.retryDelaySeconds,
    v.runOptions.retryBackoff,
    v.runOptions.runTimeoutSeconds,
    v.runOptions.priority,
    v.pauseAfterFailures,
    v.target,
    v.alertAfterSeconds,
  ];
}

/** A schedule paused by its consecutive failures. */
export interface PausedSchedule {
  id: string;
  name: string;
  note: string;
}

function pausedOf(rows: Record<string, unknown>[]): PausedSchedule[] {
  return rows
    .filter((row) => row.paused_name !== null)
    .map((row) => ({ id: row.id as string, name: row.paused_name as string, note: row.paused_note as string }));
}

/** A run as the public API shows it: without the queue, which only the engine needs. */
export function publicRun(run: StoredRun, failedAttempts: AttemptRecord[] = []): Run {
  const { queue: _queue, ...rest } = run;
  return { ...rest, failedAttempts };
}

function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: string })?.code === '23505';
}

/** Statements bound to one connection (the pool, or a client inside a transaction). */
export class Queries {
  readonly #db: Queryable;
  readonly #schema: string;

  constructor(db: Queryable, config: SchedulerConfig) {
    this.#db = db;
    this.#schema = config.schema;
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

  // --- Instances --------------------------------------------------------------------------------

  /** Registers an instance holding a lease of `leaseMs`; returns the database's clock. */
  async insertInstance(id: string, name: string, leaseMs: number): Promise<Date> {
    const { rows } = await this.#db.query(sql.insertInstance(this.#schema), [id, name, leaseMs]);
    return rows[0].now as Date;
  }

  /** Renews a lease; null when the instance was declared dead and taken over. */
  async renewInstance(id: string, leaseMs: number): Promise<Date | null> {
    const { rows } = await this.#db.query(sql.renewInstance(this.#schema), [id, leaseMs]);
    return (rows[0]?.now as Date | undefined) ?? null;
  }

  async deleteInstance(id: string): Promise<void> {
    await this.#db.query(sql.deleteInstance(this.#schema), [id]);
  }

  /** Instances whose lease ran out more than `graceMs` ago. */
  async expiredInstances(graceMs: number): Promise<string[]> {
    const { rows } = await this.#db.query(sql.selectExpiredInstances(this.#schema), [graceMs]);
    return rows.map((row) => row.id as string);
  }

  /** Locks an expired instance for its takeover; null when it renewed meanwhile or another reaper has it. */
  async lockExpiredInstance(
    id: string,
    graceMs: number,
  ): Promise<{ id: string; name: string; leaseUntil: Date } | null> {
    const { rows } = await this.#db.query(sql.lockExpiredInstance(this.#schema), [id, graceMs]);
    const row = rows[0];
    return row ? { id: row.id, name: row.name, leaseUntil: row.lease_until } : null;
  }

  // --- Schedules --------------------------------------------------------------------------------

  /** Null when the name is taken. */
  async insertSchedule(id: string, v: ScheduleValues, a: ScheduleArming): Promise<Schedule | null> {
    const { rows } = await this.#db.query(sql.insertSchedule(this.#schema), [id, ...scheduleParams(v, a)]);
    return rows[0] ? toSchedule(rows[0]) : null;
  }

  /** By id or name; a deleted schedule only by id and only with `includeDeleted`. */
  async findSchedule(
    idOrName: string,
    isId: boolean,
    options: { forUpdate?: boolean; includeDeleted?: boolean } = {},
  ): Promise<Schedule | null> {
    const { rows } = await this.#db.query(sql.selectSchedule(this.#schema, options.forUpdate ?? false), [
      isId ? idOrName : null,
      idOrName,
      options.includeDeleted ?? false,
    ]);
    return rows[0] ? toSchedule(rows[0]) : null;
  }

  async listSchedules(
    after: { t: string; id: string } | null,
    paused: boolean | null,
    limit: number,
    search: string | null = null,
  ) {
    const { rows } = await this.#db.query(sql.selectSchedulesPage(this.#schema), [
      after?.t ?? null,
      after?.id ?? null,
      paused,
      limit,
      search,
    ]);
    return rows.map(toSchedule);
  }

  /** Null when the new name is taken by another schedule. */
  async updateSchedule(id: string, v: ScheduleValues, a: ScheduleArming): Promise<Schedule | null> {
    try {
      const { rows } = await this.#db.query(sql.updateSchedule(this.#schema), [id, ...scheduleParams(v, a)]);
      return toSchedule(rows[0]);
    } catch (error) {
      if (isUniqueViolation(error)) return null;
      throw error;
    }
  }

  async softDeleteSchedule(id: string): Promise<void> {
    await this.#db.query(sql.softDeleteSchedule(this.#schema), [id]);
  }

  /** Locks up to `limit` schedules due at or before `dueBy` (or overdue), skipping rows other claims hold. */
  async claimDue(limit: number, dueBy: Date): Promise<ClaimedRow[]> {
    const { rows } = await this.#db.query(sql.claimDueSchedules(this.#schema), [limit, dueBy]);
    return rows.map((row) => ({
      id: row.id,
      name: row.name,
      spec: specFromRow(row),
      fields: row.fields,
      queue: row.queue,
      catchUp: row.catch_up,
      catchUpWindowSeconds: row.catch_up_window_seconds,
      overlap: row.overlap,
      nextRunAt: row.next_run_at,
      maxRuns: row.max_runs,
      firedCount: row.fired_count,
      runOptions: runOptionsFromRow(row),
      target: row.target,
      now: row.now,
      previousActive: row.previous_active,
      buffered: row.buffered,
    }));
  }

  async advanceSchedules(updates: ScheduleAdvance[]): Promise<void> {
    if (updates.length === 0) return;
    await this.#db.query(sql.advanceSchedules(this.#schema), [
      plainArray(updates.map((u) => u.id)),
      plainArray(updates.map((u) => u.nextRunAt)),
      plainArray(updates.map((u) => u.lastRunAt)),
      plainArray(updates.map((u) => u.lastFiredRunId)),
      plainArray(updates.map((u) => u.fired)),
      plainArray(updates.map((u) => u.buffered)),
    ]);
  }

  // --- Stale-job alerts -------------------------------------------------------------------------

  /** Stale schedules, by name, at most `limit`; `notified`: their `stale` event already went out. */
  async staleSchedules(limit: number): Promise<(StaleSchedule & { notified: boolean })[]> {
    const { rows } = await this.#db.query(sql.selectStaleSchedules(this.#schema), [limit]);
    return rows.map((row) => {
      const since = ((row.last_success_at as Date | null) ?? (row.created_at as Date)).getTime();
      return {
        scheduleId: row.id as string,
        scheduleName: row.name as string,
        alertAfterSeconds: row.alert_after_seconds as number,
        lastSuccessAt: (row.last_success_at as Date | null) ?? null,
        staleSince: new Date(since + (row.alert_after_seconds as number) * 1000),
        notified: row.notified as boolean,
      };
    });
  }

  async markStaleNotified(ids: string[]): Promise<void> {
    if (ids.length > 0) await this.#db.query(sql.markStaleNotified(this.#schema), [ids]);
  }

  // --- Sync ---------------------------------------------------------------------------------------

  /** Serializes syncs of one owner (until the transaction ends). */
  async lockSync(key: string): Promise<void> {
    await this.#db.query(sql.lockSync, [key]);
  }

  async ownedSchedules(owner: string): Promise<Schedule[]> {
    const { rows } = await this.#db.query(sql.selectOwnedSchedules(this.#schema), [owner]);
    return rows.map(toSchedule);
  }

  async schedulesByName(names: string[]): Promise<Schedule[]> {
    const { rows } = await this.#db.query(sql.selectSchedulesByName(this.#schema), [names]);
    return rows.map(toSchedule);
  }

  async markFired(scheduleId: string, at: Date): Promise<void> {
    await this.#db.query(sql.markFired(this.#schema), [scheduleId, at]);
  }

  /** The earliest next run (epoch ms), the milliseconds until it by the database's clock, and how many are due by then; null when nothing is armed. */
  async nextWake(): Promise<{ atMs: number; waitMs: number; due: number } | null> {
    const { rows } = await this.#db.query(sql.selectNextWake(this.#schema));
    const row = rows[0];
    return row && row.next_ms !== null
      ? { atMs: row.next_ms as number, waitMs: row.wait_ms as number, due: row.due as number }
      : null;
  }

  // --- Runs -------------------------------------------------------------------------------------

  /** Returns the runs actually inserted (a tick already recorded is left out). */
  async insertRuns(runs: NewRun[]): Promise<StoredRun[]> {
    if (runs.length === 0) return [];
    const { rows } = await this.#db.query(sql.insertRuns(this.#schema), [
      plainArray(runs.map((r) => r.id)),
      plainArray(runs.map((r) => r.scheduleId)),
      plainArray(runs.map((r) => r.scheduledFor)),
      plainArray(runs.map((r) => r.lastScheduledFor)),
      plainArray(runs.map((r) => r.tickCount)),
      plainArray(runs.map((r) => r.trigger)),
      plainArray(runs.map((r) => r.status)),
      runs.map((r) => r.queue),
      plainArray(runs.map((r) => r.owner)),
      plainArray(runs.map((r) => r.job)),
      runs.map((r) => (r.options ? JSON.stringify(r.options) : null)),
    ]);
    // A new row is what was sent, plus the enqueued_at the statement chose.
    const sent = new Map(runs.map((r) => [r.id, r]));
    return (rows as { id: string; enqueued_at: Date | null }[]).map(({ id, enqueued_at }) => {
      const r = sent.get(id)!;
      return {
        id,
        scheduleId: r.scheduleId,
        scheduledFor: r.scheduledFor,
        lastScheduledFor: r.lastScheduledFor,
        tickCount: r.tickCount,
        trigger: r.trigger,
        status: r.status,
        queue: r.queue,
        enqueuedAt: enqueued_at,
        startedAt: null,
        finishedAt: null,
        attempts: 0,
        error: null,
        options: r.options,
        response: null,
      };
    });
  }

  async insertManualRun(id: string, scheduleId: string, queue: string, options: RunOptions): Promise<StoredRun> {
    const { rows } = await this.#db.query(sql.insertManualRun(this.#schema), [id, scheduleId, queue, options]);
    return toRun(rows[0]);
  }

  async listRuns(
    scheduleId: string,
    before: { t: string; id: string } | null,
    status: RunStatus | null,
    limit: number,
  ): Promise<Run[]> {
    const { rows } = await this.#db.query(sql.selectRunsPage(this.#schema), [
      scheduleId,
      before?.t ?? null,
      before?.id ?? null,
      status,
      limit,
    ]);
    return rows.map((row) => publicRun(toRun(row), toAttempts(row.failed_attempts)));
  }

  /** Deletes the runs prepared for a schedule's ticks after `after` that have not started; returns them. */
  async withdrawRuns(scheduleId: string, after: Date): Promise<{ id: string; queue: string; job: boolean }[]> {
    const { rows } = await this.#db.query(sql.withdrawRuns(this.#schema), [scheduleId, after]);
    return rows as { id: string; queue: string; job: boolean }[];
  }

  /** A schedule's open runs, locked (to cancel them with it). */
  async openRunsOfSchedule(scheduleId: string): Promise<{ id: string; queue: string; job: boolean }[]> {
    const { rows } = await this.#db.query(sql.selectOpenRunsOfSchedule(this.#schema), [scheduleId]);
    return rows as { id: string; queue: string; job: boolean }[];
  }

  async cancelRuns(ids: string[], reason: string): Promise<void> {
    if (ids.length > 0) await this.#db.query(sql.cancelRuns(this.#schema), [ids, reason]);
  }

  /**
   * Applies worker events; returns the ids of the runs they applied to (the others were taken over
   * or settled), and the schedules paused for their consecutive failures.
   */
  async recordRunEvents(
    events: RunEvent[],
    wakeChannel: string,
  ): Promise<{ applied: Set<string>; paused: PausedSchedule[] }> {
    if (events.length === 0) return { applied: new Set(), paused: [] };
    const { rows } = await this.#db.query(sql.recordRunEvents(this.#schema), [
      plainArray(events.map((e) => e.id)),
      plainArray(events.map((e) => e.owner)),
      plainArray(events.map((e) => e.attempt)),
      plainArray(events.map((e) => e.status)),
      plainArray(events.map((e) => e.startedAt)),
      plainArray(events.map((e) => e.finishedAt)),
      events.map((e) => e.error),
      plainArray(events.map((e) => e.isStart)),
      plainArray(events.map((e) => e.outcome)),
      plainArray(events.map((e) => e.attemptStartedAt)),
      plainArray(events.map((e) => e.job)),
      events.map((e) => (e.response ? JSON.stringify(e.response) : null)),
      wakeChannel,
    ]);
    return {
      applied: new Set(rows.filter((row) => row.paused_name === null).map((row) => row.id as string)),
      paused: pausedOf(rows),
    };
  }

  /** The open runs an instance holds, locked. */
  async openRunsOfOwner(owner: string): Promise<HeldRun[]> {
    const { rows } = await this.#db.query(sql.selectOpenRunsOfOwner(this.#schema), [owner]);
    return rows.map((row) => ({
      id: row.id,
      scheduleId: row.schedule_id,
      scheduleName: row.schedule_name,
      fields: row.fields,
      scheduledFor: row.scheduled_for,
      enqueuedAt: row.enqueued_at,
      startedAt: row.started_at,
      trigger: row.trigger,
      queue: row.queue,
      status: row.status,
      job: row.job,
      attempts: row.attempts,
      failures: row.failures,
      options: row.options ?? null,
      target: row.target,
    }));
  }

  async handOffRuns(handOffs: HandOff[]): Promise<void> {
    if (handOffs.length === 0) return;
    await this.#db.query(sql.handOffRuns(this.#schema), [
      handOffs.map((h) => h.id),
      handOffs.map((h) => h.attempts),
      handOffs.map((h) => h.outcome),
      handOffs.map((h) => h.error),
      handOffs.map((h) => h.attemptStartedAt),
    ]);
  }

  // --- Backfills ---------------------------------------------------------------------------------

  async insertBackfills(backfills: Backfill[]): Promise<void> {
    if (backfills.length === 0) return;
    await this.#db.query(sql.insertBackfills(this.#schema), [
      backfills.map((b) => b.id),
      backfills.map((b) => b.scheduleId),
      backfills.map((b) => b.trigger),
      backfills.map((b) => b.nextAt),
      backfills.map((b) => b.untilAt),
      backfills.map((b) => b.remaining),
      backfills.map((b) => b.sequential),
    ]);
  }

  async claimBackfills(limit: number): Promise<ClaimedBackfill[]> {
    const { rows } = await this.#db.query(sql.claimBackfills(this.#schema), [limit]);
    return rows.map((row) => ({
      id: row.id,
      scheduleId: row.schedule_id,
      trigger: row.trigger,
      nextAt: row.next_at,
      untilAt: row.until_at,
      remaining: row.remaining,
      sequential: row.sequential,
      name: row.name,
      spec: specFromRow(row),
      runOptions: runOptionsFromRow(row),
      target: row.target,
      fields: row.fields,
      queue: row.queue,
      deleted: row.deleted,
    }));
  }

  async advanceBackfills(
    updates: { id: string; nextAt: Date; remaining: number; lastRunId: string | null }[],
  ): Promise<void> {
    if (updates.length === 0) return;
    await this.#db.query(sql.advanceBackfills(this.#schema), [
      updates.map((u) => u.id),
      updates.map((u) => u.nextAt),
      updates.map((u) => u.remaining),
      updates.map((u) => u.lastRunId),
    ]);
  }

  async deleteBackfills(ids: string[]): Promise<void> {
    if (ids.length > 0) await this.#db.query(sql.deleteBackfills(this.#schema), [ids]);
  }

  async backfillPending(): Promise<boolean> {
    const { rows } = await this.#db.query(sql.selectBackfillPending(this.#schema));
    return rows[0].pending as boolean;
  }

  async touchLastRun(lastRuns: Map<string, Date>): Promise<void> {
    if (lastRuns.size === 0) return;
    await this.#db.query(sql.touchLastRun(this.#schema), [[...lastRuns.keys()], [...lastRuns.values()]]);
  }

  /** Open pg-boss-carried runs no worker of ours reported on for `quietMs`, least recently checked first. */
  async unreportedRuns(limit: number, quietMs: number): Promise<{ id: string; queue: string; attempts: number }[]> {
    const { rows } = await this.#db.query(sql.selectUnreported(this.#schema), [limit, quietMs]);
    return rows as { id: string; queue: string; attempts: number }[];
  }

  /** Writes what pg-boss says of those runs (null fields: nothing new, only checked). */
  async recordJobStates(
    states: {
      id: string;
      status: RunStatus | null;
      attempts: number | null;
      startedAt: Date | null;
      finishedAt: Date | null;
      error: string | null;
    }[],
  ): Promise<PausedSchedule[]> {
    if (states.length === 0) return [];
    const { rows } = await this.#db.query(sql.recordJobStates(this.#schema), [
      states.map((s) => s.id),
      states.map((s) => s.status),
      states.map((s) => s.attempts),
      states.map((s) => s.startedAt),
      states.map((s) => s.finishedAt),
      states.map((s) => s.error),
    ]);
    return pausedOf(rows);
  }

  async ping(): Promise<void> {
    await this.#db.query(sql.selectOne);
  }

  // --- Metrics ----------------------------------------------------------------------------------

  /** Active schedules due more than `graceSeconds` ago and not claimed, and how long ago the oldest was due. */
  async dueBacklog(graceSeconds: number): Promise<{ backlog: number; oldestSeconds: number }> {
    const { rows } = await this.#db.query(sql.selectDueBacklog(this.#schema), [graceSeconds]);
    return { backlog: rows[0].backlog as number, oldestSeconds: rows[0].oldest_seconds as number };
  }

  /** Live schedules by state. */
  /** Live schedules by state, and how many are stale. */
  async scheduleStates(): Promise<{ states: Record<ScheduleState, number>; stale: number }> {
    const { rows } = await this.#db.query(sql.selectScheduleStates(this.#schema));
    return {
      states: { active: rows[0].active, paused: rows[0].paused, completed: rows[0].completed },
      stale: rows[0].stale,
    };
  }
}

/**
 * A transaction's COMMIT was sent and the connection was lost before its answer: it may have
 * committed or not. (A server that crashes after writing the commit record, or a primary whose
 * synchronous standby received the commit before a failover, has it; the client only saw the
 * connection drop.) It still counts as "database unavailable" (same code, the cause is kept).
 */
export class CommitOutcomeUnknown extends Error {
  readonly code: unknown;
  constructor(cause: Error) {
    super(`the outcome of COMMIT is unknown: ${cause.message}`, { cause });
    this.name = 'CommitOutcomeUnknown';
    this.code = (cause as { code?: unknown }).code;
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
  async transaction<T>(fn: (tx: Queries) => Promise<T>): Promise<T> {
    const client = await checkOut(this.pool);
    let broken: Error | undefined;
    let committing = false;
    try {
      await client.query('BEGIN');
      const result = await fn(new Queries(client, this.config));
      committing = true;
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch((rollbackError: Error) => {
        broken = rollbackError;
      });
      if (committing && isUnavailable(error)) throw new CommitOutcomeUnknown(error as Error);
      throw error;
    } finally {
      // A connection whose ROLLBACK failed (dead socket, timeout) is not given back to the pool.
      client.release(broken);
    }
  }
}

/**
 * A client checked out of a pool. A connection lost while checked out rejects the query under way
 * and also emits 'error' on the client, which the pool does not listen to then: without a listener
 * that would be an uncaught exception. The listener goes when the client is released.
 */
async function checkOut(pool: pg.Pool): Promise<pg.PoolClient & { release(error?: Error | boolean): void }> {
  const client = await pool.connect();
  const ignore = () => {};
  client.on('error', ignore);
  const release = client.release.bind(client);
  client.release = (error?: Error | boolean) => {
    client.removeListener('error', ignore);
    release(error);
  };
  return client;
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
    super(config.pool ?? new pg.Pool({ ...connectionFor(config, 'main'), max: config.poolSize }), config);
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
      const pool = new pg.Pool({ ...connectionFor(this.config, 'firing'), max: this.config.fireConnections });
      pool.on('error', this.#onError);
      this.#firing = new Lane(pool, this.config);
    }
    return this.#firing;
  }

  /**
   * Applies pending migrations in one transaction under an advisory lock (safe with many instances
   * starting at once: the first migrates, the others wait and find nothing to do). Refuses a schema
   * migrated by a newer version.
   */
  async migrate(): Promise<void> {
    const { schema } = this.config;
    const all = sql.migrations(schema);
    const known = all.at(-1)?.version ?? 0;
    await this.transaction(async (tx) => {
      const db = (tx.executor as SqlExecutor).executeSql;
      await db(sql.lockMigrations, [`${schema}.migrate`]);
      await db(sql.createSchema(schema));
      const { rows } = await db(sql.selectMigrationVersion(schema));
      const current = (rows[0] as { version: number }).version;
      if (current > known) throw new SchemaVersionError(schema, current, known);
      for (const migration of all) {
        if (migration.version <= current) continue;
        await db(migration.sql);
        await db(sql.insertMigration(schema), [migration.version]);
      }
    });
  }

  /**
   * Deletes runs older than the retention, and schedules deleted longer ago than that, in batches
   * of `batchSize`, each its own statement so a large backlog never holds long locks. Returns how
   * many runs, or null when another instance is pruning.
   */
  async prune(retentionSeconds: number, batchSize: number): Promise<number | null> {
    return this.exclusively('prune', async () => {
      const batches = async (statement: string) => {
        let deleted = 0;
        for (;;) {
          const count = (await this.pool.query(statement, [retentionSeconds, batchSize])).rowCount ?? 0;
          deleted += count;
          if (count < batchSize) return deleted;
        }
      };
      const runs = await batches(sql.pruneRuns(this.config.schema));
      await batches(sql.pruneDeletedSchedules(this.config.schema));
      return runs;
    });
  }

  /**
   * Runs `fn` while holding the schema's advisory lock named `name`, unless another instance holds
   * it (then null): a periodic pass one instance does at a time. The lock is held by a transaction
   * of its own on one checked-out connection (a pooler in transaction mode keeps a transaction on
   * one server session, not a session lock's unlock); `fn` works on the pool meanwhile, so a pass
   * takes one connection more than its own work.
   */
  async exclusively<T>(name: string, fn: () => Promise<T>): Promise<T | null> {
    const client = await checkOut(this.pool);
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      const { rows } = await client.query(sql.tryXactLock, [`${this.config.schema}.${name}`]);
      if (!rows[0]?.locked) {
        await client.query('ROLLBACK');
        return null;
      }
      try {
        return await fn();
      } finally {
        // Ending the transaction releases the lock; it wrote nothing, so COMMIT and ROLLBACK are alike.
        await client.query('COMMIT');
      }
    } catch (error) {
      broken = error as Error;
      throw error;
    } finally {
      // A connection whose statements failed may still be inside the transaction: not given back.
      client.release(broken);
    }
  }

  /** A dedicated connection (not from the pool: it must stay on one session), for LISTEN or the lease. */
  newClient(role: 'listen' | 'lease'): pg.Client {
    const settings = connectionFor(this.config, role);
    // A host list's own Client class picks the host (see hosts.ts); otherwise pg's.
    const Client = ((settings as pg.PoolConfig).Client as typeof pg.Client | undefined) ?? pg.Client;
    return new Client(settings);
  }

  /** Statements on a dedicated connection, each abandoned after `timeoutMs` (the caller then closes it). */
  queriesOn(client: pg.Client, timeoutMs: number): Queries {
    return new Queries(
      { query: (text, values) => client.query({ text, values, query_timeout: timeoutMs } as pg.QueryConfig) },
      this.config,
    );
  }

  /** Whether a dedicated connection still answers within `timeoutMs` (rejects if not). */
  async pingOn(client: pg.Client, timeoutMs: number): Promise<void> {
    await client.query({ text: sql.selectOne, query_timeout: timeoutMs } as pg.QueryConfig);
  }

  async listen(client: pg.Client, channel: string, timeoutMs: number): Promise<void> {
    await client.query({ text: sql.listenChannel(channel), query_timeout: timeoutMs } as pg.QueryConfig);
  }

  async end(): Promise<void> {
    await this.#firing?.pool.end();
    if (this.#ownsPool) await this.pool.end();
  }

  /** The pools open now, for the pool metrics: the main pool, and the firing pool once it was opened (never opened here). */
  pools(): { name: 'main' | 'firing'; pool: pg.Pool }[] {
    const pools: { name: 'main' | 'firing'; pool: pg.Pool }[] = [{ name: 'main', pool: this.pool }];
    if (this.#firing) pools.push({ name: 'firing', pool: this.#firing.pool });
    return pools;
  }
}
