/**
 * /jobs: the stored schedules, their runs, and the actions on them.
 */
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { Page, Scheduler } from '../../lib/index.ts';
import { type AppEnv, BEARER_SECURITY } from '../context.ts';
import { HttpProblem } from '../errors.ts';
import { etagOf, ifMatchOf, toJob, toPatch, toRun, toScheduleInput } from '../mapping.ts';
import {
  BackfillRequestSchema,
  BackfillSchema,
  CreateJobSchema,
  createJobExamples,
  examples,
  IdParamsSchema,
  JobDetailSchema,
  JobListSchema,
  JobSchema,
  ListJobsQuerySchema,
  ListRunsQuerySchema,
  NameParamsSchema,
  PauseJobSchema,
  problemResponses,
  ReplaceJobSchema,
  RunListSchema,
  RunSchema,
  UpdateJobSchema,
} from '../schemas.ts';

const tags = ['Jobs'];
const jsonBody = <T>(schema: T, description: string) => ({
  required: true,
  description,
  content: { 'application/json': { schema } },
});
const etagHeader = {
  ETag: {
    description: 'The job’s version, for If-Match.',
    schema: { type: 'string' as const, example: '"17"' },
  },
};
const jobResponse = (description: string) => ({
  description,
  headers: etagHeader,
  content: { 'application/json': { schema: JobSchema, example: examples.job } },
});
const ifMatchHeader = {
  name: 'If-Match',
  in: 'header' as const,
  required: false,
  description: 'Only if the job is at this version (its ETag), or exists at all (`*`); 412 otherwise.',
  schema: { type: 'string' as const, example: '"17"' },
};
const linkHeader = {
  Link: {
    description: 'The next page, when there is one: `<…>; rel="next"`.',
    schema: { type: 'string' as const, example: '</jobs?limit=100&cursor=eyJ0Ijo…>; rel="next"' },
  },
};

const createJob = createRoute({
  method: 'post',
  path: '/',
  operationId: 'createJob',
  tags,
  summary: 'Create a job',
  security: BEARER_SECURITY,
  request: {
    body: {
      ...jsonBody(CreateJobSchema, 'The job to create.'),
      content: { 'application/json': { schema: CreateJobSchema, examples: createJobExamples } },
    },
  },
  responses: {
    201: {
      ...jobResponse('The job was created.'),
      headers: {
        ...etagHeader,
        Location: { description: 'The job’s URL.', schema: { type: 'string', example: '/jobs/0f9b7a52-…' } },
      },
    },
    ...problemResponses(400, 401, 403, 409, 413, 415, 422, 500, 503),
  },
});

const listJobs = createRoute({
  method: 'get',
  path: '/',
  operationId: 'listJobs',
  tags,
  summary: 'List jobs, oldest first',
  security: BEARER_SECURITY,
  request: { query: ListJobsQuerySchema },
  responses: {
    200: {
      description: 'A page of jobs.',
      headers: linkHeader,
      content: { 'application/json': { schema: JobListSchema, example: [examples.job] } },
    },
    ...problemResponses(401, 422, 500, 503),
  },
});

const getJob = createRoute({
  method: 'get',
  path: '/{id}',
  operationId: 'getJob',
  tags,
  summary: 'Get a job with its next five run instants',
  security: BEARER_SECURITY,
  request: { params: IdParamsSchema },
  responses: {
    200: {
      description: 'The job.',
      content: {
        'application/json': {
          schema: JobDetailSchema,
          example: { ...examples.job, upcoming: ['2025-01-06T08:00:00.000Z', '2025-01-07T08:00:00.000Z'] },
        },
      },
    },
    ...problemResponses(401, 404, 422, 500, 503),
  },
});

const putJob = createRoute({
  method: 'put',
  path: '/{id}',
  operationId: 'putJob',
  tags,
  summary: 'Create or replace a job by name (idempotent upsert)',
  description:
    'Creates the job (201) or replaces its whole definition (200; omitted fields take their defaults). Sending what is stored changes nothing, not even the version. `If-None-Match: *` creates only; `If-Match` replaces only that version. Safe to call from many instances at once.',
  security: BEARER_SECURITY,
  request: {
    params: NameParamsSchema,
    headers: z.object({
      'if-match': z.string().optional().openapi({ description: ifMatchHeader.description, example: '"17"' }),
      'if-none-match': z
        .string()
        .optional()
        .openapi({ description: '`*`: only create; 412 when the job exists.', example: '*' }),
    }),
    body: jsonBody(ReplaceJobSchema, 'The job’s whole definition.'),
  },
  responses: {
    200: jobResponse('The job was replaced, or was already exactly this.'),
    201: {
      ...jobResponse('The job was created.'),
      headers: {
        ...etagHeader,
        Location: { description: 'The job’s URL.', schema: { type: 'string', example: '/jobs/0f9b7a52-…' } },
      },
    },
    ...problemResponses(400, 401, 403, 412, 413, 415, 422, 500, 503),
  },
});

