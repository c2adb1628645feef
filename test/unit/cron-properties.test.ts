/**
 * Property tests of the cron search against an independent brute force: random expressions are
 * generated together with what they mean (the set of values each field allows, the day rules), and
 * the brute force decides every instant of a window on its own, from Intl's UTC offset at that instant
 * and the daylight-saving rules as README states them. Counting, enumerating in both directions and
 * stepping with nextAfter / previousBefore must all agree with it, exactly.
 *
 * A failure prints the fast-check seed and the counterexample (expression, zone, window).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  countOccurrences,
  latestOccurrences,
  nextAfter,
  occurrences,
  parseCron,
  previousBefore,
} from '../../lib/cron.ts';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const ZONES = [
  'America/New_York',
  'Europe/Berlin',
  'Australia/Lord_Howe', // 30-minute shifts
  'UTC',
  'Asia/Kathmandu', // +05:45, and +05:30 before 1986
  'America/Santiago', // changes at midnight, so `0 0 * * *` falls in the gap
  'Pacific/Apia', // skipped 2011-12-30 entirely
  'America/St_Johns', // -03:30
] as const;

// ---------------------------------------------------------------------------------------------------
// The brute force.

/** UTC offset at `t` read from Intl, independently of lib/cron.ts (which has its own reader and tables). */
const formats = new Map<string, Intl.DateTimeFormat>();
function offsetAt(zone: string, t: number): number {
  let format = formats.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' });
    formats.set(zone, format);
  }
  const match = /GMT(?:([+-])(\d\d):(\d\d)(?::(\d\d))?)?$/.exec(format.format(t));
  assert.ok(match, `offset of ${zone} at ${t}`);
  if (match[1] === undefined) return 0;
  const ms = (Number(match[2]) * 3600 + Number(match[3]) * 60 + Number(match[4] ?? 0)) * SECOND;
  return match[1] === '-' ? -ms : ms;
}

interface Spec {
  text: string;
  hasSeconds: boolean;
  seconds: ReadonlySet<number>;
  minutes: ReadonlySet<number>;
  hours: ReadonlySet<number>;
  wildcardHour: boolean;
  months: ReadonlySet<number>;
  dayOfMonth: DayOfMonth;
  dayOfWeek: DayOfWeek;
}

interface DayOfMonth {
  text: string;
  restricted: boolean;
  days: ReadonlySet<number>;
  last: boolean;
  lastWeekday: boolean;
  nearest: readonly number[];
}

interface DayOfWeek {
  text: string;
  restricted: boolean;
  weekdays: ReadonlySet<number>;
  /** `5L`: the last Friday. */
  lastOf: number | null;
  /** `1#2`: the second Monday. */
  nth: { weekday: number; n: number } | null;
}

/** Whether wall-clock instant `local` (the zone's clock read as UTC) matches, by the definitions. */
function wallMatches(spec: Spec, local: number): boolean {
  const date = new Date(local);
  if (!spec.seconds.has(date.getUTCSeconds())) return false;
  if (!spec.minutes.has(date.getUTCMinutes())) return false;
  if (!spec.hours.has(date.getUTCHours())) return false;
  const year = date.getUTCFullYear();
  const month = date.getUTCMonth() + 1;
  if (!spec.months.has(month)) return false;
  const day = date.getUTCDate();
  const weekday = date.getUTCDay();
  const length = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const weekdayOfDay = (d: number) => new Date(Date.UTC(year, month - 1, d)).getUTCDay();

  const dom = spec.dayOfMonth;
  let byDay = dom.days.has(day) || (dom.last && day === length);
  if (dom.lastWeekday) {
    const w = weekdayOfDay(length);
    byDay ||= day === (w === 6 ? length - 1 : w === 0 ? length - 2 : length);
  }
  for (const n of dom.nearest) {
    if (n > length) continue;
    const w = weekdayOfDay(n);
    byDay ||= day === (w === 6 ? (n === 1 ? 3 : n - 1) : w === 0 ? (n === length ? n - 2 : n + 1) : n);
  }
  const dow = spec.dayOfWeek;
  let byWeekday = dow.weekdays.has(weekday);
  if (dow.lastOf !== null) byWeekday ||= weekday === dow.lastOf && day + 7 > length;
  if (dow.nth !== null) byWeekday ||= weekday === dow.nth.weekday && Math.ceil(day / 7) === dow.nth.n;
  if (dom.restricted && dow.restricted) return byDay || byWeekday;
  if (dom.restricted) return byDay;
  if (dow.restricted) return byWeekday;
  return true;
}

