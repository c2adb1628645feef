/**
 * Every SQL statement of the scheduler, as named builders. The schema name is the only thing
 * interpolated: it is a validated identifier (config.ts), and it is always quoted, so a reserved
 * word is a valid schema too. Every value is passed as $n. Pure: nothing here executes SQL
 * (store.ts does).
 *
 * The scheduler's tables are the one owner of a run's state. pg-boss carries runs that leave the
 * process that fired them (other instances' workers, plain pg-boss consumers, retries, runs taken
 * over from a dead instance), but nothing here reads pg-boss's tables.
 */

/** A quoted schema name (validated to [a-z_][a-z0-9_]*, so quoting is only about reserved words). */
export function quote(schema: string): string {
  return `"${schema}"`;
}

/**
 * A schedule is stale when it has an alert_after_seconds and no run of it succeeded for that long
 * (counted from its creation before the first): missed, failing, paused or stuck alike. A completed
 * schedule is not: it is not meant to run again.
 */
const STALE = `(alert_after_seconds IS NOT NULL AND completed_at IS NULL
    AND coalesce(last_success_at, created_at) < clock_timestamp() - make_interval(secs => alert_after_seconds))`;

/** Columns of a schedule row, in the shape toSchedule() reads. */
const SCHEDULE_COLUMNS = `id, name, cron, every_seconds, anchor_at, at, timezone, fields, queue, paused, pause_note,
  start_at, end_at, max_runs, fired_count, jitter_seconds, completed_at, owner, version, catch_up,
  catch_up_window_seconds, overlap, retry_limit, retry_delay_seconds, retry_backoff, run_timeout_seconds, priority,
  pause_after_failures, consecutive_failures, target, alert_after_seconds, last_success_at, ${STALE} AS stale,
  next_run_at, last_run_at, created_at, updated_at`;

/** A schedule's own run settings (null: the scheduler's option), for the claims: `sc` is the schedule. */
const RUN_OPTION_COLUMNS = `sc.retry_limit, sc.retry_delay_seconds, sc.retry_backoff, sc.run_timeout_seconds, sc.priority`;

/** What a trigger is built from (triggerOf in lib/triggers), for the claims: `sc` is the schedule. */
const TRIGGER_COLUMNS = `sc.name, sc.cron, sc.timezone, sc.every_seconds, sc.anchor_at, sc.at, sc.start_at, sc.end_at,
  sc.jitter_seconds`;

/** Columns of a run row, in the shape toRun() reads. */
const RUN_FIELDS = [
  'id',
  'schedule_id',
  'scheduled_for',
  'last_scheduled_for',
  'tick_count',
  'trigger',
  'status',
  'queue',
  'enqueued_at',
  'started_at',
  'finished_at',
  'attempts',
  'error',
  'options',
  'response',
];
const RUN_COLUMNS = RUN_FIELDS.join(', ');

/** The states a run can still leave. */
const OPEN = `('queued', 'running')`;

/** Timestamps that cursors carry are kept at millisecond precision, so a cursor round-trips exactly. */
const NOW_MS = `date_trunc('milliseconds', clock_timestamp())`;

