/**
 * Health: liveness (`/healthcheck`, as the original service had it) and readiness (`/health/ready`),
 * which need no API token so load balancers and orchestrators can probe them; and stale jobs
 * (`/health/schedules`), which names jobs and so takes the token like the API.
 */
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { Scheduler } from '../../lib/index.ts';
import { type AppEnv, BEARER_SECURITY } from '../context.ts';
import { HttpProblem, PROBLEM_CONTENT_TYPE, problemOf, problemType } from '../errors.ts';
import { ProblemSchema, problemResponses, ReadySchema } from '../schemas.ts';

/** Probes need no token, whatever the server's configuration (the size limit still applies: 413). */
const OPEN: { [name: string]: string[] }[] = [];

/** Longest a readiness probe waits for the database before answering 503. */
const READY_TIMEOUT_MS = 3000;

const healthcheck = createRoute({
  method: 'get',
  path: '/healthcheck',
  operationId: 'checkLiveness',
  tags: ['Health'],
  summary: 'Liveness: the process answers',
  security: OPEN,
  responses: {
    200: {
      description: 'Always "ok" while the process serves requests.',
      content: { 'application/json': { schema: z.literal('ok').openapi({ example: 'ok' }) } },
    },
    ...problemResponses(413, 500),
  },
});

const ready = createRoute({
  method: 'get',
  path: '/health/ready',
  operationId: 'checkReadiness',
  tags: ['Health'],
  summary: 'Readiness: the database answers',
  security: OPEN,
  responses: {
    200: { description: 'The database answers.', content: { 'application/json': { schema: ReadySchema } } },
    503: {
      description: 'The database did not answer in time.',
      content: {
        'application/problem+json': {
          schema: problemResponses(503)[503].content['application/problem+json'].schema,
          example: {
            type: 'urn:pg-cron-scheduler:problem:not_ready',
            title: 'Not ready',
            status: 503,
            detail: 'The database did not answer.',
            request_id: '2f1c9a7e-5b7d-4d1a-8c0e-3e4f5a6b7c8d',
          },
        },
      },
    },
    ...problemResponses(413, 500),
  },
});

const StaleSchema = z
  .object({
    job_id: z.uuid(),
    name: z.string(),
    alert_after_seconds: z.number().int(),
    last_success_at: z.iso.datetime().nullable(),
    stale_since: z.iso.datetime(),
  })
  .openapi('StaleJob');

const SchedulesHealthSchema = z
  .object({
    status: z.literal('ok'),
    stale: z.array(StaleSchema),
  })
  .openapi('SchedulesHealth', {
    example: { status: 'ok', stale: [] },
  });

const StaleProblemSchema = ProblemSchema.extend({ stale: z.array(StaleSchema) }).openapi('StaleJobsProblem');

const schedulesHealth = createRoute({
  method: 'get',
  path: '/health/schedules',
  operationId: 'checkSchedules',
  tags: ['Health'],
  summary: 'Stale jobs: no successful run for their alert_after_seconds (503 when any)',
  description:
    'For uptime checkers: 200 when no job with `alert_after_seconds` has gone that long without a successful run, 503 with the list otherwise (missed, failing, paused or stuck alike). Needs the API token when one is set.',
  security: BEARER_SECURITY,
  responses: {
    200: {
      description: 'No job is stale.',
      content: { 'application/json': { schema: SchedulesHealthSchema, example: { status: 'ok', stale: [] } } },
    },
    503: {
      description:
        'Some jobs are stale: a problem (`stale_jobs`) whose `stale` member lists them (at most 1,000); or the database did not answer.',
      content: {
        [PROBLEM_CONTENT_TYPE]: {
          schema: StaleProblemSchema,
          example: {
            type: problemType('stale_jobs'),
            title: 'Stale jobs',
            status: 503,
            detail: '1 job has had no successful run for its alert_after_seconds.',
            request_id: '2f1c9a7e-5b7d-4d1a-8c0e-3e4f5a6b7c8d',
            stale: [
              {
                job_id: '0f9b7a52-3c1e-4b8e-9d59-2f4d1c7e6a10',
                name: 'nightly-backup',
                alert_after_seconds: 93600,
                last_success_at: '2025-01-02T01:00:04.000Z',
                stale_since: '2025-01-03T03:00:04.000Z',
              },
            ],
          },
        },
      },
    },
    ...problemResponses(401, 500),
  },
});

/** Resolves false when the database does not answer (or fails) within the bound. */
async function pingWithin(scheduler: Scheduler, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([scheduler.ping().catch(() => false), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** The health sub-app (mounted at the root). */
export function createHealthApp(scheduler: Scheduler): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>();

  app.openapi(healthcheck, (c) => c.json('ok' as const, 200));

  app.openapi(ready, async (c) => {
    if (!(await pingWithin(scheduler, READY_TIMEOUT_MS))) {
      throw new HttpProblem('not_ready', 'The database did not answer.');
    }
    return c.json({ status: 'ready' as const }, 200);
  });

  app.openapi(schedulesHealth, async (c) => {
    const stale = (await scheduler.staleSchedules()).map((s) => ({
      job_id: s.scheduleId,
      name: s.scheduleName,
      alert_after_seconds: s.alertAfterSeconds,
      last_success_at: s.lastSuccessAt ? s.lastSuccessAt.toISOString() : null,
      stale_since: s.staleSince.toISOString(),
    }));
    if (stale.length === 0) return c.json({ status: 'ok' as const, stale }, 200);
    const { body } = problemOf(
      'stale_jobs',
      `${stale.length} job${stale.length === 1 ? ' has' : 's have'} had no successful run for its alert_after_seconds.`,
      c.get('requestId'),
    );
    // A problem with an extension member (RFC 9457 allows them): the list of stale jobs.
    return new Response(JSON.stringify({ ...body, stale }), {
      status: 503,
      headers: { 'Content-Type': PROBLEM_CONTENT_TYPE },
    }) as never;
  });

  return app;
}
