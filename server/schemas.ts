/**
 * Request and response schemas, named for the OpenAPI document. The same zod objects validate
 * requests and describe them, so the spec cannot drift from what the server accepts.
 */
import { z } from '@hono/zod-openapi';
import {
  ATTEMPT_OUTCOMES,
  CATCH_UP_POLICIES,
  MAX_FIELDS_BYTES,
  NAME_EXPECTED,
  NAME_PATTERN,
  OVERLAP_POLICIES,
  RUN_STATUSES,
  RUN_TRIGGERS,
  SCHEDULE_STATES,
  TARGET_TYPES,
} from '../lib/index.ts';
import { PROBLEM_CONTENT_TYPE, PROBLEMS, type ProblemKind, problemType } from './errors.ts';

const JOB_ID_EXAMPLE = '0f9b7a52-3c1e-4b8e-9d59-2f4d1c7e6a10';
const RUN_ID_EXAMPLE = '6a1c2d3e-4f50-4617-8293-a4b5c6d7e8f9';

const Timestamp = z.iso.datetime().openapi({ example: '2025-01-01T09:00:00.000Z', description: 'ISO 8601, UTC.' });

export const JobName = z
  .string()
  .regex(NAME_PATTERN, `expected ${NAME_EXPECTED}`)
  .openapi({ description: `Unique name: ${NAME_EXPECTED}.`, example: 'nightly-report' });

const Cron = z.string().min(1).openapi({
  description:
    'A cron expression: 5 fields, 6 with leading seconds, or a macro such as `@daily`. A job has exactly one of `cron`, `every` and `at`.',
  example: '0 9 * * 1-5',
});

const Every = z.union([z.string().min(1).max(32), z.number().int()]).openapi({
  description:
    'An interval: `90s`, `15m`, `6h`, `1d`, `1h30m` (or a number of seconds), from 1 s to 366 days. Elapsed time: daylight-saving changes do not move it.',
  example: '15m',
});

const AnchorAt = Timestamp.nullable().openapi({
  description:
    'For `every`: the instant its phase is counted from (ticks are anchor_at + k × every). Default: the Unix epoch, so `15m` fires at :00, :15, :30, :45 UTC.',
  example: '2025-01-01T00:05:00.000Z',
});

const At = Timestamp.nullable().openapi({
  description: 'A one-off instant. One in the past makes a job that is `completed` at once, without firing.',
  example: '2025-01-06T08:00:00.000Z',
});

