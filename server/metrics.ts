/**
 * What the server tells about itself: `GET /metrics` (the scheduler's Prometheus registry, text
 * format), and a middleware that times every request into `<prefix>http_request_duration_seconds`
 * and traces it as an `HTTP <method> <route>` span (a no-op unless the app registers an
 * OpenTelemetry SDK). The route label is the route's pattern (`/jobs/:id`), never the requested
 * path, so the series stay bounded whatever clients ask for.
 *
 * `/metrics` is not in the OpenAPI document: its body is Prometheus's exposition format (defined by
 * Prometheus, not by a schema of ours), it has a token of its own (SCHEDULER_METRICS_TOKEN), and it
 * is for scrapers, not for the typed client generated from the document.
 */
import { context, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { Hono, type MiddlewareHandler } from 'hono';
import { baseRoutePath, matchedRoutes } from 'hono/route';
import type { SchedulerMetrics } from '../lib/index.ts';
import type { AppEnv } from './context.ts';

/** The route label of a request that matched no route of the app (a 404, or one refused before routing). */
export const UNMATCHED_ROUTE = 'unmatched';

/** Reads incoming W3C headers (`traceparent`) with the app's propagator, when it registered one. */
const headerGetter = {
  keys: (headers: Headers) => [...headers.keys()],
  get: (headers: Headers, key: string) => headers.get(key) ?? undefined,
};

/**
 * The pattern of the route that answered, below the prefix the app is mounted under: the first
 * route matched for a method (middleware and the catch-all are registered for all methods), so a
 * request refused by a middleware (401, 415) still counts under the route it asked for.
 */
function routeOf(c: Parameters<MiddlewareHandler<AppEnv>>[0], mountPattern: string): string {
  const route = matchedRoutes(c).find((r) => r.method !== 'ALL');
  if (!route) return UNMATCHED_ROUTE;
  const path =
    mountPattern.length > 1 && route.path.startsWith(mountPattern) ? route.path.slice(mountPattern.length) : route.path;
  return path || '/';
}

/**
 * Times and traces every request. Registered right after the request context, so it sees every
 * answer (errors too: the app's error handler has answered by the time `next()` returns).
 */
export function observeRequests(metrics: SchedulerMetrics | null): MiddlewareHandler<AppEnv> {
  const tracer = trace.getTracer('pg-cron-scheduler');
  return async (c, next) => {
    const started = performance.now();
    // This middleware is a route of the app's root: its base is where the app is mounted.
    const mountPattern = baseRoutePath(c);
    const method = c.req.method;
    const parent = propagation.extract(context.active(), c.req.raw.headers, headerGetter);
    const span = tracer.startSpan(`HTTP ${method}`, { kind: SpanKind.SERVER }, parent);
    try {
      await context.with(trace.setSpan(parent, span), next);
    } finally {
      const route = routeOf(c, mountPattern);
      const status = c.res.status;
      metrics?.observeHttpRequest({ method, route, status }, (performance.now() - started) / 1000);
      if (span.isRecording()) {
        span.updateName(`HTTP ${method} ${route}`);
        span.setAttributes({
          'http.request.method': method,
          'http.route': route,
          'url.path': c.req.path,
          'http.response.status_code': status,
        });
        if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      }
      span.end();
    }
  };
}

/** `GET /metrics` (and HEAD): everything in the scheduler's registry, in Prometheus text format. */
export function createMetricsApp(metrics: SchedulerMetrics): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.get('/metrics', async (c) =>
    c.body(await metrics.text(), 200, { 'Content-Type': metrics.contentType, 'Cache-Control': 'no-store' }),
  );
  return app;
}
