/**
 * The library's public surface (the package's main entry, `pg-cron-scheduler`). Everything a user
 * (or the bundled server) needs is exported here; nothing else in lib/ is part of the API. The
 * embedded PostgreSQL launcher is an entry of its own (`pg-cron-scheduler/embedded`), so importing
 * the library never loads it.
 */
export type { MetricsOptions, SchedulerOptions } from './config.ts';
export { describeCron } from './cron.ts';
export type { ErrorCode, FieldIssue } from './errors.ts';
export {
  ConflictError,
  ERROR_CODES,
  NotFoundError,
  NotStartedError,
  PoolerError,
  PreconditionFailedError,
  SchedulerError,
  ValidationError,
} from './errors.ts';
export { createScheduler } from './scheduler.ts';
// Webhook targets (issue 14): what a receiver needs to verify deliveries, and the body they carry.
export type {
  VerifiedWebhook,
  VerifyWebhookOptions,
  WebhookHeaders,
  WebhookPayload,
  WebhookVerificationReason,
} from './targets/index.ts';
export {
  generateWebhookSecret,
  secretFingerprint,
  signWebhook,
  verifyWebhook,
  WEBHOOK_VERIFICATION_REASONS,
  WebhookVerificationError,
} from './targets/index.ts';
export { DeliveryFailedError } from './targets/run.ts';
export type { RedactedTarget, Target } from './targets/target.ts';
export { TARGET_TYPES } from './targets/target.ts';
export { jitterOf } from './triggers/index.ts';
export type {
  AttemptOutcome,
  AttemptRecord,
  BackfillInput,
  BackfillResult,
  CatchUpPolicy,
  CronPreview,
  DeliveryRecord,
  ListRunsOptions,
  ListSchedulesOptions,
  OverlapPolicy,
  Page,
  PreviewInput,
  Run,
  RunContext,
  RunHandler,
  RunJobData,
  RunOptionOverrides,
  RunOptions,
  RunStatus,
  RunTrigger,
  Schedule,
  ScheduleInput,
  SchedulePatch,
  SchedulePreview,
  Scheduler,
  SchedulerEvents,
  SchedulerMetrics,
  ScheduleState,
  StaleSchedule,
  SyncOptions,
  SyncRemoval,
  SyncResult,
  UpsertResult,
  WorkOptions,
  WriteConditions,
} from './types.ts';
export {
  ATTEMPT_OUTCOMES,
  CATCH_UP_POLICIES,
  OVERLAP_POLICIES,
  RUN_STATUSES,
  RUN_TRIGGERS,
  SCHEDULE_STATES,
  SYNC_REMOVALS,
} from './types.ts';
export { MAX_FIELDS_BYTES, NAME_EXPECTED, NAME_PATTERN } from './validate.ts';
