/**
 * OpenTelemetry traces, through `@opentelemetry/api` only: every call here is a no-op (a
 * non-recording span, no allocation worth measuring) until the application registers an SDK. The
 * library configures nothing; an app that registers a tracer provider and a context manager gets
 * `pg-cron-scheduler.claim` and `pg-cron-scheduler.run` spans.
 *
 * A run carries its trigger's trace context to whichever process handles it, in its pg-boss job data,
 * as W3C Trace Context (`traceparent`, `tracestate`). The format is written here, not through the
 * app's global propagator: the job data must hold W3C headers whatever propagator the app chose (B3,
 * none), and a plain pg-boss consumer must be able to read them. test/integration/traces.test.ts
 * checks the format against OpenTelemetry's own W3CTraceContextPropagator.
 */
import {
  type Context,
  context,
  createTraceState,
  INVALID_SPAN_CONTEXT,
  isSpanContextValid,
  type Span,
  type SpanContext,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  trace,
} from '@opentelemetry/api';

/** The instrumentation scope of every span of the library. */
export const TRACER_NAME = 'pg-cron-scheduler';

/** Span names: one claim batch of the ticker; one attempt of a run's handler. */
export const CLAIM_SPAN = 'pg-cron-scheduler.claim';
export const RUN_SPAN = 'pg-cron-scheduler.run';

/** Attribute names of the spans (lower case, dot-separated, as OpenTelemetry's conventions have them). */
export const ATTRIBUTES = Object.freeze({
  claimed: 'pg_cron_scheduler.claim.schedules',
  runId: 'pg_cron_scheduler.run.id',
  scheduleName: 'pg_cron_scheduler.schedule.name',
  attempt: 'pg_cron_scheduler.run.attempt',
  trigger: 'pg_cron_scheduler.run.trigger',
  queue: 'pg_cron_scheduler.run.queue',
});

/**
 * The library's tracer. The global API hands out a proxy that finds the app's provider when there
 * is one (also one registered after this module loaded), and the no-op tracer otherwise.
 */
export function tracer(): Tracer {
  return trace.getTracer(TRACER_NAME);
}

/** A run's trace context as it travels in job data. */
export interface TraceCarrier {
  traceparent: string;
  tracestate?: string;
}

/** `traceparent`: version 00, a 32-hex trace id, a 16-hex parent id, 2-hex flags (W3C Trace Context, level 1). */
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** The W3C headers of a span context, or undefined when it is not valid (no active span). */
export function carrierOf(spanContext: SpanContext): TraceCarrier | undefined {
  // The no-op tracer's spans (no SDK, no trace going on) all share this one: no ids to check (the
  // check tests two regular expressions, per run).
  if (spanContext === INVALID_SPAN_CONTEXT || !isSpanContextValid(spanContext)) return undefined;
  const flags = (spanContext.traceFlags & 0xff).toString(16).padStart(2, '0');
  const traceparent = `00-${spanContext.traceId}-${spanContext.spanId}-${flags}`;
  const tracestate = spanContext.traceState?.serialize();
  return tracestate ? { traceparent, tracestate } : { traceparent };
}

/** The trace context active where this is called (a request handler's span, the app's own span), if any. */
export function activeCarrier(): TraceCarrier | undefined {
  const span = trace.getSpan(context.active());
  return span ? carrierOf(span.spanContext()) : undefined;
}

/**
 * The active context with the (remote) span a carrier names as its span; the active context as it
 * is when the carrier is absent or malformed (job data written by other code is not trusted).
 */
export function contextOf(carrier: { traceparent?: unknown; tracestate?: unknown } | undefined): Context {
  const base = context.active();
  const match = typeof carrier?.traceparent === 'string' ? TRACEPARENT.exec(carrier.traceparent) : null;
  if (!match) return base;
  const spanContext: SpanContext = {
    traceId: match[1]!,
    spanId: match[2]!,
    traceFlags: Number.parseInt(match[3]!, 16),
    isRemote: true,
  };
  if (!isSpanContextValid(spanContext)) return base;
  if (typeof carrier?.tracestate === 'string' && carrier.tracestate.length <= 512) {
    spanContext.traceState = createTraceState(carrier.tracestate);
  }
  return trace.setSpanContext(base, spanContext);
}

/** What the run span says of its attempt. */
export interface RunSpanInfo {
  runId: string;
  scheduleName: string;
  attempt: number;
  trigger: string;
  queue: string;
}

/** A started run span and the context to run the handler in (the span active). */
export interface RunSpan {
  span: Span;
  context: Context;
}

/** Starts the span of one handler attempt, a child of `parent` (the trigger's context) when given. */
export function startRunSpan(info: RunSpanInfo, parent: Context | undefined): RunSpan {
  const base = parent ?? context.active();
  const span = tracer().startSpan(RUN_SPAN, { kind: SpanKind.CONSUMER }, base);
  if (span.isRecording()) {
    span.setAttributes({
      [ATTRIBUTES.runId]: info.runId,
      [ATTRIBUTES.scheduleName]: info.scheduleName,
      [ATTRIBUTES.attempt]: info.attempt,
      [ATTRIBUTES.trigger]: info.trigger,
      [ATTRIBUTES.queue]: info.queue,
    });
  }
  // With no SDK and no parent the span is a no-op: the handler runs in the context it would anyway.
  return { span, context: span.isRecording() || parent ? trace.setSpan(base, span) : base };
}

/** Ends a span: OK, or ERROR with the error recorded. */
export function endSpan(span: Span, error?: Error): void {
  if (error) {
    span.recordException(error);
    span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
  }
  span.end();
}

/** Runs `fn` (with `arg`, when given) with `ctx` active, so spans the handler starts are children of the run span. */
export function withContext<T>(ctx: Context, fn: () => T): T;
export function withContext<A, T>(ctx: Context, fn: (arg: A) => T, arg: A): T;
export function withContext<A, T>(ctx: Context, fn: (arg?: A) => T, arg?: A): T {
  return context.with(ctx, fn, undefined, arg);
}

/** Starts a claim batch's span; its claimed count is set when known. */
export function startClaimSpan(): RunSpan {
  const span = tracer().startSpan(CLAIM_SPAN, { kind: SpanKind.INTERNAL });
  return { span, context: span.isRecording() ? trace.setSpan(context.active(), span) : context.active() };
}
