/**
 * Traces with an OpenTelemetry SDK registered the way an app would (an in-memory exporter here):
 * claim spans, run spans around each handler attempt, HTTP spans, and the trace context of a manual
 * run carried from `trigger()` (or `POST /jobs/{id}/run`) through pg-boss into its handler.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { context, propagation, type SpanContext, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { createScheduler, type RunContext, type Scheduler } from '../../lib/index.ts';
import { ATTRIBUTES, CLAIM_SPAN, carrierOf, contextOf, RUN_SPAN } from '../../lib/tracing.ts';
import { createApp } from '../../server/app.ts';
import { createTestDatabase } from '../helpers/database.ts';
import { waitFor } from '../helpers/wait.ts';

const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
// What an app's SDK set-up does (NodeSDK does the same three).
trace.setGlobalTracerProvider(provider);
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
propagation.setGlobalPropagator(new W3CTraceContextPropagator());
const appTracer = trace.getTracer('the-app');

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let scheduler: Scheduler;
/** What each handler saw: its context, and the span active while it ran. */
const handled: { run: RunContext; active: SpanContext | undefined }[] = [];

before(async () => {
  db = await createTestDatabase();
  scheduler = createScheduler({ connectionString: db.url, retryLimit: 0 });
  scheduler.on('error', (error) => console.error('scheduler error:', error.message));
  await scheduler.start();
  await scheduler.work(async (run) => {
    handled.push({ run, active: trace.getActiveSpan()?.spanContext() });
    if (run.scheduleName === 'fails') throw new Error('it fails');
  });
});

after(async () => {
  await scheduler?.stop({ timeoutSeconds: 2 });
  await db?.drop();
  await provider.shutdown();
});

beforeEach(() => exporter.reset());

const spans = (name: string) => exporter.getFinishedSpans().filter((s) => s.name === name);
const runSpanOf = (runId: string) =>
  waitFor(`the run span of ${runId}`, () =>
    spans(RUN_SPAN).find((s) => s.attributes[ATTRIBUTES.runId] === runId),
  ) as Promise<ReadableSpan>;
const handledRun = (runId: string) => waitFor(`run ${runId} handled`, () => handled.find((h) => h.run.runId === runId));

