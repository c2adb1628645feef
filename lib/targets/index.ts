/**
 * lib/targets/ owns where a fired run goes: validating and redacting targets (log, queue, webhook),
 * and delivering webhooks (Standard Webhooks signing, SSRF guard, one HTTP attempt, per-origin limiter).
 *
 * Files: target.ts validates and redacts targets; signing.ts signs and verifies; guard.ts decides
 * which URLs and addresses a webhook may reach; deliver.ts makes one attempt (the only file that
 * opens sockets); payload.ts builds the body and the request; limiter.ts bounds attempts per origin.
 * The engine (not this folder) decides when to attempt, records results and schedules retries.
 */

export type { DeliveryErrorKind, DeliveryOptions, DeliveryResult, WebhookRequest } from './deliver.ts';
export {
  classifyNetworkError,
  DELIVERY_ERROR_KINDS,
  deliverWebhook,
  MAX_RESPONSE_BODY_BYTES,
  MAX_RETRY_AFTER_MS,
  parseRetryAfter,
} from './deliver.ts';
export type {
  AddressRefusal,
  AddressRule,
  DestinationPolicy,
  DestinationResult,
  ResolvedAddress,
  WebhookResolver,
} from './guard.ts';
export {
  ADDRESS_RULES,
  ALLOW_VARIABLE,
  checkAddress,
  checkWebhookUrl,
  classifyAddress,
  DEFAULT_DESTINATION_POLICY,
  describeRefusal,
  parseAllowList,
  REFUSED_HOST_NAMES,
  resolveDestination,
  systemResolver,
} from './guard.ts';
export type { ConcurrencyLimiter } from './limiter.ts';
export { createConcurrencyLimiter, webhookLimiterKey } from './limiter.ts';
export type { WebhookPayload, WebhookPayloadInput } from './payload.ts';
export { buildWebhookPayload, buildWebhookRequest } from './payload.ts';
export type {
  VerifiedWebhook,
  VerifyWebhookOptions,
  WebhookHeaders,
  WebhookVerificationReason,
} from './signing.ts';
export {
  checkWebhookId,
  checkWebhookSecret,
  generateWebhookSecret,
  secretFingerprint,
  signWebhook,
  verifyWebhook,
  WEBHOOK_HEADERS,
  WEBHOOK_VERIFICATION_REASONS,
  WebhookVerificationError,
} from './signing.ts';
export type {
  LogTarget,
  ParseTargetOptions,
  QueueTarget,
  RedactedTarget,
  RedactedWebhookTarget,
  Target,
  TargetType,
  WebhookMethod,
  WebhookTarget,
} from './target.ts';
export {
  DEFAULT_TIMEOUT_SECONDS,
  MAX_TIMEOUT_SECONDS,
  MIN_TIMEOUT_SECONDS,
  parseTarget,
  RESERVED_HEADER_NAMES,
  redactedHeaderValue,
  redactTarget,
  TARGET_TYPES,
  WEBHOOK_METHODS,
} from './target.ts';