const StartAt = Timestamp.nullable().openapi({ description: 'It fires nothing before this instant. Default null.' });
const EndAt = Timestamp.nullable().openapi({
  description: 'It fires nothing after this instant, and is `completed` once it has passed. Default null.',
});
const MaxRuns = z.number().int().min(1).nullable().openapi({
  description:
    'It is `completed` after firing this many runs for its ticks (manual runs and backfills do not count). Default null: no limit.',
  example: 10,
});
const JitterSeconds = z.number().int().min(0).max(86_400).openapi({
  description:
    'Each tick is delayed by 0 to jitter_seconds - 1 seconds, the same on every instance (derived from the name and the tick), shown in next_run_at. At most the shortest time between two ticks. Default 0.',
  example: 30,
});
const TargetInput = z
  .looseObject({
    type: z.enum(TARGET_TYPES).openapi({ description: '`log` (default), `queue` or `webhook`.', example: 'webhook' }),
    queue: z.string().optional().openapi({ description: 'For `queue`: the pg-boss queue its runs go to.' }),
    url: z.string().optional().openapi({
      description:
        'For `webhook`: http(s) URL. Loopback, private, link-local and cloud-metadata destinations are refused (at create and after resolving, at each delivery) unless SCHEDULER_WEBHOOK_ALLOW lists them.',
      example: 'https://hooks.example.com/reports',
    }),
    method: z.enum(['POST', 'PUT', 'PATCH']).optional().openapi({ description: 'Default POST.' }),
    headers: z
      .record(z.string(), z.string())
      .optional()
      .openapi({
        description: 'Extra request headers (at most 20, 8 KiB).',
        example: { authorization: 'Bearer s3cr3t' },
      }),
    secret_headers: z
      .array(z.string())
      .optional()
      .openapi({
        description: 'Headers whose values are write-only: never returned, shown as a fingerprint.',
        example: ['authorization'],
      }),
    timeout_seconds: z.number().int().optional().openapi({ description: 'Per attempt, 1-300. Default 10.' }),
    secret: z.string().optional().openapi({
      description:
        'Standard Webhooks signing secret (`whsec_` + base64 of 24-64 bytes); write-only. Default: SCHEDULER_WEBHOOK_SECRET.',
      example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
    }),
  })
  .openapi('TargetInput', {
    description:
      'Where the job’s runs go. `log`: a line in `<LOG_DIR>/<name>.log` (the bundled worker). `queue`: a pg-boss job in that queue for your own consumers (its data: runId, scheduleId, scheduleName, scheduledFor, firedAt, trigger, fields, attemptsBefore, options). `webhook`: a signed HTTP request per run, delivered by the engine. Replaced whole by PATCH (send the secret again to keep it).',
    example: {
      type: 'webhook',
      url: 'https://hooks.example.com/reports',
      headers: { authorization: 'Bearer s3cr3t' },
      secret_headers: ['authorization'],
    },
  });

const TargetShown = z
  .object({
    type: z.enum(TARGET_TYPES),
    queue: z.string().optional(),
    url: z.string().optional(),
    method: z.string().optional(),
    headers: z.record(z.string(), z.string()).optional(),
    secret_headers: z.array(z.string()).optional(),
    timeout_seconds: z.number().int().optional(),
    secret_fingerprint: z.string().optional().openapi({ example: 'sha256:3f2a9c0d1e7b' }),
  })
  .openapi('Target', {
    description: 'The job’s target as the API shows it: secrets and secret header values are replaced by fingerprints.',
    example: {
      type: 'webhook',
      url: 'https://hooks.example.com/reports',
      method: 'POST',
      headers: { authorization: '<redacted sha256:9b71d224bd62>' },
      secret_headers: ['authorization'],
      timeout_seconds: 10,
      secret_fingerprint: 'sha256:3f2a9c0d1e7b',
    },
  });

const DeliverySchema = z
  .object({
    status: z.number().int().nullable(),
    latency_ms: z.number().int(),
    body: z.string().openapi({ description: 'The first 1 KiB of the answer.' }),
    error: z.string().nullable(),
  })
  .openapi('Delivery', {
    description: 'What a webhook attempt got back.',
    example: { status: 503, latency_ms: 84, body: 'upstream unavailable', error: 'http: status 503' },
  });

const RunOptionsSchema = z
  .strictObject({
    retry_limit: z.number().int().min(0).max(1000).nullable().optional().openapi({ example: 5 }),
    retry_delay_seconds: z.number().int().min(0).max(86_400).nullable().optional().openapi({ example: 30 }),
    retry_backoff: z.boolean().nullable().optional().openapi({ example: true }),
    run_timeout_seconds: z.number().int().min(1).max(86_400).nullable().optional().openapi({ example: 120 }),
    priority: z.number().int().min(-100).max(100).nullable().optional().openapi({ example: 10 }),
  })
  .openapi('RunOptions', {
    description:
      'The job’s own run settings; absent or null: the server’s (SCHEDULER_RETRY_LIMIT and the like). Retries of a failed run, seconds before a retry (doubling with backoff), the seconds an attempt may run, and its priority among runs waiting for a worker (higher first).',
    example: { retry_limit: 5, retry_delay_seconds: 30, retry_backoff: true, run_timeout_seconds: 120 },
  });

