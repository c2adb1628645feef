/**
 * The HTTP app: request context, Host and cross-site checks, auth, size limit, the resource
 * sub-apps, one error handler and one validation hook. It neither listens nor reads the environment
 * (`server/main.ts` does both), so a user can mount it under any prefix of their own Hono app:
 * `parent.route('/scheduler', app)`.
 */
import { randomUUID } from 'node:crypto';
import { OpenAPIHono } from '@hono/zod-openapi';
import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { methodNotAllowed } from 'hono/method-not-allowed';
import { basePath } from 'hono/route';
import type { Scheduler } from '../lib/index.ts';
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
import { createMetricsApp, observeRequests } from './metrics.ts';
import { createCronApp } from './routes/cron.ts';
import { createDocsApp } from './routes/docs.ts';
import { createHealthApp } from './routes/health.ts';
import { createJobsApp } from './routes/jobs.ts';
import { bearerAuth, crossSiteCheck, hostCheck, type SecurityConfig } from './security.ts';
import { createUiApp } from './ui/index.ts';
import { VERSION } from './version.ts';

export interface AppOptions {
  /** The scheduler the API works on; started and stopped by the caller. */
  scheduler: Scheduler;
  /**
   * - `apiToken`: when set, every route but the probes and documentation requires
   *   `Authorization: Bearer <token>` (default null: no token; put your own auth in front instead);
   *   `apiReadToken` allows GET and HEAD only. `metricsToken`: when set, `GET /metrics` takes it and
   *   no other (default null: `/metrics` takes the API's tokens).
   * - `maxBodyBytes`: the largest request body accepted (default 1 MiB).
   * - `host`, `allowedHosts`: the Host names the app answers to (DNS-rebinding protection). With
   *   neither set (an app mounted in yours, which decides what it serves), any Host is accepted;
   *   the bundled server sets them from HOST and SCHEDULER_ALLOWED_HOSTS.
   * - `allowedOrigins`: web origins allowed to change state besides the app's own (cross-site
   *   changes are refused otherwise, always).
   */
  config?: Partial<Pick<ServerConfig, 'maxBodyBytes'> & SecurityConfig>;
  /** Default: a silent logger. */
  logger?: Logger;
  /**
   * Whether to serve the API: jobs, cron, `/ui` and the documentation. Default true. False serves the
   * probes (`/healthcheck`, `/health/ready`, `/health/schedules`) and `/metrics` only, with the same
   * checks and tokens; any other path answers 404 saying so. The bundled server sets it from
   * SCHEDULER_API, for a process that only fires or only works.
   */
  api?: boolean;
}

/** The default of `AppOptions.config.maxBodyBytes`, the same as the service's own (1 MiB). */
const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

const requestIdOf = (c: Context<AppEnv>) => c.get('requestId') ?? randomUUID();

/** Client-supplied request ids are kept only when short and made of safe characters. */
const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

function sendProblem(problem: ProblemResponse): Response {
  return new Response(JSON.stringify(problem.body), {
    status: problem.body.status,
    headers: { 'Content-Type': PROBLEM_CONTENT_TYPE, ...problem.headers },
  });
}

/**
 * Sets the request id, the request's logger and the mount prefix; logs one line per request when it
 * is answered. Registered first on the app's root, so its route's base path is where the app is
 * mounted (Hono's `basePath()` also resolves a prefix with parameters to the requested path).
 */
function requestContext(logger: Logger): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const incoming = c.req.header('X-Request-Id');
    const requestId = incoming && SAFE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
    const log = logger.child({ request_id: requestId });
    c.set('requestId', requestId);
    c.set('log', log);
    c.set('mountPath', basePath(c).replace(/\/+$/, ''));
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

/** Builds the app. Every error, from any layer, leaves as one problem+json shape. */
export function createApp({
  scheduler,
  config: options,
  logger = createLogger('silent'),
  api = true,
}: AppOptions): OpenAPIHono<AppEnv> {
  const config = {
    ...options,
    apiToken: options?.apiToken ?? null,
    maxBodyBytes: options?.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
  };
  const checkHost = options?.host !== undefined || options?.allowedHosts !== undefined;
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

  // Order matters: the request context wraps everything so every response carries the id; a Host
  // nobody allowed learns nothing else, not even which routes exist; 405 is decided after routing;
  // the cross-site check and auth come before the body is read; the size limit before parsing.
  app.use(requestContext(logger));
  // Timed and traced from here on, whatever answers (a refusal, an error, the route).
  app.use(observeRequests(scheduler.metrics));
  if (checkHost) app.use(hostCheck(config));
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
  app.use(crossSiteCheck(config));
  app.use(bearerAuth(config));
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
    description:
      'Required only when the server runs with SCHEDULER_API_TOKEN set. The SCHEDULER_API_READ_TOKEN token allows GET only (other methods: 403).',
  });

  app.route('/', createHealthApp(scheduler));
  if (api) {
    app.route('/jobs', createJobsApp(scheduler));
    app.route('/cron', createCronApp(scheduler));
  }
  // Prometheus's scrape endpoint, left out of the OpenAPI document (see server/metrics.ts); absent
  // when the scheduler's metrics are off.
  if (scheduler.metrics) app.route('/', createMetricsApp(scheduler.metrics));
  if (api) registerApiPages(app, scheduler, config);
  return finish(app, api, logger);
}

/** The UI and the documentation: served only with the API. */
function registerApiPages(
  app: OpenAPIHono<AppEnv>,
  scheduler: Scheduler,
  config: { apiToken: string | null; apiReadToken?: string | null },
): void {
  app.route('/ui', createUiApp({ scheduler, apiToken: config.apiToken, apiReadToken: config.apiReadToken ?? null }));
  app.route(
    '/',
    createDocsApp(() =>
      app.getOpenAPI31Document({
        openapi: '3.1.0',
        info: {
          title: 'pg-cron-scheduler',
          version: VERSION,
          description:
            'Cron jobs stored in PostgreSQL, fired exactly once per tick. Timestamps are ISO 8601 in UTC; errors are application/problem+json. The bundled server answers 421 to a request whose Host is not an IP address, localhost, HOST or in SCHEDULER_ALLOWED_HOSTS.',
          license: { name: 'MIT', url: 'https://spdx.org/licenses/MIT.html' },
        },
        tags: [
          { name: 'Jobs', description: 'Stored schedules, their runs, and the actions on them.' },
          { name: 'Cron', description: 'Check and preview cron expressions.' },
          { name: 'Health', description: 'Liveness and readiness probes (no token needed).' },
          { name: 'Documentation', description: 'This document, Swagger UI and ReDoc (no token needed).' },
        ],
      }),
    ),
  );
}

/** The catch-all route and the one error handler, registered last. */
function finish(app: OpenAPIHono<AppEnv>, api: boolean, logger: Logger): OpenAPIHono<AppEnv> {
  // Said in the 404, so that a request sent to the wrong process (a load balancer's mistake) says why.
  const apiOff = api ? '' : ' This process serves only the probes and /metrics: its API is off.';
  // A route rather than app.notFound(): a mounted app's notFound is never called (the parent's is),
  // and unknown paths under the prefix should answer in the API's own problem shape too.
  app.all('*', (c) =>
    sendProblem(problemOf('no_route', `No route ${c.req.method} ${c.req.path}.${apiOff}`, requestIdOf(c))),
  );

  app.onError((error, c) => {
    const problem = toProblem(error, requestIdOf(c));
    if (problem.unexpected) (c.get('log') ?? logger).error({ err: error }, 'request failed');
    return sendProblem(problem);
  });

  return app;
}
