/**
 * The two trigger kinds besides cron: a fixed interval from an anchor instant, and a one-off
 * instant. Pure arithmetic on whole seconds: interval instants are `anchor + k * every` for every
 * integer k, so every instance, every restart and every reader agrees on them (no drift, no state).
 * Intervals are elapsed time: `6h` is 21,600 s through daylight-saving changes too.
 */
import { ValidationError } from '../errors.ts';
import type { Trigger } from './trigger.ts';

const SECOND = 1000;

/** Shortest interval accepted, in seconds. */
export const MIN_EVERY_SECONDS = 1;
/** Longest interval accepted: a year. */
export const MAX_EVERY_SECONDS = 366 * 86_400;

const UNIT_SECONDS: Record<string, number> = { d: 86_400, h: 3600, m: 60, s: 1 };
export const EVERY_EXPECTED =
  'an interval such as 90s, 15m, 6h, 1d or 1h30m (whole numbers with units d, h, m, s, largest first), from 1s to 366d';

/**
 * Parses an interval: one or more `<n><unit>` parts, units `d`, `h`, `m`, `s` in that order, each at
 * most once (`1h30m`, `90s`). A plain number of seconds is accepted as well.
 *
 * @throws ValidationError on `field`
 */
export function parseEvery(field: string, value: unknown): number {
  let seconds: number | null = null;
  if (typeof value === 'number' && Number.isInteger(value)) seconds = value;
  else if (typeof value === 'string' && value.length <= 32) {
    const match = /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(value.trim().toLowerCase());
    if (match?.slice(1).some((part) => part !== undefined)) {
      seconds = ['d', 'h', 'm', 's'].reduce((sum, unit, i) => sum + Number(match[i + 1] ?? 0) * UNIT_SECONDS[unit]!, 0);
    }
  }
  if (seconds === null || seconds < MIN_EVERY_SECONDS || seconds > MAX_EVERY_SECONDS) {
    throw new ValidationError({ field, value, expected: EVERY_EXPECTED });
  }
  return seconds;
}

/** The canonical text of an interval: `5400` -> `1h30m`. */
export function formatEvery(seconds: number): string {
  let rest = seconds;
  let out = '';
  for (const unit of ['d', 'h', 'm', 's']) {
    const size = UNIT_SECONDS[unit]!;
    const n = Math.floor(rest / size);
    if (n > 0) out += `${n}${unit}`;
    rest -= n * size;
  }
  return out || '0s';
}

function plural(n: number, unit: string): string {
  return n === 1 ? unit : `${n} ${unit}s`;
}

/** `Every 15 minutes`, `Every 1h30m`, `Every second`. */
export function describeEvery(seconds: number): string {
  for (const [unit, size] of [
    ['day', 86_400],
    ['hour', 3600],
    ['minute', 60],
    ['second', 1],
  ] as const) {
    if (seconds % size === 0) return `Every ${plural(seconds / size, unit)}`;
  }
  return `Every ${formatEvery(seconds)}`;
}

/**
 * Instants `anchor + k * every` (whole seconds). The anchor sets the phase; with the default anchor
 * (the Unix epoch) a `15m` interval fires at :00, :15, :30 and :45 of every hour (UTC).
 */
export function intervalTrigger(everySeconds: number, anchor: Date | null): Trigger {
  const step = everySeconds;
  const base = Math.floor((anchor?.getTime() ?? 0) / SECOND);
  const at = (k: number) => new Date((base + k * step) * SECOND);
  /** The smallest k whose instant is at or after t (ms). */
  const firstAtOrAfter = (t: number) => Math.ceil((Math.ceil(t / SECOND) - base) / step);
  /** The largest k whose instant is at or before t (ms). */
  const lastAtOrBefore = (t: number) => Math.floor((Math.floor(t / SECOND) - base) / step);
  return {
    next: (after) => at(lastAtOrBefore(after.getTime()) + 1),
    previous: (before) => at(firstAtOrAfter(before.getTime()) - 1),
    count: (from, to, cap = Number.MAX_SAFE_INTEGER) =>
      Math.min(cap, Math.max(0, lastAtOrBefore(to.getTime()) - firstAtOrAfter(from.getTime()) + 1)),
    occurrences: (from, to, limit) => {
      const out: Date[] = [];
      const last = lastAtOrBefore(to.getTime());
      for (let k = firstAtOrAfter(from.getTime()); k <= last && out.length < limit; k++) out.push(at(k));
      return out;
    },
    latest: (from, to, limit) => {
      const out: Date[] = [];
      const first = firstAtOrAfter(from.getTime());
      for (let k = lastAtOrBefore(to.getTime()); k >= first && out.length < limit; k--) out.push(at(k));
      return out.reverse();
    },
    shortestGapSeconds: () => step,
    describe: () => describeEvery(step),
  };
}

/** A single instant (whole seconds: a fraction is dropped). */
export function onceTrigger(instant: Date): Trigger {
  const t = Math.floor(instant.getTime() / SECOND) * SECOND;
  const only = () => new Date(t);
  const inside = (from: Date, to: Date) => from.getTime() <= t && t <= to.getTime();
  return {
    next: (after) => (t > after.getTime() ? only() : null),
    previous: (before) => (t < before.getTime() ? only() : null),
    count: (from, to, cap = Number.MAX_SAFE_INTEGER) => Math.min(cap, inside(from, to) ? 1 : 0),
    occurrences: (from, to, limit) => (limit > 0 && inside(from, to) ? [only()] : []),
    latest: (from, to, limit) => (limit > 0 && inside(from, to) ? [only()] : []),
    shortestGapSeconds: () => null,
    describe: () => `Once, at ${only().toISOString().replace('.000Z', 'Z')}`,
  };
}