const ResolvedRunOptionsSchema = z
  .object({
    retry_limit: z.number().int(),
    retry_delay_seconds: z.number().int(),
    retry_backoff: z.boolean(),
    run_timeout_seconds: z.number().int(),
    priority: z.number().int(),
  })
  .openapi('RunOptionsInForce', {
    description: 'The run settings in force when the run fired.',
    example: { retry_limit: 2, retry_delay_seconds: 1, retry_backoff: false, run_timeout_seconds: 900, priority: 0 },
  });

const AlertAfter = z.number().int().min(1).nullable().openapi({
  description:
    'Mark the job stale (here, in the metrics, and in GET /health/schedules) when no run of it succeeded for this many seconds. Default null.',
  example: 93600,
});

const PauseAfterFailures = z.number().int().min(1).max(1000).nullable().openapi({
  description:
    'Pause the job after this many consecutive failed runs (with a note saying why); resume starts the count again. Default null: never.',
  example: 3,
});

const PauseNote = z
  .string()
  .max(500)
  .nullable()
  .openapi({ description: 'Why it is paused.', example: 'Upstream API down' });

const Timezone = z
  .string()
  .min(1)
  .openapi({ description: 'IANA time zone the expression is evaluated in. Default `UTC`.', example: 'Europe/Paris' });

/**
 * A custom check, not z.record(): a record rebuilds the object and silently drops a `__proto__` key,
 * so a job would not store the fields it was sent. The object JSON.parse made (own keys only) is
 * kept as is; the library checks its content.
 */
const JobFields = z
  .custom<Record<string, unknown>>((value) => value !== null && typeof value === 'object' && !Array.isArray(value), {
    message: 'expected a JSON object',
  })
  .openapi({
    type: 'object',
    additionalProperties: {},
    description: `Any JSON object, passed to every run; at most ${MAX_FIELDS_BYTES} bytes serialized. Default \`{}\`.`,
    example: { report: 'sales', recipients: ['ops@example.com'] },
  });

const CatchUp = z.enum(CATCH_UP_POLICIES).openapi({
  description:
    'Ticks missed while no instance could fire them: `skip` records them as missed, `latest` fires the most recent one, `all` fires each. Default `latest`.',
  example: 'latest',
});

const CatchUpWindow = z.number().int().min(1).nullable().openapi({
  description:
    'Missed ticks older than this many seconds are only recorded, never fired. Null: no bound. Default null.',
  example: 3600,
});

const Overlap = z.enum(OVERLAP_POLICIES).openapi({
  description:
    'A tick while the previous run is still queued or running: `allow` fires it, `skip` records it as skipped. Default `allow`.',
  example: 'allow',
});

export const JobSchema = z
  .object({
    id: z.uuid().openapi({ example: JOB_ID_EXAMPLE }),
    name: JobName,
    cron: Cron.nullable(),
    every: z.string().nullable().openapi({ description: 'The interval in canonical form (`1h30m`).', example: null }),
    anchor_at: AnchorAt,
    at: At,
    timezone: Timezone,
    description: z.string().openapi({ example: 'At 09:00, Monday through Friday' }),
    job_fields: JobFields,
    paused: z.boolean().openapi({ example: false }),
    pause_note: PauseNote,
    state: z.enum(SCHEDULE_STATES).openapi({
      description:
        '`active`, `paused`, or `completed` (it can never fire again: past end_at, max_runs reached, its `at` fired).',
      example: 'active',
    }),
    start_at: StartAt,
    end_at: EndAt,
    max_runs: MaxRuns,
    fired_count: z.number().int().openapi({ description: 'Runs fired for its ticks so far.', example: 42 }),
    jitter_seconds: JitterSeconds,
    completed_at: Timestamp.nullable(),
    owner: z.string().nullable().openapi({
      description: 'The owner whose `sync()` manages it (library); null for jobs made one by one.',
      example: null,
    }),
    target: TargetShown,
    alert_after_seconds: AlertAfter,
    last_success_at: Timestamp.nullable().openapi({
      description: 'When a run last succeeded (recorded for jobs with alert_after_seconds).',
    }),
    stale: z.boolean().openapi({
      description: 'No successful run for alert_after_seconds (never for a completed job).',
      example: false,
    }),
    run_options: RunOptionsSchema,
    pause_after_failures: PauseAfterFailures,
    consecutive_failures: z.number().int().openapi({ description: 'Failed runs since its last success.', example: 0 }),
    version: z.number().int().openapi({
      description:
        'Changes with every change of the job; its ETag is `"<version>"`. Send it in If-Match to update safely.',
      example: 17,
    }),
    catch_up: CatchUp,
    catch_up_window_seconds: CatchUpWindow,
    overlap: Overlap,
    next_run_at: Timestamp.nullable().openapi({ description: 'The next instant it fires; null while paused.' }),
    last_run_at: Timestamp.nullable().openapi({
      description: 'The scheduled instant of its latest run; null before the first.',
    }),
    created_at: Timestamp,
    updated_at: Timestamp,
  })
  .openapi('Job');