/** Versioned migrations, applied in order inside one transaction under an advisory lock. */
export function migrations(schema: string): { version: number; sql: string }[] {
  const s = quote(schema);
  return [
    {
      version: 1,
      sql: `
        CREATE TABLE ${s}.schedules (
          id uuid PRIMARY KEY,
          name text NOT NULL,
          cron text NOT NULL,
          timezone text NOT NULL,
          fields jsonb NOT NULL DEFAULT '{}',
          queue text NOT NULL,
          paused boolean NOT NULL DEFAULT false,
          catch_up text NOT NULL CHECK (catch_up IN ('skip', 'latest', 'all')),
          catch_up_window_seconds integer CHECK (catch_up_window_seconds > 0),
          overlap text NOT NULL CHECK (overlap IN ('allow', 'skip')),
          next_run_at timestamptz,
          last_run_at timestamptz,
          last_fired_run_id uuid,
          created_at timestamptz NOT NULL DEFAULT ${NOW_MS},
          updated_at timestamptz NOT NULL DEFAULT ${NOW_MS},
          CONSTRAINT schedules_name_key UNIQUE (name)
        );
        -- The ticker's only access path: due, active schedules by next_run_at. Paused and finished
        -- schedules are not in it, so a tick costs what is due, not what is stored.
        CREATE INDEX schedules_due_idx ON ${s}.schedules (next_run_at) WHERE NOT paused AND next_run_at IS NOT NULL;
        CREATE INDEX schedules_page_idx ON ${s}.schedules (created_at, id);

        CREATE TABLE ${s}.runs (
          id uuid PRIMARY KEY,
          schedule_id uuid NOT NULL REFERENCES ${s}.schedules (id) ON DELETE CASCADE,
          scheduled_for timestamptz NOT NULL,
          last_scheduled_for timestamptz NOT NULL,
          tick_count integer NOT NULL DEFAULT 1,
          trigger text NOT NULL CHECK (trigger IN ('schedule', 'catch_up', 'manual')),
          status text NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'skipped', 'missed')),
          queue text NOT NULL,
          enqueued_at timestamptz,
          started_at timestamptz,
          finished_at timestamptz,
          attempts integer NOT NULL DEFAULT 0,
          error text,
          created_at timestamptz NOT NULL DEFAULT clock_timestamp()
        );
        -- Exactly once per tick: a second claim of the same (schedule, instant) cannot insert.
        CREATE UNIQUE INDEX runs_tick_key ON ${s}.runs (schedule_id, scheduled_for) WHERE trigger <> 'manual';
        CREATE INDEX runs_history_idx ON ${s}.runs (schedule_id, scheduled_for DESC, id DESC);
        CREATE INDEX runs_created_idx ON ${s}.runs (created_at);
      `,
    },
    {
      // Runs are owned here, not read from pg-boss: who holds a run (an instance's lease), whether a
      // pg-boss job carries it, and every attempt that did not succeed. Deleted schedules are kept
      // (hidden) until their history is pruned, so their runs can say `cancelled`.
      version: 2,
      sql: `
        CREATE TABLE ${s}.instances (
          id uuid PRIMARY KEY,
          name text NOT NULL,
          started_at timestamptz NOT NULL DEFAULT clock_timestamp(),
          lease_until timestamptz NOT NULL
        );
        CREATE INDEX instances_lease_idx ON ${s}.instances (lease_until);

        ALTER TABLE ${s}.schedules ADD COLUMN deleted_at timestamptz;
        ALTER TABLE ${s}.schedules DROP CONSTRAINT schedules_name_key;
        CREATE UNIQUE INDEX schedules_name_key ON ${s}.schedules (name) WHERE deleted_at IS NULL;
        CREATE INDEX schedules_deleted_idx ON ${s}.schedules (deleted_at) WHERE deleted_at IS NOT NULL;

        ALTER TABLE ${s}.runs DROP CONSTRAINT runs_status_check;
        ALTER TABLE ${s}.runs ADD CONSTRAINT runs_status_check
          CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled', 'skipped', 'missed'));
        ALTER TABLE ${s}.runs DROP CONSTRAINT runs_trigger_check;
        ALTER TABLE ${s}.runs ADD CONSTRAINT runs_trigger_check
          CHECK (trigger IN ('schedule', 'catch_up', 'manual', 'backfill'));
        -- owner: the instance that holds the run (leased to it at the claim, or running it); null
        -- while a pg-boss job carries it. job: a pg-boss job with the run's id exists.
        -- checked_at: when the state of its pg-boss job was last read (runs worked by plain consumers).
        ALTER TABLE ${s}.runs ADD COLUMN owner uuid, ADD COLUMN job boolean NOT NULL DEFAULT false,
          ADD COLUMN checked_at timestamptz;
        -- Open runs by holder: what a dead instance leaves behind, and what is in pg-boss's hands.
        CREATE INDEX runs_open_idx ON ${s}.runs (owner) WHERE status IN ${OPEN};
        -- Runs fired by version 1 were all carried by pg-boss.
        UPDATE ${s}.runs SET job = true WHERE enqueued_at IS NOT NULL;

        -- Each attempt that did not succeed: failed, timed out, released at shutdown, or lost with
        -- its instance. A successful attempt is the run row itself.
        CREATE TABLE ${s}.run_attempts (
          run_id uuid NOT NULL REFERENCES ${s}.runs (id) ON DELETE CASCADE,
          attempt integer NOT NULL,
          outcome text NOT NULL CHECK (outcome IN ('failed', 'timed_out', 'released', 'lost')),
          error text,
          started_at timestamptz,
          finished_at timestamptz NOT NULL,
          PRIMARY KEY (run_id, attempt)
        );

        -- Ticks still to fire for a range (catch-up after downtime, backfills), fired a chunk at a
        -- time so fresh ticks are never held up behind them.
        CREATE TABLE ${s}.backfills (
          id uuid PRIMARY KEY,
          schedule_id uuid NOT NULL REFERENCES ${s}.schedules (id) ON DELETE CASCADE,
          trigger text NOT NULL CHECK (trigger IN ('catch_up', 'backfill')),
          next_at timestamptz NOT NULL,
          until_at timestamptz NOT NULL,
          remaining integer NOT NULL CHECK (remaining >= 0),
          created_at timestamptz NOT NULL DEFAULT clock_timestamp()
        );
        CREATE INDEX backfills_created_idx ON ${s}.backfills (created_at);

        -- Pruning reads runs by age: a BRIN index costs almost nothing per insert (runs arrive in
        -- created_at order), where a btree was one more index entry written for every run.
        DROP INDEX ${s}.runs_created_idx;
        CREATE INDEX runs_created_brin ON ${s}.runs USING brin (created_at) WITH (autosummarize = on);
      `,
    },
    {
      // Every kind of schedule: a cron expression, an interval from an anchor, or one instant;
      // windows, run limits and jitter; versions for optimistic concurrency; owners for sync.
      version: 3,
      sql: `
        CREATE SEQUENCE ${s}.schedule_versions;
        ALTER TABLE ${s}.schedules
          ALTER COLUMN cron DROP NOT NULL,
          ADD COLUMN every_seconds integer CHECK (every_seconds > 0),
          ADD COLUMN anchor_at timestamptz,
          ADD COLUMN at timestamptz,
          ADD COLUMN start_at timestamptz,
          ADD COLUMN end_at timestamptz,
          ADD COLUMN max_runs integer CHECK (max_runs > 0),
          ADD COLUMN fired_count integer NOT NULL DEFAULT 0,
          ADD COLUMN jitter_seconds integer NOT NULL DEFAULT 0 CHECK (jitter_seconds >= 0),
          ADD COLUMN completed_at timestamptz,
          ADD COLUMN owner text,
          ADD COLUMN pause_note text,
          -- Unique across schedules and never reused: an ETag names one state of one schedule.
          ADD COLUMN version bigint NOT NULL DEFAULT nextval('${s}.schedule_versions'),
          -- Its own run settings; null: the scheduler's option.
          ADD COLUMN retry_limit integer CHECK (retry_limit >= 0),
          ADD COLUMN retry_delay_seconds integer CHECK (retry_delay_seconds >= 0),
          ADD COLUMN retry_backoff boolean,
          ADD COLUMN run_timeout_seconds integer CHECK (run_timeout_seconds > 0),
          ADD COLUMN priority integer CHECK (priority BETWEEN -100 AND 100),
          ADD COLUMN pause_after_failures integer CHECK (pause_after_failures > 0),
          ADD COLUMN consecutive_failures integer NOT NULL DEFAULT 0,
          -- Where runs go: {"type": "log"}, {"type": "queue", ...} or {"type": "webhook", ...}.
          ADD COLUMN target jsonb NOT NULL DEFAULT '{"type": "log"}',
          -- Stale-job alerts: no successful run for alert_after_seconds.
          ADD COLUMN alert_after_seconds integer CHECK (alert_after_seconds > 0),
          ADD COLUMN last_success_at timestamptz,
          ADD COLUMN stale_notified_at timestamptz,
          -- overlap buffer_one: the due tick at next_run_at waits for the previous run to end.
          ADD COLUMN buffered boolean NOT NULL DEFAULT false,
          DROP CONSTRAINT schedules_overlap_check,
          ADD CONSTRAINT schedules_overlap_check CHECK (overlap IN ('allow', 'skip', 'buffer_one')),
          ADD CONSTRAINT schedules_one_kind CHECK (num_nonnulls(cron, every_seconds, at) = 1);
        -- The run settings in force when a run fired; what a webhook attempt got back.
        ALTER TABLE ${s}.runs ADD COLUMN options jsonb, ADD COLUMN response jsonb;
        ALTER TABLE ${s}.run_attempts ADD COLUMN response jsonb;
        -- A sequential backfill fires its next run once the last one it fired has ended.
        ALTER TABLE ${s}.backfills ADD COLUMN sequential boolean NOT NULL DEFAULT false, ADD COLUMN last_run_id uuid;
        CREATE INDEX schedules_alert_idx ON ${s}.schedules (name)
          WHERE alert_after_seconds IS NOT NULL AND deleted_at IS NULL;
        CREATE INDEX schedules_owner_idx ON ${s}.schedules (owner, name) WHERE owner IS NOT NULL AND deleted_at IS NULL;
      `,
    },
  ];
}

