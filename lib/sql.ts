/**
 * Every SQL statement of the scheduler, as named builders. The schema names are the only things
 * interpolated, and they are validated identifiers (config.ts); every value is passed as $n.
 * Pure: nothing here executes SQL (store.ts does).
 */

/** Columns of a schedule row, in the shape rowToSchedule() reads. */
const SCHEDULE_COLUMNS = `id, name, cron, timezone, fields, queue, paused, catch_up, catch_up_window_seconds, overlap,
  next_run_at, last_run_at, created_at, updated_at`;

const RUN_COLUMNS = `id, schedule_id, scheduled_for, last_scheduled_for, tick_count, trigger, status, queue,
  enqueued_at, NULL::timestamptz AS started_at, NULL::timestamptz AS finished_at, 0 AS attempts, NULL::text AS error`;

/**
 * A run as users see it. pg-boss owns execution: a fired run's status, attempts, start, end and
 * error are read from its pg-boss job (same id), so they are true whoever works the queue (our
 * workers or plain pg-boss consumers) and cost no write of ours per attempt. Skipped and missed
 * records never reach pg-boss and keep their stored status.
 */
function selectRuns(schema: string, bossSchema: string): string {
  return `SELECT r.id, r.schedule_id, r.scheduled_for, r.last_scheduled_for, r.tick_count, r.trigger, r.queue,
      r.enqueued_at,
      CASE
        WHEN r.status <> 'queued' OR j.id IS NULL THEN r.status
        WHEN j.state = 'active' THEN 'running'
        WHEN j.state = 'completed' THEN 'succeeded'
        WHEN j.state IN ('failed', 'cancelled') THEN 'failed'
        ELSE 'queued'
      END AS status,
      j.started_on AS started_at,
      CASE WHEN j.state IN ('completed', 'failed', 'cancelled') THEN j.completed_on END AS finished_at,
      CASE WHEN j.started_on IS NULL THEN 0 ELSE j.retry_count + 1 END AS attempts,
      CASE
        WHEN j.state = 'cancelled' THEN 'cancelled'
        WHEN j.state IN ('failed', 'retry') THEN coalesce(j.output ->> 'message', j.output::text)
      END AS error
    FROM ${schema}.runs r
    LEFT JOIN ${bossSchema}.job j ON j.name = r.queue AND j.id = r.id`;
}

/** Timestamps that cursors carry are kept at millisecond precision, so a cursor round-trips exactly. */
const NOW_MS = `date_trunc('milliseconds', clock_timestamp())`;

/** Versioned migrations, applied in order inside one transaction under an advisory lock. */
export function migrations(schema: string): { version: number; sql: string }[] {
  return [
    {
      version: 1,
      sql: `
        CREATE TABLE ${schema}.schedules (
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
        CREATE INDEX schedules_due_idx ON ${schema}.schedules (next_run_at) WHERE NOT paused AND next_run_at IS NOT NULL;
        CREATE INDEX schedules_page_idx ON ${schema}.schedules (created_at, id);

        CREATE TABLE ${schema}.runs (
          id uuid PRIMARY KEY,
          schedule_id uuid NOT NULL REFERENCES ${schema}.schedules (id) ON DELETE CASCADE,
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
        CREATE UNIQUE INDEX runs_tick_key ON ${schema}.runs (schedule_id, scheduled_for) WHERE trigger <> 'manual';
        CREATE INDEX runs_history_idx ON ${schema}.runs (schedule_id, scheduled_for DESC, id DESC);
        CREATE INDEX runs_created_idx ON ${schema}.runs (created_at);
      `,
    },
  ];
}

export function createSchema(schema: string): string {
  return `CREATE SCHEMA IF NOT EXISTS ${schema};
    CREATE TABLE IF NOT EXISTS ${schema}.migrations (
      version integer PRIMARY KEY,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`;
}

/** Serializes migrations across processes; the key is derived from the schema name. */
export const lockMigrations = `SELECT pg_advisory_xact_lock(hashtext($1))`;

export function selectMigrationVersion(schema: string): string {
  return `SELECT coalesce(max(version), 0) AS version FROM ${schema}.migrations`;
}

export function insertMigration(schema: string): string {
  return `INSERT INTO ${schema}.migrations (version) VALUES ($1)`;
}

export const selectNow = `SELECT clock_timestamp() AS now`;

