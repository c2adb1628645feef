/**
 * Library objects (camelCase, Dates) <-> API bodies (snake_case, ISO 8601 strings in UTC).
 */
import type { z } from '@hono/zod-openapi';
import {
  type DeliveryRecord,
  MAX_FIELDS_BYTES,
  type Run,
  type RunOptionOverrides,
  type RunOptions,
  type Schedule,
  type ScheduleInput,
  type SchedulePatch,
} from '../lib/index.ts';
import { HttpProblem } from './errors.ts';
import type { CreateJobSchema, JobSchema, RunSchema, UpdateJobSchema } from './schemas.ts';

export type JobBody = z.infer<typeof JobSchema>;
export type RunBody = z.infer<typeof RunSchema>;

const iso = (date: Date | null): string | null => (date ? date.toISOString() : null);

/** Run settings (a schedule's own, or those in force on a run) in API names. */
function runOptionsBody<T extends RunOptionOverrides | RunOptions>(o: T) {
  return {
    retry_limit: o.retryLimit as T['retryLimit'],
    retry_delay_seconds: o.retryDelaySeconds as T['retryDelaySeconds'],
    retry_backoff: o.retryBackoff as T['retryBackoff'],
    run_timeout_seconds: o.runTimeoutSeconds as T['runTimeoutSeconds'],
    priority: o.priority as T['priority'],
  };
}

export function toJob(schedule: Schedule): JobBody {
  return {
    id: schedule.id,
    name: schedule.name,
    cron: schedule.cron,
    every: schedule.every,
    anchor_at: iso(schedule.anchorAt),
    at: iso(schedule.at),
    timezone: schedule.timezone,
    description: schedule.description,
    job_fields: schedule.fields,
    paused: schedule.paused,
    pause_note: schedule.pauseNote,
    state: schedule.state,
    start_at: iso(schedule.startAt),
    end_at: iso(schedule.endAt),
    max_runs: schedule.maxRuns,
    fired_count: schedule.firedCount,
    jitter_seconds: schedule.jitterSeconds,
    completed_at: iso(schedule.completedAt),
    owner: schedule.owner,
    target: schedule.target,
    alert_after_seconds: schedule.alertAfterSeconds,
    last_success_at: iso(schedule.lastSuccessAt),
    stale: schedule.stale,
    run_options: runOptionsBody(schedule.runOptions),
    pause_after_failures: schedule.pauseAfterFailures,
    consecutive_failures: schedule.consecutiveFailures,
    version: schedule.version,
    catch_up: schedule.catchUp,
    catch_up_window_seconds: schedule.catchUpWindowSeconds,
    overlap: schedule.overlap,
    next_run_at: iso(schedule.nextRunAt),
    last_run_at: iso(schedule.lastRunAt),
    created_at: schedule.createdAt.toISOString(),
    updated_at: schedule.updatedAt.toISOString(),
  };
}

function deliveryOf(record: DeliveryRecord | null) {
  return record && { status: record.status, latency_ms: record.latencyMs, body: record.body, error: record.error };
}

export function toRun(run: Run): RunBody {
  return {
    id: run.id,
    job_id: run.scheduleId,
    scheduled_for: run.scheduledFor.toISOString(),
    last_scheduled_for: run.lastScheduledFor.toISOString(),
    tick_count: run.tickCount,
    trigger: run.trigger,
    status: run.status,
    enqueued_at: iso(run.enqueuedAt),
    started_at: iso(run.startedAt),
    finished_at: iso(run.finishedAt),
    attempts: run.attempts,
    error: run.error,
    failed_attempts: run.failedAttempts.map((a) => ({
      attempt: a.attempt,
      outcome: a.outcome,
      error: a.error,
      started_at: iso(a.startedAt),
      finished_at: a.finishedAt.toISOString(),
      response: deliveryOf(a.response),
    })),
    response: deliveryOf(run.response),
    options: run.options && runOptionsBody(run.options),
  };
}