export function createSchema(schema: string): string {
  const s = quote(schema);
  return `CREATE SCHEMA IF NOT EXISTS ${s};
    CREATE TABLE IF NOT EXISTS ${s}.migrations (
      version integer PRIMARY KEY,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`;
}

/** Serializes migrations across processes; the key is derived from the schema name. */
export const lockMigrations = `SELECT pg_advisory_xact_lock(hashtext($1))`;

export function selectMigrationVersion(schema: string): string {
  return `SELECT coalesce(max(version), 0) AS version FROM ${quote(schema)}.migrations`;
}

export function insertMigration(schema: string): string {
  return `INSERT INTO ${quote(schema)}.migrations (version) VALUES ($1)`;
}

export const selectNow = `SELECT clock_timestamp() AS now`;

/** pg_notify with the channel and payload as values (channels are derived from the validated schema name). */
export const notify = `SELECT pg_notify($1, $2)`;

export function listenChannel(channel: string): string {
  return `LISTEN ${channel}`;
}

// --- Instances ------------------------------------------------------------------------------------

/** Registers an instance with a lease of $3 ms; returns the database's clock. */
export function insertInstance(schema: string): string {
  return `INSERT INTO ${quote(schema)}.instances (id, name, lease_until)
    VALUES ($1, $2, clock_timestamp() + make_interval(secs => $3::float8 / 1000))
    RETURNING clock_timestamp() AS now`;
}

/**
 * Extends an instance's lease to $2 ms from now by the database's clock. No row: the instance was
 * declared dead (its lease ran out) and its runs were handed over.
 */
export function renewInstance(schema: string): string {
  return `UPDATE ${quote(schema)}.instances
    SET lease_until = clock_timestamp() + make_interval(secs => $2::float8 / 1000)
    WHERE id = $1
    RETURNING clock_timestamp() AS now`;
}

export function deleteInstance(schema: string): string {
  return `DELETE FROM ${quote(schema)}.instances WHERE id = $1`;
}

/** Instances whose lease ran out more than $1 ms ago. */
export function selectExpiredInstances(schema: string): string {
  return `SELECT id FROM ${quote(schema)}.instances
    WHERE lease_until < clock_timestamp() - make_interval(secs => $1::float8 / 1000)
    ORDER BY lease_until LIMIT 10`;
}

/** Locks one expired instance for its takeover; another reaper at work on it is skipped. */
export function lockExpiredInstance(schema: string): string {
  return `SELECT id, name, lease_until FROM ${quote(schema)}.instances
    WHERE id = $1 AND lease_until < clock_timestamp() - make_interval(secs => $2::float8 / 1000)
    FOR UPDATE SKIP LOCKED`;
}

// --- Schedules ------------------------------------------------------------------------------------

export function insertSchedule(schema: string): string {
  return `INSERT INTO ${quote(schema)}.schedules
      (id, name, cron, every_seconds, anchor_at, at, timezone, fields, queue, paused, pause_note, start_at, end_at,
       max_runs, jitter_seconds, catch_up, catch_up_window_seconds, overlap, next_run_at, completed_at, owner,
       retry_limit, retry_delay_seconds, retry_backoff, run_timeout_seconds, priority, pause_after_failures, target,
       alert_after_seconds)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19,
      CASE WHEN $20::boolean THEN ${NOW_MS} END, $21, $22, $23, $24, $25, $26, $27, $28, $29)
    ON CONFLICT (name) WHERE deleted_at IS NULL DO NOTHING
    RETURNING ${SCHEDULE_COLUMNS}`;
}

/**
 * By id or name: $1 is the id when the key looks like a UUID (else null), $2 the name. A name that
 * happens to equal another schedule's id loses to the id. Deleted schedules are not found, except
 * by id when $3 is true (their run history outlives them until it is pruned).
 */
export function selectSchedule(schema: string, forUpdate: boolean): string {
  const s = quote(schema);
  // Two index lookups (the primary key, the live names' unique index), the id's first: one OR
  // across both, with the deleted-schedule condition, would read the whole table.
  return `SELECT ${SCHEDULE_COLUMNS} FROM ${s}.schedules
    WHERE id = (
      SELECT id FROM (
        SELECT id, 0 AS rank FROM ${s}.schedules WHERE id = $1::uuid AND (deleted_at IS NULL OR $3::boolean)
        UNION ALL
        SELECT id, 1 FROM ${s}.schedules WHERE name = $2 AND deleted_at IS NULL
      ) found ORDER BY rank LIMIT 1
    )${forUpdate ? ' FOR UPDATE' : ''}`;
}