const JOB_EXAMPLE = {
  id: JOB_ID_EXAMPLE,
  name: 'nightly-report',
  cron: '0 9 * * 1-5',
  every: null,
  anchor_at: null,
  at: null,
  timezone: 'Europe/Paris',
  description: 'At 09:00, Monday through Friday',
  job_fields: { report: 'sales' },
  paused: false,
  pause_note: null,
  state: 'active',
  start_at: null,
  end_at: null,
  max_runs: null,
  fired_count: 42,
  jitter_seconds: 0,
  completed_at: null,
  owner: null,
  target: { type: 'log' },
  alert_after_seconds: null,
  last_success_at: null,
  stale: false,
  run_options: {
    retry_limit: null,
    retry_delay_seconds: null,
    retry_backoff: null,
    run_timeout_seconds: null,
    priority: null,
  },
  pause_after_failures: null,
  consecutive_failures: 0,
  version: 17,
  catch_up: 'latest',
  catch_up_window_seconds: null,
  overlap: 'allow',
  next_run_at: '2025-01-06T08:00:00.000Z',
  last_run_at: '2025-01-03T08:00:00.000Z',
  created_at: '2025-01-01T12:00:00.000Z',
  updated_at: '2025-01-01T12:00:00.000Z',
} as const;

export const JobDetailSchema = JobSchema.extend({
  upcoming: z.array(Timestamp).openapi({
    description: 'Its next five run instants (empty while paused; fewer when they span more than 20 years).',
    example: ['2025-01-06T08:00:00.000Z', '2025-01-07T08:00:00.000Z'],
  }),
}).openapi('JobDetail');

export const JobListSchema = z.array(JobSchema).openapi('JobList');

/** Every writable field; `name` is added by the create body (PUT takes it from the path). */
const definitionFields = {
  cron: Cron.optional(),
  every: Every.optional(),
  anchor_at: AnchorAt.optional(),
  at: At.optional(),
  job_fields: JobFields.optional(),
  timezone: Timezone.optional(),
  paused: z.boolean().optional().openapi({ description: 'Paused: it fires nothing. Default false.' }),
  pause_note: PauseNote.optional(),
  start_at: StartAt.optional(),
  end_at: EndAt.optional(),
  max_runs: MaxRuns.optional(),
  jitter_seconds: JitterSeconds.optional(),
  catch_up: CatchUp.optional(),
  catch_up_window_seconds: CatchUpWindow.optional(),
  overlap: Overlap.optional(),
  run_options: RunOptionsSchema.optional(),
  pause_after_failures: PauseAfterFailures.optional(),
  target: TargetInput.optional(),
  alert_after_seconds: AlertAfter.optional(),
};

