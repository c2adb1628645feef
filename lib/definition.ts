/**
 * A schedule's definition: from input (create, upsert, sync) or input merged over a stored schedule
 * (update) to the complete, validated values a row holds; whether two definitions differ; and when
 * a definition fires next. Pure: the instant is a parameter.
 */
import { checkTimezone } from './cron.ts';
import { ValidationError } from './errors.ts';
import type { ScheduleValues } from './store/store.ts';
import type { DestinationPolicy } from './targets/guard.ts';
import { parseTarget, redactTarget, type Target } from './targets/target.ts';
import {
  formatEvery,
  MAX_JITTER_SECONDS,
  parseEvery,
  type TriggerSpec,
  triggerIssues,
  triggerOf,
} from './triggers/index.ts';
import type { RunOptionOverrides, Schedule, ScheduleInput, SchedulePatch } from './types.ts';
import {
  checkBoolean,
  checkCatchUp,
  checkDate,
  checkFields,
  checkInteger,
  checkName,
  checkOverlap,
  checkQueueName,
} from './validate.ts';

/** Every field `ScheduleInput` may have. */
export const INPUT_KEYS = [
  'name',
  'cron',
  'every',
  'anchorAt',
  'at',
  'timezone',
  'fields',
  'queue',
  'paused',
  'pauseNote',
  'startAt',
  'endAt',
  'maxRuns',
  'jitterSeconds',
  'catchUp',
  'catchUpWindowSeconds',
  'overlap',
  'runOptions',
  'pauseAfterFailures',
  'target',
  'alertAfterSeconds',
] as const;

/** The keys of `runOptions`, with their bounds. */
const RUN_OPTION_BOUNDS = {
  retryLimit: [0, 1000],
  retryDelaySeconds: [0, 86_400],
  runTimeoutSeconds: [1, 86_400],
  priority: [-100, 100],
} as const;

/** The fields that decide when a schedule fires: a change of any re-arms it from now. */
const TIMING_KEYS = [
  'cron',
  'timezone',
  'everySeconds',
  'anchorAt',
  'at',
  'startAt',
  'endAt',
  'jitterSeconds',
  'maxRuns',
] as const;

export const MAX_WINDOW_SECONDS = 10 * 365 * 86400;
export const MAX_NOTE_LENGTH = 500;
/** Highest `maxRuns`. */
export const MAX_RUNS = 1_000_000_000;
/** Highest `pauseAfterFailures`. */
export const MAX_PAUSE_AFTER_FAILURES = 1000;

/** A schedule's own run settings, complete (null where absent), checked. */
function checkRunOptions(field: string, value: unknown): RunOptionOverrides {
  const out: RunOptionOverrides = {
    retryLimit: null,
    retryDelaySeconds: null,
    retryBackoff: null,
    runTimeoutSeconds: null,
    priority: null,
  };
  if (value === undefined || value === null) return out;
  checkObject(field, value);
  const given = value as Record<string, unknown>;
  collect([
    ...Object.keys(given)
      .filter((key) => !Object.hasOwn(out, key))
      .map((key) => () => {
        throw new ValidationError({ field: `${field}.${key}`, expected: 'no such field' });
      }),
    ...Object.entries(RUN_OPTION_BOUNDS).map(([key, [min, max]]) => () => {
      const v = given[key];
      if (v !== undefined && v !== null)
        (out as Record<string, unknown>)[key] = checkInteger(`${field}.${key}`, v, min, max);
    }),
    () => {
      const v = given.retryBackoff;
      if (v !== undefined && v !== null) out.retryBackoff = checkBoolean(`${field}.retryBackoff`, v);
    },
  ]);
  return out;
}

/** Runs every check, collecting all the issues instead of stopping at the first. */
export function collect(checks: (() => void)[]): void {
  const issues: ValidationError['issues'][number][] = [];
  for (const check of checks) {
    try {
      check();
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      issues.push(...error.issues);
    }
  }
  if (issues.length > 0) throw new ValidationError(issues);
}