export function selectSchedulesPage(schema: string): string {
  return `SELECT ${SCHEDULE_COLUMNS} FROM ${quote(schema)}.schedules
    WHERE deleted_at IS NULL
      AND ($1::timestamptz IS NULL OR (created_at, id) > ($1::timestamptz, $2::uuid))
      AND ($3::boolean IS NULL OR paused = $3::boolean)
      -- A part of the name, case-insensitive; LIKE's own wildcards in it are matched literally.
      AND ($5::text IS NULL OR name ILIKE '%' || replace(replace(replace($5, '\\', '\\\\'), '%', '\\%'), '_', '\\_') || '%')
    ORDER BY created_at, id
    LIMIT $4`;
}

/**
 * $1 the id; $2-$29 in insertSchedule's order. A completed schedule keeps its completed_at; a
 * resume (paused to not paused) starts the count of consecutive failures again.
 */
export function updateSchedule(schema: string): string {
  return `UPDATE ${quote(schema)}.schedules SET
      name = $2, cron = $3, every_seconds = $4, anchor_at = $5, at = $6, timezone = $7, fields = $8, queue = $9,
      paused = $10, pause_note = $11, start_at = $12, end_at = $13, max_runs = $14, jitter_seconds = $15,
      catch_up = $16, catch_up_window_seconds = $17, overlap = $18, next_run_at = $19,
      completed_at = CASE WHEN $20::boolean THEN coalesce(completed_at, ${NOW_MS}) END, owner = $21,
      retry_limit = $22, retry_delay_seconds = $23, retry_backoff = $24, run_timeout_seconds = $25, priority = $26,
      pause_after_failures = $27, target = $28, alert_after_seconds = $29,
      consecutive_failures = CASE WHEN paused AND NOT $10::boolean THEN 0 ELSE consecutive_failures END,
      buffered = buffered AND NOT $10::boolean AND next_run_at IS NOT DISTINCT FROM $19::timestamptz,
      version = nextval('${quote(schema)}.schedule_versions'), updated_at = ${NOW_MS}
    WHERE id = $1
    RETURNING ${SCHEDULE_COLUMNS}`;
}

/** Hides a schedule and disarms it; its history stays until pruned. Its name is free at once. */
export function softDeleteSchedule(schema: string): string {
  return `UPDATE ${quote(schema)}.schedules
    SET deleted_at = ${NOW_MS}, next_run_at = NULL, paused = true, updated_at = ${NOW_MS},
      version = nextval('${quote(schema)}.schedule_versions')
    WHERE id = $1`;
}

/**
 * Claims schedules due at or before $2 (a tick instant, a moment ahead: the claim is prepared and
 * committed before the tick) or already overdue. statement_timestamp() (stable within the
 * statement, so the due index is usable) is the database's clock: instances never compare their
 * own clocks. SKIP LOCKED lets several instances claim disjoint batches at once; the row lock is
 * held until the claim commits, and the claim moves next_run_at past the tick, so no other
 * instance can claim the same tick. previous_active says whether the last fired run is still
 * queued or running (for the overlap policy); it is only looked up for schedules that need it.
 */
export function claimDueSchedules(schema: string): string {
  const s = quote(schema);
  return `SELECT sc.id, ${TRIGGER_COLUMNS}, sc.fields, sc.queue, sc.catch_up, sc.catch_up_window_seconds,
      sc.overlap, sc.next_run_at, sc.max_runs, sc.fired_count, ${RUN_OPTION_COLUMNS}, sc.target,
      statement_timestamp() AS now,
      sc.buffered,
      CASE WHEN sc.overlap <> 'allow' AND sc.last_fired_run_id IS NOT NULL THEN ${PREVIOUS_ACTIVE_OF(s)}
        ELSE false END AS previous_active
    FROM ${s}.schedules sc
    WHERE NOT sc.paused AND sc.next_run_at <= greatest(statement_timestamp(), $2::timestamptz)
      -- Whether the previous run is still in progress can only be judged at the tick itself.
      AND (sc.overlap = 'allow' OR sc.next_run_at <= statement_timestamp())
      -- A tick waiting (buffer_one) for a run still in progress is not due yet.
      AND NOT (sc.buffered AND ${PREVIOUS_ACTIVE_OF(s)})
    ORDER BY sc.next_run_at
    LIMIT $1
    -- NO KEY: the claim changes no key column, so it need not block inserts of runs that reference the row.
    FOR NO KEY UPDATE OF sc SKIP LOCKED`;
}

/** Whether the schedule `sc`'s last fired run is still queued or running. */
const PREVIOUS_ACTIVE_OF = (s: string) =>
  `EXISTS (SELECT 1 FROM ${s}.runs r WHERE r.id = sc.last_fired_run_id AND r.status IN ${OPEN})`;

/**
 * Advances claimed schedules: new next_run_at, the runs fired for their ticks (what max_runs counts),
 * last_run_at / last fired run where one fired, and completed_at once one can never fire again.
 */
export function advanceSchedules(schema: string): string {
  return `UPDATE ${quote(schema)}.schedules s SET
      next_run_at = u.next_run_at,
      fired_count = s.fired_count + u.fired,
      completed_at = CASE WHEN u.next_run_at IS NULL THEN coalesce(s.completed_at, ${NOW_MS}) END,
      last_run_at = coalesce(u.last_run_at, s.last_run_at),
      last_fired_run_id = coalesce(u.last_fired_run_id, s.last_fired_run_id),
      buffered = u.buffered
    FROM unnest($1::uuid[], $2::timestamptz[], $3::timestamptz[], $4::uuid[], $5::int[], $6::boolean[])
      AS u (id, next_run_at, last_run_at, last_fired_run_id, fired, buffered)
    WHERE s.id = u.id`;
}