/** One example per kind of job, for the request bodies. */
const KIND_EXAMPLES = {
  cron: {
    summary: 'A cron schedule',
    value: { name: 'nightly-report', cron: '0 9 * * 1-5', timezone: 'Europe/Paris', job_fields: { report: 'sales' } },
  },
  every: {
    summary: 'An interval, with jitter',
    value: { name: 'sync-crm', every: '15m', jitter_seconds: 60, job_fields: { source: 'crm' } },
  },
  webhook: {
    summary: 'A signed webhook per run',
    value: {
      name: 'billing-sync',
      cron: '*/5 * * * *',
      job_fields: { account: 42 },
      target: {
        type: 'webhook',
        url: 'https://hooks.example.com/billing',
        headers: { authorization: 'Bearer s3cr3t' },
        secret_headers: ['authorization'],
        timeout_seconds: 15,
      },
      run_options: { retry_limit: 5, retry_delay_seconds: 30, retry_backoff: true },
    },
  },
  queue: {
    summary: 'Runs for your own pg-boss consumers',
    value: { name: 'reindex', every: '1h', target: { type: 'queue', queue: 'search-reindex' } },
  },
  at: {
    summary: 'A one-off run',
    value: { name: 'launch-email', at: '2030-03-01T09:00:00.000Z', job_fields: { campaign: 'spring' } },
  },
  window: {
    summary: 'A window and a run limit',
    value: {
      name: 'trial-reminders',
      cron: '0 10 * * *',
      start_at: '2030-01-01T00:00:00.000Z',
      end_at: '2030-01-31T00:00:00.000Z',
      max_runs: 5,
    },
  },
} as const;

export const CreateJobSchema = z.strictObject({ name: JobName, ...definitionFields }).openapi('CreateJob', {
  description: 'A job: `name`, exactly one of `cron`, `every` and `at`, and any of the other fields.',
  example: KIND_EXAMPLES.cron.value,
});

export const createJobExamples = KIND_EXAMPLES;

export const ReplaceJobSchema = z
  .strictObject({ name: JobName.optional(), ...definitionFields })
  .openapi('ReplaceJob', {
    description:
      'The whole definition of the job named in the path (omitted fields take their defaults). A `name`, if given, must equal the path’s.',
    example: { every: '15m', jitter_seconds: 60, job_fields: { source: 'crm' } },
  });

export const UpdateJobSchema = z.strictObject({ name: JobName.optional(), ...definitionFields }).openapi('UpdateJob', {
  description:
    'Any subset of the job’s fields. Giving one of `cron`, `every` and `at` switches it to that kind; a change of when it fires recomputes `next_run_at` from now.',
  example: { cron: '*/15 * * * *', job_fields: { report: 'inventory' } },
});

export const PauseJobSchema = z
  .strictObject({ note: z.string().max(500).optional().openapi({ description: 'Why it is paused, kept and shown.' }) })
  .openapi('PauseJob', { example: { note: 'Upstream API down until Monday' } });

const FailedAttemptSchema = z
  .object({
    attempt: z.number().int().openapi({ example: 1 }),
    outcome: z.enum(ATTEMPT_OUTCOMES).openapi({
      description:
        '`failed`: the handler threw; `timed_out`: it outlived the run timeout; `released`: its worker stopped first; `lost`: its instance stopped answering before reporting an end (it may or may not have run).',
      example: 'failed',
    }),
    error: z.string().nullable().openapi({ example: 'connect ECONNREFUSED 10.0.0.7:443' }),
    started_at: Timestamp.nullable(),
    finished_at: Timestamp,
    response: DeliverySchema.nullable().openapi({ description: 'A webhook attempt: what it got back.' }),
  })
  .openapi('FailedAttempt');