export function checkObject(field: string, value: unknown): void {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ValidationError({ field, expected: 'an object' });
  }
}

function checkInstant(field: string, value: unknown): Date | null {
  return value === null || value === undefined ? null : checkDate(field, value);
}

function checkNote(field: string, value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value !== 'string' || value.length > MAX_NOTE_LENGTH || value.includes('\0')) {
    throw new ValidationError({ field, value, expected: `a note of at most ${MAX_NOTE_LENGTH} characters (or null)` });
  }
  return value;
}

function refuseUnknown(input: object, what: string): void {
  const unknown = Object.keys(input).filter((key) => !(INPUT_KEYS as readonly string[]).includes(key));
  if (unknown.length > 0) {
    throw new ValidationError(unknown.map((field) => ({ field: `${what}${field}`, expected: 'no such field' })));
  }
}

/** The trigger spec of complete values. */
export function specOf(v: Pick<ScheduleValues, 'name' | (typeof TIMING_KEYS)[number]>): TriggerSpec {
  return {
    cron: v.cron,
    timezone: v.timezone,
    everySeconds: v.everySeconds,
    anchorAt: v.anchorAt,
    at: v.at,
    startAt: v.startAt,
    endAt: v.endAt,
    jitterSeconds: v.jitterSeconds,
    seed: v.name,
  };
}

/**
 * Complete values from input alone (create, upsert, sync): omitted fields take their defaults.
 * Validated; throws one ValidationError with every issue, field names prefixed with `prefix`.
 */
/** What a definition's defaults and checks depend on: the scheduler's queue and webhook policy. */
export interface DefinitionContext {
  queue: string;
  policy: DestinationPolicy;
}

export function valuesFromInput(input: ScheduleInput, defaults: DefinitionContext, prefix = ''): ScheduleValues {
  checkObject(prefix ? prefix.replace(/\.$/, '') : 'input', input);
  refuseUnknown(input, prefix);
  return checked(
    {
      name: input.name,
      cron: input.cron ?? null,
      everySeconds: null,
      anchorAt: input.anchorAt ?? null,
      at: input.at ?? null,
      timezone: input.timezone ?? 'UTC',
      fields: input.fields ?? {},
      queue: input.queue ?? defaults.queue,
      paused: input.paused ?? false,
      pauseNote: input.pauseNote ?? null,
      startAt: input.startAt ?? null,
      endAt: input.endAt ?? null,
      maxRuns: input.maxRuns ?? null,
      jitterSeconds: input.jitterSeconds ?? 0,
      catchUp: input.catchUp ?? 'latest',
      catchUpWindowSeconds: input.catchUpWindowSeconds ?? null,
      overlap: input.overlap ?? 'allow',
      runOptions: input.runOptions as RunOptionOverrides,
      pauseAfterFailures: input.pauseAfterFailures ?? null,
      target: input.target as Target,
      alertAfterSeconds: input.alertAfterSeconds ?? null,
    },
    input.every,
    prefix,
    defaults.policy,
    input.queue !== undefined,
  );
}

