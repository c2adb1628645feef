/**
 * The one interface every kind of schedule answers (cron, interval, one-off), and the two wrappers
 * any kind may have: jitter (a deterministic delay per tick) and a window (`start_at`, `end_at`).
 * The ticker, the planner, backfills and previews only ever hold a Trigger.
 *
 * Instants are whole seconds. Ranges are inclusive at both ends.
 */

export interface Trigger {
  /** The first occurrence strictly after `after`, or null when there is none. */
  next(after: Date): Date | null;
  /** The last occurrence strictly before `before`, or null when there is none. */
  previous(before: Date): Date | null;
  /** How many occurrences fall in `[from, to]`, or `cap` when there are more. */
  count(from: Date, to: Date, cap?: number): number;
  /** The first `limit` occurrences in `[from, to]`, ascending. */
  occurrences(from: Date, to: Date, limit: number): Date[];
  /** The last `limit` occurrences in `[from, to]`, ascending. */
  latest(from: Date, to: Date, limit: number): Date[];
  /** The shortest time between two consecutive occurrences, in seconds (null: at most one occurrence; a cron's is estimated from its next ones). */
  shortestGapSeconds(): number | null;
  /** A human-readable description, e.g. `Every 15 minutes` or `At 09:00, Monday through Friday`. */
  describe(): string;
}

const SECOND = 1000;

/**
 * The jitter of one tick, in whole seconds from 0 to `jitterSeconds - 1`: FNV-1a over the schedule's
 * name and the tick's instant. The same on every instance and at every restart, so the jittered
 * instant is as much a fact of the schedule as the tick itself (it is the run's `scheduledFor`, the
 * exactly-once key). Over many schedules or ticks it spreads evenly across the jitter window.
 */
export function jitterOf(seed: string, tick: Date, jitterSeconds: number): number {
  if (jitterSeconds <= 1) return 0;
  let h = 0x811c9dc5;
  const text = `${seed}\u0000${Math.floor(tick.getTime() / SECOND)}`;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  // A final avalanche, so seeds that differ in one character do not land next to each other.
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h ^= h >>> 13;
  return (h >>> 0) % jitterSeconds;
}

/**
 * Each tick of `inner` delayed by its jitter. Ticks keep their order as long as the jitter is no
 * longer than the shortest gap between ticks (checked when a schedule is saved); the answers below
 * stay exact for any jitter, only their cost grows with the ticks inside one jitter window.
 */
export function withJitter(inner: Trigger, seed: string, jitterSeconds: number): Trigger {
  if (jitterSeconds <= 1) return inner;
  const span = jitterSeconds * SECOND;
  const shifted = (t: Date) => new Date(t.getTime() + jitterOf(seed, t, jitterSeconds) * SECOND);
  /** Jittered instants of the ticks in `[from, to]`, capped, ascending by tick. */
  const shiftedIn = (from: Date, to: Date, limit: number) => inner.occurrences(from, to, limit).map(shifted);
  const trigger: Trigger = {
    next(after) {
      // A tick a whole jitter window or more before `after` cannot land after it; a tick at or
      // after the best landing found cannot land before it (jitter only delays).
      let best: Date | null = null;
      for (let tick = inner.next(new Date(after.getTime() - span)); tick !== null; tick = inner.next(tick)) {
        if (best !== null && tick >= best) break;
        const at = shifted(tick);
        if (at > after && (best === null || at < best)) best = at;
      }
      return best;
    },
    previous(before) {
      // Only ticks before `before` can land before it; one a whole window before the best landing
      // found cannot land after it.
      let best: Date | null = null;
      for (let tick = inner.previous(before); tick !== null; tick = inner.previous(tick)) {
        if (best !== null && tick.getTime() + span <= best.getTime()) break;
        const at = shifted(tick);
        if (at < before && (best === null || at > best)) best = at;
      }
      return best;
    },
    count(from, to, cap = Number.MAX_SAFE_INTEGER) {
      // Ticks in [from, to] land in [from, to + span): take away those that land after `to`, and
      // add those from the window before `from` that land in it.
      const edge = Math.max(from.getTime(), to.getTime() - span + SECOND);
      const late = shiftedIn(new Date(edge), to, Number.MAX_SAFE_INTEGER).filter((at) => at > to).length;
      const early = shiftedIn(
        new Date(from.getTime() - span),
        new Date(from.getTime() - SECOND),
        Number.MAX_SAFE_INTEGER,
      ).filter((at) => at >= from && at <= to).length;
      return Math.min(cap, inner.count(from, to) - late + early);
    },
    occurrences(from, to, limit) {
      const out: Date[] = [];
      let at = trigger.next(new Date(from.getTime() - SECOND));
      while (at !== null && at <= to && out.length < limit) {
        out.push(at);
        at = trigger.next(at);
      }
      return out;
    },
    latest(from, to, limit) {
      const out: Date[] = [];
      let at = trigger.previous(new Date(to.getTime() + SECOND));
      while (at !== null && at >= from && out.length < limit) {
        out.push(at);
        at = trigger.previous(at);
      }
      return out.reverse();
    },
    shortestGapSeconds: () => inner.shortestGapSeconds(),
    describe: () => `${inner.describe()}, each run delayed by 0-${jitterSeconds - 1} s of jitter`,
  };
  return trigger;
}

/** `inner`, firing only inside `[startAt, endAt]` (either end may be open). */
export function withWindow(inner: Trigger, startAt: Date | null, endAt: Date | null): Trigger {
  if (startAt === null && endAt === null) return inner;
  const lo = startAt ? Math.ceil(startAt.getTime() / SECOND) * SECOND : Number.NEGATIVE_INFINITY;
  const hi = endAt ? Math.floor(endAt.getTime() / SECOND) * SECOND : Number.POSITIVE_INFINITY;
  const clip = (from: Date, to: Date): [Date, Date] | null => {
    const a = Math.max(from.getTime(), lo);
    const b = Math.min(to.getTime(), hi);
    return a <= b ? [new Date(a), new Date(b)] : null;
  };
  const within = (t: Date | null) => (t !== null && t.getTime() >= lo && t.getTime() <= hi ? t : null);
  return {
    next: (after) => within(inner.next(new Date(Math.max(after.getTime(), lo - SECOND)))),
    previous: (before) => within(inner.previous(new Date(Math.min(before.getTime(), hi + SECOND)))),
    count: (from, to, cap) => {
      const range = clip(from, to);
      return range ? inner.count(range[0], range[1], cap) : 0;
    },
    occurrences: (from, to, limit) => {
      const range = clip(from, to);
      return range ? inner.occurrences(range[0], range[1], limit) : [];
    },
    latest: (from, to, limit) => {
      const range = clip(from, to);
      return range ? inner.latest(range[0], range[1], limit) : [];
    },
    shortestGapSeconds: () => inner.shortestGapSeconds(),
    describe: () => {
      const iso = (t: number) => new Date(t).toISOString().replace('.000Z', 'Z');
      const parts = [inner.describe()];
      if (startAt) parts.push(`from ${iso(lo)}`);
      if (endAt) parts.push(`until ${iso(hi)}`);
      return parts.join(', ');
    },
  };
}