/** A manual run: the schedule's last run moves forward; the run the overlap policy watches does not change. */
export function markFired(schema: string): string {
  return `UPDATE ${quote(schema)}.schedules SET last_run_at = greatest(last_run_at, $2) WHERE id = $1`;
}

/**
 * The earliest active next_run_at (epoch ms), how far away it is by the database's clock, and how
 * many schedules are due by then (nulls when none): the ticker prepares a big tick earlier.
 */
export function selectNextWake(schema: string): string {
  const s = quote(schema);
  // A tick waiting (buffer_one) for a run still in progress does not count: the end of that run
  // wakes the tickers (recordRunEvents).
  const waiting = `(sc.buffered AND ${PREVIOUS_ACTIVE_OF(s)})`;
  return `WITH next AS (
      SELECT min(next_run_at) AS at FROM ${s}.schedules sc
      WHERE NOT paused AND next_run_at IS NOT NULL AND NOT ${waiting}
    )
    SELECT (extract(epoch FROM next.at) * 1000)::float8 AS next_ms,
      (extract(epoch FROM (next.at - clock_timestamp())) * 1000)::float8 AS wait_ms,
      (SELECT count(*) FROM ${s}.schedules sc
        WHERE NOT sc.paused AND sc.next_run_at IS NOT NULL AND sc.next_run_at <= next.at AND NOT ${waiting})::int AS due
    FROM next`;
}

// --- Runs -----------------------------------------------------------------------------------------

/**
 * Inserts runs in bulk; a tick already recorded is silently not inserted again. A run that will be
 * handed to a worker (`queued`) is due at its instant: enqueued_at is that instant, or now when it
 * is late. Returns the id and enqueued_at of each row inserted.
 */
export function insertRuns(schema: string): string {
  return `INSERT INTO ${quote(schema)}.runs
      (id, schedule_id, scheduled_for, last_scheduled_for, tick_count, trigger, status, queue, enqueued_at, owner, job,
       options)
    SELECT u.id, u.schedule_id, u.scheduled_for, u.last_scheduled_for, u.tick_count, u.trigger, u.status, u.queue,
      CASE WHEN u.status = 'queued' THEN greatest(${NOW_MS}, u.scheduled_for) END, u.owner, u.job, u.options
    FROM unnest($1::uuid[], $2::uuid[], $3::timestamptz[], $4::timestamptz[], $5::int[], $6::text[], $7::text[],
        $8::text[], $9::uuid[], $10::boolean[], $11::jsonb[])
      AS u (id, schedule_id, scheduled_for, last_scheduled_for, tick_count, trigger, status, queue, owner, job, options)
    ON CONFLICT (schedule_id, scheduled_for) WHERE trigger <> 'manual' DO NOTHING
    -- Only what the database decided: the rest of each inserted row is what was sent (a tick of
    -- thousands of runs would otherwise come back whole, to be parsed again).
    RETURNING id, enqueued_at`;
}

export function insertManualRun(schema: string): string {
  return `INSERT INTO ${quote(schema)}.runs
      (id, schedule_id, scheduled_for, last_scheduled_for, trigger, status, queue, enqueued_at, job, options)
    VALUES ($1, $2, ${NOW_MS}, ${NOW_MS}, 'manual', 'queued', $3, ${NOW_MS}, true, $4)
    RETURNING ${RUN_COLUMNS}`;
}

/**
 * A page of a schedule's runs, newest first, each with the attempts that did not succeed.
 */
export function selectRunsPage(schema: string): string {
  const s = quote(schema);
  return `SELECT ${RUN_FIELDS.map((f) => `r.${f}`).join(', ')},
      (SELECT coalesce(json_agg(json_build_object(
          'attempt', a.attempt, 'outcome', a.outcome, 'error', a.error,
          'started_at', a.started_at, 'finished_at', a.finished_at, 'response', a.response) ORDER BY a.attempt), '[]'::json)
        FROM ${s}.run_attempts a WHERE a.run_id = r.id) AS failed_attempts
    FROM ${s}.runs r
    WHERE r.schedule_id = $1
      AND ($2::timestamptz IS NULL OR (r.scheduled_for, r.id) < ($2::timestamptz, $3::uuid))
      AND ($4::text IS NULL OR r.status = $4::text)
    ORDER BY r.scheduled_for DESC, r.id DESC
    LIMIT $5`;
}

/**
 * Deletes the runs prepared for a schedule's ticks after $2 that have not started (claims commit
 * ahead of their tick), and moves its last run back to what really fired. Returns them.
 */
export function withdrawRuns(schema: string): string {
  const s = quote(schema);
  return `WITH gone AS (
      DELETE FROM ${s}.runs
      WHERE schedule_id = $1 AND status = 'queued' AND trigger = 'schedule' AND scheduled_for > $2
      RETURNING id, queue, job
    ), last AS (
      SELECT id, scheduled_for FROM ${s}.runs
      WHERE schedule_id = $1 AND status NOT IN ('skipped', 'missed') AND id NOT IN (SELECT id FROM gone)
      ORDER BY scheduled_for DESC LIMIT 1
    ), moved AS (
      UPDATE ${s}.schedules SET last_run_at = (SELECT scheduled_for FROM last), last_fired_run_id = (SELECT id FROM last)
      WHERE id = $1 AND EXISTS (SELECT 1 FROM gone)
    )
    SELECT id, queue, job FROM gone`;
}

/** A schedule's open runs, locked: cancelled with it when it is deleted. */
export function selectOpenRunsOfSchedule(schema: string): string {
  return `SELECT id, queue, job FROM ${quote(schema)}.runs
    WHERE schedule_id = $1 AND status IN ${OPEN}
    FOR UPDATE`;
}

export function cancelRuns(schema: string): string {
  return `UPDATE ${quote(schema)}.runs SET status = 'cancelled', finished_at = ${NOW_MS}, error = $2
    WHERE id = ANY($1::uuid[]) AND status IN ${OPEN}`;
}