const updateJob = createRoute({
  method: 'patch',
  path: '/{id}',
  operationId: 'updateJob',
  tags,
  summary: 'Change any of a job’s fields',
  security: BEARER_SECURITY,
  request: {
    params: IdParamsSchema,
    headers: z.object({ 'if-match': z.string().optional().openapi({ description: ifMatchHeader.description }) }),
    body: jsonBody(UpdateJobSchema, 'The fields to change.'),
  },
  responses: {
    200: jobResponse('The updated job.'),
    ...problemResponses(400, 401, 403, 404, 409, 412, 413, 415, 422, 500, 503),
  },
});

const deleteJob = createRoute({
  method: 'delete',
  path: '/{id}',
  operationId: 'deleteJob',
  tags,
  summary: 'Delete a job, its run history and its queued runs',
  security: BEARER_SECURITY,
  request: {
    params: IdParamsSchema,
    headers: z.object({ 'if-match': z.string().optional().openapi({ description: ifMatchHeader.description }) }),
  },
  responses: {
    204: { description: 'Deleted.' },
    ...problemResponses(401, 403, 404, 412, 422, 500, 503),
  },
});

const pauseJob = createRoute({
  method: 'post',
  path: '/{id}/pause',
  operationId: 'pauseJob',
  tags,
  summary: 'Pause a job (idempotent), with an optional note saying why',
  security: BEARER_SECURITY,
  request: {
    params: IdParamsSchema,
    body: {
      required: false,
      description: 'Optional: `{"note": "…"}`, kept and shown as `pause_note`.',
      content: { 'application/json': { schema: PauseJobSchema } },
    },
  },
  responses: {
    200: jobResponse('The paused job; `next_run_at` is null.'),
    ...problemResponses(400, 401, 403, 404, 413, 415, 422, 500, 503),
  },
});

const resumeJob = createRoute({
  method: 'post',
  path: '/{id}/resume',
  operationId: 'resumeJob',
  tags,
  summary: 'Resume a job from now (idempotent; ticks passed while paused are not caught up)',
  security: BEARER_SECURITY,
  request: { params: IdParamsSchema },
  responses: {
    200: jobResponse('The resumed job.'),
    ...problemResponses(401, 403, 404, 422, 500, 503),
  },
});

const runJob = createRoute({
  method: 'post',
  path: '/{id}/run',
  operationId: 'runJob',
  tags,
  summary: 'Queue a manual run now, whatever the cron says (also when paused)',
  security: BEARER_SECURITY,
  request: { params: IdParamsSchema },
  responses: {
    202: {
      description: 'The run it queued.',
      content: {
        'application/json': {
          schema: RunSchema,
          example: {
            ...examples.run,
            trigger: 'manual',
            status: 'queued',
            started_at: null,
            finished_at: null,
            attempts: 0,
          },
        },
      },
    },
    ...problemResponses(401, 403, 404, 422, 500, 503),
  },
});

const backfillJob = createRoute({
  method: 'post',
  path: '/{id}/backfill',
  operationId: 'backfillJob',
  tags,
  summary: 'Fire a job’s ticks of a past range (idempotent)',
  description:
    'One run per tick in [from, to], each with its own scheduled instant and trigger `backfill`, paced behind fresh ticks. Ticks that already have a run are not fired again, so repeating a backfill fires nothing new. At most 10,000 ticks; `to` may not be in the future. A paused job’s backfill waits for its resume.',
  security: BEARER_SECURITY,
  request: {
    params: IdParamsSchema,
    body: jsonBody(BackfillRequestSchema, 'The range, inclusive at both ends.'),
  },
  responses: {
    202: {
      description: 'The backfill is queued; `ticks` says how many ticks the range holds.',
      content: { 'application/json': { schema: BackfillSchema } },
    },
    ...problemResponses(400, 401, 403, 404, 413, 415, 422, 500, 503),
  },
});

const listRuns = createRoute({
  method: 'get',
  path: '/{id}/runs',
  operationId: 'listJobRuns',
  tags,
  summary: 'List a job’s runs, newest first',
  security: BEARER_SECURITY,
  request: { params: IdParamsSchema, query: ListRunsQuerySchema },
  responses: {
    200: {
      description: 'A page of runs.',
      headers: linkHeader,
      content: { 'application/json': { schema: RunListSchema, example: [examples.run] } },
    },
    ...problemResponses(401, 404, 422, 500, 503),
  },
});

/**
 * Announces the next page as `Link: </path?…&cursor=…>; rel="next"`, keeping the request's other
 * query parameters. The target is path-absolute, so it holds behind any proxy that keeps paths.
 */