/**
 * Every occurrence in [from, to], decided instant by instant. A wildcard hour follows elapsed time:
 * an instant fires when its wall-clock time matches. A fixed hour names times of day: an instant fires
 * when its wall-clock time matches and did not already occur earlier (the second pass of a fall-back),
 * or when it is the first instant after a spring-forward gap that skipped a matching time.
 */
function bruteForce(spec: Spec, zone: string, from: number, to: number): number[] {
  const step = spec.hasSeconds ? SECOND : MINUTE;
  const out: number[] = [];
  let previous = Number.NaN;
  for (let t = Math.ceil(from / step) * step; t <= to; t += step) {
    const offset = offsetAt(zone, t);
    const local = t + offset;
    let fires = wallMatches(spec, local);
    if (!spec.wildcardHour) {
      if (fires) {
        // Seen before: some earlier instant, at an offset the zone had within the last day, read the same.
        for (const back of [HOUR, 2 * HOUR, 3 * HOUR, DAY]) {
          const earlierOffset = offsetAt(zone, t - back);
          const earlier = local - earlierOffset;
          if (earlierOffset > offset && earlier < t && offsetAt(zone, earlier) === earlierOffset) fires = false;
        }
      }
      if (!fires && offset !== previous) {
        const before = offsetAt(zone, t - SECOND);
        // Modern transitions fall on whole minutes, so stepping by minutes meets each one exactly.
        for (let gap = t + before; gap < local && !fires && before < offset; gap += step) {
          fires = wallMatches(spec, gap);
        }
      }
    }
    previous = offset;
    if (fires) out.push(t);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Generators: an expression's text together with its meaning.

interface Field {
  text: string;
  values: ReadonlySet<number>;
}

const span = (from: number, to: number, step = 1) => {
  const values = new Set<number>();
  for (let v = from; v <= to; v += step) values.add(v);
  return values;
};

function numericField(min: number, max: number, wildcardWeight = 3): fc.Arbitrary<Field> {
  const value = fc.integer({ min, max });
  const step = fc.integer({ min: 2, max: Math.max(2, Math.floor((max - min) / 2)) });
  return fc.oneof(
    { weight: wildcardWeight, arbitrary: fc.constant({ text: '*', values: span(min, max) }) },
    step.map((n) => ({ text: `*/${n}`, values: span(min, max, n) })),
    value.map((v) => ({ text: `${v}`, values: new Set([v]) })),
    fc.tuple(value, value).map(([a, b]) => {
      const [lo, hi] = a <= b ? [a, b] : [b, a];
      return { text: `${lo}-${hi}`, values: span(lo, hi) };
    }),
    fc.tuple(value, value, step).map(([a, b, n]) => {
      const [lo, hi] = a <= b ? [a, b] : [b, a];
      return { text: `${lo}-${hi}/${n}`, values: span(lo, hi, n) };
    }),
    fc.uniqueArray(value, { minLength: 2, maxLength: 4 }).map((list) => ({
      text: list.join(','),
      values: new Set(list),
    })),
  );
}

const unrestrictedDays: DayOfMonth = {
  text: '*',
  restricted: false,
  days: new Set(),
  last: false,
  lastWeekday: false,
  nearest: [],
};
const dayOfMonthArb: fc.Arbitrary<DayOfMonth> = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(unrestrictedDays, { ...unrestrictedDays, text: '?' }) },
  {
    weight: 2,
    arbitrary: numericField(1, 31, 0).map((f) => ({
      ...unrestrictedDays,
      text: f.text,
      restricted: true,
      days: f.values,
    })),
  },
  fc.constant({ ...unrestrictedDays, text: 'L', restricted: true, last: true }),
  fc.constant({ ...unrestrictedDays, text: 'LW', restricted: true, lastWeekday: true }),
  fc.integer({ min: 1, max: 31 }).map((n) => ({ ...unrestrictedDays, text: `${n}W`, restricted: true, nearest: [n] })),
  fc.tuple(fc.integer({ min: 1, max: 28 }), fc.integer({ min: 1, max: 31 }), fc.boolean()).map(([d, n, last]) => ({
    ...unrestrictedDays,
    text: `${d},${n}W${last ? ',L' : ''}`,
    restricted: true,
    days: new Set([d]),
    nearest: [n],
    last,
  })),
);