/**
 * Counts consecutive failed runs per schedule from the runs settled by the statement it is part of
 * (`u` the events with their final `status` and `error`, `updated` the runs they applied to, with
 * `schedule_id`): a success starts the count again, a final failure adds to it, and a schedule
 * whose count reaches its pause_after_failures is paused, with a note. Only schedules that need a
 * write are written: a success where the count is already 0 costs no update, unless the schedule
 * has a stale-job alert (its last success is then recorded). `counted` returns the
 * schedules written; `paused_now` says which were paused by this statement.
 */
const FAILURE_ACCOUNTING = `outcomes AS (
      SELECT up.schedule_id, count(*) FILTER (WHERE u.status = 'failed') AS failed,
        bool_or(u.status = 'succeeded') AS succeeded, max(u.error) FILTER (WHERE u.status = 'failed') AS error
      FROM u JOIN updated up USING (id)
      WHERE u.status IN ('succeeded', 'failed')
      GROUP BY up.schedule_id
    ), counted AS (
      UPDATE SCHEMA.schedules sc SET
        consecutive_failures = CASE WHEN o.failed = 0 THEN 0 ELSE old.consecutive_failures + o.failed END,
        last_success_at = CASE WHEN o.succeeded THEN clock_timestamp() ELSE sc.last_success_at END,
        stale_notified_at = CASE WHEN o.succeeded THEN NULL ELSE sc.stale_notified_at END,
        paused = sc.paused OR pausing.now,
        next_run_at = CASE WHEN pausing.now THEN NULL ELSE sc.next_run_at END,
        pause_note = CASE WHEN pausing.now
          THEN left('paused after ' || (old.consecutive_failures + o.failed) || ' consecutive failed runs; the last: '
            || coalesce(o.error, 'no message'), 500)
          ELSE sc.pause_note END,
        version = CASE WHEN pausing.now THEN nextval('SCHEMA.schedule_versions') ELSE sc.version END
      FROM outcomes o
        JOIN SCHEMA.schedules old ON old.id = o.schedule_id
        CROSS JOIN LATERAL (SELECT o.failed > 0 AND NOT old.paused AND old.deleted_at IS NULL
          AND old.pause_after_failures IS NOT NULL
          AND old.consecutive_failures + o.failed >= old.pause_after_failures AS now) pausing
      WHERE sc.id = o.schedule_id
        AND (o.failed > 0 OR old.consecutive_failures > 0 OR (o.succeeded AND old.alert_after_seconds IS NOT NULL))
      RETURNING sc.id, sc.name, sc.pause_note, pausing.now AS paused_now
    )`;

/**
 * Records what workers saw happen to runs, in bulk: an attempt starting, ending, or both (a short
 * handler). Each event names the instance that saw it. A start is taken from the queue or from
 * that instance's lease: only a later attempt than the one recorded may start. An end applies only
 * to the attempt that instance holds. So a run taken over from an instance (it was declared dead)
 * is never settled by it afterwards. Attempts that did not succeed are logged in run_attempts.
 * Returns the runs updated.
 */
export function recordRunEvents(schema: string): string {
  const s = quote(schema);
  return `WITH u AS (
      SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::int[], $4::text[], $5::timestamptz[], $6::timestamptz[],
          $7::text[], $8::boolean[], $9::text[], $10::timestamptz[], $11::boolean[], $12::jsonb[])
        AS u (id, owner, attempt, status, started_at, finished_at, error, is_start, outcome, attempt_started_at, job,
          response)
    ), updated AS (
      UPDATE ${s}.runs r SET
        status = u.status,
        attempts = u.attempt,
        owner = CASE WHEN u.status = 'queued' THEN NULL ELSE u.owner END,
        started_at = coalesce(u.started_at, r.started_at),
        finished_at = u.finished_at,
        error = u.error,
        job = r.job OR u.job,
        response = coalesce(u.response, r.response)
      FROM u
      WHERE r.id = u.id AND r.status IN ${OPEN}
        AND CASE WHEN u.is_start
          THEN r.attempts < u.attempt AND (r.owner = u.owner OR r.owner IS NULL)
          ELSE r.attempts = u.attempt AND r.owner = u.owner
        END
      RETURNING r.id, r.schedule_id, r.trigger
    ), logged AS (
      INSERT INTO ${s}.run_attempts (run_id, attempt, outcome, error, started_at, finished_at, response)
      SELECT u.id, u.attempt, u.outcome, u.error, u.attempt_started_at, coalesce(u.finished_at, ${NOW_MS}), u.response
      FROM u JOIN updated USING (id)
      WHERE u.outcome IS NOT NULL
      ON CONFLICT (run_id, attempt) DO NOTHING
    ), ${FAILURE_ACCOUNTING.replaceAll('SCHEMA.', `${s}.`)},
    -- A run ended whose schedule has a tick waiting for it (buffer_one): wake the tickers ($13).
    woken AS (
      SELECT pg_notify($13, '0') FROM ${s}.schedules sc
      WHERE sc.buffered AND sc.id IN (
        SELECT up.schedule_id FROM u JOIN updated up USING (id) WHERE u.status NOT IN ('queued', 'running'))
      LIMIT 1
    ),
    -- A backfill run ended: a sequential backfill may fire its next one.
    backfill_woken AS (
      SELECT pg_notify($13, 'backfill') FROM u JOIN updated up USING (id)
      WHERE up.trigger = 'backfill' AND u.status NOT IN ('queued', 'running')
      LIMIT 1
    )
    SELECT id, NULL AS paused_name, NULL AS paused_note FROM updated
    UNION ALL
    SELECT id, name, pause_note FROM counted WHERE paused_now
    -- Read so that it runs (a plain SELECT in WITH runs only when read, and a constant false filter
    -- would skip it); it adds no row.
    UNION ALL
    SELECT NULL, NULL, NULL WHERE (SELECT count(*) FROM woken) + (SELECT count(*) FROM backfill_woken) < 0`;
}