export const RunSchema = z
  .object({
    id: z
      .uuid()
      .openapi({ example: RUN_ID_EXAMPLE, description: 'Stable across retries: usable as an idempotency key.' }),
    job_id: z.uuid().openapi({ example: JOB_ID_EXAMPLE }),
    scheduled_for: Timestamp.openapi({
      description:
        'The tick the run stands for (trigger time of a manual run; the first missed tick of a `missed` record).',
    }),
    last_scheduled_for: Timestamp.openapi({
      description: 'The last tick a `missed` record stands for; equal to scheduled_for otherwise.',
    }),
    tick_count: z
      .number()
      .int()
      .openapi({ example: 1, description: 'How many ticks a `missed` record stands for; 1 otherwise.' }),
    trigger: z.enum(RUN_TRIGGERS).openapi({ example: 'schedule' }),
    status: z.enum(RUN_STATUSES).openapi({ example: 'succeeded' }),
    enqueued_at: Timestamp.nullable(),
    started_at: Timestamp.nullable(),
    finished_at: Timestamp.nullable(),
    attempts: z
      .number()
      .int()
      .openapi({ example: 1, description: 'Attempts that started, or may have started (one lost with its instance).' }),
    error: z.string().nullable().openapi({
      example: null,
      description: 'The latest attempt’s error while the run waits for a retry or after it failed for good.',
    }),
    failed_attempts: z
      .array(FailedAttemptSchema)
      .openapi({ description: 'Every attempt that did not succeed, oldest first.', example: [] }),
    options: ResolvedRunOptionsSchema.nullable(),
    response: DeliverySchema.nullable().openapi({
      description: 'A webhook run: what its latest attempt got back (status, latency, the first 1 KiB).',
    }),
  })
  .openapi('Run');

const RUN_EXAMPLE = {
  id: RUN_ID_EXAMPLE,
  job_id: JOB_ID_EXAMPLE,
  scheduled_for: '2025-01-03T08:00:00.000Z',
  last_scheduled_for: '2025-01-03T08:00:00.000Z',
  tick_count: 1,
  trigger: 'schedule',
  status: 'succeeded',
  enqueued_at: '2025-01-03T08:00:00.012Z',
  started_at: '2025-01-03T08:00:00.040Z',
  finished_at: '2025-01-03T08:00:00.051Z',
  attempts: 1,
  error: null,
  failed_attempts: [],
  options: { retry_limit: 2, retry_delay_seconds: 1, retry_backoff: false, run_timeout_seconds: 900, priority: 0 },
  response: null,
} as const;

export const RunListSchema = z.array(RunSchema).openapi('RunList');

export const PreviewRequestSchema = z
  .strictObject({
    cron: Cron.optional(),
    every: Every.optional(),
    anchor_at: AnchorAt.optional(),
    at: At.optional(),
    timezone: Timezone.optional(),
    start_at: StartAt.optional(),
    end_at: EndAt.optional(),
    jitter_seconds: JitterSeconds.optional(),
    name: JobName.optional().openapi({ description: 'The job’s name: its jitter is derived from it.' }),
    count: z.number().int().min(1).max(100).optional().openapi({ description: 'How many instants, 1-100. Default 5.' }),
  })
  .openapi('CronPreviewRequest', { example: { cron: '*/15 9-17 * * 1-5', timezone: 'America/New_York', count: 3 } });

export const previewExamples = {
  cron: { summary: 'A cron expression', value: { cron: '*/15 9-17 * * 1-5', timezone: 'America/New_York', count: 3 } },
  every: { summary: 'An interval with an anchor', value: { every: '6h', anchor_at: '2025-01-01T02:00:00.000Z' } },
  at: { summary: 'A one-off instant', value: { at: '2030-03-01T09:00:00.000Z' } },
  jitter: { summary: 'Jitter', value: { cron: '0 * * * *', jitter_seconds: 300, name: 'sync-crm' } },
} as const;