const unrestrictedWeekdays: DayOfWeek = { text: '*', restricted: false, weekdays: new Set(), lastOf: null, nth: null };
const weekday = fc.integer({ min: 0, max: 6 });
const dayOfWeekArb: fc.Arbitrary<DayOfWeek> = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(unrestrictedWeekdays, { ...unrestrictedWeekdays, text: '?' }) },
  {
    weight: 2,
    arbitrary: numericField(0, 7, 0)
      // cron-parser refuses a list naming Sunday twice (`7,0`).
      .filter((f) => !(f.text.includes(',') && f.values.has(0) && f.values.has(7)))
      .map((f) => ({
        ...unrestrictedWeekdays,
        text: f.text,
        restricted: true,
        weekdays: new Set([...f.values].map((v) => v % 7)),
      })),
  },
  weekday.map((w) => ({ ...unrestrictedWeekdays, text: `${w}L`, restricted: true, lastOf: w })),
  fc
    .tuple(weekday, fc.integer({ min: 1, max: 5 }))
    .map(([w, n]) => ({ ...unrestrictedWeekdays, text: `${w}#${n}`, restricted: true, nth: { weekday: w, n } })),
);

function specArb(hasSeconds: boolean): fc.Arbitrary<Spec> {
  return fc
    .record({
      seconds: hasSeconds ? numericField(0, 59) : fc.constant({ text: '0', values: new Set([0]) }),
      minutes: numericField(0, 59),
      hours: numericField(0, 23),
      months: numericField(1, 12, 6),
      dayOfMonth: dayOfMonthArb,
      dayOfWeek: dayOfWeekArb,
    })
    .map((f) => ({
      text: [
        ...(hasSeconds ? [f.seconds.text] : []),
        f.minutes.text,
        f.hours.text,
        f.dayOfMonth.text,
        f.months.text,
        f.dayOfWeek.text,
      ].join(' '),
      hasSeconds,
      seconds: f.seconds.values,
      minutes: f.minutes.values,
      hours: f.hours.values,
      wildcardHour: f.hours.text.startsWith('*'),
      months: f.months.values,
      dayOfMonth: f.dayOfMonth,
      dayOfWeek: f.dayOfWeek,
    }));
}

/** Each zone's offset changes between 1995 and 2035 (and Apia's skipped day), found by daily probes. */
const transitions = new Map<string, number[]>();
function transitionsOf(zone: string): number[] {
  let found = transitions.get(zone);
  if (found) return found;
  found = [];
  for (let t = Date.UTC(1995, 0, 1); t < Date.UTC(2035, 0, 1); t += DAY) {
    if (offsetAt(zone, t) === offsetAt(zone, t + DAY)) continue;
    let lo = t;
    let hi = t + DAY;
    while (hi - lo > SECOND) {
      const mid = lo + Math.floor((hi - lo) / 2 / SECOND) * SECOND;
      if (offsetAt(zone, mid) === offsetAt(zone, t)) lo = mid;
      else hi = mid;
    }
    found.push(hi);
  }
  transitions.set(zone, found);
  return found;
}

/**
 * A window [from, to] in `zone`: around one of its offset changes (most of the time) or anywhere in
 * 1995-2035, `maxLength` long at most, with millisecond ends so that rounding to seconds is exercised.
 * Either end may instead sit a few seconds from a local midnight or hour, where partial days and
 * hours are counted.
 */