function setNextLink(c: Context<AppEnv>, page: Page<unknown>): void {
  if (!page.nextCursor) return;
  const url = new URL(c.req.url);
  url.searchParams.set('cursor', page.nextCursor);
  c.header('Link', `<${url.pathname}${url.search}>; rel="next"`);
}

/** The /jobs sub-app. */
export function createJobsApp(scheduler: Scheduler): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>();

  app.openapi(createJob, async (c) => {
    const job = await scheduler.create(toScheduleInput(c.req.valid('json')));
    // Under the prefix the app is mounted at, so the URL holds in a user's app too.
    return c.json(toJob(job), 201, { Location: `${c.get('mountPath')}/jobs/${job.id}`, ETag: etagOf(job) });
  });

  app.openapi(putJob, async (c) => {
    const name = c.req.valid('param').id;
    const body = c.req.valid('json');
    if (body.name !== undefined && body.name !== name) {
      throw new HttpProblem('validation', 'The body names another job than the path.', {
        errors: [{ path: 'name', message: `expected ${JSON.stringify(name)} (the name in the path) or no name` }],
      });
    }
    const headers = c.req.valid('header');
    const noneMatch = headers['if-none-match']?.trim();
    if (noneMatch !== undefined && noneMatch !== '*') {
      throw new HttpProblem('validation', 'If-None-Match on PUT may only be *.', {
        errors: [{ path: 'If-None-Match', message: 'expected * (create only)' }],
      });
    }
    const ifMatch = ifMatchOf(headers['if-match']);
    const { schedule, outcome } = await scheduler.upsert(toScheduleInput({ ...body, name }), {
      ...(ifMatch !== undefined && { ifMatch }),
      ...(noneMatch === '*' && { ifNoneMatch: true }),
    });
    const etag = { ETag: etagOf(schedule) };
    if (outcome === 'created') {
      return c.json(toJob(schedule), 201, { ...etag, Location: `${c.get('mountPath')}/jobs/${schedule.id}` });
    }
    return c.json(toJob(schedule), 200, etag);
  });

  app.openapi(listJobs, async (c) => {
    const { limit, cursor, paused, search } = c.req.valid('query');
    const page = await scheduler.list({
      ...(limit !== undefined && { limit }),
      ...(cursor !== undefined && { cursor }),
      ...(paused !== undefined && { paused: paused === 'true' }),
      ...(search !== undefined && { search }),
    });
    setNextLink(c, page);
    return c.json(page.items.map(toJob), 200);
  });

  app.openapi(getJob, async (c) => {
    const job = await scheduler.get(c.req.valid('param').id);
    const upcoming = scheduler.upcoming(job).map((d) => d.toISOString());
    return c.json({ ...toJob(job), upcoming }, 200, { ETag: etagOf(job) });
  });

  app.openapi(updateJob, async (c) => {
    const ifMatch = ifMatchOf(c.req.valid('header')['if-match']);
    const job = await scheduler.update(
      c.req.valid('param').id,
      toPatch(c.req.valid('json')),
      ifMatch === undefined ? {} : { ifMatch },
    );
    return c.json(toJob(job), 200, { ETag: etagOf(job) });
  });

  app.openapi(deleteJob, async (c) => {
    const ifMatch = ifMatchOf(c.req.valid('header')['if-match']);
    await scheduler.delete(c.req.valid('param').id, ifMatch === undefined ? {} : { ifMatch });
    return c.body(null, 204);
  });

  app.openapi(pauseJob, async (c) => {
    // The body is optional: a bodyless POST pauses with no note.
    const note = (c.req.valid('json') as { note?: string } | undefined)?.note;
    const job = await scheduler.pause(c.req.valid('param').id, note === undefined ? {} : { note });
    return c.json(toJob(job), 200, { ETag: etagOf(job) });
  });

  app.openapi(resumeJob, async (c) => {
    const job = await scheduler.resume(c.req.valid('param').id);
    return c.json(toJob(job), 200, { ETag: etagOf(job) });
  });

  app.openapi(runJob, async (c) => c.json(toRun(await scheduler.trigger(c.req.valid('param').id)), 202));

  app.openapi(backfillJob, async (c) => {
    const { from, to, overlap } = c.req.valid('json');
    const result = await scheduler.backfill(c.req.valid('param').id, {
      from: new Date(from),
      to: new Date(to),
      ...(overlap !== undefined && { overlap }),
    });
    return c.json(
      { job_id: result.scheduleId, from: result.from.toISOString(), to: result.to.toISOString(), ticks: result.ticks },
      202,
    );
  });

  app.openapi(listRuns, async (c) => {
    const { limit, cursor, status } = c.req.valid('query');
    const page = await scheduler.runs(c.req.valid('param').id, {
      ...(limit !== undefined && { limit }),
      ...(cursor !== undefined && { cursor }),
      ...(status !== undefined && { status }),
    });
    setNextLink(c, page);
    return c.json(page.items.map(toRun), 200);
  });

  return app;
}
