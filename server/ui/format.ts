/**
 * How the dashboard words a schedule and a time: pure functions of their inputs (the current instant
 * is a parameter), so pages and tests agree on the text.
 */
import type { Schedule } from '../../lib/index.ts';

/** One labelled value of a schedule's timing, as the job page lists them. */
export interface SummaryRow {
  label: string;
  value: string;
  /** Shown in a monospace font (an expression, an identifier). */
  code?: boolean;
}

/** A schedule's timing in words: what lists and the job page show of it. */
export interface ScheduleSummary {
  /** Short form, e.g. the cron expression `0 9 * * 1-5`. */
  headline: string;
  /** Its meaning, e.g. "At 09:00, Monday through Friday". */
  description: string;
  /** The time zone it is read in. */
  timezone: string;
  /** `active`, `paused` or `completed`; a badge shows anything but `active`. */
  state: string;
  /** Every timing field, in the order the job page lists them. */
  rows: SummaryRow[];
}

/**
 * The one place that knows which fields make a schedule's timing. A new kind of schedule (an
 * interval, a one-off instant, a window with start and end, a run limit, a `completed` state) is
 * added here, and the list, the job page and the badges follow.
 */
export function scheduleSummary(schedule: Schedule): ScheduleSummary {
  const kind: SummaryRow =
    schedule.cron !== null
      ? { label: 'Cron', value: schedule.cron, code: true }
      : schedule.every !== null
        ? { label: 'Every', value: schedule.every, code: true }
        : { label: 'Once at', value: schedule.at?.toISOString() ?? '-', code: true };
  const rows: SummaryRow[] = [kind, { label: 'Meaning', value: schedule.description }];
  if (schedule.cron !== null) rows.push({ label: 'Time zone', value: schedule.timezone });
  if (schedule.anchorAt) rows.push({ label: 'Anchor', value: schedule.anchorAt.toISOString() });
  if (schedule.startAt || schedule.endAt) {
    rows.push({
      label: 'Window',
      value: `${schedule.startAt?.toISOString() ?? '…'} to ${schedule.endAt?.toISOString() ?? '…'}`,
    });
  }
  rows.push({
    label: 'Runs fired',
    value: schedule.maxRuns === null ? String(schedule.firedCount) : `${schedule.firedCount} of ${schedule.maxRuns}`,
  });
  if (schedule.jitterSeconds > 1) rows.push({ label: 'Jitter', value: `up to ${schedule.jitterSeconds - 1} s` });
  if (schedule.pauseNote) rows.push({ label: 'Paused because', value: schedule.pauseNote });
  if (schedule.alertAfterSeconds !== null) {
    rows.push({
      label: 'Alert',
      value: `stale after ${schedule.alertAfterSeconds} s without a success; last success ${schedule.lastSuccessAt?.toISOString() ?? 'never'}${schedule.stale ? ' (STALE)' : ''}`,
    });
  }
  if (schedule.target.type !== 'log') {
    rows.push({
      label: 'Target',
      value: schedule.target.type === 'webhook' ? `webhook ${schedule.target.url}` : `queue ${schedule.target.queue}`,
      code: true,
    });
  }
  rows.push(
    { label: 'Catch-up', value: catchUpText(schedule) },
    {
      label: 'Overlap',
      value: schedule.overlap === 'skip' ? 'skip a tick while a run is queued or running' : 'allow',
    },
    { label: 'Queue', value: kind.value === '' ? '-' : schedule.queue, code: true },
  );
  return {
    headline: kind.label === 'Cron' ? kind.value : `${kind.label.toLowerCase()} ${kind.value}`,
    description: schedule.description,
    timezone: schedule.timezone,
    // Stale shows beside the state: no successful run for its alert_after_seconds.
    state: schedule.stale ? `${schedule.state === 'active' ? '' : `${schedule.state}, `}stale` : schedule.state,
    rows,
  };
}

function catchUpText(schedule: Schedule): string {
  const policy = { skip: 'skip missed ticks', latest: 'fire the latest missed tick', all: 'fire every missed tick' }[
    schedule.catchUp
  ];
  return schedule.catchUpWindowSeconds === null
    ? policy
    : `${policy}, within ${schedule.catchUpWindowSeconds} s of their time`;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** `2025-01-06 08:00:00` in `timeZone` (default UTC). */
export function formatInstant(date: Date, timeZone = 'UTC'): string {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-GB', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(timeZone, formatter);
  }
  const part = Object.fromEntries(formatter.formatToParts(date).map((p) => [p.type, p.value]));
  return `${part['year']}-${part['month']}-${part['day']} ${part['hour']}:${part['minute']}:${part['second']}`;
}

/** `2025-01-06 08:00:00 UTC`, followed by the same instant in `timeZone` when that is not UTC. */
export function instantText(date: Date, timeZone: string): string {
  const utc = `${formatInstant(date)} UTC`;
  return timeZone === 'UTC' ? utc : `${utc} = ${formatInstant(date, timeZone)} ${timeZone}`;
}

/** "in 5 min", "3 h ago", "just now": how far `date` is from `now`, roughly. */
export function relativeTime(date: Date, now: Date): string {
  const seconds = Math.round((date.getTime() - now.getTime()) / 1000);
  const size = Math.abs(seconds);
  let amount: string;
  if (size < 5) return 'just now';
  if (size < 90) amount = `${size} s`;
  else if (size < 90 * 60) amount = `${Math.round(size / 60)} min`;
  else if (size < 36 * 3600) amount = `${Math.round(size / 3600)} h`;
  else amount = `${Math.round(size / 86400)} days`;
  return seconds > 0 ? `in ${amount}` : `${amount} ago`;
}

/** "1.2 s", "350 ms", "4 min": a run's duration, or null while it has not both started and finished. */
export function duration(startedAt: Date | null, finishedAt: Date | null): string | null {
  if (!startedAt || !finishedAt) return null;
  const ms = Math.max(0, finishedAt.getTime() - startedAt.getTime());
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.round(ms / 60_000)} min`;
}