function windowArb(maxLength: number): fc.Arbitrary<{ zone: string; from: number; to: number }> {
  const snap = fc.record({
    to: fc.constantFrom(null, DAY, HOUR, MINUTE),
    jitter: fc.integer({ min: -3, max: 3 }),
  });
  return fc
    .record({
      zone: fc.constantFrom(...ZONES),
      nearChange: fc.integer({ min: 0, max: 3 }),
      pick: fc.nat(),
      anywhere: fc.integer({ min: Date.UTC(1995, 0, 1), max: Date.UTC(2035, 0, 1) }),
      before: fc.integer({ min: 0, max: maxLength }),
      length: fc.integer({ min: 0, max: maxLength }),
      snapFrom: snap,
      snapTo: snap,
    })
    .map(({ zone, nearChange, pick, anywhere, before, length, snapFrom, snapTo }) => {
      const changes = transitionsOf(zone);
      const anchor = nearChange > 0 && changes.length > 0 ? changes[pick % changes.length]! : anywhere;
      /** `t` moved to the nearest whole local day, hour or minute, plus a few seconds. */
      const snapped = (t: number, { to, jitter }: { to: number | null; jitter: number }) => {
        if (to === null) return t;
        const offset = offsetAt(zone, t);
        return Math.round((t + offset) / to) * to - offset + jitter * SECOND;
      };
      const from = snapped(anchor - before, snapFrom);
      return { zone, from, to: Math.max(from, snapped(anchor - before + length, snapTo)) };
    });
}

const RUNS = Number(process.env['CRON_PROPERTY_RUNS'] ?? 100);

function checkAgainstBruteForce(spec: Spec, zone: string, from: number, to: number) {
  const s = parseCron(spec.text, zone);
  const label = `${spec.text} in ${zone}, [${new Date(from).toISOString()}, ${new Date(to).toISOString()}]`;
  const expected = bruteForce(spec, zone, from, to);
  assert.equal(countOccurrences(s, new Date(from), new Date(to)), expected.length, `count of ${label}`);
  const listed = occurrences(s, new Date(from), new Date(to), 1e6).map((d) => d.getTime());
  assert.deepEqual(listed, expected, `occurrences of ${label}`);
  assert.deepEqual(
    latestOccurrences(s, new Date(from), new Date(to), 5).map((d) => d.getTime()),
    expected.slice(-5),
    `latest of ${label}`,
  );
  // Stepping from just before the window, and back from just after it.
  let cursor = new Date(from - 1);
  for (const t of expected.slice(0, 20)) {
    cursor = nextAfter(s, cursor)!;
    assert.equal(cursor?.getTime(), t, `nextAfter in ${label}`);
  }
  cursor = new Date(to + 1);
  for (const t of expected.slice(-20).reverse()) {
    cursor = previousBefore(s, cursor)!;
    assert.equal(cursor?.getTime(), t, `previousBefore in ${label}`);
  }
}

describe('the search agrees with a brute force, instant by instant', () => {
  test('5-field expressions, windows of up to 3 days, most across an offset change', () => {
    fc.assert(
      fc.property(specArb(false), windowArb(3 * DAY), (spec, { zone, from, to }) =>
        checkAgainstBruteForce(spec, zone, from, to),
      ),
      { numRuns: RUNS },
    );
  });

  test('6-field expressions, windows of up to 3 hours, most across an offset change', () => {
    fc.assert(
      fc.property(specArb(true), windowArb(3 * HOUR), (spec, { zone, from, to }) =>
        checkAgainstBruteForce(spec, zone, from, to),
      ),
      { numRuns: RUNS },
    );
  });

  test('fixed-hour expressions across every change of 2024-2026 in each zone', () => {
    // Daily at times near the change's wall-clock time, so that they land in gaps and repeats.
    for (const zone of ZONES) {
      for (const change of transitionsOf(zone).filter((t) => t >= Date.UTC(2024, 0, 1) && t < Date.UTC(2027, 0, 1))) {
        const local = new Date(change + offsetAt(zone, change - SECOND));
        for (const minutesAfter of [-30, 0, 15, 30, 60]) {
          const at = new Date(local.getTime() + minutesAfter * MINUTE);
          const hour = at.getUTCHours();
          const minute = at.getUTCMinutes();
          // The next hour too: when the change skips `hour`, its single firing and the first time after
          // the gap can be the same instant, which must fire once.
          const spec: Spec = {
            text: `${minute} ${hour},${(hour + 1) % 24} * * *`,
            hasSeconds: false,
            seconds: new Set([0]),
            minutes: new Set([minute]),
            hours: new Set([hour, (hour + 1) % 24]),
            wildcardHour: false,
            months: span(1, 12),
            dayOfMonth: unrestrictedDays,
            dayOfWeek: unrestrictedWeekdays,
          };
          checkAgainstBruteForce(spec, zone, change - DAY, change + DAY);
        }
      }
    }
  });
});