/**
 * A commit held back until an instant by the database's clock. The instant is set as a
 * transaction-local setting (a parameter), and the wait and the COMMIT go in one simple-protocol
 * message: the commit happens at the instant, with no round trip through the client after the wait.
 */
export const setCommitAt = `SELECT set_config('pg_cron_scheduler.commit_at', $1, true)`;
export const sleepThenCommit = `SELECT pg_sleep_until(current_setting('pg_cron_scheduler.commit_at')::timestamptz); COMMIT`;

/** pg_notify with the channel and payload as values (channels are derived from the validated schema name). */
export const notify = `SELECT pg_notify($1, $2)`;

export function listenChannel(channel: string): string {
  return `LISTEN ${channel}`;
}

export function insertSchedule(schema: string): string {
  return `INSERT INTO ${schema}.schedules
      (id, name, cron, timezone, fields, queue, paused, catch_up, catch_up_window_seconds, overlap, next_run_at)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
    ON CONFLICT ON CONSTRAINT schedules_name_key DO NOTHING
    RETURNING ${SCHEDULE_COLUMNS}`;
}

/**
 * By id or name: $1 is the id when the key looks like a UUID (else null), $2 the name. A name that
 * happens to equal another schedule's id loses to the id.
 */
export function selectSchedule(schema: string, forUpdate: boolean): string {
  return `SELECT ${SCHEDULE_COLUMNS} FROM ${schema}.schedules
    WHERE id = $1::uuid OR name = $2
    ORDER BY (id = $1::uuid) DESC NULLS LAST
    LIMIT 1${forUpdate ? ' FOR UPDATE' : ''}`;
}

export function selectSchedulesPage(schema: string): string {
  return `SELECT ${SCHEDULE_COLUMNS} FROM ${schema}.schedules
    WHERE ($1::timestamptz IS NULL OR (created_at, id) > ($1::timestamptz, $2::uuid))
      AND ($3::boolean IS NULL OR paused = $3::boolean)
    ORDER BY created_at, id
    LIMIT $4`;
}

/** $1 the id; $2-$11 in insertSchedule's order. */
export function updateSchedule(schema: string): string {
  return `UPDATE ${schema}.schedules SET
      name = $2, cron = $3, timezone = $4, fields = $5, queue = $6, paused = $7, catch_up = $8,
      catch_up_window_seconds = $9, overlap = $10, next_run_at = $11, updated_at = ${NOW_MS}
    WHERE id = $1
    RETURNING ${SCHEDULE_COLUMNS}`;
}

export function deleteSchedule(schema: string): string {
  return `DELETE FROM ${schema}.schedules WHERE id = $1`;
}

/** Runs of a schedule whose pg-boss job is still queued or active, to cancel them when it is deleted. */
export function selectOpenRuns(schema: string, bossSchema: string): string {
  return `SELECT r.id, r.queue FROM ${schema}.runs r
    JOIN ${bossSchema}.job j ON j.name = r.queue AND j.id = r.id
    WHERE r.schedule_id = $1 AND r.status = 'queued' AND j.state < 'completed'`;
}

/**
 * Claims schedules due at or before $2 (a tick instant, possibly a moment ahead: the claim is
 * prepared early and committed at the tick) or already overdue. statement_timestamp() (stable
 * within the statement, so the due index is usable) is the database's clock: instances never
 * compare their own clocks. SKIP LOCKED lets
 * several instances claim disjoint batches at once; the row lock is held until the claim commits,
 * and the claim moves next_run_at past now, so no other instance can claim the same tick.
 * previous_active says whether the last fired run's pg-boss job is still queued or active (for the
 * overlap policy); it is only looked up for schedules that need it.
 */
export function claimDueSchedules(schema: string, bossSchema: string): string {
  return `SELECT s.id, s.name, s.cron, s.timezone, s.fields, s.queue, s.catch_up, s.catch_up_window_seconds,
      s.overlap, s.next_run_at, statement_timestamp() AS now,
      CASE WHEN s.overlap = 'skip' AND s.last_fired_run_id IS NOT NULL THEN EXISTS (
        SELECT 1 FROM ${bossSchema}.job j
        WHERE j.name = s.queue AND j.id = s.last_fired_run_id AND j.state < 'completed'
      ) ELSE false END AS previous_active
    FROM ${schema}.schedules s
    WHERE NOT s.paused AND s.next_run_at <= greatest(statement_timestamp(), $2::timestamptz)
      -- Whether the previous run is still in progress can only be judged at the tick itself.
      AND (s.overlap = 'allow' OR s.next_run_at <= statement_timestamp())
    ORDER BY s.next_run_at
    LIMIT $1
    FOR UPDATE OF s SKIP LOCKED`;
}

