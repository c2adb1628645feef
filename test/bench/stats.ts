/**
 * Summary statistics for the benchmarks. Pure.
 */

/** min, median, p99 and max of a sample (nearest-rank percentiles); zeros and n = 0 for an empty one. */
export interface Summary {
  n: number;
  min: number;
  p50: number;
  p99: number;
  max: number;
}

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

export function summarize(values: readonly number[]): Summary {
  const sorted = Float64Array.from(values).sort();
  const list = Array.from(sorted);
  if (list.length === 0) return { n: 0, min: Number.NaN, p50: Number.NaN, p99: Number.NaN, max: Number.NaN };
  return {
    n: list.length,
    min: list[0]!,
    p50: percentile(list, 50),
    p99: percentile(list, 99),
    max: list.at(-1)!,
  };
}

export function median(values: readonly number[]): number {
  return percentile(
    [...values].sort((a, b) => a - b),
    50,
  );
}

/** `12.3 ms` style: integers above 100, one decimal below. */
export function ms(value: number): string {
  if (!Number.isFinite(value)) return 'n/a';
  return `${Math.abs(value) >= 100 ? Math.round(value) : value.toFixed(1)} ms`;
}

/** min / p50 / p99 / max in milliseconds. */
export function msSummary(s: Summary): string {
  if (s.n === 0) return 'n/a (no samples)';
  return `${ms(s.min)} / ${ms(s.p50)} / ${ms(s.p99)} / ${ms(s.max)}`;
}

export function count(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

/**
 * Exactly-once accounting over handled runs of per-second (or any fixed-period) schedules: a
 * duplicate is a second handling of one (schedule, instant) at attempt 1; a gap is a missing period
 * between a schedule's first and last observed instants.
 */
export function tickAccounting(
  handled: readonly { scheduleId: string; scheduledForMs: number; attempt: number }[],
  periodMs: number,
): { unique: number; duplicates: number; gaps: number; perSchedule: Map<string, number> } {
  const seen = new Map<string, Set<number>>();
  let duplicates = 0;
  for (const h of handled) {
    if (h.attempt !== 1) continue;
    let set = seen.get(h.scheduleId);
    if (!set) {
      set = new Set();
      seen.set(h.scheduleId, set);
    }
    if (set.has(h.scheduledForMs)) duplicates += 1;
    else set.add(h.scheduledForMs);
  }
  let gaps = 0;
  let unique = 0;
  const perSchedule = new Map<string, number>();
  for (const [id, set] of seen) {
    unique += set.size;
    perSchedule.set(id, set.size);
    const first = Math.min(...set);
    const last = Math.max(...set);
    gaps += Math.round((last - first) / periodMs) + 1 - set.size;
  }
  return { unique, duplicates, gaps, perSchedule };
}
