/**
 * /jobs: the stored schedules, their runs, and the actions on them.
 */
import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { Page, Scheduler } from '../../lib/index.ts';
import { type AppEnv, BEARER_SECURITY } from '../context.ts';
import { toJob, toPatch, toRun, toScheduleInput } from '../mapping.ts';
import {
  CreateJobSchema,
  examples,
  IdParamsSchema,
  JobDetailSchema,
  JobListSchema,
  JobSchema,
  ListJobsQuerySchema,
  ListRunsQuerySchema,
  problemResponses,
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
const jobResponse = (description: string) => ({
  description,
  content: { 'application/json': { schema: JobSchema, example: examples.job } },
});
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
  request: { body: jsonBody(CreateJobSchema, 'The job to create.') },
  responses: {
    201: {
      ...jobResponse('The job was created.'),
      headers: { Location: { description: 'The job’s URL.', schema: { type: 'string', example: '/jobs/0f9b7a52-…' } } },
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

const updateJob = createRoute({
  method: 'patch',
  path: '/{id}',
  operationId: 'updateJob',
  tags,
  summary: 'Change any of a job’s fields',
  security: BEARER_SECURITY,
  request: { params: IdParamsSchema, body: jsonBody(UpdateJobSchema, 'The fields to change.') },
  responses: {
    200: jobResponse('The updated job.'),
    ...problemResponses(400, 401, 403, 404, 409, 413, 415, 422, 500, 503),
  },
});

const deleteJob = createRoute({
  method: 'delete',
  path: '/{id}',
  operationId: 'deleteJob',
  tags,
  summary: 'Delete a job, its run history and its queued runs',
  security: BEARER_SECURITY,
  request: { params: IdParamsSchema },
  responses: {
    204: { description: 'Deleted.' },
    ...problemResponses(401, 403, 404, 422, 500, 503),
  },
});

const pauseJob = createRoute({
  method: 'post',
  path: '/{id}/pause',
  operationId: 'pauseJob',
  tags,
  summary: 'Pause a job (idempotent)',
  security: BEARER_SECURITY,
  request: { params: IdParamsSchema },
  responses: {
    200: jobResponse('The paused job; `next_run_at` is null.'),
    ...problemResponses(401, 403, 404, 422, 500, 503),
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
    return c.json(toJob(job), 201, { Location: `${c.get('mountPath')}/jobs/${job.id}` });
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
    return c.json({ ...toJob(job), upcoming }, 200);
  });

  app.openapi(updateJob, async (c) => {
    const job = await scheduler.update(c.req.valid('param').id, toPatch(c.req.valid('json')));
    return c.json(toJob(job), 200);
  });

  app.openapi(deleteJob, async (c) => {
    await scheduler.delete(c.req.valid('param').id);
    return c.body(null, 204);
  });

  app.openapi(pauseJob, async (c) => c.json(toJob(await scheduler.pause(c.req.valid('param').id)), 200));

  app.openapi(resumeJob, async (c) => c.json(toJob(await scheduler.resume(c.req.valid('param').id)), 200));

  app.openapi(runJob, async (c) => c.json(toRun(await scheduler.trigger(c.req.valid('param').id)), 202));

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
