/**
 * A keyed concurrency limiter: at most `limit` tasks at once per key, the rest waiting in order.
 * The engine keys webhook attempts by their target's origin, so a slow receiver holds only the
 * slots of runs aimed at it, never those of other targets. Pure: no timers, no I/O; a key's state
 * is dropped as soon as it is idle, so keys seen once do not accumulate.
 */
import { ValidationError } from '../errors.ts';

/** Runs tasks with at most `limit` at once per key. */
export interface ConcurrencyLimiter {
  /** Runs `task` when one of `key`'s slots is free (at once if one is); settles as the task does. */
  run<T>(key: string, task: () => T | Promise<T>): Promise<T>;
  /** Tasks of `key` running now. */
  active(key: string): number;
  /** Tasks of `key` waiting for a slot. */
  pending(key: string): number;
  /** Keys with running or waiting tasks. */
  keys(): string[];
}

interface Lane {
  active: number;
  waiting: (() => void)[];
}

/**
 * A limiter allowing `limit` tasks at once per key (an integer from 1 to 10000). Throws
 * ValidationError naming `limit` otherwise.
 */
export function createConcurrencyLimiter(limit: number): ConcurrencyLimiter {
  if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) {
    throw new ValidationError({ field: 'limit', value: limit, expected: 'an integer from 1 to 10000' });
  }
  const lanes = new Map<string, Lane>();

  const release = (key: string, lane: Lane) => {
    const next = lane.waiting.shift();
    // The slot passes straight to the next waiter (active stays the same), so a task arriving in
    // between cannot overtake those already waiting.
    if (next) next();
    else if (--lane.active === 0) lanes.delete(key);
  };

  return {
    async run<T>(key: string, task: () => T | Promise<T>): Promise<T> {
      let lane = lanes.get(key);
      if (!lane) {
        lane = { active: 0, waiting: [] };
        lanes.set(key, lane);
      }
      if (lane.active < limit) lane.active++;
      else await new Promise<void>((resolve) => lane!.waiting.push(resolve));
      try {
        return await task();
      } finally {
        release(key, lane);
      }
    },
    active: (key) => lanes.get(key)?.active ?? 0,
    pending: (key) => lanes.get(key)?.waiting.length ?? 0,
    keys: () => [...lanes.keys()],
  };
}

/** The limiter key of a webhook URL: its origin (scheme, host, port), lowercase. */
export function webhookLimiterKey(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    // A malformed URL fails at delivery anyway; it gets a lane of its own meanwhile.
    return url;
  }
}
