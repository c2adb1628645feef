/**
 * The body of a webhook, and the delivery request made of a target and a body. Pure.
 */
import type { RunTrigger } from '../types.ts';
import type { WebhookRequest } from './deliver.ts';
import type { WebhookTarget } from './target.ts';

/**
 * The JSON body every webhook carries. Times are ISO 8601 UTC strings. Its `run_id` is also the
 * `webhook-id` header: the same for every attempt of a run, so a receiver de-duplicates on it.
 */
export interface WebhookPayload {
  /** The run's id (a UUID), stable across retries. */
  run_id: string;
  /** The job (schedule) the run belongs to. */
  job: {
    id: string;
    name: string;
  };
  /** The instant the run stands for: its cron tick, or the trigger time of a manual run. */
  scheduled_for: string;
  /** When the engine fired the run: its instant, or later when it was caught up. The same for every attempt. */
  fired_at: string;
  /** Why the run exists: `schedule`, `catch_up`, `manual` or `backfill`. */
  trigger: RunTrigger;
  /** This attempt's number, from 1. */
  attempt: number;
  /** The job's fields, as stored. */
  fields: Record<string, unknown>;
}

/** What buildWebhookPayload() needs, in the library's own terms. */
export interface WebhookPayloadInput {
  runId: string;
  job: { id: string; name: string };
  scheduledFor: Date;
  firedAt: Date;
  trigger: RunTrigger;
  attempt: number;
  fields: Record<string, unknown>;
}

/** The body of a run's webhook. */
export function buildWebhookPayload(input: WebhookPayloadInput): WebhookPayload {
  return {
    run_id: input.runId,
    job: { id: input.job.id, name: input.job.name },
    scheduled_for: input.scheduledFor.toISOString(),
    fired_at: input.firedAt.toISOString(),
    trigger: input.trigger,
    attempt: input.attempt,
    fields: input.fields,
  };
}

/** The delivery request of one attempt: the target's URL, method, headers, timeout and secret, the payload as JSON, the run id as `webhook-id`. */
export function buildWebhookRequest(target: WebhookTarget, payload: WebhookPayload): WebhookRequest {
  return {
    url: target.url,
    method: target.method,
    headers: target.headers,
    // Serialized once: these exact bytes are signed and sent.
    body: JSON.stringify(payload),
    id: payload.run_id,
    timeoutSeconds: target.timeout_seconds,
    ...(target.secret === undefined ? {} : { secret: target.secret }),
  };
}