export const PreviewSchema = z
  .object({
    cron: Cron.nullable(),
    every: z.string().nullable(),
    at: Timestamp.nullable(),
    timezone: Timezone,
    description: z.string().openapi({ example: 'Every 15 minutes, between 09:00 and 17:59, Monday through Friday' }),
    next: z.array(Timestamp),
  })
  .openapi('CronPreview', {
    example: {
      cron: '*/15 9-17 * * 1-5',
      every: null,
      at: null,
      timezone: 'America/New_York',
      description: 'Every 15 minutes, between 09:00 and 17:59, Monday through Friday',
      next: ['2025-01-06T14:00:00.000Z', '2025-01-06T14:15:00.000Z', '2025-01-06T14:30:00.000Z'],
    },
  });

export const BackfillRequestSchema = z
  .strictObject({
    from: Timestamp.openapi({ description: 'The first instant of the range (inclusive).' }),
    to: Timestamp.openapi({ description: 'The last instant of the range (inclusive), not in the future.' }),
    overlap: z.enum(OVERLAP_POLICIES).optional().openapi({
      description:
        '`allow` fires the range’s runs side by side (paced); `skip` and `buffer_one` fire them one at a time, each once the previous has ended (none is dropped). Default: the job’s own overlap.',
    }),
  })
  .openapi('BackfillRequest', { example: { from: '2025-01-01T00:00:00.000Z', to: '2025-01-31T23:59:59.000Z' } });

export const BackfillSchema = z
  .object({
    job_id: z.uuid().openapi({ example: JOB_ID_EXAMPLE }),
    from: Timestamp,
    to: Timestamp,
    ticks: z.number().int().openapi({ description: 'The job’s ticks in the range.', example: 23 }),
  })
  .openapi('Backfill', {
    example: { job_id: JOB_ID_EXAMPLE, from: '2025-01-01T00:00:00.000Z', to: '2025-01-31T23:59:59.000Z', ticks: 23 },
  });

export const ReadySchema = z.object({ status: z.literal('ready') }).openapi('Ready', { example: { status: 'ready' } });

export const ProblemSchema = z
  .object({
    type: z.string().openapi({ example: problemType('not_found') }),
    title: z.string().openapi({ example: 'Not found' }),
    status: z.number().int().openapi({ example: 404 }),
    detail: z.string().openapi({ example: 'schedule "nightly-report" was not found' }),
    request_id: z.string().openapi({ example: '2f1c9a7e-5b7d-4d1a-8c0e-3e4f5a6b7c8d' }),
    errors: z
      .array(z.object({ path: z.string(), message: z.string() }))
      .optional()
      .openapi({ description: 'For validation problems: each field that was wrong.' }),
  })
  .openapi('Problem');

export const IdParamsSchema = z.object({
  id: z
    .string()
    .min(1)
    .max(128)
    .openapi({
      param: { name: 'id', in: 'path' },
      description: 'The job’s id or its name.',
      example: 'nightly-report',
    }),
});

/** PUT addresses a job by its name (the path shares `{id}` with the other job routes). */
export const NameParamsSchema = z.object({
  id: JobName.openapi({
    param: { name: 'id', in: 'path' },
    description: 'The job’s name (PUT creates or replaces by name).',
    example: 'nightly-report',
  }),
});

const Limit = z.coerce
  .number()
  .int()
  .min(1)
  .max(1000)
  .optional()
  .openapi({ description: 'Page size, 1-1000. Default 100.', example: 100 });
const Cursor = z.string().min(1).max(500).optional().openapi({
  description: 'The cursor of the next page, from the previous page’s `Link: <…>; rel="next"` header.',
});

export const ListJobsQuerySchema = z.object({
  limit: Limit,
  cursor: Cursor,
  paused: z
    .enum(['true', 'false'])
    .optional()
    .openapi({ description: 'Only paused (`true`) or active (`false`) jobs.' }),
  search: z
    .string()
    .min(1)
    .max(128)
    .optional()
    .openapi({ description: 'Only jobs whose name contains this, case-insensitive.', example: 'report' }),
});