/**
 * The open runs an instance holds, with what a takeover needs: locked, so the takeover and the
 * instance's own late writes cannot interleave.
 */
export function selectOpenRunsOfOwner(schema: string): string {
  const s = quote(schema);
  return `SELECT r.id, r.schedule_id, r.scheduled_for, r.trigger, r.queue, r.status, r.job, r.attempts,
      r.enqueued_at, r.started_at, r.options, sc.name AS schedule_name, sc.fields, sc.target,
      (SELECT count(*) FROM ${s}.run_attempts a
        WHERE a.run_id = r.id AND a.outcome IN ('failed', 'timed_out'))::int AS failures
    FROM ${s}.runs r JOIN ${s}.schedules sc ON sc.id = r.schedule_id
    WHERE r.owner = $1 AND r.status IN ${OPEN}
    FOR UPDATE OF r`;
}

/**
 * Hands runs to pg-boss: no instance holds them any more, a job carries them, and `attempts`
 * counts every attempt that may have started. Attempts cut short are logged.
 */
export function handOffRuns(schema: string): string {
  const s = quote(schema);
  return `WITH u AS (
      SELECT * FROM unnest($1::uuid[], $2::int[], $3::text[], $4::text[], $5::timestamptz[])
        AS u (id, attempts, outcome, error, attempt_started_at)
    ), updated AS (
      UPDATE ${s}.runs r SET status = 'queued', owner = NULL, job = true, attempts = u.attempts,
        error = coalesce(u.error, r.error)
      FROM u WHERE r.id = u.id
      RETURNING r.id
    )
    INSERT INTO ${s}.run_attempts (run_id, attempt, outcome, error, started_at, finished_at)
    SELECT u.id, u.attempts, u.outcome, u.error, u.attempt_started_at, ${NOW_MS}
    FROM u JOIN updated USING (id)
    WHERE u.outcome IS NOT NULL
    ON CONFLICT (run_id, attempt) DO NOTHING`;
}

// --- Backfills (catch-up after downtime, ranges fired on request) ---------------------------------

export function insertBackfills(schema: string): string {
  return `INSERT INTO ${quote(schema)}.backfills (id, schedule_id, trigger, next_at, until_at, remaining, sequential)
    SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::timestamptz[], $5::timestamptz[], $6::int[],
      $7::boolean[])`;
}

/**
 * Locks up to $1 pending backfills, oldest first, with their schedules. SKIP LOCKED: instances work
 * on different ones. A paused schedule's backfills wait; a deleted one's are dropped by the caller.
 */
export function claimBackfills(schema: string): string {
  const s = quote(schema);
  return `SELECT b.id, b.schedule_id, b.trigger, b.next_at, b.until_at, b.remaining, b.sequential,
      ${TRIGGER_COLUMNS}, ${RUN_OPTION_COLUMNS}, sc.target, sc.fields, sc.queue, sc.deleted_at IS NOT NULL AS deleted
    FROM ${s}.backfills b JOIN ${s}.schedules sc ON sc.id = b.schedule_id
    WHERE (NOT sc.paused OR sc.deleted_at IS NOT NULL)
      -- A sequential backfill waits for the run it fired last.
      AND NOT (b.sequential AND EXISTS (
        SELECT 1 FROM ${s}.runs r WHERE r.id = b.last_run_id AND r.status IN ${OPEN}))
    ORDER BY b.created_at, b.id
    LIMIT $1
    FOR UPDATE OF b SKIP LOCKED`;
}

/** Moves backfills on: the next tick to fire, and how many may still fire. */
export function advanceBackfills(schema: string): string {
  return `UPDATE ${quote(schema)}.backfills b SET next_at = u.next_at, remaining = u.remaining,
      last_run_id = u.last_run_id
    FROM unnest($1::uuid[], $2::timestamptz[], $3::int[], $4::uuid[]) AS u (id, next_at, remaining, last_run_id)
    WHERE b.id = u.id`;
}

export function deleteBackfills(schema: string): string {
  return `DELETE FROM ${quote(schema)}.backfills WHERE id = ANY($1::uuid[])`;
}

export function selectBackfillPending(schema: string): string {
  return `SELECT EXISTS (SELECT 1 FROM ${quote(schema)}.backfills) AS pending`;
}

/** A schedule's last run moves forward only (a backfilled tick is older than its fresh ones). */
export function touchLastRun(schema: string): string {
  return `UPDATE ${quote(schema)}.schedules s SET last_run_at = greatest(s.last_run_at, u.at)
    FROM unnest($1::uuid[], $2::timestamptz[]) AS u (id, at)
    WHERE s.id = u.id`;
}

// --- Runs in pg-boss's hands (plain consumers) --------------------------------------------------

/**
 * Up to $1 open runs that a pg-boss job carries and no worker of ours has reported on for $2 ms
 * (consumed by plain pg-boss consumers, or waiting): the least recently checked first.
 */
export function selectUnreported(schema: string): string {
  return `SELECT id, queue, attempts FROM ${quote(schema)}.runs
    WHERE owner IS NULL AND status IN ${OPEN} AND job
      AND enqueued_at < clock_timestamp() - make_interval(secs => $2::float8 / 1000)
    ORDER BY checked_at NULLS FIRST, enqueued_at
    LIMIT $1`;
}

/**
 * Writes what pg-boss says of runs no worker of ours reported on: only runs still open and held by
 * no instance (a worker of ours that took one meanwhile reports it itself).
 */
