/**
 * Health: liveness (`/healthcheck`, as the original service had it) and readiness (`/health/ready`).
 * Neither needs the API token, so load balancers and orchestrators can probe them.
 */
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { Scheduler } from '../../lib/index.ts';
import type { AppEnv } from '../context.ts';
import { HttpProblem } from '../errors.ts';
import { problemResponses, ReadySchema } from '../schemas.ts';

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

  return app;
}