/** Complete values of a stored schedule with `patch` applied (update). Validated like valuesFromInput. */
export function valuesFromPatch(
  current: Schedule,
  currentTarget: Target,
  patch: SchedulePatch,
  policy: DestinationPolicy,
): ScheduleValues {
  checkObject('patch', patch);
  refuseUnknown(patch, '');
  const has = (key: keyof SchedulePatch) => patch[key] !== undefined;
  // Giving one kind switches to it: the others are cleared.
  const switching = (['cron', 'every', 'at'] as const).some((key) => patch[key] !== undefined && patch[key] !== null);
  const pick = <K extends keyof SchedulePatch & keyof Schedule>(key: K) =>
    (has(key) ? patch[key] : current[key]) as Schedule[K];
  const values: Omit<ScheduleValues, 'everySeconds'> & { everySeconds: number | null } = {
    name: pick('name'),
    cron: switching ? (patch.cron ?? null) : current.cron,
    everySeconds: switching ? null : current.everySeconds,
    anchorAt: has('anchorAt') ? (patch.anchorAt ?? null) : switching && !has('every') ? null : current.anchorAt,
    at: switching ? (patch.at ?? null) : current.at,
    timezone: pick('timezone'),
    fields: pick('fields'),
    queue: pick('queue'),
    paused: pick('paused'),
    pauseNote: patch.pauseNote !== undefined ? patch.pauseNote : current.pauseNote,
    startAt: patch.startAt !== undefined ? patch.startAt : current.startAt,
    endAt: patch.endAt !== undefined ? patch.endAt : current.endAt,
    maxRuns: patch.maxRuns !== undefined ? patch.maxRuns : current.maxRuns,
    jitterSeconds: pick('jitterSeconds'),
    catchUp: pick('catchUp'),
    catchUpWindowSeconds:
      patch.catchUpWindowSeconds !== undefined ? patch.catchUpWindowSeconds : current.catchUpWindowSeconds,
    overlap: pick('overlap'),
    // A patch's runOptions change only the settings it names.
    runOptions:
      patch.runOptions === undefined
        ? current.runOptions
        : patch.runOptions === null
          ? (null as unknown as RunOptionOverrides)
          : ({ ...current.runOptions, ...patch.runOptions } as RunOptionOverrides),
    pauseAfterFailures: patch.pauseAfterFailures !== undefined ? patch.pauseAfterFailures : current.pauseAfterFailures,
    // A target is replaced whole (its secret too: send it again to keep it).
    target: patch.target !== undefined ? (patch.target as Target) : currentTarget,
    alertAfterSeconds: patch.alertAfterSeconds !== undefined ? patch.alertAfterSeconds : current.alertAfterSeconds,
  };
  return checked(
    values,
    switching ? patch.every : current.everySeconds,
    '',
    policy,
    patch.queue !== undefined || patch.target === undefined,
  );
}

/**
 * @param queueGiven whether `queue` was chosen (given in the input, or kept by a patch that leaves
 *   the target alone): a queue target must then name the same queue; otherwise it sets it.
 */
function checked(
  v: ScheduleValues,
  every: unknown,
  prefix: string,
  policy: DestinationPolicy,
  queueGiven: boolean,
): ScheduleValues {
  const f = (name: string) => `${prefix}${name}`;
  collect([
    () => {
      v.target = parseTarget(v.target, { policy });
      // A queue target is where the runs go: the schedule's queue.
      if (v.target.type === 'queue' && v.queue !== v.target.queue) {
        if (queueGiven) {
          throw new ValidationError({
            field: f('queue'),
            value: v.queue,
            expected: `the target's queue (${v.target.queue}) or nothing`,
          });
        }
        v.queue = v.target.queue;
      }
    },
    () => checkName(f('name'), v.name),
    () => {
      if (v.cron !== null && typeof v.cron !== 'string') {
        throw new ValidationError({ field: f('cron'), value: v.cron, expected: 'a cron expression (or null)' });
      }
    },
    () => {
      v.everySeconds = every === null || every === undefined ? null : parseEvery(f('every'), every);
    },
    () => {
      v.anchorAt = checkInstant(f('anchorAt'), v.anchorAt);
    },
    () => {
      v.at = checkInstant(f('at'), v.at);
    },
    () => {
      v.startAt = checkInstant(f('startAt'), v.startAt);
    },
    () => {
      v.endAt = checkInstant(f('endAt'), v.endAt);
    },
    () => {
      v.timezone = checkTimezone(f('timezone'), v.timezone);
    },
    () => checkFields(f('fields'), v.fields),
    () => checkQueueName(f('queue'), v.queue),
    () => checkBoolean(f('paused'), v.paused),
    () => {
      v.pauseNote = checkNote(f('pauseNote'), v.pauseNote);
    },
    () => {
      if (v.maxRuns !== null) checkInteger(f('maxRuns'), v.maxRuns, 1, MAX_RUNS);
    },
    () => checkInteger(f('jitterSeconds'), v.jitterSeconds, 0, MAX_JITTER_SECONDS),
    () => checkCatchUp(f('catchUp'), v.catchUp),
    () => {
      if (v.catchUpWindowSeconds !== null) {
        checkInteger(f('catchUpWindowSeconds'), v.catchUpWindowSeconds, 1, MAX_WINDOW_SECONDS);
      }
    },
    () => checkOverlap(f('overlap'), v.overlap),
    () => {
      v.runOptions = checkRunOptions(f('runOptions'), v.runOptions);
    },
    () => {
      if (v.alertAfterSeconds !== null)
        checkInteger(f('alertAfterSeconds'), v.alertAfterSeconds, 1, MAX_WINDOW_SECONDS);
    },
    () => {
      if (v.pauseAfterFailures !== null) {
        checkInteger(f('pauseAfterFailures'), v.pauseAfterFailures, 1, MAX_PAUSE_AFTER_FAILURES);
      }
    },
  ]);
  // The trigger as a whole, once each part is valid: one kind, a window, jitter that keeps order.
  const issues = triggerIssues(specOf(v), {
    cron: f('cron'),
    every: f('every'),
    at: f('at'),
    anchorAt: f('anchorAt'),
    endAt: f('endAt'),
    jitterSeconds: f('jitterSeconds'),
  });
  if (issues.length === 0) {
    try {
      triggerOf(specOf(v));
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      issues.push(...error.issues.map((issue) => ({ ...issue, field: `${prefix}${issue.field}` })));
    }
  }
  if (issues.length > 0) throw new ValidationError(issues);
  return v;
}