export const ListRunsQuerySchema = z.object({
  limit: Limit,
  cursor: Cursor,
  status: z.enum(RUN_STATUSES).optional().openapi({ description: 'Only runs in this status.' }),
});

export const examples = { job: JOB_EXAMPLE, run: RUN_EXAMPLE };

/** Example problems per status, so the spec shows what each error looks like. */
const PROBLEM_EXAMPLES: Record<
  number,
  { kind: ProblemKind; detail: string; errors?: { path: string; message: string }[] }
> = {
  400: { kind: 'malformed_json', detail: 'The request body is not valid JSON.' },
  401: { kind: 'unauthorized', detail: 'Send Authorization: Bearer <token>.' },
  403: {
    kind: 'cross_site',
    detail:
      "POST from a web page on another origin is refused (Sec-Fetch-Site: cross-site). Changes must come from this service's own pages or from a client that is not a browser.",
  },
  404: { kind: 'not_found', detail: 'schedule "nightly-report" was not found' },
  409: { kind: 'conflict', detail: 'a schedule with name "nightly-report" already exists' },
  412: {
    kind: 'precondition_failed',
    detail: 'schedule "nightly-report" is at version 18, not 17: it changed since it was read',
  },
  413: { kind: 'payload_too_large', detail: 'The request body is larger than the server accepts.' },
  415: { kind: 'unsupported_media_type', detail: 'Send the request body as application/json.' },
  422: {
    kind: 'validation',
    detail: 'The request has invalid values.',
    errors: [{ path: 'cron', message: 'expected a 5- or 6-field cron expression (got "61 * * * *")' }],
  },
  500: { kind: 'internal', detail: 'An unexpected error occurred. Quote request id 2f1c9a7e when reporting it.' },
  503: { kind: 'database', detail: 'The database did not answer; try again later.' },
};

const PROBLEM_DESCRIPTIONS: Record<number, string> = {
  400: 'The body is not valid JSON.',
  401: 'Missing or wrong bearer token (only when SCHEDULER_API_TOKEN is set).',
  403: 'Sent by a web page on another origin (`cross_site`), or with the read-only token (`forbidden`).',
  404: 'No job with that id or name.',
  409: 'A job with that name already exists.',
  412: 'If-Match named another version of the job (it changed since it was read), or If-None-Match: * found it.',
  413: 'The body is over the size limit, or `job_fields` is over 64 KiB.',
  415: 'The body is not sent as application/json.',
  422: 'A field has the wrong type or an invalid value; `errors` names each.',
  500: 'An unexpected error; the response carries the request id that appears in the log.',
  503: 'The database or the engine is unavailable.',
};

export type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 412 | 413 | 415 | 422 | 500 | 503;

/** The OpenAPI response entries of the given error statuses, each with its problem example. */
export function problemResponses<const S extends ErrorStatus>(
  ...statuses: S[]
): Record<
  S,
  { description: string; content: { [PROBLEM_CONTENT_TYPE]: { schema: typeof ProblemSchema; example: unknown } } }
> {
  const out = {} as Record<
    S,
    { description: string; content: { [PROBLEM_CONTENT_TYPE]: { schema: typeof ProblemSchema; example: unknown } } }
  >;
  for (const status of statuses) {
    const ex = PROBLEM_EXAMPLES[status]!;
    out[status] = {
      description: PROBLEM_DESCRIPTIONS[status]!,
      content: {
        [PROBLEM_CONTENT_TYPE]: {
          schema: ProblemSchema,
          example: {
            type: problemType(ex.kind),
            title: PROBLEMS[ex.kind].title,
            status,
            detail: ex.detail,
            request_id: '2f1c9a7e-5b7d-4d1a-8c0e-3e4f5a6b7c8d',
            ...(ex.errors ? { errors: ex.errors } : {}),
          },
        },
      },
    };
  }
  return out;
}