export function recordJobStates(schema: string): string {
  const s = quote(schema);
  return `WITH u AS (
      SELECT * FROM unnest($1::uuid[], $2::text[], $3::int[], $4::timestamptz[], $5::timestamptz[], $6::text[])
        AS u (id, status, attempts, started_at, finished_at, error)
    ), updated AS (
      UPDATE ${s}.runs r SET checked_at = clock_timestamp(),
        status = coalesce(u.status, r.status),
        attempts = greatest(r.attempts, coalesce(u.attempts, 0)),
        started_at = coalesce(u.started_at, r.started_at),
        finished_at = coalesce(u.finished_at, r.finished_at),
        error = coalesce(u.error, r.error)
      FROM u
      WHERE r.id = u.id AND r.owner IS NULL AND r.status IN ${OPEN}
      RETURNING r.id, r.schedule_id
    ), ${FAILURE_ACCOUNTING.replaceAll('SCHEMA.', `${s}.`)}
    SELECT id, name AS paused_name, pause_note AS paused_note FROM counted WHERE paused_now`;
}

// --- Pruning --------------------------------------------------------------------------------------

/**
 * One instance does a periodic pass at a time; the others skip it. The lock is a transaction's, held
 * by a transaction left open (and exempt from the idle-in-transaction bound) while the pass commits
 * its batches on other connections: a session lock would outlive its unlock behind a pooler in
 * transaction mode, where the unlock may reach another server session.
 */
export const tryXactLock = `SELECT set_config('idle_in_transaction_session_timeout', '0', true),
    pg_try_advisory_xact_lock(hashtext($1)) AS locked`;

/** Deletes up to $2 runs created before now - $1 seconds. Batched so a large backlog never holds long locks. */
export function pruneRuns(schema: string): string {
  const s = quote(schema);
  return `DELETE FROM ${s}.runs WHERE id IN (
      SELECT id FROM ${s}.runs WHERE created_at < clock_timestamp() - make_interval(secs => $1) LIMIT $2)`;
}

/** Deletes up to $2 schedules deleted more than $1 seconds ago, with what is left of their history. */
export function pruneDeletedSchedules(schema: string): string {
  const s = quote(schema);
  return `DELETE FROM ${s}.schedules WHERE id IN (
      SELECT id FROM ${s}.schedules WHERE deleted_at < clock_timestamp() - make_interval(secs => $1)
      ORDER BY deleted_at LIMIT $2)`;
}

export const selectOne = `SELECT 1 AS ok`;

/**
 * Whether this session may write, for a target_session_attrs of a multi-host connection string on a
 * server older than PostgreSQL 14 (newer ones report both at connection start, with no query).
 */
export const selectSessionState = `SELECT pg_is_in_recovery() AS in_recovery,
  current_setting('transaction_read_only') = 'on' AS read_only`;

// --- Stale-job alerts ----------------------------------------------------------------------------

/** Stale schedules (see STALE), by name, at most $1; `notified`: a `stale` event was already sent for this time. */
export function selectStaleSchedules(schema: string): string {
  return `SELECT id, name, alert_after_seconds, last_success_at, created_at, stale_notified_at IS NOT NULL AS notified
    FROM ${quote(schema)}.schedules
    WHERE alert_after_seconds IS NOT NULL AND deleted_at IS NULL AND ${STALE}
    ORDER BY name
    LIMIT $1`;
}

/** Records that a `stale` event went out for these schedules (cleared by their next success). */
export function markStaleNotified(schema: string): string {
  return `UPDATE ${quote(schema)}.schedules SET stale_notified_at = clock_timestamp() WHERE id = ANY($1::uuid[])`;
}

// --- Sync -----------------------------------------------------------------------------------------

/** One sync per owner at a time, across instances: held until the sync's transaction ends. */
export const lockSync = `SELECT pg_advisory_xact_lock(hashtext($1))`;

/** An owner's live schedules, locked: the sync that holds them decides their fate. */
export function selectOwnedSchedules(schema: string): string {
  return `SELECT ${SCHEDULE_COLUMNS} FROM ${quote(schema)}.schedules
    WHERE owner = $1 AND deleted_at IS NULL
    ORDER BY name
    FOR UPDATE`;
}

/** Live schedules of these names, locked (whoever owns them). */
export function selectSchedulesByName(schema: string): string {
  return `SELECT ${SCHEDULE_COLUMNS} FROM ${quote(schema)}.schedules
    WHERE name = ANY($1::text[]) AND deleted_at IS NULL
    ORDER BY name
    FOR UPDATE`;
}

// --- Metrics (read at scrape time, at most every 5 s: lib/metrics.ts) ------------------------------

/**
 * Active schedules due more than $1 seconds ago and still not claimed: how many, and how long ago
 * the oldest was due (0 when none). The predicate is schedules_due_idx's own, so this is a range
 * scan of that index from its start up to the bound: it reads what is overdue, never the table (an
 * index-only scan once the table is vacuumed). The plan on 10,000 schedules, vacuumed and analysed
 * (test/integration/metrics.test.ts checks it):
 *
 *   Aggregate  (cost=4.31..4.33 rows=1 width=12)
 *     ->  Index Only Scan using schedules_due_idx on schedules  (cost=0.29..4.31 rows=1 width=8)
 *           Index Cond: (next_run_at < (statement_timestamp() - '00:00:01'::interval))
 */
export function selectDueBacklog(schema: string): string {
  return `SELECT count(*)::int AS backlog,
      coalesce(extract(epoch FROM statement_timestamp() - min(next_run_at)), 0)::float8 AS oldest_seconds
    FROM ${quote(schema)}.schedules
    WHERE NOT paused AND next_run_at IS NOT NULL
      AND next_run_at < statement_timestamp() - make_interval(secs => $1)`;
}

/**
 * Live schedules by state, as toSchedule() derives it: paused; else completed once completed_at is
 * set; else active. Deleted schedules (kept until pruned) are not counted. One pass over the table.
 */
export function selectScheduleStates(schema: string): string {
  return `SELECT count(*) FILTER (WHERE NOT paused AND completed_at IS NULL)::int AS active,
      count(*) FILTER (WHERE paused)::int AS paused,
      count(*) FILTER (WHERE NOT paused AND completed_at IS NOT NULL)::int AS completed,
      count(*) FILTER (WHERE ${STALE})::int AS stale
    FROM ${quote(schema)}.schedules
    WHERE deleted_at IS NULL`;
}