/** The canonical text of a stored interval. */
export function everyText(seconds: number | null): string | null {
  return seconds === null ? null : formatEvery(seconds);
}

/** True when nothing that decides when it fires differs. */
export function sameTiming(a: ScheduleValues | Schedule, b: ScheduleValues | Schedule): boolean {
  return TIMING_KEYS.every((key) => same(a[key], b[key])) && (a.jitterSeconds <= 1 || a.name === b.name);
}

/** True when a stored schedule already holds exactly these values (an upsert or sync need write nothing). */
export function sameDefinition(stored: Schedule, v: ScheduleValues): boolean {
  return (
    stored.name === v.name &&
    sameTiming(stored, v) &&
    stored.queue === v.queue &&
    stored.paused === v.paused &&
    stored.pauseNote === v.pauseNote &&
    stored.catchUp === v.catchUp &&
    stored.catchUpWindowSeconds === v.catchUpWindowSeconds &&
    stored.overlap === v.overlap &&
    stored.pauseAfterFailures === v.pauseAfterFailures &&
    stored.alertAfterSeconds === v.alertAfterSeconds &&
    same(stored.runOptions, v.runOptions) &&
    // Redacted on both sides: secrets compare by their fingerprints.
    same(stored.target, redactTarget(v.target)) &&
    same(stored.fields, v.fields)
  );
}

function same(a: unknown, b: unknown): boolean {
  if (a instanceof Date || b instanceof Date) {
    return a instanceof Date && b instanceof Date && a.getTime() === b.getTime();
  }
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a as object);
  const kb = Object.keys(b as object);
  if (ka.length !== kb.length) return false;
  // Key order does not matter: jsonb does not keep it.
  return ka.every((k) => Object.hasOwn(b as object, k) && same((a as never)[k], (b as never)[k]));
}

/**
 * When a definition fires next, counted from `now`, and whether it is completed: it can never
 * fire again (its trigger has no further instant, or `maxRuns` runs were fired).
 */
export function armAt(
  v: ScheduleValues,
  firedCount: number,
  now: Date,
): { nextRunAt: Date | null; completed: boolean } {
  if (v.maxRuns !== null && firedCount >= v.maxRuns) return { nextRunAt: null, completed: true };
  const next = triggerOf(specOf(v)).next(now);
  if (next === null) return { nextRunAt: null, completed: true };
  return { nextRunAt: v.paused ? null : next, completed: false };
}
