/**
 * Public domain types of the scheduler. Pure declarations: nothing here does I/O.
 */

import type { Registry } from 'prom-client';
import type { RedactedTarget, Target } from './targets/target.ts';

/** What happens to ticks that came due while no instance could fire them. */
export const CATCH_UP_POLICIES = ['skip', 'latest', 'all'] as const;
export type CatchUpPolicy = (typeof CATCH_UP_POLICIES)[number];

/**
 * What happens to a tick while the schedule's previous run is still queued or running: `allow` fires
 * it, `skip` records it as skipped, `buffer_one` lets it wait and fires it when the previous run ends
 * (one tick waits at most; later ones are recorded as skipped).
 */
export const OVERLAP_POLICIES = ['allow', 'skip', 'buffer_one'] as const;
export type OverlapPolicy = (typeof OVERLAP_POLICIES)[number];

/** Why a run exists: its schedule's tick, a missed tick fired after downtime, a manual run, or a requested backfill. */
export const RUN_TRIGGERS = ['schedule', 'catch_up', 'manual', 'backfill'] as const;
export type RunTrigger = (typeof RUN_TRIGGERS)[number];

/**
 * Where a run is, as the scheduler's own tables record it (whoever works the run):
 * - `queued`: waiting for its instant, for a worker, or for a retry;
 * - `running`: an attempt's handler is running (`startedAt` says since when);
 * - `succeeded`, `failed` (its last allowed attempt failed), `cancelled` (its schedule was deleted
 *   before it finished): final;
 * - `skipped` and `missed` record ticks that were not fired (overlap, or downtime under the
 *   catch-up policy); they never reach a worker.
 */
