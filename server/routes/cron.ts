/**
 * /cron: checks and previews any cron expression; stores nothing.
 */
import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import type { Scheduler } from '../../lib/index.ts';
import { type AppEnv, BEARER_SECURITY } from '../context.ts';
import { PreviewRequestSchema, PreviewSchema, previewExamples, problemResponses } from '../schemas.ts';

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
      content: { 'application/json': { schema: PreviewRequestSchema, examples: previewExamples } },
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
    const body = c.req.valid('json');
    const instant = (value: string | null | undefined): Date | null => (value ? new Date(value) : null);
    const preview = scheduler.preview({
      ...(body.cron !== undefined && { cron: body.cron }),
      ...(body.every !== undefined && { every: body.every }),
      ...(body.anchor_at !== undefined && { anchorAt: instant(body.anchor_at) }),
      ...(body.at !== undefined && { at: instant(body.at) }),
      ...(body.timezone !== undefined && { timezone: body.timezone }),
      ...(body.start_at !== undefined && { startAt: instant(body.start_at) }),
      ...(body.end_at !== undefined && { endAt: instant(body.end_at) }),
      ...(body.jitter_seconds !== undefined && { jitterSeconds: body.jitter_seconds }),
      ...(body.name !== undefined && { name: body.name }),
      ...(body.count !== undefined && { count: body.count }),
    });
    return c.json(
      {
        cron: preview.cron,
        every: preview.every,
        at: preview.at ? preview.at.toISOString() : null,
        timezone: preview.timezone,
        description: preview.description,
        next: preview.next.map((d) => d.toISOString()),
      },
      200,
    );
  });

  return app;
}