describe('traces', () => {
  it('makes a manual run triggered inside a span a child of it, in the same trace', async () => {
    const schedule = await scheduler.create({ name: 'manual', cron: '0 0 1 1 *', paused: true });
    const { runId, parent } = await appTracer.startActiveSpan('app.work', async (span) => {
      const run = await scheduler.trigger(schedule.id);
      span.end();
      return { runId: run.id, parent: span.spanContext() };
    });
    const runSpan = await runSpanOf(runId);
    assert.equal(runSpan.spanContext().traceId, parent.traceId);
    assert.equal(runSpan.parentSpanContext?.spanId, parent.spanId);
    assert.equal(runSpan.kind, SpanKind.CONSUMER);
    assert.equal(runSpan.attributes[ATTRIBUTES.scheduleName], 'manual');
    assert.equal(runSpan.attributes[ATTRIBUTES.attempt], 1);
    assert.equal(runSpan.attributes[ATTRIBUTES.trigger], 'manual');
    assert.notEqual(runSpan.status.code, SpanStatusCode.ERROR);
    // The handler runs inside the run span, and its context names it, for a webhook to forward.
    const { run, active } = await handledRun(runId);
    assert.equal(active?.spanId, runSpan.spanContext().spanId);
    assert.equal(run.traceparent, `00-${parent.traceId}-${runSpan.spanContext().spanId}-01`);
  });

  it('marks a failed attempt’s span as an error', async () => {
    const schedule = await scheduler.create({ name: 'fails', cron: '0 0 1 1 *', paused: true });
    const run = await scheduler.trigger(schedule.id);
    const runSpan = await runSpanOf(run.id);
    assert.equal(runSpan.status.code, SpanStatusCode.ERROR);
    assert.equal(runSpan.status.message, 'it fails');
    assert.equal(runSpan.events[0]?.name, 'exception');
  });

  it('traces a tick: a claim span with the claimed count, and a run span of its own trace', async () => {
    await scheduler.create({ name: 'ticks', cron: '* * * * * *', maxRuns: 1 });
    const run = await waitFor('the tick handled', () => handled.find((h) => h.run.scheduleName === 'ticks'));
    const runSpan = await runSpanOf(run.run.runId);
    assert.equal(runSpan.attributes[ATTRIBUTES.trigger], 'schedule');
    assert.equal(runSpan.parentSpanContext, undefined, 'a tick starts a trace of its own');
    const claims = await waitFor('a claim that claimed the schedule', () =>
      spans(CLAIM_SPAN).filter((s) => (s.attributes[ATTRIBUTES.claimed] as number) >= 1),
    );
    assert.ok(claims.length >= 1);
    assert.equal(run.run.traceparent, carrierOf(runSpan.spanContext())?.traceparent);
  });

  it('carries an HTTP request’s trace into the run of POST /jobs/{id}/run', async () => {
    const app = createApp({ scheduler });
    const schedule = await scheduler.create({ name: 'over-http', cron: '0 0 1 1 *', paused: true });
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const res = await app.request(`/jobs/${schedule.id}/run`, {
      method: 'POST',
      headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-01` },
    });
    assert.equal(res.status, 202, await res.clone().text());
    const { id } = (await res.json()) as { id: string };
    const runSpan = await runSpanOf(id);
    const [http] = spans('HTTP POST /jobs/:id/run');
    assert.ok(http, 'the request span, named by its route');
    assert.equal(http.kind, SpanKind.SERVER);
    assert.equal(http.spanContext().traceId, traceId);
    assert.equal(http.parentSpanContext?.spanId, '00f067aa0ba902b7');
    assert.equal(http.attributes['http.route'], '/jobs/:id/run');
    assert.equal(http.attributes['http.response.status_code'], 202);
    assert.equal(runSpan.spanContext().traceId, traceId);
    assert.equal(runSpan.parentSpanContext?.spanId, http.spanContext().spanId);
  });

  it('writes and reads traceparent and tracestate as OpenTelemetry’s W3C propagator does', () => {
    const w3c = new W3CTraceContextPropagator();
    const span = appTracer.startSpan('x');
    span.end();
    const injected: Record<string, string> = {};
    w3c.inject(trace.setSpan(context.active(), span), injected, {
      set: (carrier, key, value) => Object.assign(carrier, { [key]: value }),
    });
    assert.deepEqual(carrierOf(span.spanContext()), { traceparent: injected.traceparent });
    // With a tracestate, as the propagator reads one.
    const extracted = w3c.extract(
      context.active(),
      { traceparent: injected.traceparent, tracestate: 'vendor=a,other=b' },
      { keys: (c) => Object.keys(c), get: (c, k) => (c as Record<string, string>)[k] },
    );
    const remote = trace.getSpanContext(extracted)!;
    const carried = carrierOf(remote)!;
    assert.deepEqual(carried, { traceparent: injected.traceparent, tracestate: 'vendor=a,other=b' });
    const read = trace.getSpanContext(contextOf(carried))!;
    assert.equal(read.traceId, remote.traceId);
    assert.equal(read.spanId, remote.spanId);
    assert.equal(read.traceFlags, remote.traceFlags);
    assert.equal(read.isRemote, true);
    assert.equal(read.traceState?.serialize(), 'vendor=a,other=b');
    // Job data written by other code is not trusted: anything malformed starts no trace.
    for (const traceparent of [undefined, 42, '', 'garbage', `00-${'0'.repeat(32)}-${'1'.repeat(16)}-01`]) {
      assert.equal(trace.getSpanContext(contextOf({ traceparent })), undefined, String(traceparent));
    }
  });
});