export const RUN_STATUSES = ['queued', 'running', 'succeeded', 'failed', 'cancelled', 'skipped', 'missed'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

/** Where a schedule is: firing, paused, or `completed` (it can never fire again: past `endAt`, `maxRuns` reached, its `at` fired). */
export const SCHEDULE_STATES = ['active', 'paused', 'completed'] as const;
export type ScheduleState = (typeof SCHEDULE_STATES)[number];

/** Input of `backfill()`: a past range of a schedule's ticks to fire. */
export interface BackfillInput {
  /** The first instant of the range (inclusive). */
  from: Date;
  /** The last instant of the range (inclusive), not after now. */
  to: Date;
  /**
   * `allow` fires the range's runs side by side (paced); `skip` and `buffer_one` fire them one at a
   * time, each once the previous one has ended (a backfill asks for every tick: none is dropped).
   * Default: the schedule's own overlap.
   */
  overlap?: OverlapPolicy;
}

/** What `backfill()` queued. */
export interface BackfillResult {
  scheduleId: string;
  from: Date;
  to: Date;
  /** The schedule's ticks in the range: at most this many runs fire (ticks already run are not fired again). */
  ticks: number;
}

/** What `sync()` does with an owner's schedules that its definitions no longer list. */
export const SYNC_REMOVALS = ['delete', 'pause'] as const;
export type SyncRemoval = (typeof SYNC_REMOVALS)[number];

/** How a schedule's runs are worked: its own settings, each defaulting to the scheduler's option of that name. */
export interface RunOptions {
  /** Retries of a failed run before it is final. */
  retryLimit: number;
  /** Seconds before a retry (the first one, with backoff). */
  retryDelaySeconds: number;
  /** Exponential backoff between retries (pg-boss's: the delay doubles, with jitter). */
  retryBackoff: boolean;
  /** An attempt running longer than this is aborted (its signal), recorded as timed out, and retried. */
  runTimeoutSeconds: number;
  /** Higher first, -100 to 100, among runs waiting in pg-boss for a worker; catch-up and backfill runs go one below. */
  priority: number;
}

/** A schedule's own run settings; null (or absent) takes the scheduler's option. */
export type RunOptionOverrides = { [K in keyof RunOptions]: RunOptions[K] | null };

/** A stored schedule: what the HTTP API calls a job. */
export interface Schedule {
  /** UUID, assigned at creation. */
  id: string;
  /** Unique name: 1-128 of letters, digits, `.`, `_`, `-`, starting with a letter or digit. */
  name: string;
  /** The cron expression as given (5 fields, 6 with leading seconds, or a macro such as `@daily`); null for the other kinds. */
  cron: string | null;
  /** The interval, in canonical form (`15m`, `1h30m`); null for the other kinds. */
  every: string | null;
  /** The interval in seconds; null for the other kinds. */
  everySeconds: number | null;
  /** The instant an interval's phase is counted from (ticks are `anchorAt + k * every`); null: the Unix epoch. */
  anchorAt: Date | null;
  /** The instant of a one-off schedule; null for the other kinds. */
  at: Date | null;
  /** IANA time zone a cron expression is evaluated in (intervals and `at` are absolute). */
  timezone: string;
  /** Human-readable description of when it fires, e.g. "Every 5 minutes". */
  description: string;
  /** Free-form JSON object passed to every run. */
  fields: Record<string, unknown>;
  /** The pg-boss queue its runs are sent to. */
  queue: string;
  /** A paused schedule fires nothing; `nextRunAt` is null while paused. */
  paused: boolean;
  /** Why it was paused (given with the pause), or null. */
  pauseNote: string | null;
  /** `active`, `paused` or `completed`. */
  state: ScheduleState;
  /** It fires nothing before this instant; null: no start. */
  startAt: Date | null;
  /** It fires nothing after this instant, and is completed once it has passed; null: no end. */
  endAt: Date | null;
  /** It completes after firing this many runs of its own ticks (manual runs and backfills do not count); null: no limit. */
  maxRuns: number | null;
  /** Runs fired for its ticks so far (what `maxRuns` counts). */
  firedCount: number;
  /** Each tick is delayed by a deterministic 0 to `jitterSeconds - 1` seconds (0: none). */
  jitterSeconds: number;
  /** When it completed; null unless `state` is `completed`. */
  completedAt: Date | null;
  /** The owner that `sync()` manages it for; null for schedules made one by one (`create`, `upsert`, HTTP). */
  owner: string | null;
  /** Changes with every change of the schedule (never reused, also not by another schedule): the HTTP API's ETag. */
  version: number;
  catchUp: CatchUpPolicy;
  /** Missed ticks older than this many seconds are never fired (only recorded); null = no bound. */
  catchUpWindowSeconds: number | null;
  overlap: OverlapPolicy;
  /** Where its runs go: `log` (the workers' handlers), `queue` (a pg-boss queue), or `webhook` (delivered by the engine). Secrets are never shown: a fingerprint stands for them. */
  target: RedactedTarget;
  /** Its own run settings; null where the scheduler's option applies. */
  runOptions: RunOptionOverrides;
  /** Pauses itself after this many consecutive failed runs (with a note and a `paused` event); null: never. */
  pauseAfterFailures: number | null;
  /** Failed runs since its last successful one (reset by a success and by resume). */
  consecutiveFailures: number;
  /** It is stale when no run of it succeeded for this many seconds; null: no alert. */
  alertAfterSeconds: number | null;
  /** When a run of it last succeeded (recorded for schedules with an alert); null before. */
  lastSuccessAt: Date | null;
  /** No successful run for `alertAfterSeconds` (missed, failing, paused or stuck); never for a completed schedule. */
  stale: boolean;
  /** The next instant it fires (jitter included); null while paused or completed. */
  nextRunAt: Date | null;
  /** The scheduled instant of the most recent run it fired (trigger time for manual runs); null before the first. */
  lastRunAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

/**
 * Input of `create()`, `upsert()` and `sync()`. `name` and exactly one of `cron`, `every` and `at`
 * are required.
 */
export interface ScheduleInput {
  name: string;
  /** A cron expression. */
  cron?: string | null;
  /** An interval: `90s`, `15m`, `6h`, `1d`, `1h30m`, or a number of seconds; at least 1 s. */
  every?: string | number | null;
  /** For `every`: the instant its phase is counted from. Default: the Unix epoch (a `15m` interval fires at :00, :15, :30, :45 UTC). */
  anchorAt?: Date | null;
  /** A one-off instant. One in the past makes a schedule that is completed at once, without firing. */
  at?: Date | null;
  /** IANA zone of a cron expression. Default `UTC`. */
  timezone?: string;
  /** JSON object, at most 64 KiB serialized. Default `{}`. */
  fields?: Record<string, unknown>;
  /** Queue name for its runs. Default: the scheduler's `queue` option. */
  queue?: string;
  /** Create it paused. Default false. */
  paused?: boolean;
  /** Why it is paused, at most 500 characters. Default null. */
  pauseNote?: string | null;
  /** Default null: no start. */
  startAt?: Date | null;
  /** Default null: no end. */
  endAt?: Date | null;
  /** 1 or more; default null: no limit. */
  maxRuns?: number | null;
  /** 0 (default) to 86,400, and at most the shortest time between two ticks. */
  jitterSeconds?: number;
  /** Default `latest`. */
  catchUp?: CatchUpPolicy;
  /** Default null (no bound beyond the scheduler's `maxCatchUpRuns`). */
  catchUpWindowSeconds?: number | null;
  /** Default `allow`. */
  overlap?: OverlapPolicy;
  /**
   * Where its runs go. Default `{ type: 'log' }`: to the handlers of `work()` on its queue.
   * `{ type: 'queue', queue }` sends them to that pg-boss queue (its `queue`). `{ type: 'webhook',
   * url, method?, headers?, secret_headers?, timeout_seconds?, secret? }` has the engine deliver
   * them as signed HTTP requests (Standard Webhooks). Replaced whole by an update.
   */
  target?: unknown;
  /** Its own run settings (any subset); absent or null: the scheduler's option. */
  runOptions?: Partial<RunOptionOverrides>;
  /** Pause it after this many consecutive failed runs, 1-1000. Default null: never. */
  pauseAfterFailures?: number | null;
  /** Mark it stale (API, metrics, a `stale` event, /health/schedules) after this many seconds without a successful run, 1 s to 10 years. Default null. */
  alertAfterSeconds?: number | null;
}

/** A schedule without a successful run for longer than its `alertAfterSeconds`. */
export interface StaleSchedule {
  scheduleId: string;
  scheduleName: string;
  alertAfterSeconds: number;
  /** Null: none since it was created. */
  lastSuccessAt: Date | null;
  /** When it became stale. */
  staleSince: Date;
}

/**
 * Input of `update()`: any subset of the creatable fields. Giving one of `cron`, `every` and `at`
 * switches the schedule to that kind. A change of anything that decides when it fires recomputes
 * `nextRunAt` from now.
 */
export type SchedulePatch = Partial<ScheduleInput>;

/** Preconditions on a schedule's version (the HTTP API's `If-Match` and `If-None-Match: *`). */
export interface WriteConditions {
  /** Only if the schedule exists with this version, or exists at all with `*` (else PreconditionFailedError). */
  ifMatch?: number | '*';
  /** Only if no schedule has the name (upsert: create only; else PreconditionFailedError). */
  ifNoneMatch?: boolean;
}

/** What `upsert()` did. */
export interface UpsertResult {
  schedule: Schedule;
  /** `created`, `updated`, or `unchanged` (the definition equals what is stored: nothing was written). */
  outcome: 'created' | 'updated' | 'unchanged';
}

/** Options of `sync()`. */
export interface SyncOptions {
  /** Who the definitions belong to: 1-128 characters. Schedules of other owners, and those with none, are never touched. */
  owner: string;
  /** What happens to the owner's schedules no longer listed. Default `delete`. */
  removed?: SyncRemoval;
}

/** What `sync()` did, by schedule name. */
export interface SyncResult {
  created: string[];
  updated: string[];
  unchanged: string[];
  deleted: string[];
  paused: string[];
}

/** One firing of a schedule at one scheduled instant (or one skipped/missed record). */
export interface Run {
  /** UUID; also the pg-boss job id, stable across retries: use it as an idempotency key. */
  id: string;
  scheduleId: string;
  /** The instant the run stands for: the cron tick, or the trigger time of a manual run. For a `missed` record, the first missed tick. */
  scheduledFor: Date;
  trigger: RunTrigger;
  status: RunStatus;
  /** When it became due for a worker: its instant, or when it was fired if that was later. Null for skipped and missed records. */
  enqueuedAt: Date | null;
  /** When the handler of its latest attempt started; never before `scheduledFor`. */
  startedAt: Date | null;
  /** When it succeeded, failed for good or was cancelled. */
  finishedAt: Date | null;
  /** Attempts that started, or may have started (an attempt lost with its instance counts). */
  attempts: number;
  /** The latest attempt's error while the run waits for a retry or after it failed for good. */
  error: string | null;
  /** Every attempt that did not succeed, oldest first. */
  failedAttempts: AttemptRecord[];
  /** For a `missed` record: how many ticks it stands for (else 1). */
  tickCount: number;
  /** For a `missed` record: the last missed tick it stands for (else equal to scheduledFor). */
  lastScheduledFor: Date;
  /** The run settings in force when it fired (null for skipped and missed records). */
  options: RunOptions | null;
  /** A webhook run: what its latest attempt got back. Null for other targets and before an attempt. */
  response: DeliveryRecord | null;
}

/** What a webhook attempt got back. */
export interface DeliveryRecord {
  /** The answer's status; null when none came (timeout, refused, blocked). */
  status: number | null;
  latencyMs: number;
  /** The first 1 KiB of the answer's body. */
  body: string;
  /** Why the attempt failed (`timeout: …`, `http: 503`, `blocked: …`); null for a 2xx. */
  error: string | null;
}

/** How an attempt that did not succeed ended. */
export const ATTEMPT_OUTCOMES = ['failed', 'timed_out', 'released', 'lost'] as const;
/**
 * `failed`: the handler threw; `timed_out`: it outlived `runTimeoutSeconds`; `released`: the worker
 * stopped before it finished; `lost`: the instance holding it stopped answering (its lease ran out)
 * before it reported an end, so the handler may or may not have run.
 */
export type AttemptOutcome = (typeof ATTEMPT_OUTCOMES)[number];

/** One attempt of a run that did not succeed. */
export interface AttemptRecord {
  attempt: number;
  outcome: AttemptOutcome;
  error: string | null;
  /** When its handler started, when that is known. */
  startedAt: Date | null;
  finishedAt: Date;
  /** A webhook attempt: what it got back. */
  response: DeliveryRecord | null;
}

/** What a handler receives for each run. */
export interface RunContext {
  /** The run's id: stable across retries, usable as an idempotency key. */
  runId: string;
  scheduleId: string;
  scheduleName: string;
  /** The tick this run stands for. */
  scheduledFor: Date;
  /** When the engine enqueued it. */
  firedAt: Date;
  /** 1 for the first attempt, 2 for the first retry, ... */
  attempt: number;
  trigger: RunTrigger;
  /** The schedule's fields at the time it fired. */
  fields: Record<string, unknown>;
  /** The run settings in force: retries, delay, timeout, priority. */
  options: RunOptions;
  /** Where the run goes (with its secrets: handlers are the application's own code). */
  target: Target;
  /** Aborted when the attempt outlives its timeout or the worker stops. */
  signal: AbortSignal;
  /**
   * The W3C `traceparent` of this attempt's `pg-cron-scheduler.run` span (with an OpenTelemetry SDK
   * registered), or of the trace the run was triggered in (`trigger()` inside a span, a manual run
   * through the HTTP API); absent when there is neither. Forward it (a webhook's `traceparent`
   * header) to continue the trace downstream.
   */
  traceparent?: string;
}

/**
 * The JSON payload of each pg-boss job, for consumers that use plain pg-boss. The job's id is the
 * run id. The attempt a job's fetch stands for is `attemptsBefore + retryCount + 1`.
 */
export interface RunJobData {
  runId: string;
  scheduleId: string;
  scheduleName: string;
  /** ISO 8601. */
  scheduledFor: string;
  /** ISO 8601. */
  firedAt: string;
  trigger: RunTrigger;
  fields: Record<string, unknown>;
  /** Attempts of the run made (or possibly made) before this job carried it. 0 for a run fired into the queue. */
  attemptsBefore: number;
  /** The run settings in force (absent in jobs of versions before them). */
  options?: RunOptions;
  /** The schedule's target (absent: `log`). */
  target?: Target;
  /** W3C Trace Context of the span `trigger()` was called in, when one was active (manual runs). */
  traceparent?: string;
  /** W3C `tracestate` that went with `traceparent`, when there was one. */
  tracestate?: string;
}

/** A page of a cursor-paginated list. */
export interface Page<T> {
  items: T[];
  /** Pass as `cursor` to get the next page; null on the last page. */
  nextCursor: string | null;
}

export interface ListSchedulesOptions {
  /** 1-1000, default 100. */
  limit?: number;
  cursor?: string | null;
  paused?: boolean;
  /** Only schedules whose name contains this (case-insensitive), 1-128 characters. */
  search?: string;
}

export interface ListRunsOptions {
  /** 1-1000, default 100. */
  limit?: number;
  cursor?: string | null;
  status?: RunStatus;
}

/** What to preview: any kind of schedule, as `create()` takes it; nothing is stored. */
export interface PreviewInput
  extends Pick<
    ScheduleInput,
    'cron' | 'every' | 'anchorAt' | 'at' | 'timezone' | 'startAt' | 'endAt' | 'jitterSeconds'
  > {
  /** The schedule's name: its jitter is derived from it. Default `preview`. */
  name?: string;
  /** 1-100, default 5. */
  count?: number;
  /** Instants strictly after this. Default: now. */
  from?: Date;
}

export interface SchedulePreview {
  cron: string | null;
  every: string | null;
  at: Date | null;
  timezone: string;
  description: string;
  next: Date[];
}
/** @deprecated the name from when every schedule was a cron schedule: use SchedulePreview. */
export type CronPreview = SchedulePreview;

/** Options of `work()`. */
export interface WorkOptions {
  /** Runs handled at once by this process for this queue. Default: the `workConcurrency` option (100). */
  concurrency?: number;
  /**
   * Called for each run leased to this process as its claim commits, a second or more before its
   * tick (runs fetched from pg-boss start at once and are not prepared; nor are webhook runs, which
   * the engine delivers): start getting ready what the run will need (open a file, read ahead, warm
   * a connection) without making the caller wait, so the handler has less to do at the tick. The run
   * starts at its tick whether that has finished or not. What it throws or rejects with is reported
   * as an `error` event and changes nothing else. A prepared run may still not start here (its
   * schedule deleted meanwhile, or this process stopped first).
   */
  prepare?: (run: RunContext) => unknown;
}

export type RunHandler = (run: RunContext) => Promise<unknown> | unknown;

/** Events emitted by the scheduler. */
export interface SchedulerEvents {
  /** A run was enqueued (schedule, catch_up or manual). */
  fired: [run: Run & { scheduleName: string }];
  /** A library worker's handler resolved. */
  succeeded: [run: RunContext & { durationMs: number }];
  /** A library worker's handler threw (the run may still be retried; `final` says whether it will not). */
  failed: [run: RunContext & { error: Error; final: boolean }];
  /** Ticks were recorded as missed (downtime) or skipped (overlap). */
  missed: [
    info: {
      scheduleId: string;
      scheduleName: string;
      status: 'missed' | 'skipped';
      count: number;
      firstScheduledFor: Date;
      lastScheduledFor: Date;
    },
  ];
  /** A schedule became stale (once per episode, told by one instance; a success ends the episode). */
  stale: [info: StaleSchedule];
  /** A schedule paused itself: its `pauseAfterFailures` consecutive runs failed. */
  paused: [info: { scheduleId: string; scheduleName: string; note: string }];
  /** Something went wrong in the background (database unreachable, ...). The scheduler keeps going. */
  error: [error: Error];
}

/**
 * The scheduler's Prometheus metrics (`scheduler.metrics`): serve `text()` with `contentType` at
 * your `/metrics`, or let Prometheus read `registry` wherever your app serves it.
 */
export interface SchedulerMetrics {
  /** The registry they are in: the scheduler's own, or the one given in the `metrics` option. */
  readonly registry: Registry;
  /** The Content-Type of `text()` (Prometheus text format 0.0.4). */
  readonly contentType: string;
  /** The start of every metric name (`pg_cron_scheduler_` unless the option says otherwise). */
  readonly prefix: string;
  /** Everything in the registry in Prometheus text format (database figures at most 5 s old). */
  text(): Promise<string>;
  /**
   * Records one HTTP request in `<prefix>http_request_duration_seconds` (the bundled server's
   * middleware does). `route` must be the route's pattern (`/jobs/:id`), never the requested path:
   * every distinct value is a series of its own. Methods other than the usual seven count as `OTHER`.
   */
  observeHttpRequest(request: { method: string; route: string; status: number }, seconds: number): void;
}

/** The scheduler's public surface, returned by `createScheduler()`. */
export interface Scheduler {
  /** Migrates the schema, starts pg-boss and (unless `fire: false`) the ticker. Idempotent. */
  start(): Promise<void>;
  /**
   * Stops firing, lets running handlers finish within `timeoutSeconds` (default: the
   * `shutdownTimeoutSeconds` option), releases the rest for retry, and closes connections it opened.
   */
  stop(options?: { timeoutSeconds?: number }): Promise<void>;
  /** Stores a schedule and arms it. Throws ValidationError or ConflictError (duplicate name). */
  create(input: ScheduleInput): Promise<Schedule>;
  /** By id (UUID) or name. Throws NotFoundError. */
  get(idOrName: string): Promise<Schedule>;
  /** Ordered by creation, oldest first; cursor pagination. */
  list(options?: ListSchedulesOptions): Promise<Page<Schedule>>;
  /** Changes any subset of fields; a new cron or zone recomputes nextRunAt from now. */
  update(idOrName: string, patch: SchedulePatch, conditions?: Pick<WriteConditions, 'ifMatch'>): Promise<Schedule>;
  /** Deletes it, its run history, and cancels its queued runs. Throws NotFoundError. */
  delete(idOrName: string, conditions?: Pick<WriteConditions, 'ifMatch'>): Promise<void>;
  /**
   * Creates the schedule, or replaces the one of that name with exactly this definition (omitted
   * fields take their defaults). A definition equal to what is stored writes nothing. Safe to call
   * from many instances at once. Throws ValidationError, PreconditionFailedError.
   */
  upsert(input: ScheduleInput, conditions?: WriteConditions): Promise<UpsertResult>;
  /**
   * Makes the owner's schedules match `definitions`: creates what is missing, updates what differs,
   * and deletes (or pauses) the owner's schedules not listed. A definition that leaves `paused` out
   * keeps a pause made by an operator. One sync per owner at a time, across instances. Throws
   * ValidationError (nothing is changed), ConflictError (a name belongs to another owner or to none).
   */
  sync(definitions: readonly ScheduleInput[], options: SyncOptions): Promise<SyncResult>;
  /**
   * Fires one run per tick of the schedule in a past range, each with its own scheduled instant and
   * trigger `backfill`, paced behind fresh ticks. A tick that already has a run (fired, or
   * backfilled before) is not fired again, so repeating a backfill fires nothing new. At most
   * 10,000 ticks per call. Throws ValidationError, NotFoundError.
   */
  backfill(idOrName: string, input: BackfillInput): Promise<BackfillResult>;
  /** Stops it firing; nextRunAt becomes null. Idempotent. `note` says why (at most 500 characters). */
  pause(idOrName: string, options?: { note?: string }): Promise<Schedule>;
  /** Re-arms it from now: ticks that passed while paused are not caught up. Idempotent. */
  resume(idOrName: string): Promise<Schedule>;
  /** Enqueues a `manual` run now, whatever the cron says (also when paused). */
  trigger(idOrName: string): Promise<Run>;
  /**
   * The description and next instants of any cron and zone; stores nothing. Answers in a few
   * milliseconds or refuses: when `count` instants span more than 20 years, it throws a
   * ValidationError on `count` that says how many fit. Throws ValidationError.
   */
  preview(input: PreviewInput): CronPreview;
  /**
   * A stored schedule's next `count` instants (default 5) from its `nextRunAt` (none while paused),
   * or fewer when they do not all fall within 20 years: for listings, never refuses.
   */
  upcoming(schedule: Schedule, count?: number): Date[];
  /** A schedule's runs, newest first; cursor pagination. Throws NotFoundError. */
  runs(idOrName: string, options?: ListRunsOptions): Promise<Page<Run>>;
  /** Registers a handler for runs on a queue (default: the `queue` option). Returns the worker id. */
  work(handler: RunHandler, options?: WorkOptions & { queue?: string }): Promise<string>;
  /** The stale schedules (at most 1,000, by name): no successful run for their `alertAfterSeconds`. */
  staleSchedules(): Promise<StaleSchedule[]>;
  /** True when the database answers. */
  ping(): Promise<boolean>;
  /** The Prometheus metrics, also before `start()`; null when the `metrics` option is false. */
  readonly metrics: SchedulerMetrics | null;
  on<E extends keyof SchedulerEvents>(event: E, listener: (...args: SchedulerEvents[E]) => void): this;
  once<E extends keyof SchedulerEvents>(event: E, listener: (...args: SchedulerEvents[E]) => void): this;
  off<E extends keyof SchedulerEvents>(event: E, listener: (...args: SchedulerEvents[E]) => void): this;
}
