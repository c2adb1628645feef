/**
 * /cron: checks and previews any cron expression; stores nothing.
 */
import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import type { Scheduler } from '../../lib/index.ts';
import { type AppEnv, BEARER_SECURITY } from '../context.ts';
import { PreviewRequestSchema, PreviewSchema, problemResponses } from '../schemas.ts';

const previewCron = createRoute({
  method: 'post',
  path: '/preview',
  operationId: 'previewCron',
  tags: ['Cron'],
  summary: 'Describe a cron expression and list its next instants',
  security: BEARER_SECURITY,
  request: {
    body: {
      required: true,
      description: 'The expression, its zone (default UTC) and how many instants (default 5).',
      content: { 'application/json': { schema: PreviewRequestSchema } },
    },
  },
  responses: {
    200: {
      description: 'Its description and next instants.',
      content: { 'application/json': { schema: PreviewSchema } },
    },
    ...problemResponses(400, 401, 403, 413, 415, 422, 500),
  },
});

/** The /cron sub-app. */
export function createCronApp(scheduler: Scheduler): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>();

  app.openapi(previewCron, (c) => {
    const preview = scheduler.preview(c.req.valid('json'));
    return c.json(
      {
        cron: preview.cron,
        timezone: preview.timezone,
        description: preview.description,
        next: preview.next.map((d) => d.toISOString()),
      },
      200,
    );
  });

  return app;
}
