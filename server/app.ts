/**
 * The HTTP app: request context, auth, size limit, the resource sub-apps, one error handler and one
 * validation hook. It neither listens nor reads the environment: `server/index.ts` does both.
 */
import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import { OpenAPIHono } from '@hono/zod-openapi';
import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { methodNotAllowed } from 'hono/method-not-allowed';
import type { Scheduler } from '../lib/index.ts';
import packageJson from '../package.json' with { type: 'json' };
import type { ServerConfig } from './config.ts';
import type { AppEnv } from './context.ts';
import {
  HttpProblem,
  PROBLEM_CONTENT_TYPE,
  type ProblemResponse,
  problemOf,
  toProblem,
  zodFieldErrors,
} from './errors.ts';
import { createLogger, type Logger } from './logger.ts';
import { createCronApp } from './routes/cron.ts';
import { createDocsApp } from './routes/docs.ts';
import { createHealthApp } from './routes/health.ts';
import { createJobsApp } from './routes/jobs.ts';

export interface AppOptions {
  scheduler: Scheduler;
  config: Pick<ServerConfig, 'apiToken' | 'maxBodyBytes'>;
  /** Default: a silent logger. */
  logger?: Logger;
}

/** Client-supplied request ids are kept only when short and made of safe characters. */
const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

/** Routes anyone may call, token or not: probes and the documentation. */
export function isPublicPath(path: string): boolean {
  return (
    path === '/healthcheck' ||
    path.startsWith('/health/') ||
    path === '/openapi.json' ||
    path === '/doc' ||
    path.startsWith('/doc/') ||
    path === '/docs'
  );
}

function sendProblem(problem: ProblemResponse): Response {
  return new Response(JSON.stringify(problem.body), {
    status: problem.body.status,
    headers: { 'Content-Type': PROBLEM_CONTENT_TYPE, ...problem.headers },
  });
}

/** Sets the request id and the request's logger; logs one line per request when it is answered. */
function requestContext(logger: Logger): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const incoming = c.req.header('X-Request-Id');
    const requestId = incoming && SAFE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
    const log = logger.child({ request_id: requestId });
    c.set('requestId', requestId);
    c.set('log', log);
    const started = performance.now();
    await next();
    c.res.headers.set('X-Request-Id', requestId);
    log.info(
      {
        method: c.req.method,
        path: c.req.path,
        status: c.res.status,
        duration_ms: Math.round((performance.now() - started) * 10) / 10,
      },
      'request',
    );
  };
}

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest();

/**
 * `Authorization: Bearer <token>` on every non-public route when a token is configured. Both sides
 * are hashed first so the comparison is constant-time whatever the lengths.
 */
function bearerAuth(token: string | null): MiddlewareHandler<AppEnv> {
  const expected = token === null ? null : sha256(token);
  const challenge = 'Bearer realm="pg-cron-scheduler"';
  return async (c, next) => {
    if (expected === null || isPublicPath(c.req.path)) return next();
    const match = /^Bearer +(\S+) *$/i.exec(c.req.header('Authorization') ?? '');
    if (!match) {
      throw new HttpProblem('unauthorized', 'Send Authorization: Bearer <token>.', {
        headers: { 'WWW-Authenticate': challenge },
      });
    }
    if (!timingSafeEqual(sha256(match[1]!), expected)) {
      throw new HttpProblem('unauthorized', 'The bearer token is not valid.', {
        headers: { 'WWW-Authenticate': `${challenge}, error="invalid_token"` },
      });
    }
    return next();
  };
}

/** Builds the app. Every error, from any layer, leaves as one problem+json shape. */
export function createApp({ scheduler, config, logger = createLogger('silent') }: AppOptions): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>({
    // The one validation hook: shape errors (types, required, unknown fields) are 422 like the
    // library's value errors, with the same `errors: [{ path, message }]`.
    defaultHook: (result) => {
      if (!result.success) {
        throw new HttpProblem('validation', 'The request has invalid values.', {
          errors: zodFieldErrors(result.target, result.error),
        });
      }
    },
  });

  const requestIdOf = (c: Context<AppEnv>) => c.get('requestId') ?? randomUUID();

  // Order matters: the request context wraps everything so every response carries the id; 405 is
  // decided after routing; auth comes before the body is read; the size limit before parsing.
  app.use(requestContext(logger));
  app.use(
    methodNotAllowed({
      app,
      onMethodNotAllowed: (c, methods) =>
        sendProblem(
          problemOf('method_not_allowed', `${c.req.method} is not allowed here.`, requestIdOf(c), {
            headers: { Allow: methods.join(', ') },
          }),
        ),
    }),
  );
  app.use(bearerAuth(config.apiToken));
  app.use(
    bodyLimit({
      maxSize: config.maxBodyBytes,
      onError: () => {
        throw new HttpProblem('payload_too_large', `The request body is over ${config.maxBodyBytes} bytes.`);
      },
    }),
  );

  app.openAPIRegistry.registerComponent('securitySchemes', 'bearerAuth', {
    type: 'http',
    scheme: 'bearer',
    description: 'Required only when the server runs with SCHEDULER_API_TOKEN set.',
  });

  app.route('/', createHealthApp(scheduler));
  app.route('/jobs', createJobsApp(scheduler));
  app.route('/cron', createCronApp(scheduler));
  app.route(
    '/',
    createDocsApp(() =>
      app.getOpenAPI31Document({
        openapi: '3.1.0',
        info: {
          title: 'pg-cron-scheduler',
          version: packageJson.version,
          description:
            'Cron jobs stored in PostgreSQL, fired exactly once per tick. Timestamps are ISO 8601 in UTC; errors are application/problem+json.',
        },
        tags: [
          { name: 'Jobs', description: 'Stored schedules, their runs, and the actions on them.' },
          { name: 'Cron', description: 'Check and preview cron expressions.' },
          { name: 'Health', description: 'Liveness and readiness probes (no token needed).' },
          { name: 'Documentation', description: 'This document and Swagger UI (no token needed).' },
        ],
      }),
    ),
  );

  app.notFound((c) => sendProblem(problemOf('no_route', `No route ${c.req.method} ${c.req.path}.`, requestIdOf(c))));

  app.onError((error, c) => {
    const problem = toProblem(error, requestIdOf(c));
    if (problem.unexpected) (c.get('log') ?? logger).error({ err: error }, 'request failed');
    return sendProblem(problem);
  });

  return app;
}