describe('counting agrees with enumerating over long ranges', () => {
  test('windows that start and end within seconds of a local midnight', () => {
    // Partial days are counted from prefix tables; an off-by-one there shows only at these edges.
    const expressions = ['0 0 0 * * *', '*/20 0 0 * * *', '0,1,59 59,0 23,0 * * *', '0 0 * * *', '59 23 * * *'];
    for (const zone of ['UTC', 'America/New_York', 'Asia/Kathmandu', 'America/Santiago']) {
      // 2026-09-06 is a change day in Santiago (00:00 -> 01:00); the others are ordinary days.
      const midnight = Date.UTC(2026, 8, 6) - offsetAt(zone, Date.UTC(2026, 8, 6));
      for (const expression of expressions) {
        const s = parseCron(expression, zone);
        for (let a = -2; a <= 2; a++) {
          for (let b = -2; b <= 2; b++) {
            const from = new Date(midnight + a * SECOND);
            const to = new Date(midnight + 2 * DAY + b * SECOND);
            const label = `${expression} in ${zone} from ${from.toISOString()} to ${to.toISOString()}`;
            assert.equal(countOccurrences(s, from, to), occurrences(s, from, to, 1e6).length, label);
          }
        }
      }
    }
  });

  test('ranges of centuries are counted by whole 400-year cycles, and add up', () => {
    // Only whole cycles are counted without walking months; the two pieces are each shorter than one.
    const YEAR = 365.2425 * DAY;
    fc.assert(
      fc.property(
        fc.boolean().chain((hasSeconds) => specArb(hasSeconds)),
        fc.integer({ min: Date.UTC(1000, 0, 1), max: Date.UTC(3000, 0, 1) }),
        fc.integer({ min: 401, max: 790 }),
        fc.double({ min: 0.01, max: 0.99, noNaN: true }),
        (spec, from, years, split) => {
          const s = parseCron(spec.text, 'UTC');
          const to = from + Math.round(years * YEAR);
          const middle = from + Math.round(split * (to - from));
          const whole = countOccurrences(s, new Date(from), new Date(to));
          const pieces =
            countOccurrences(s, new Date(from), new Date(middle - 1)) +
            countOccurrences(s, new Date(middle), new Date(to));
          assert.equal(whole, pieces, `${spec.text} from ${new Date(from).toISOString()} for ${years} years`);
        },
      ),
      { numRuns: RUNS },
    );
  });

  test('random expressions, zones and ranges of up to 3 years', () => {
    fc.assert(
      fc.property(
        fc.boolean().chain((hasSeconds) => specArb(hasSeconds)),
        windowArb(3 * 365 * DAY),
        (spec, { zone, from, to }) => {
          const s = parseCron(spec.text, zone);
          const limit = 200_000;
          const listed = occurrences(s, new Date(from), new Date(to), limit);
          const counted = countOccurrences(s, new Date(from), new Date(to));
          const label = `${spec.text} in ${zone}, [${new Date(from).toISOString()}, ${new Date(to).toISOString()}]`;
          if (listed.length < limit) assert.equal(counted, listed.length, label);
          else assert.ok(counted >= limit, label);
          assert.equal(countOccurrences(s, new Date(from), new Date(to), 7), Math.min(counted, 7), `cap: ${label}`);
          const tail = latestOccurrences(s, new Date(from), new Date(to), 50);
          assert.equal(tail.length, Math.min(50, counted), `latest: ${label}`);
          if (listed.length < limit) assert.deepEqual(tail, listed.slice(-50), `latest: ${label}`);
        },
      ),
      { numRuns: RUNS },
    );
  });
});
