/**
 * Pure tick planning: given a claimed schedule and the database's "now", decide which ticks fire,
 * which are recorded as skipped or missed, and the schedule's new next_run_at. No I/O, no clock:
 * tested with fixed instants.
 */
import type { Trigger } from './triggers/index.ts';
import type { CatchUpPolicy, OverlapPolicy, RunTrigger } from './types.ts';

/** What the planner needs of a claimed schedule. */
export interface DueSchedule {
  trigger: Trigger;
  /** The first tick not yet handled: an occurrence at or before `now`. */
  nextRunAt: Date;
  catchUp: CatchUpPolicy;
  catchUpWindowSeconds: number | null;
  overlap: OverlapPolicy;
  /** The schedule's previous run is still queued or active in pg-boss. */
  previousActive: boolean;
  /** Runs it may still fire for its ticks (`maxRuns` less those fired); null: no limit. */
  runsLeft: number | null;
  /** Overlap `buffer_one`: its tick at `nextRunAt` has been waiting for the previous run to end. */
  buffered?: boolean;
}

export interface PlanLimits {
  /** Ticks later than this when seen are missed. */
  misfireGraceMs: number;
  /** Most catch-up runs for one schedule in one plan (`all` policy). */
  maxCatchUpRuns: number;
}

export interface PlannedTick {
  scheduledFor: Date;
  trigger: RunTrigger;
}

export interface TickPlan {
  /** Ticks to enqueue, ascending. */
  fire: PlannedTick[];
  /** Ticks not fired because a run was still in progress (overlap `skip`), ascending. */
  skipped: Date[];
  /** Ticks missed through downtime and not fired, summarized (null when none). */
  missed: { first: Date; last: Date; count: number } | null;
  /** The first occurrence after `now`; null when it never fires again (no further tick, or no runs left). */
  nextRunAt: Date | null;
  /** Overlap `buffer_one`: the tick at `nextRunAt` (due) now waits for the previous run to end. */
  buffered: boolean;
}

/** Most on-time ticks a single plan fires (an every-second schedule seen late by the grace period). */
const MAX_ON_TIME = 10_000;

/**
 * Plans one claimed schedule.
 *
 * Ticks in [nextRunAt, now] are due. Those no older than the grace period are on time and all fire
 * as `schedule` (a busy engine that is a moment late loses nothing). Older ones were missed: the
 * catch-up policy fires none (`skip`), the most recent (`latest`) or the most recent
 * `maxCatchUpRuns` (`all`) of those inside the catch-up window, as `catch_up`; the rest are summed
 * up in one `missed` record. A run limit (`runsLeft`) fires the earliest ticks it has room for. Under overlap `skip`, a tick that would start while the previous run is
 * still in progress is recorded as skipped, and at most one run fires per plan.
 */
export function planTicks(due: DueSchedule, now: Date, limits: PlanLimits): TickPlan {
  if (due.overlap === 'buffer_one') {
    const waiting = planBuffered(due, now, limits);
    if (waiting) return waiting;
  }
  const graceStart = new Date(now.getTime() - limits.misfireGraceMs);
  const onTimeFrom = due.nextRunAt > graceStart ? due.nextRunAt : graceStart;
  const onTime = due.trigger.occurrences(onTimeFrom, now, MAX_ON_TIME);

  let catchUp: Date[] = [];
  let missed: TickPlan['missed'] = null;
  if (due.nextRunAt < graceStart) {
    const missedTo = new Date(graceStart.getTime() - 1);
    if (due.catchUp !== 'skip') {
      const windowStart =
        due.catchUpWindowSeconds === null ? due.nextRunAt : new Date(now.getTime() - due.catchUpWindowSeconds * 1000);
      const from = windowStart > due.nextRunAt ? windowStart : due.nextRunAt;
      const count = due.catchUp === 'latest' ? 1 : limits.maxCatchUpRuns;
      if (from <= missedTo) catchUp = due.trigger.latest(from, missedTo, count);
    }
    // The ticks not fired all precede the first catch-up tick (catch-up takes the most recent).
    const unfiredTo = catchUp.length > 0 ? new Date(catchUp[0]!.getTime() - 1) : missedTo;
    if (due.nextRunAt <= unfiredTo) {
      // Exact for any outage: counting costs the months in the range, not the ticks.
      const count = due.trigger.count(due.nextRunAt, unfiredTo);
      const last = due.trigger.latest(due.nextRunAt, unfiredTo, 1)[0];
      if (count > 0 && last) missed = { first: due.nextRunAt, last, count };
    }
  }

  const candidates: PlannedTick[] = [
    ...catchUp.map((scheduledFor) => ({ scheduledFor, trigger: 'catch_up' as const })),
    ...onTime.map((scheduledFor) => ({ scheduledFor, trigger: 'schedule' as const })),
  ];
  let fire = candidates;
  let skipped: Date[] = [];
  if (due.overlap !== 'allow') {
    // The previous run blocks every candidate; otherwise the most recent candidate fires and
    // blocks the others (they would overlap it).
    const last = candidates.at(-1);
    fire = due.previousActive || !last ? [] : [last];
    skipped = candidates.filter((c) => !fire.includes(c)).map((c) => c.scheduledFor);
  }
  // A run limit fires the earliest ticks it has room for; once used up, the schedule is done.
  if (due.runsLeft !== null && fire.length >= due.runsLeft) {
    return { fire: fire.slice(0, Math.max(0, due.runsLeft)), skipped, missed, nextRunAt: null, buffered: false };
  }
  return { fire, skipped, missed, nextRunAt: due.trigger.next(now), buffered: false };
}

/**
 * Overlap `buffer_one`. While the previous run is in progress, the latest due tick waits (the plan
 * keeps it as `nextRunAt`, buffered; the claim passes such a schedule by until that run ends) and the
 * earlier ones are recorded as skipped. Once it has ended, the waiting tick fires, late as it may
 * be, as the schedule's own tick (not a catch-up), and the ticks that came meanwhile are recorded as
 * skipped. Returns null when neither applies (nothing waits and nothing runs): the plan is skip's.
 */
function planBuffered(due: DueSchedule, now: Date, limits: PlanLimits): TickPlan | null {
  if (due.buffered && !due.previousActive) {
    if (due.runsLeft !== null && due.runsLeft <= 0) {
      return { fire: [], skipped: [], missed: null, nextRunAt: null, buffered: false };
    }
    const after = new Date(due.nextRunAt.getTime() + 1);
    const skipped = after <= now ? due.trigger.occurrences(after, now, MAX_ON_TIME) : [];
    const nextRunAt = due.runsLeft === 1 ? null : due.trigger.next(now);
    return {
      fire: [{ scheduledFor: due.nextRunAt, trigger: 'schedule' }],
      skipped,
      missed: null,
      nextRunAt,
      buffered: false,
    };
  }
  if (!due.previousActive) return null;
  // The previous run is still in progress: the latest due tick waits for it.
  const due_ = planTicks({ ...due, overlap: 'allow', previousActive: false, buffered: false }, now, limits);
  const candidates = [...due_.fire.map((t) => t.scheduledFor)];
  const waiting = candidates.at(-1);
  if (!waiting) return { ...due_, fire: [], buffered: false };
  return {
    fire: [],
    skipped: [...due_.skipped, ...candidates.slice(0, -1)].sort((a, b) => a.getTime() - b.getTime()),
    missed: due_.missed,
    nextRunAt: waiting,
    buffered: true,
  };
}