/**
 * `job_fields` over the library's limit is refused as 413 (too large), not 422: the shape is fine,
 * the size is not. The library checks again; this only chooses the status.
 */
function checkFieldsSize(fields: Record<string, unknown> | undefined): void {
  if (fields === undefined) return;
  let text: string;
  try {
    text = JSON.stringify(fields);
  } catch {
    // Nested too deep to serialize (RangeError): not a size question; the library refuses it as 422.
    return;
  }
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_FIELDS_BYTES) {
    throw new HttpProblem(
      'payload_too_large',
      `job_fields is ${bytes} bytes serialized; the limit is ${MAX_FIELDS_BYTES}.`,
      {
        errors: [{ path: 'job_fields', message: `expected at most ${MAX_FIELDS_BYTES} bytes serialized` }],
      },
    );
  }
}

type PatchBody = z.infer<typeof UpdateJobSchema>;

/** An ISO instant (already checked by the schema), or null / absent as given. */
function instant(value: string | null | undefined): Date | null | undefined {
  return value === undefined || value === null ? value : new Date(value);
}

/** Body keys -> library keys; a key absent from the body stays absent from the patch. */
export function toPatch(body: PatchBody): SchedulePatch {
  checkFieldsSize(body.job_fields);
  const patch: SchedulePatch = {};
  const set = <K extends keyof SchedulePatch>(key: K, value: SchedulePatch[K] | undefined) => {
    if (value !== undefined) patch[key] = value;
  };
  set('name', body.name);
  set('cron', body.cron);
  set('every', body.every);
  set('anchorAt', instant(body.anchor_at));
  set('at', instant(body.at));
  set('timezone', body.timezone);
  set('fields', body.job_fields);
  set('paused', body.paused);
  set('pauseNote', body.pause_note);
  set('startAt', instant(body.start_at));
  set('endAt', instant(body.end_at));
  set('maxRuns', body.max_runs);
  set('jitterSeconds', body.jitter_seconds);
  set('catchUp', body.catch_up);
  set('catchUpWindowSeconds', body.catch_up_window_seconds);
  set('overlap', body.overlap);
  set('pauseAfterFailures', body.pause_after_failures);
  set('target', body.target);
  set('alertAfterSeconds', body.alert_after_seconds);
  if (body.run_options !== undefined) {
    const o = body.run_options;
    const options: Partial<RunOptionOverrides> = {};
    if (o.retry_limit !== undefined) options.retryLimit = o.retry_limit;
    if (o.retry_delay_seconds !== undefined) options.retryDelaySeconds = o.retry_delay_seconds;
    if (o.retry_backoff !== undefined) options.retryBackoff = o.retry_backoff;
    if (o.run_timeout_seconds !== undefined) options.runTimeoutSeconds = o.run_timeout_seconds;
    if (o.priority !== undefined) options.priority = o.priority;
    patch.runOptions = options;
  }
  return patch;
}

export function toScheduleInput(body: z.infer<typeof CreateJobSchema>): ScheduleInput {
  return { ...toPatch(body), name: body.name };
}

/** The ETag of a job's version: a strong validator, unique across jobs and changes. */
export function etagOf(schedule: Schedule): string {
  return `"${schedule.version}"`;
}

/**
 * An If-Match header as the library's condition: `*`, or the version of the entity tag given. A
 * tag that is not one of ours (weak, several, or not a version) matches no version, so the write
 * is refused with 412, as RFC 9110 asks.
 */
export function ifMatchOf(header: string | undefined): number | '*' | undefined {
  if (header === undefined) return undefined;
  const value = header.trim();
  if (value === '*') return '*';
  const match = /^"([1-9][0-9]{0,15})"$/.exec(value);
  if (!match) {
    throw new HttpProblem(
      'precondition_failed',
      `If-Match ${JSON.stringify(value.slice(0, 100))} matches no version: expected * or one ETag this API returned, such as "17"`,
    );
  }
  return Number(match[1]);
}
