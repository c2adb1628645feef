/**
 * Webhook runs as the engine's workers deliver them: the payload of a run, signed with its
 * target's secret (or the scheduler's default), sent through a per-destination limiter so that a
 * slow or dead endpoint holds only a bounded number of worker slots, and the outcome as a
 * DeliveryRecord for the run history. A failed attempt throws DeliveryFailedError, which the worker
 * records (with the answer) and retries by the run's policy.
 */
import type { SchedulerConfig } from '../config.ts';
import type { DeliveryRecord, RunContext } from '../types.ts';
import { type DeliveryResult, deliverWebhook } from './deliver.ts';
import { createConcurrencyLimiter, webhookLimiterKey } from './limiter.ts';
import { buildWebhookPayload, buildWebhookRequest } from './payload.ts';

/** A failed webhook attempt: what it got back, and how long the receiver asked to wait. */
export class DeliveryFailedError extends Error {
  readonly delivery: DeliveryRecord;
  /** From Retry-After; null without one. */
  readonly retryAfterMs: number | null;
  constructor(delivery: DeliveryRecord, retryAfterMs: number | null) {
    super(delivery.error ?? 'webhook delivery failed');
    this.name = 'DeliveryFailedError';
    this.delivery = delivery;
    this.retryAfterMs = retryAfterMs;
  }
}

/** Delivers one attempt of a webhook run; resolves with what came back, or throws DeliveryFailedError. */
export type RunDelivery = (run: RunContext) => Promise<DeliveryRecord>;

function recordOf(result: DeliveryResult): DeliveryRecord {
  return {
    status: result.status,
    latencyMs: Math.round(result.latencyMs),
    body: result.body,
    error: result.ok ? null : `${result.error?.kind ?? 'http'}: ${result.error?.message ?? `status ${result.status}`}`,
  };
}

/**
 * The delivery of a scheduler's webhook runs. Per destination origin, `webhookConcurrency`
 * attempts run at once and as many wait; an attempt beyond that fails at once ("saturated"), so a
 * dead endpoint cannot take every worker slot while it times out.
 */
export function createRunDelivery(config: SchedulerConfig, version?: string): RunDelivery {
  const limit = config.webhookConcurrency;
  const limiter = createConcurrencyLimiter(limit);
  const options = {
    policy: config.webhookPolicy,
    ...(config.webhookResolver ? { resolver: config.webhookResolver } : {}),
    ...(version ? { version } : {}),
  };
  return async (run) => {
    const target = run.target;
    if (target.type !== 'webhook') throw new Error(`run ${run.runId} has no webhook target`);
    const key = webhookLimiterKey(target.url);
    if (limiter.active(key) >= limit && limiter.pending(key) >= limit) {
      const record: DeliveryRecord = {
        status: null,
        latencyMs: 0,
        body: '',
        error: `saturated: ${limit} deliveries to ${key} are under way and ${limit} more wait; not sent`,
      };
      throw new DeliveryFailedError(record, null);
    }
    const payload = buildWebhookPayload({
      runId: run.runId,
      job: { id: run.scheduleId, name: run.scheduleName },
      scheduledFor: run.scheduledFor,
      firedAt: run.firedAt,
      trigger: run.trigger,
      attempt: run.attempt,
      fields: run.fields,
    });
    const request = buildWebhookRequest(target, payload);
    if (request.secret === undefined && config.webhookSecret !== null) request.secret = config.webhookSecret;
    // The run's trace goes on to the receiver (W3C Trace Context), when there is one.
    if (run.traceparent) request.headers = { ...request.headers, traceparent: run.traceparent };
    const result = await limiter.run(key, () => deliverWebhook(request, options));
    const record = recordOf(result);
    if (!result.ok) throw new DeliveryFailedError(record, result.retryAfterMs);
    return record;
  };
}
