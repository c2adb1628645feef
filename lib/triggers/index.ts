/**
 * Triggers: every kind of schedule (cron, interval, one-off) behind one interface, with a window
 * and jitter on top. Owns the occurrence maths; nothing here reads the clock or the database.
 */
import { cronTrigger, parseCron } from '../cron.ts';
import { ValidationError } from '../errors.ts';
import { intervalTrigger, onceTrigger } from './kinds.ts';
import { type Trigger, withJitter, withWindow } from './trigger.ts';

export { EVERY_EXPECTED, formatEvery, MAX_EVERY_SECONDS, parseEvery } from './kinds.ts';
export { jitterOf, type Trigger } from './trigger.ts';

/** Longest jitter accepted, in seconds (a day). */
export const MAX_JITTER_SECONDS = 86_400;

/** What decides when a schedule fires: exactly one of `cron`, `everySeconds` and `at`, and the rest. */
export interface TriggerSpec {
  cron: string | null;
  timezone: string;
  everySeconds: number | null;
  anchorAt: Date | null;
  at: Date | null;
  startAt: Date | null;
  endAt: Date | null;
  jitterSeconds: number;
  /** What the jitter is derived from: the schedule's name. */
  seed: string;
}

const cache = new Map<string, Trigger>();
const CACHE_LIMIT = 10_000;

function keyOf(s: TriggerSpec): string {
  return [
    s.cron,
    s.timezone,
    s.everySeconds,
    s.anchorAt?.getTime(),
    s.at?.getTime(),
    s.startAt?.getTime(),
    s.endAt?.getTime(),
    s.jitterSeconds,
    s.jitterSeconds > 1 ? s.seed : '',
  ].join('\u0000');
}

/**
 * The trigger of a schedule. Kept in a bounded cache: the ticker asks for the same schedules'
 * triggers tick after tick.
 *
 * @throws ValidationError on `cron` or `timezone` when the cron expression does not parse
 */
export function triggerOf(spec: TriggerSpec): Trigger {
  const key = keyOf(spec);
  const hit = cache.get(key);
  if (hit) return hit;
  let base: Trigger;
  if (spec.cron !== null) base = cronTrigger(parseCron(spec.cron, spec.timezone));
  else if (spec.everySeconds !== null) base = intervalTrigger(spec.everySeconds, spec.anchorAt);
  else if (spec.at !== null) base = onceTrigger(spec.at);
  else throw new ValidationError({ field: 'cron', expected: 'one of cron, every or at' });
  const trigger = withWindow(withJitter(base, spec.seed, spec.jitterSeconds), spec.startAt, spec.endAt);
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
  cache.set(key, trigger);
  return trigger;
}

/**
 * Checks that a spec can fire as intended, reporting every issue with its field (in `prefix`
 * form): exactly one kind, a window that is not empty, and jitter no longer than the shortest gap
 * between ticks (so jittered ticks keep their order).
 */
export function triggerIssues(
  spec: TriggerSpec,
  names: Record<'cron' | 'every' | 'at' | 'endAt' | 'jitterSeconds' | 'anchorAt', string>,
) {
  const issues: { field: string; value?: unknown; expected: string }[] = [];
  const kinds = [spec.cron, spec.everySeconds, spec.at].filter((v) => v !== null).length;
  if (kinds !== 1) {
    issues.push({
      field: `${names.cron}`,
      expected: `exactly one of ${names.cron}, ${names.every} and ${names.at}${kinds === 0 ? '' : `; got ${kinds}`}`,
    });
    return issues;
  }
  if (spec.anchorAt !== null && spec.everySeconds === null) {
    issues.push({ field: names.anchorAt, expected: `only with ${names.every}` });
  }
  if (spec.startAt !== null && spec.endAt !== null && spec.endAt < spec.startAt) {
    issues.push({ field: names.endAt, value: spec.endAt.toISOString(), expected: 'an instant at or after start_at' });
  }
  if (spec.jitterSeconds > 1) {
    let gap: number | null = null;
    try {
      gap = triggerOf({ ...spec, jitterSeconds: 0, startAt: null, endAt: null }).shortestGapSeconds();
    } catch {
      // The kind's own check reports it.
    }
    if (gap !== null && spec.jitterSeconds > gap) {
      issues.push({
        field: names.jitterSeconds,
        value: spec.jitterSeconds,
        expected: `at most ${gap} (the shortest time between two ticks, in seconds), so that ticks keep their order`,
      });
    }
  }
  return issues;
}