/** Inserts runs in bulk; a tick already recorded is silently not inserted again. */
export function insertRuns(schema: string): string {
  return `INSERT INTO ${schema}.runs
      (id, schedule_id, scheduled_for, last_scheduled_for, tick_count, trigger, status, queue, enqueued_at)
    SELECT u.id, u.schedule_id, u.scheduled_for, u.last_scheduled_for, u.tick_count, u.trigger, u.status, u.queue,
      CASE WHEN u.status = 'queued' THEN greatest(${NOW_MS}, u.scheduled_for) END
    FROM unnest($1::uuid[], $2::uuid[], $3::timestamptz[], $4::timestamptz[], $5::int[], $6::text[], $7::text[], $8::text[])
      AS u (id, schedule_id, scheduled_for, last_scheduled_for, tick_count, trigger, status, queue)
    ON CONFLICT (schedule_id, scheduled_for) WHERE trigger <> 'manual' DO NOTHING
    RETURNING ${RUN_COLUMNS}`;
}

export function insertManualRun(schema: string): string {
  return `INSERT INTO ${schema}.runs
      (id, schedule_id, scheduled_for, last_scheduled_for, trigger, status, queue, enqueued_at)
    VALUES ($1, $2, ${NOW_MS}, ${NOW_MS}, 'manual', 'queued', $3, ${NOW_MS})
    RETURNING ${RUN_COLUMNS}`;
}

/** Advances claimed schedules: new next_run_at, and last_run_at / last fired run where one fired. */
export function advanceSchedules(schema: string): string {
  return `UPDATE ${schema}.schedules s SET
      next_run_at = u.next_run_at,
      last_run_at = coalesce(u.last_run_at, s.last_run_at),
      last_fired_run_id = coalesce(u.last_fired_run_id, s.last_fired_run_id)
    FROM unnest($1::uuid[], $2::timestamptz[], $3::timestamptz[], $4::uuid[])
      AS u (id, next_run_at, last_run_at, last_fired_run_id)
    WHERE s.id = u.id`;
}

export function markFired(schema: string): string {
  return `UPDATE ${schema}.schedules SET last_run_at = $2, last_fired_run_id = $3 WHERE id = $1`;
}

/**
 * The earliest active next_run_at (epoch ms), how far away it is by the database's clock, and how
 * many schedules are due by then (nulls when none): the ticker prepares a big tick earlier.
 */
export function selectNextWake(schema: string): string {
  return `WITH next AS (
      SELECT min(next_run_at) AS at FROM ${schema}.schedules WHERE NOT paused AND next_run_at IS NOT NULL
    )
    SELECT (extract(epoch FROM next.at) * 1000)::float8 AS next_ms,
      (extract(epoch FROM (next.at - clock_timestamp())) * 1000)::float8 AS wait_ms,
      (SELECT count(*) FROM ${schema}.schedules s
        WHERE NOT s.paused AND s.next_run_at IS NOT NULL AND s.next_run_at <= next.at)::int AS due
    FROM next`;
}

export function selectRunsPage(schema: string, bossSchema: string): string {
  return `SELECT * FROM (${selectRuns(schema, bossSchema)}
      WHERE r.schedule_id = $1
        AND ($2::timestamptz IS NULL OR (r.scheduled_for, r.id) < ($2::timestamptz, $3::uuid))
    ) runs
    WHERE ($4::text IS NULL OR status = $4::text)
    ORDER BY scheduled_for DESC, id DESC
    LIMIT $5`;
}

/** One instance prunes at a time; the others skip the pass. A session lock: pruning commits batch by batch. */
export const tryPruneLock = `SELECT pg_try_advisory_lock(hashtext($1)) AS locked`;
export const unlockPrune = `SELECT pg_advisory_unlock(hashtext($1))`;

/** Deletes up to $2 runs created before now - $1 seconds. Batched so a large backlog never holds long locks. */
export function pruneRuns(schema: string): string {
  return `DELETE FROM ${schema}.runs WHERE id IN (
      SELECT id FROM ${schema}.runs WHERE created_at < clock_timestamp() - make_interval(secs => $1)
      ORDER BY created_at LIMIT $2)`;
}

export const selectOne = `SELECT 1 AS ok`;
