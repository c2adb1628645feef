/**
 * Library objects (camelCase, Dates) <-> API bodies (snake_case, ISO 8601 strings in UTC).
 */
import type { z } from '@hono/zod-openapi';
import { MAX_FIELDS_BYTES, type Run, type Schedule, type ScheduleInput, type SchedulePatch } from '../lib/index.ts';
import { HttpProblem } from './errors.ts';
import type { CreateJobSchema, JobSchema, RunSchema, UpdateJobSchema } from './schemas.ts';

export type JobBody = z.infer<typeof JobSchema>;
export type RunBody = z.infer<typeof RunSchema>;

const iso = (date: Date | null): string | null => (date ? date.toISOString() : null);

export function toJob(schedule: Schedule): JobBody {
  return {
    id: schedule.id,
    name: schedule.name,
    cron: schedule.cron,
    timezone: schedule.timezone,
    description: schedule.description,
    job_fields: schedule.fields,
    paused: schedule.paused,
    catch_up: schedule.catchUp,
    catch_up_window_seconds: schedule.catchUpWindowSeconds,
    overlap: schedule.overlap,
    next_run_at: iso(schedule.nextRunAt),
    last_run_at: iso(schedule.lastRunAt),
    created_at: schedule.createdAt.toISOString(),
    updated_at: schedule.updatedAt.toISOString(),
  };
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
    })),
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

/** Body keys -> library keys; a key absent from the body stays absent from the patch. */
export function toPatch(body: PatchBody): SchedulePatch {
  checkFieldsSize(body.job_fields);
  const patch: SchedulePatch = {};
  if (body.name !== undefined) patch.name = body.name;
  if (body.cron !== undefined) patch.cron = body.cron;
  if (body.timezone !== undefined) patch.timezone = body.timezone;
  if (body.job_fields !== undefined) patch.fields = body.job_fields;
  if (body.paused !== undefined) patch.paused = body.paused;
  if (body.catch_up !== undefined) patch.catchUp = body.catch_up;
  if (body.catch_up_window_seconds !== undefined) patch.catchUpWindowSeconds = body.catch_up_window_seconds;
  if (body.overlap !== undefined) patch.overlap = body.overlap;
  return patch;
}

export function toScheduleInput(body: z.infer<typeof CreateJobSchema>): ScheduleInput {
  return { ...toPatch(body), name: body.name, cron: body.cron };
}
