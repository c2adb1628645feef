/**
 * Cron expressions: parse, describe and enumerate occurrences in a time zone. Pure: the time and the
 * zone are always parameters, nothing here reads the clock.
 *
 * The fields are parsed here, with the syntax and values cron-parser accepts (its meaning of every
 * valid field; test/unit/cron-fields.test.ts compares the two), and the search for occurrences is
 * ours. Parsing with cron-parser itself cost memory in every process: each parse builds a luxon date
 * in the system locale, which loads Intl's locale and time-zone data (about 7 MiB) even when every
 * schedule is in UTC. cron-parser's own iterator decides daylight-saving cases hour by hour and gets
 * some of them wrong (in Australia/Lord_Howe it drops the occurrence in a skipped half hour, skips real
 * instants after the change and can throw "loop limit exceeded"; walking backwards it returns a
 * repeated hour twice), and it has no `W`. So we walk the wall clock ourselves between the zone's
 * offset changes, which also makes the daylight-saving rules below a single, testable decision.
 *
 * Cost: a search walks months, then the matching days and times it returns, never every second;
 * counting is arithmetic (see {@link countOccurrences}). The zone's offsets come from Intl, a day or a
 * month at a time as searches first need them, and are kept. {@link preview}, where the caller picks
 * how far to look, is bounded by {@link MAX_PREVIEW_YEARS}.
 *
 * Daylight saving (see {@link parseCron}): a schedule whose hour field is a wildcard (`*`, `*\/n`) runs
 * in real elapsed time; one with a fixed hour names a time of day, which fires once per day.
 */
import { createRequire } from 'node:module';
import { ValidationError } from './errors.ts';
import type { Trigger } from './triggers/trigger.ts';

/**
 * A parsed, validated cron expression bound to a time zone. Obtain one from {@link parseCron}; a plain
 * object with the same three fields is also accepted by the functions here (it is parsed, from the
 * cache, on use).
 */
export interface CronSchedule {
  /** The expression, trimmed, with runs of whitespace collapsed to one space; macros in lower case. */
  readonly expression: string;
  /** IANA time zone the wall-clock fields are read in, e.g. `Europe/Paris`. */
  readonly timezone: string;
  /** True when the expression has a leading seconds field (6 fields, or `@secondly`). */
  readonly hasSeconds: boolean;
}

/** Longest expression accepted, after trimming. */
export const MAX_CRON_LENGTH = 256;
/** Most instants {@link preview} returns. */
export const MAX_PREVIEW_COUNT = 1000;
/** Parsed schedules kept in memory (least recently used are dropped first). */
const CACHE_LIMIT = 10_000;
/** Validated zone names and per-zone offset tables kept in memory. */
const ZONE_LIMIT = 1_000;
/** Months of offset changes kept per zone (256 years), and single days. */
const ZONE_MONTH_LIMIT = 3072;
const ZONE_DAY_LIMIT = 4096;
/** Days of one month a zone's offsets are found for one by one before the whole month's are. */
const DAYS_BEFORE_MONTH = 3;
const SECOND = 1000;
const DAY = 86_400_000;
/**
 * How far ahead a search goes before answering "never". The Gregorian calendar repeats every 400
 * years, so an expression with no occurrence in that span has none at all; expressions that can never
 * match are caught at parse time, so in practice no search comes near this.
 */
const HORIZON_MS = 400 * 365.2425 * DAY;
/** The range of a JavaScript Date. */
const MAX_TIME = 8.64e15;

const TIMEZONE_EXPECTED = 'an IANA time zone such as Europe/Paris';
const FIELDS_EXPECTED =
  '5 fields (minute hour day-of-month month day-of-week) or 6 fields (a leading second, then those 5), or a macro such as @daily';

/** The macros and the fields they stand for. */
const MACROS: Readonly<Record<string, string>> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
  '@minutely': '* * * * *',
  '@secondly': '* * * * * *',
  '@weekdays': '0 0 * * 1-5',
  '@weekends': '0 0 * * 0,6',
};

const FIELD_NAMES = ['second', 'minute', 'hour', 'day-of-month', 'month', 'day-of-week'] as const;
const LIST_SYNTAX = 'with *, ranges (1-5), steps (*/15) and lists (1,5)';
const FIELD_RANGES = [
  '0-59',
  '0-59',
  '0-23',
  '1-31, L (last day) or a nearest weekday such as 15W or LW',
  '1-12 or JAN-DEC',
  '0-7 or SUN-SAT (0 and 7 are Sunday), 5L (last Friday) or 1#2 (second Monday)',
] as const;
/** Values that leave a field unrestricted, for the day-of-month / day-of-week rule. */
const UNRESTRICTED = new Set(['*', '?']);

/**
 * Lookup tables for one parsed expression: what the wall clock must read for it to fire. Built once
 * by {@link compileFields} and never changed, so one matcher serves any number of searches at once.
 */
interface Matcher {
  /** For each value v, the smallest allowed value >= v, or -1 (index max+1 is always -1). */
  readonly nextSecond: Int8Array;
  readonly nextMinute: Int8Array;
  readonly nextHour: Int8Array;
  /** For each value v, the largest allowed value <= v, or -1. */
  readonly prevSecond: Int8Array;
  readonly prevMinute: Int8Array;
  readonly prevHour: Int8Array;
  /** For each value v, how many allowed values are below v (index max+1 holds the total). */
  readonly secondsBefore: Uint8Array;
  readonly minutesBefore: Uint8Array;
  readonly hoursBefore: Uint8Array;
  /** Matching seconds in a matching day: the time fields are independent, so this is a product. */
  readonly perDay: number;
  /** Indexed 1-12 (0 and 13 are sentinels). */
  readonly nextMonth: Int8Array;
  readonly prevMonth: Int8Array;
  /**
   * The matching days of a month as a bit mask (bit d-1 for day d), indexed by `(length - 28) * 7 +
   * weekday of the 1st`: the day-of-month and day-of-week rules (L, W, #, Vixie's either-or) depend on
   * nothing else, so 28 masks answer every month of every year.
   */
  readonly dayMasks: Int32Array;
  /** Matching days in the calendar's 400-year cycle (any 146,097 consecutive days). */
  readonly daysPerCycle: number;
  /** The hour field starts with `*` (or is `?`): the schedule follows elapsed time across DST. */
  readonly wildcardHour: boolean;
  /** No calendar day can ever match (e.g. `0 0 30 2 *`). */
  readonly never: boolean;
}

interface Compiled {
  readonly matcher: Matcher;
  readonly zone: Zone;
}

// The cache is a memo of a pure function, keyed by its inputs, so sharing it across schedulers is safe.
const schedules = new Map<string, CronSchedule>();
const compiledBySchedule = new WeakMap<CronSchedule, Compiled>();

function cronError(value: unknown, expected: string): never {
  const shown = typeof value === 'string' && value.length > 200 ? `${value.slice(0, 200)}…` : value;
  throw new ValidationError({ field: 'cron', value: shown, expected });
}

/**
 * Parse and validate a cron expression in a time zone. Results are cached (up to 10,000 distinct
 * expression and zone pairs, least recently used dropped first), so calling this on every tick is
 * cheap and returns the same object.
 *
 * Syntax: 5 fields `minute hour day-of-month month day-of-week`, or 6 with a leading `second`. Each
 * field takes `*`, `?`, values, ranges `a-b`, steps `*\/n` and `a-b/n`, and lists `a,b`. Months and
 * weekdays take names (`JAN`, `MON-FRI`); Sunday is 0 or 7. Day-of-month takes `L` (last day), `15W`
 * (the weekday nearest the 15th, within the month) and `LW` (last weekday). Day-of-week takes `5L`
 * (last Friday) and `1#2` (second Monday). Macros: `@yearly @annually @monthly @weekly @daily
 * @midnight @hourly @minutely @secondly @weekdays @weekends`. When day-of-month and day-of-week are
 * both restricted (neither is exactly `*` or `?`), a day matches if either matches, as in Vixie cron.
 *
 * Daylight saving: a wall-clock time that a spring-forward change skips fires once, at the first
 * instant after the gap, when the hour field is fixed (`30 2 * * *` fires at 03:00 on that day); when
 * the hour field is a wildcard (`*`, `*\/n`), the skipped times simply do not occur and the schedule
 * continues after the gap. A time repeated by a fall-back change fires once, at its first (earlier
 * offset) occurrence, when the hour field is fixed; with a wildcard hour field the schedule keeps firing
 * in real elapsed time through both passes. This is Vixie cron's treatment of wildcard jobs. Instants
 * are always strictly increasing.
 *
 * @param expression the cron expression; leading and trailing whitespace is ignored; at most 256 characters
 * @param timezone IANA zone the fields are read in; default `UTC`
 * @throws ValidationError on field `cron` (saying which field or value is wrong) or `timezone`
 */
export function parseCron(expression: string, timezone = 'UTC'): CronSchedule {
  const key = `${timezone}\u0000${expression}`;
  const hit = schedules.get(key);
  if (hit) {
    // Re-insert to mark as most recently used; Map iteration order is insertion order.
    schedules.delete(key);
    schedules.set(key, hit);
    return hit;
  }
  const zoneName = checkTimezone('timezone', timezone);
  if (typeof expression !== 'string') cronError(expression, `a cron expression string: ${FIELDS_EXPECTED}`);
  const { text, fields, hasSeconds } = splitExpression(expression);
  const schedule: CronSchedule = Object.freeze({ expression: text, timezone: zoneName, hasSeconds });
  compiledBySchedule.set(schedule, { matcher: compileFields(expression, fields, hasSeconds), zone: zoneFor(zoneName) });
  schedules.set(key, schedule);
  if (schedules.size > CACHE_LIMIT) schedules.delete(schedules.keys().next().value as string);
  return schedule;
}

/** Trim, check length and field count, expand macros; always returns 6 fields (second first). */
function splitExpression(expression: string): { text: string; fields: string[]; hasSeconds: boolean } {
  const trimmed = expression.trim();
  if (trimmed.length === 0) cronError(expression, `a cron expression: ${FIELDS_EXPECTED}; got an empty string`);
  if (trimmed.length > MAX_CRON_LENGTH) {
    cronError(expression, `a cron expression of at most ${MAX_CRON_LENGTH} characters; got ${trimmed.length}`);
  }
  let text = trimmed.split(/\s+/).join(' ');
  let body = text;
  if (text.startsWith('@')) {
    const macro = MACROS[text.toLowerCase()];
    if (macro === undefined) {
      cronError(expression, `one of the macros ${Object.keys(MACROS).join(' ')}; got "${text}"`);
    }
    text = text.toLowerCase();
    body = macro;
  }
  const fields = body.split(' ');
  if (fields.length !== 5 && fields.length !== 6) {
    const extra = fields.length === 7 ? ' (a year field is not supported)' : '';
    cronError(expression, `${FIELDS_EXPECTED}; got ${fields.length} field${fields.length === 1 ? '' : 's'}${extra}`);
  }
  const hasSeconds = fields.length === 6;
  return { text, fields: hasSeconds ? fields : ['0', ...fields], hasSeconds };
}

/** Describe field `index` (0 = second) for an error: its name and where it sits in what was written. */
function fieldError(
  expression: string,
  fields: readonly string[],
  hasSeconds: boolean,
  index: number,
  reason: string,
): never {
  const count = hasSeconds ? 6 : 5;
  const position = hasSeconds ? index + 1 : index;
  cronError(
    expression,
    `a valid ${FIELD_NAMES[index]} (field ${position} of ${count}): ${FIELD_RANGES[index]}, ${LIST_SYNTAX}; "${fields[index]}" ${reason}`,
  );
}

/** The smallest and largest value of each field, second first (day-of-week 7 is Sunday, as 0). */
const FIELD_BOUNDS: readonly (readonly [number, number])[] = [
  [0, 59],
  [0, 59],
  [0, 23],
  [1, 31],
  [1, 12],
  [0, 7],
];
/** Names in the month (1-12) and day-of-week (0-6) fields. */
const MONTH_NAMES = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const WEEKDAY_NAMES = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
/** The characters each field may hold once names are replaced by numbers (L: last; # is split off first). */
const FIELD_CHARACTERS = [
  /^[?,*\d/-]+$/,
  /^[?,*\d/-]+$/,
  /^[?,*\d/-]+$/,
  /^[?,*\dL/-]+$/,
  /^[?,*\d/-]+$/,
  /^[?,*\dL/-]+$/,
] as const;

/** Why one field is invalid: the end of a sentence that starts with the field as written. */
class FieldProblem extends Error {}

/** What one field allows: its numbers, and its `L` items (`L` in day-of-month, `5L` in day-of-week). */
interface FieldValues {
  numbers: number[];
  lasts: string[];
}

/**
 * The values field `index` (0 = second) allows, with the syntax and meaning cron-parser 5 gives them
 * (without its hashed `H` values, refused before this): names, `*` and `?` as a whole list item,
 * values, ranges `a-b`, steps on either (`a/n` runs from a to the field's end), lists; day-of-week 7
 * is Sunday; a value listed twice is refused. `#` and `W` are taken out by the caller.
 *
 * @throws FieldProblem saying what is wrong with the field
 */
function fieldValues(index: number, text: string): FieldValues {
  const [min, max] = FIELD_BOUNDS[index]!;
  let value = text;
  if (index >= 4) {
    const names = index === 4 ? MONTH_NAMES : WEEKDAY_NAMES;
    value = value.replace(/[a-z]{3}/gi, (name) => {
      const at = names.indexOf(name.toLowerCase());
      if (at < 0) throw new FieldProblem(`has an unknown name "${name.toLowerCase()}"`);
      return String(index === 4 ? at + 1 : at);
    });
  }
  if (!FIELD_CHARACTERS[index]!.test(value)) throw new FieldProblem('has characters that are not allowed here');
  // A wildcard is a whole list item, optionally with a step (`*/15`): it stands for the full range.
  value = value.replace(/(^|,)[*?](?=\/|,|$)/g, (_, separator: string) => `${separator}${min}-${max}`);
  if (/[*?]/.test(value)) throw new FieldProblem('is not valid (* and ? stand alone in a list item, as in */15)');

  const numbers: number[] = [];
  const lasts: string[] = [];
  for (const item of value.split(',')) {
    if (item.length === 0) throw new FieldProblem('is not valid (a list has an empty item)');
    const parts = item.split('/');
    if (parts.length > 2) throw new FieldProblem(`is not valid ("${item}" has more than one /)`);
    const stepped = parts.length === 2;
    const range = stepped && !parts[0]!.includes('-') ? `${parts[0]}-${max}` : parts[0]!;
    const ends = range.split('-');
    if (ends.length === 1) {
      if (/^\d+$/.test(range)) {
        const n = Number(range);
        if (n < min || n > max) throw new FieldProblem(`has ${n}, outside ${min}-${max}`);
        numbers.push(index === 5 ? n % 7 : n);
      } else if (index === 3 ? range === 'L' : index === 5 && /^[0-7]?L$/.test(range)) {
        if (range === 'L' && index === 5) {
          throw new FieldProblem('is not valid (L alone is for day-of-month; here write 5L for the last Friday)');
        }
        lasts.push(range);
      } else {
        throw new FieldProblem(`has ${range}, outside ${min}-${max}${index === 3 || index === 5 ? ' or L' : ''}`);
      }
      continue;
    }
    if (ends.length > 2) throw new FieldProblem(`is not valid ("${range}" is not a range a-b)`);
    const [from, to] = ends.map((end) => (/^\d+$/.test(end) ? Number(end) : Number.NaN)) as [number, number];
    if (!(from >= min && to <= max)) throw new FieldProblem(`has the range ${range}, outside ${min}-${max}`);
    if (from > to) throw new FieldProblem(`has the range ${range}, which ends before it starts`);
    const step = stepped ? Number(parts[1]) : 1;
    if (!(step > 0)) throw new FieldProblem(`is not valid (a step is a whole number above 0; got "${parts[1]}")`);
    // Day-of-week: a range reaching 7 with a step that lands on it also names Sunday as 0 (cron-parser),
    // once: `0-7` is every day, not Sunday twice.
    const sunday = index === 5 && to % 7 === 0 && (to - from) % step === 0;
    if (sunday) numbers.push(0);
    for (let n = from; n <= to; n += step) if (!(sunday && n === 0)) numbers.push(n);
  }
  const seen = new Set<number | string>();
  for (const v of [...numbers, ...lasts]) {
    if (seen.has(v)) {
      throw new FieldProblem(
        `is not valid (it lists ${v} more than once${index === 5 && v === 0 ? '; 0 and 7 are both Sunday' : ''})`,
      );
    }
    seen.add(v);
  }
  return { numbers, lasts };
}

/** Splits `1#2` (the second Monday) into the weekday part and the occurrence, 0 when there is none. */
function splitNth(text: string): { weekdays: string; nth: number } {
  const parts = text.split('#');
  if (parts.length === 1) return { weekdays: text, nth: 0 };
  if (/[,\-/L]/.test(text)) {
    throw new FieldProblem('is not valid (# takes a single weekday: no list, range, step or L)');
  }
  const nth = Number(parts[parts.length - 1]);
  if (parts.length > 2 || !(nth >= 1 && nth <= 5)) {
    throw new FieldProblem('is not valid (the occurrence after # is 1 to 5, as in 1#2 for the second Monday)');
  }
  return { weekdays: parts[0]!, nth };
}

/** Build the matcher for 6 raw fields (second first). */
function compileFields(expression: string, raw: readonly string[], hasSeconds: boolean): Matcher {
  const fail = (index: number, reason: string): never => fieldError(expression, raw, hasSeconds, index, reason);
  for (let i = 0; i < 6; i++) {
    // Month and weekday names may contain H (THU); hashed values (H, H/5) may not, since they would make
    // the schedule depend on a seed rather than on what was written.
    const withoutNames = i >= 4 ? raw[i]!.replace(/[a-z]{3}/gi, '') : raw[i]!;
    if (withoutNames.includes('H')) fail(i, 'uses H (hashed values), which is not supported');
  }

  // W items are taken out of the day-of-month field here and matched by the day masks below.
  const nearestWeekdays: number[] = [];
  let lastWeekday = false;
  const plainDays: string[] = [];
  for (const item of raw[3]!.split(',')) {
    if (item === 'LW') {
      lastWeekday = true;
    } else if (item.includes('W')) {
      const day = /^(\d{1,2})W$/.exec(item);
      const n = day ? Number(day[1]) : 0;
      if (n < 1 || n > 31) fail(3, `has "${item}": W follows a single day 1-31 (15W), or write LW`);
      nearestWeekdays.push(n);
    } else {
      plainDays.push(item);
    }
  }

  // Field by field, in order, so that the first field at fault is the one reported.
  const parsed: FieldValues[] = [];
  let nthWeekday = 0;
  for (let i = 0; i < 6; i++) {
    try {
      if (i === 3) {
        parsed.push(plainDays.length > 0 ? fieldValues(3, plainDays.join(',')) : { numbers: [], lasts: [] });
      } else if (i === 5) {
        const { weekdays, nth } = splitNth(raw[5]!);
        nthWeekday = nth;
        parsed.push(fieldValues(5, weekdays));
      } else {
        parsed.push(fieldValues(i, raw[i]!));
      }
    } catch (problem) {
      if (problem instanceof FieldProblem) fail(i, problem.message);
      throw problem;
    }
  }
  const [second, minute, hour, dayOfMonth, month, dayOfWeek] = parsed as [
    FieldValues,
    FieldValues,
    FieldValues,
    FieldValues,
    FieldValues,
    FieldValues,
  ];
  const days = new Array<boolean>(32).fill(false);
  for (const v of dayOfMonth.numbers) days[v] = true;
  const lastDay = dayOfMonth.lasts.length > 0;
  const weekdays = new Array<boolean>(7).fill(false);
  for (const v of dayOfWeek.numbers) weekdays[v % 7] = true;
  const lastWeekdaysOfMonth = new Array<boolean>(7).fill(false);
  for (const v of dayOfWeek.lasts) lastWeekdaysOfMonth[Number(v.charAt(0)) % 7] = true;
  const monthAllowed = new Array<boolean>(13).fill(false);
  for (const v of month.numbers) monthAllowed[v] = true;

  const dayOfMonthRestricted = !UNRESTRICTED.has(raw[3]!);
  const dayOfWeekRestricted = !UNRESTRICTED.has(raw[5]!);
  /** Whether day `d` of a month of `length` days whose 1st is weekday `first` matches. */
  const dayMatches = (d: number, length: number, first: number): boolean => {
    if (!dayOfMonthRestricted && !dayOfWeekRestricted) return true;
    const weekday = (first + d - 1) % 7;
    let byDay = false;
    if (dayOfMonthRestricted) {
      byDay = days[d] === true || (lastDay && d === length);
      if (!byDay && weekday >= 1 && weekday <= 5) {
        byDay =
          (lastWeekday && d === lastWeekdayOf(length, first)) ||
          nearestWeekdays.some((n) => nearestWeekday(n, length, first) === d);
      }
    }
    let byWeekday = false;
    if (dayOfWeekRestricted) {
      byWeekday =
        (weekdays[weekday] === true && (nthWeekday === 0 || Math.ceil(d / 7) === nthWeekday)) ||
        (lastWeekdaysOfMonth[weekday] === true && d + 7 > length);
    }
    // Vixie cron: both restricted means either may match; otherwise the restricted one decides.
    if (dayOfMonthRestricted && dayOfWeekRestricted) return byDay || byWeekday;
    return dayOfMonthRestricted ? byDay : byWeekday;
  };
  const dayMasks = new Int32Array(28);
  for (let length = 28; length <= 31; length++) {
    for (let first = 0; first < 7; first++) {
      let mask = 0;
      for (let d = 1; d <= length; d++) if (dayMatches(d, length, first)) mask |= 1 << (d - 1);
      dayMasks[dayIndex(length, first)] = mask;
    }
  }
  // Each month's shapes (length, weekday of the 1st) recur a fixed number of times per 400-year cycle,
  // after which the calendar repeats: an expression with no matching day in a cycle never fires.
  let daysPerCycle = 0;
  for (let month = 1; month <= 12; month++) {
    if (!monthAllowed[month]) continue;
    for (let shape = 0; shape < 28; shape++) {
      daysPerCycle += MONTH_SHAPES[(month - 1) * 28 + shape]! * bitCount(dayMasks[shape]!);
    }
  }

  const secondsBefore = countTable(second.numbers, 59);
  const minutesBefore = countTable(minute.numbers, 59);
  const hoursBefore = countTable(hour.numbers, 23);
  return {
    nextSecond: nextTable(second.numbers, 59, 1),
    nextMinute: nextTable(minute.numbers, 59, 1),
    nextHour: nextTable(hour.numbers, 23, 1),
    prevSecond: nextTable(second.numbers, 59, -1),
    prevMinute: nextTable(minute.numbers, 59, -1),
    prevHour: nextTable(hour.numbers, 23, -1),
    secondsBefore,
    minutesBefore,
    hoursBefore,
    perDay: secondsBefore[60]! * minutesBefore[60]! * hoursBefore[24]!,
    nextMonth: nextTable(month.numbers, 12, 1),
    prevMonth: nextTable(month.numbers, 12, -1),
    dayMasks,
    daysPerCycle,
    wildcardHour: raw[2]!.startsWith('*') || raw[2] === '?',
    never: daysPerCycle === 0,
  };
}

/** Index into {@link Matcher.dayMasks} for a month of `length` days whose 1st is weekday `first`. */
const dayIndex = (length: number, first: number) => (length - 28) * 7 + first;

/** The weekday (Mon-Fri) nearest day `n`, never leaving the month; -1 when the month has no day `n`. */
function nearestWeekday(n: number, length: number, first: number): number {
  if (n > length) return -1;
  const weekday = (first + n - 1) % 7;
  if (weekday === 6) return n === 1 ? 3 : n - 1;
  if (weekday === 0) return n === length ? n - 2 : n + 1;
  return n;
}

function lastWeekdayOf(length: number, first: number): number {
  const weekday = (first + length - 1) % 7;
  return weekday === 6 ? length - 1 : weekday === 0 ? length - 2 : length;
}

/** Table over 0..max+1: for each v, how many allowed values are below v. */
function countTable(values: readonly number[], max: number): Uint8Array {
  const allowed = new Array<boolean>(max + 1).fill(false);
  for (const v of values) allowed[v] = true;
  const table = new Uint8Array(max + 2);
  for (let v = 0; v <= max; v++) table[v + 1] = table[v]! + (allowed[v] ? 1 : 0);
  return table;
}

/** Table over 0..max+1: for each v, the nearest allowed value at or after (dir 1) or before (dir -1) v. */
function nextTable(values: readonly number[], max: number, dir: 1 | -1): Int8Array {
  const allowed = new Array<boolean>(max + 2).fill(false);
  for (const v of values) allowed[v] = true;
  const table = new Int8Array(max + 2).fill(-1);
  if (dir === 1) {
    for (let v = max, next = -1; v >= 0; v--) {
      if (allowed[v]) next = v;
      table[v] = next;
    }
  } else {
    for (let v = 0, prev = -1; v <= max + 1; v++) {
      if (allowed[v]) prev = v;
      table[v] = prev;
    }
  }
  return table;
}

/**
 * Check an IANA time zone name, accepting `UTC`. Returns the name with the canonical capitalisation
 * (`europe/paris` becomes `Europe/Paris`); aliases such as `US/Eastern` are kept as written. Numeric
 * offsets (`+05:00`) are refused: they have no daylight-saving rules and are not IANA names.
 *
 * @throws ValidationError on `field`, expecting an IANA time zone such as Europe/Paris
 */
export function checkTimezone(field: string, value: unknown): string {
  // The default zone needs no lookup: a process whose schedules are all in UTC never loads the
  // time-zone data behind Intl (about 10 MB of memory).
  if (value === 'UTC') return 'UTC';
  if (typeof value === 'string') {
    const known = zoneNames.get(value);
    if (known !== undefined) return known;
  }
  if (typeof value !== 'string' || value.length > 64 || !/^[A-Za-z][A-Za-z0-9_+\-/]*$/.test(value)) {
    throw new ValidationError({
      field,
      value: typeof value === 'string' ? value.slice(0, 64) : value,
      expected: TIMEZONE_EXPECTED,
    });
  }
  let resolved: string;
  try {
    resolved = new Intl.DateTimeFormat('en-US', { timeZone: value }).resolvedOptions().timeZone;
  } catch {
    throw new ValidationError({ field, value, expected: TIMEZONE_EXPECTED });
  }
  const name = resolved.toLowerCase() === value.toLowerCase() ? resolved : value;
  zoneNames.set(value, name);
  if (zoneNames.size > ZONE_LIMIT) zoneNames.delete(zoneNames.keys().next().value as string);
  return name;
}
const zoneNames = new Map<string, string>();

/**
 * A human-readable description of an expression in 24-hour time, e.g. `Every 5 minutes` or
 * `At 09:00, Monday through Friday`. Macros are described by the fields they stand for.
 *
 * @throws ValidationError on field `cron` when the expression is invalid
 */
export function describeCron(expression: string): string {
  const text = parseCron(expression).expression;
  let description = descriptions.get(text);
  if (description === undefined) {
    description = describe(text);
    // Bounded like the parse cache: listing schedules describes each row, and cronstrue is not cheap.
    if (descriptions.size >= MAX_DESCRIPTIONS) descriptions.delete(descriptions.keys().next().value!);
    descriptions.set(text, description);
  }
  return description;
}

const MAX_DESCRIPTIONS = 10_000;
const descriptions = new Map<string, string>();

/**
 * cronstrue, loaded on the first description: a scheduler that only fires schedules never asks for
 * one, and the package (with its English strings) is not small. It is CommonJS, so require() loads it
 * synchronously.
 */
let cronstrue: typeof import('cronstrue').default | undefined;

function describe(text: string): string {
  const fields = text.startsWith('@') ? MACROS[text]! : text;
  cronstrue ??= createRequire(import.meta.url)('cronstrue') as typeof import('cronstrue').default;
  try {
    return cronstrue.toString(fields, { use24HourTimeFormat: true, throwExceptionOnParseError: true });
  } catch {
    // cronstrue reads a few valid combinations less well than our parser; the expression still runs.
    return `Cron "${text}"`;
  }
}

// ---------------------------------------------------------------------------------------------------
// Triggers: the questions the engine asks of a schedule, whatever its kind.

/** Occurrences a cron trigger's shortest gap is estimated from (from a fixed instant: pure). */
const GAP_SAMPLE = 200;
const GAP_FROM = new Date(Date.UTC(2001, 0, 1));

/**
 * The {@link Trigger} of a cron schedule.
 *
 * @throws ValidationError on field `cron` or `timezone` when `s` is a plain object that does not parse
 */
export function cronTrigger(s: CronSchedule): Trigger {
  compiledOf(s);
  let gap: number | null | undefined;
  return {
    next: (after) => nextAfter(s, after),
    previous: (before) => previousBefore(s, before),
    count: (from, to, cap) => countOccurrences(s, from, to, cap),
    occurrences: (from, to, limit) => occurrences(s, from, to, limit),
    latest: (from, to, limit) => latestOccurrences(s, from, to, limit),
    shortestGapSeconds: () => {
      if (gap === undefined) {
        const sample = upcoming(s, GAP_SAMPLE, GAP_FROM);
        gap = null;
        for (let i = 1; i < sample.length; i++) {
          const g = (sample[i]!.getTime() - sample[i - 1]!.getTime()) / SECOND;
          if (gap === null || g < gap) gap = g;
        }
      }
      return gap;
    },
    describe: () => describeCron(s.expression),
  };
}

// ---------------------------------------------------------------------------------------------------
// Occurrences. Each function's cost is bounded by the number of instants it returns plus the calendar
// months it walks (see forEachLocal); countOccurrences' by the months and offset changes in its range.

/**
 * The first occurrence strictly after `after`, or null when the expression can never fire (such as
 * `0 0 30 2 *`). Occurrences fall on whole seconds (whole minutes for 5-field expressions).
 *
 * @throws ValidationError on `after` when it is not a valid Date
 */
export function nextAfter(s: CronSchedule, after: Date): Date | null {
  const c = compiledOf(s);
  const from = floorSecond(instant('after', after)) + SECOND;
  const found = firstAtOrAfter(c, from, Math.min(from + HORIZON_MS, MAX_TIME));
  return found === null ? null : new Date(found);
}

/**
 * The last occurrence strictly before `before`, or null when there is none (the mirror of
 * {@link nextAfter}).
 *
 * @throws ValidationError on `before` when it is not a valid Date
 */
export function previousBefore(s: CronSchedule, before: Date): Date | null {
  const c = compiledOf(s);
  const from = ceilSecond(instant('before', before)) - SECOND;
  let found: number | null = null;
  walkBackward(c, from, Math.max(from - HORIZON_MS, -MAX_TIME), 1, (t) => {
    found = t;
  });
  return found === null ? null : new Date(found);
}

/**
 * The first `limit` occurrences in `[fromInclusive, toInclusive]`, ascending.
 *
 * @throws ValidationError on `fromInclusive`, `toInclusive` or `limit` (an integer of 0 or more)
 */
export function occurrences(s: CronSchedule, fromInclusive: Date, toInclusive: Date, limit: number): Date[] {
  const c = compiledOf(s);
  const start = ceilSecond(instant('fromInclusive', fromInclusive));
  const end = floorSecond(instant('toInclusive', toInclusive));
  const out: Date[] = [];
  walkForward(c, start, end, checkCount('limit', limit), (t) => out.push(new Date(t)));
  return out;
}

/**
 * The last `limit` occurrences in `[fromInclusive, toInclusive]`, ascending. Walks backwards from
 * `toInclusive`, so the cost depends on `limit`, not on the length of the range.
 *
 * @throws ValidationError on `fromInclusive`, `toInclusive` or `limit` (an integer of 0 or more)
 */
export function latestOccurrences(s: CronSchedule, fromInclusive: Date, toInclusive: Date, limit: number): Date[] {
  const c = compiledOf(s);
  const floor = ceilSecond(instant('fromInclusive', fromInclusive));
  const start = floorSecond(instant('toInclusive', toInclusive));
  const out: Date[] = [];
  walkBackward(c, start, floor, checkCount('limit', limit), (t) => out.push(new Date(t)));
  return out.reverse();
}

/**
 * How many occurrences fall in `[fromInclusive, toInclusive]`, exactly, or `cap` when there are more.
 * Counts without visiting the occurrences: whole matching days count `perDay` each and partial days
 * are counted from prefix tables, so the cost is the number of months and daylight-saving changes in
 * the range (24 hours or 10 years of an every-second schedule take microseconds once the zone's offsets
 * for those months are known).
 *
 * @param cap optional upper bound on the answer; default: none (`Number.MAX_SAFE_INTEGER`)
 * @throws ValidationError on `fromInclusive`, `toInclusive` or `cap` (an integer of 0 or more)
 */
export function countOccurrences(
  s: CronSchedule,
  fromInclusive: Date,
  toInclusive: Date,
  cap: number = Number.MAX_SAFE_INTEGER,
): number {
  const c = compiledOf(s);
  const start = ceilSecond(instant('fromInclusive', fromInclusive));
  const end = floorSecond(instant('toInclusive', toInclusive));
  const most = checkCount('cap', cap);
  let n = 0;
  forEachStretch(c, start, end, (gap, from, until) => {
    n += (gap === null ? 0 : 1) + countLocal(c.matcher, from, until);
    return n < most;
  });
  return Math.min(n, most);
}

// ---------------------------------------------------------------------------------------------------
// Previews: the one place where a caller chooses how far to look, so the one place with a work bound.

/**
 * Most years of instants one preview covers, counted from its first instant. A preview's cost is the
 * months it walks (cheap) plus, in a zone other than UTC, finding the zone's offsets where it looks for
 * instants, when no search has needed them before: 3 Intl calls for a day, 32 for a month (1-3 µs
 * each). Within 20 years that is at most 252 months, whatever the expression, zone, count and `from`
 * (test/bench/cron.ts prints the worst cases found). A bound on calendar years rather than on work
 * done keeps the answer the same whatever is already known.
 */
export const MAX_PREVIEW_YEARS = 20;
const PREVIEW_SPAN_MS = MAX_PREVIEW_YEARS * 365.2425 * DAY;

/**
 * The next `count` instants strictly after `from`, or fewer when they do not all fall within
 * {@link MAX_PREVIEW_YEARS} of the first one. Never refuses a sparse expression: for listings (a job's
 * upcoming instants) where showing fewer is better than failing. The first instant is always found
 * when there is one, however far (a fifth Monday in February can be 40 years away).
 *
 * @param count 0 to 1000
 * @throws ValidationError on `count` or `from`
 */
export function upcoming(s: CronSchedule, count: number, from: Date): Date[] {
  const c = compiledOf(s);
  const n = checkPreviewCount(count);
  const start = floorSecond(instant('from', from)) + SECOND;
  const out: Date[] = [];
  const first = n === 0 ? null : firstAtOrAfter(c, start, Math.min(start + HORIZON_MS, MAX_TIME));
  // Nothing fires in [start, first), so walking from `first` finds what walking from `start` would.
  if (first !== null)
    walkForward(c, first, Math.min(first + PREVIEW_SPAN_MS, MAX_TIME), n, (t) => out.push(new Date(t)));
  return out;
}

/**
 * The next `count` instants strictly after `from`, for showing a user what an expression will do.
 * Answers in a few milliseconds or refuses: when the `count` instants span more than
 * {@link MAX_PREVIEW_YEARS} (`@yearly` with a count over 20, February 29th with a count over 5, a
 * fifth Monday in February with a count over 1), it throws a ValidationError on `count` that says how
 * many instants fit and how often the expression fires.
 *
 * @param count 0 to 1000
 * @param from instants strictly after this one
 * @throws ValidationError on `cron`, `timezone`, `count` or `from`
 */
export function preview(expression: string, timezone: string, count: number, from: Date): Date[] {
  const s = parseCron(expression, timezone);
  const n = checkPreviewCount(count);
  const found = upcoming(s, n, from);
  const last = found.at(-1);
  if (found.length < n && last !== undefined && nextAfter(s, last) !== null) {
    throw new ValidationError({
      field: 'count',
      value: count,
      expected: `at most ${found.length} for this expression: it fires ${frequency(compiledOf(s).matcher)}, and a preview covers at most ${MAX_PREVIEW_YEARS} years from its first instant`,
    });
  }
  return found;
}

function checkPreviewCount(count: number): number {
  if (!Number.isInteger(count) || count < 0 || count > MAX_PREVIEW_COUNT) {
    throw new ValidationError({ field: 'count', value: count, expected: `an integer from 0 to ${MAX_PREVIEW_COUNT}` });
  }
  return count;
}

/** How often an expression fires on average, in words: the wall clock repeats every 400 years. */
function frequency(m: Matcher): string {
  const perCycle = m.daysPerCycle * m.perDay;
  const perYear = perCycle / 400;
  if (perYear >= 1.5) return `about ${Math.round(perYear)} times a year`;
  const years = Math.round(400 / perCycle);
  return years <= 1 ? 'about once a year' : `about once every ${years} years`;
}

function compiledOf(s: CronSchedule): Compiled {
  const own = compiledBySchedule.get(s);
  if (own) return own;
  if (s === null || typeof s !== 'object') cronError(s, 'a schedule returned by parseCron');
  return compiledBySchedule.get(parseCron(s.expression, s.timezone))!;
}

function instant(field: string, value: Date): number {
  const t = value instanceof Date ? value.getTime() : Number.NaN;
  if (Number.isNaN(t)) throw new ValidationError({ field, value: String(value), expected: 'a valid Date' });
  return t;
}

function checkCount(field: string, value: number): number {
  if (!Number.isInteger(value) || value < 0) {
    throw new ValidationError({ field, value, expected: 'an integer of 0 or more' });
  }
  return value;
}

const floorSecond = (t: number) => Math.floor(t / SECOND) * SECOND;
const ceilSecond = (t: number) => Math.ceil(t / SECOND) * SECOND;

// ---------------------------------------------------------------------------------------------------
// The search along the zone. Instants are UTC milliseconds; "local" values are the zone's wall clock
// expressed as if it were UTC (local = instant + offset), which lets the calendar arithmetic ignore
// zones entirely. Inside one constant-offset segment, local times and instants correspond one to one;
// the daylight-saving rules of parseCron are decided only where segments meet, in the two walks below
// (one per direction, mirrors of each other).

/**
 * Every UTC offset in the zone database lies strictly within a day of UTC (today -12 h to +14 h; local
 * mean times reached about ±16 h). So an occurrence at instant t has its wall-clock time within a day
 * of t, which lets a walk skip ahead to the next matching wall-clock time without knowing the offsets
 * in between: loading a zone's offsets for a month costs far more than searching its calendar.
 */
const OFFSET_BOUND = DAY;

/**
 * Walks [start, end] (whole seconds) forward through the zone's segments and hands `visit`, for each,
 * what fires in it: `gap`, the segment's first instant, when a fixed-hour schedule fires once for a
 * spring-forward gap; then the wall-clock stretch [from, until) whose matching times fire at
 * `local - offset`. Stops when `visit` returns false.
 */
function forEachStretch(
  c: Compiled,
  start: number,
  end: number,
  visit: (gap: number | null, from: number, until: number, offset: number) => boolean,
): void {
  const { matcher: m, zone } = c;
  if (m.never) return;
  let cursor = start;
  while (cursor <= end) {
    const seg = segmentAt(zone, cursor);
    let gap: number | null = null;
    let from = cursor + seg.offset;
    // Spring forward at seg.start: the wall-clock times [start+previousOffset, start+offset) never
    // happen. A fixed-hour schedule due in that gap fires once, at the transition itself; that instant
    // is also the first wall-clock time after the gap, which must not fire a second time.
    if (cursor === seg.start && gapFires(m, seg)) {
      gap = seg.start;
      from += SECOND;
    }
    // Fall back at seg.start: [start+offset, start+previousOffset) is the second pass of times the
    // previous segment already covered; a fixed-hour schedule fired on the first pass only.
    if (!m.wildcardHour && seg.previousOffset > seg.offset) from = Math.max(from, seg.start + seg.previousOffset);
    if (!visit(gap, from, Math.min(seg.end, end + SECOND) + seg.offset, seg.offset)) return;
    cursor = seg.end;
    if (cursor > end) return;
    // An occurrence at t >= cursor has its wall-clock time at or after cursor - OFFSET_BOUND (a gap's
    // firing too: its time lies after the gap's start), so none comes before the next matching time
    // minus OFFSET_BOUND. Landing inside a segment is safe: its gap, if any, fires before the landing.
    const next = nextLocal(m, cursor - OFFSET_BOUND, end + OFFSET_BOUND + SECOND);
    if (next === null) return;
    cursor = Math.max(cursor, next - OFFSET_BOUND);
  }
}

/** The first occurrence in [start, end] (whole seconds), or null. */
function firstAtOrAfter(c: Compiled, start: number, end: number): number | null {
  let found: number | null = null;
  walkForward(c, start, end, 1, (t) => {
    found = t;
  });
  return found;
}

/** The occurrences in [start, end] (whole seconds), ascending, at most `n`. */
function walkForward(c: Compiled, start: number, end: number, n: number, emit: (t: number) => void): void {
  let left = n;
  if (left === 0) return;
  forEachStretch(c, start, end, (gap, from, until, offset) => {
    if (gap !== null) {
      emit(gap);
      if (--left === 0) return false;
    }
    left -= forEachLocal(c.matcher, from, until, left, (local) => emit(local - offset));
    return left > 0;
  });
}

/** The occurrences in [floor, start] (whole seconds), descending, at most `n`: the mirror of the above. */
function walkBackward(c: Compiled, start: number, floor: number, n: number, emit: (t: number) => void): void {
  const { matcher: m, zone } = c;
  if (m.never || n === 0) return;
  let left = n;
  let cursor = start;
  while (cursor >= floor) {
    const seg = segmentAt(zone, cursor);
    let low = Math.max(seg.start, floor) + seg.offset;
    if (!m.wildcardHour && seg.previousOffset > seg.offset) low = Math.max(low, seg.start + seg.previousOffset);
    let lowest = Number.NaN;
    left -= forEachLocalBackward(m, cursor + seg.offset, low, left, (local) => {
      lowest = local;
      emit(local - seg.offset);
    });
    if (left === 0) return;
    // The gap's single firing is the segment's first instant, before everything else in the segment;
    // when the first wall-clock time after the gap matches too, that instant has just been emitted.
    if (seg.start >= floor && lowest !== seg.start + seg.offset && gapFires(m, seg)) {
      emit(seg.start);
      if (--left === 0) return;
    }
    cursor = seg.start - SECOND;
    if (cursor < floor) return;
    // The mirror of the skip in forEachStretch: an occurrence at t <= cursor has its wall-clock time at
    // or before cursor + OFFSET_BOUND, and t is at most that time plus OFFSET_BOUND.
    const previous = prevLocal(m, cursor + OFFSET_BOUND, floor - OFFSET_BOUND);
    if (previous === null) return;
    cursor = Math.min(cursor, previous + OFFSET_BOUND);
  }
}

/** A fixed-hour schedule fires once at `seg.start` because some time it names falls in a skipped gap. */
function gapFires(m: Matcher, seg: Segment): boolean {
  return (
    !m.wildcardHour &&
    seg.previousOffset < seg.offset &&
    nextLocal(m, seg.start + seg.previousOffset, seg.start + seg.offset) !== null
  );
}

// ---------------------------------------------------------------------------------------------------
// The search on the wall clock, with no zone: local whole seconds, calendar days since 1970-01-01.

/**
 * Hands `emit` the matching local whole seconds in [from, until), ascending, at most `max`; returns how
 * many. Walks month by month, then through the month's matching days (its day mask), then through each
 * day's matching times, so the cost is the months spanned plus the days and times emitted or passed.
 */
function forEachLocal(m: Matcher, from: number, until: number, max: number, emit: (local: number) => void): number {
  let n = 0;
  const start = ceilSecond(from);
  let days = Math.floor(start / DAY);
  let sec = (start - days * DAY) / SECOND;
  while (n < max && days * DAY < until) {
    const date = civil(days);
    const year = yearOf(date);
    const month = monthOf(date);
    const monthStart = days - dayOf(date) + 1;
    if (m.nextMonth[month] !== month) {
      const next = m.nextMonth[month + 1]!;
      days = next > 0 ? daysFromCivil(year, next, 1) : daysFromCivil(year + 1, m.nextMonth[1]!, 1);
      sec = 0;
      continue;
    }
    const length = monthLength(year, month);
    let rest = m.dayMasks[dayIndex(length, weekdayOf(monthStart))]! & ~bitsBelow(dayOf(date));
    while (rest !== 0) {
      const dayNumber = monthStart + 31 - Math.clz32(rest & -rest);
      if (dayNumber * DAY >= until) return n;
      for (let t = nextTimeOfDay(m, dayNumber === days ? sec : 0); t >= 0; t = nextTimeOfDay(m, t + 1)) {
        const local = dayNumber * DAY + t * SECOND;
        if (local >= until) return n;
        emit(local);
        if (++n >= max) return n;
      }
      rest &= rest - 1;
    }
    days = monthStart + length;
    sec = 0;
  }
  return n;
}

/** The mirror of {@link forEachLocal}: matching local whole seconds in [floor, from], descending. */
function forEachLocalBackward(
  m: Matcher,
  from: number,
  floor: number,
  max: number,
  emit: (local: number) => void,
): number {
  let n = 0;
  const start = floorSecond(from);
  let days = Math.floor(start / DAY);
  let sec = (start - days * DAY) / SECOND;
  while (n < max && (days + 1) * DAY > floor) {
    const date = civil(days);
    const year = yearOf(date);
    const month = monthOf(date);
    const monthStart = days - dayOf(date) + 1;
    if (m.nextMonth[month] !== month) {
      const previous = m.prevMonth[month - 1]!;
      const y = previous > 0 ? year : year - 1;
      const target = previous > 0 ? previous : m.prevMonth[12]!;
      days = daysFromCivil(y, target, monthLength(y, target));
      sec = 86_399;
      continue;
    }
    let rest = m.dayMasks[dayIndex(monthLength(year, month), weekdayOf(monthStart))]! & bitsBelow(dayOf(date) + 1);
    while (rest !== 0) {
      const bit = 31 - Math.clz32(rest);
      const dayNumber = monthStart + bit;
      if ((dayNumber + 1) * DAY <= floor) return n;
      for (let t = prevTimeOfDay(m, dayNumber === days ? sec : 86_399); t >= 0; t = prevTimeOfDay(m, t - 1)) {
        const local = dayNumber * DAY + t * SECOND;
        if (local < floor) return n;
        emit(local);
        if (++n >= max) return n;
      }
      rest &= ~(1 << bit);
    }
    days = monthStart - 1;
    sec = 86_399;
  }
  return n;
}

/** First matching local whole second in [from, until), or null. */
function nextLocal(m: Matcher, from: number, until: number): number | null {
  let found: number | null = null;
  forEachLocal(m, from, until, 1, (local) => {
    found = local;
  });
  return found;
}

/** Last matching local whole second in [floor, from], or null. */
function prevLocal(m: Matcher, from: number, floor: number): number | null {
  let found: number | null = null;
  forEachLocalBackward(m, from, floor, 1, (local) => {
    found = local;
  });
  return found;
}

/** The first matching second of a matching day at or after second `sec` (0-86400), or -1. */
function nextTimeOfDay(m: Matcher, sec: number): number {
  let h = Math.floor(sec / 3600);
  let minute = Math.floor(sec / 60) % 60;
  let second = sec % 60;
  // Each pass settles the hour, then the minute, then the second, moving on when one runs out; the
  // tables' sentinels (-1 past the end) end the day. At most a few passes.
  for (;;) {
    const hour = m.nextHour[h]!;
    if (hour < 0) return -1;
    if (hour !== h) {
      h = hour;
      minute = 0;
      second = 0;
    }
    const mm = m.nextMinute[minute]!;
    if (mm < 0) {
      h++;
      minute = 0;
      second = 0;
      continue;
    }
    if (mm !== minute) {
      minute = mm;
      second = 0;
    }
    const ss = m.nextSecond[second]!;
    if (ss < 0) {
      minute++;
      second = 0;
      continue;
    }
    return h * 3600 + minute * 60 + ss;
  }
}

/** The last matching second of a matching day at or before second `sec` (-1 to 86399), or -1. */
function prevTimeOfDay(m: Matcher, sec: number): number {
  if (sec < 0) return -1;
  let h = Math.floor(sec / 3600);
  let minute = Math.floor(sec / 60) % 60;
  let second = sec % 60;
  for (;;) {
    const hour = h < 0 ? -1 : m.prevHour[h]!;
    if (hour < 0) return -1;
    if (hour !== h) {
      h = hour;
      minute = 59;
      second = 59;
    }
    const mm = minute < 0 ? -1 : m.prevMinute[minute]!;
    if (mm < 0) {
      h--;
      minute = 59;
      second = 59;
      continue;
    }
    if (mm !== minute) {
      minute = mm;
      second = 59;
    }
    const ss = m.prevSecond[second]!;
    if (ss < 0) {
      minute--;
      second = 59;
      continue;
    }
    return h * 3600 + minute * 60 + ss;
  }
}

/**
 * How many matching local whole seconds fall in [from, until): whole matching days count
 * `perDay` each, the partial days at either end come from {@link timesBefore}.
 */
function countLocal(m: Matcher, from: number, until: number): number {
  const a = ceilSecond(from);
  const b = ceilSecond(until);
  if (a >= b) return 0;
  const dayA = Math.floor(a / DAY);
  const dayB = Math.floor(b / DAY);
  const secA = (a - dayA * DAY) / SECOND;
  const secB = (b - dayB * DAY) / SECOND;
  if (dayA === dayB) return dayMatches(m, dayA) ? timesBefore(m, secB) - timesBefore(m, secA) : 0;
  let n = matchingDays(m, dayA, dayB) * m.perDay;
  if (secA > 0 && dayMatches(m, dayA)) n -= timesBefore(m, secA);
  if (secB > 0 && dayMatches(m, dayB)) n += timesBefore(m, secB);
  return n;
}

/** How many matching times of a matching day come before second `sec` (0-86400). */
function timesBefore(m: Matcher, sec: number): number {
  if (sec >= 86_400) return m.perDay;
  const h = Math.floor(sec / 3600);
  const minute = Math.floor(sec / 60) % 60;
  const perMinute = m.secondsBefore[60]!;
  let n = m.hoursBefore[h]! * m.minutesBefore[60]! * perMinute;
  if (m.nextHour[h] === h) {
    n += m.minutesBefore[minute]! * perMinute;
    if (m.nextMinute[minute] === minute) n += m.secondsBefore[sec % 60]!;
  }
  return n;
}

/**
 * How many local days in [fromDay, untilDay) match: whole 400-year cycles from the matcher's count per
 * cycle, then one step per month of the rest, counting its mask's bits.
 */
function matchingDays(m: Matcher, fromDay: number, untilDay: number): number {
  const cycles = Math.floor((untilDay - fromDay) / DAYS_PER_CYCLE);
  let n = cycles * m.daysPerCycle;
  let days = fromDay + cycles * DAYS_PER_CYCLE;
  while (days < untilDay) {
    const date = civil(days);
    const month = monthOf(date);
    const length = monthLength(yearOf(date), month);
    const monthStart = days - dayOf(date) + 1;
    const monthEnd = monthStart + length;
    if (m.nextMonth[month] === month) {
      const mask = m.dayMasks[dayIndex(length, weekdayOf(monthStart))]!;
      n += bitCount(mask & bitsBelow(Math.min(untilDay, monthEnd) - monthStart + 1) & ~bitsBelow(dayOf(date)));
    }
    days = monthEnd;
  }
  return n;
}

function dayMatches(m: Matcher, days: number): boolean {
  const date = civil(days);
  const month = monthOf(date);
  if (m.nextMonth[month] !== month) return false;
  const mask = m.dayMasks[dayIndex(monthLength(yearOf(date), month), weekdayOf(days - dayOf(date) + 1))]!;
  return ((mask >>> (dayOf(date) - 1)) & 1) === 1;
}

/** The mask of days 1 to d-1 (bits 0 to d-2). */
const bitsBelow = (d: number) => (d > 31 ? 0x7fffffff : (1 << (d - 1)) - 1);

function bitCount(x: number): number {
  let v = x - ((x >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24;
}

// ---------------------------------------------------------------------------------------------------
// Calendar arithmetic (proleptic Gregorian, days since 1970-01-01), after Howard Hinnant's algorithms.

const DAYS_IN_MONTH = [0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const;

/**
 * The civil date of day `days`, packed as `(year * 16 + month) * 32 + day` so that the search, which
 * asks once per month it walks, allocates nothing. Read it with yearOf, monthOf and dayOf.
 */
function civil(days: number): number {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  return (year * 16 + month) * 32 + day;
}

// The packed value stays well inside 32 bits for every Date (years within ±300,000), so the bit
// operations below also read negative years correctly (two's complement).
const yearOf = (date: number) => Math.floor(date / 512);
const monthOf = (date: number) => (date >> 5) & 15;
const dayOf = (date: number) => date & 31;

function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  return era * 146_097 + yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy - 719_468;
}

/** 0 = Sunday. 1970-01-01 was a Thursday. */
const weekdayOf = (days: number) => (((days + 4) % 7) + 7) % 7;

function monthLength(year: number, month: number): number {
  if (month !== 2) return DAYS_IN_MONTH[month]!;
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
}

/** The Gregorian calendar repeats every 400 years, which are 146,097 days: a whole number of weeks. */
const DAYS_PER_CYCLE = 146_097;

/**
 * How many times each month has each shape in one 400-year cycle: `MONTH_SHAPES[(month - 1) * 28 +
 * dayIndex(length, weekday of the 1st)]`. With a matcher's day masks this gives its matching days per
 * cycle without walking the cycle. Computed once; never changed.
 */
const MONTH_SHAPES: Uint16Array = (() => {
  const counts = new Uint16Array(12 * 28);
  for (let year = 2000; year < 2400; year++) {
    for (let month = 1; month <= 12; month++) {
      counts[(month - 1) * 28 + dayIndex(monthLength(year, month), weekdayOf(daysFromCivil(year, month, 1)))]! += 1;
    }
  }
  return counts;
})();

// ---------------------------------------------------------------------------------------------------
// Zone offsets. Intl gives the offset at an instant; we find the offset changes of a stretch once (one
// probe per day, then a binary search to the second) and keep them, so a search calls Intl only for
// stretches no search has needed before. The stretches are UTC months, or single days: a sparse search
// (a monthly or yearly expression, nextAfter in a zone not seen before) needs the offsets around a few
// instants only, and a day costs 3 Intl calls where a month costs 32 and a year 367.

/** A stretch of time with one UTC offset. `previousOffset` differs from `offset` only at a real change. */
interface Segment {
  readonly start: number;
  readonly end: number;
  readonly offset: number;
  readonly previousOffset: number;
}

interface Zone {
  /** Formats an instant's UTC offset (`GMT-04:56:02`); null for UTC, which needs no lookups. */
  readonly format: Intl.DateTimeFormat | null;
  /** Memo of the segments of whole UTC months, by `year * 12 + month - 1`. */
  readonly months: Map<number, readonly Segment[]>;
  /** Memo of the segments of single UTC days (days since 1970), in months that have no table yet. */
  readonly days: Map<number, readonly Segment[]>;
  /** How many days of each month (same key as `months`) have been looked up one by one. */
  readonly daysPerMonth: Map<number, number>;
}

const UTC_SEGMENT: Segment = { start: -MAX_TIME, end: MAX_TIME + 1, offset: 0, previousOffset: 0 };
// A memo of a pure function of the zone name, like the parse cache.
const zones = new Map<string, Zone>();

function zoneFor(name: string): Zone {
  const known = zones.get(name);
  if (known) return known;
  if (name === 'UTC') {
    const utc: Zone = { format: null, months: new Map(), days: new Map(), daysPerMonth: new Map() };
    zones.set(name, utc);
    return utc;
  }
  // The offset (`longOffset`) is exact to the second and needs no calendar: reading wall-clock fields
  // back mis-dates years before 1 AD (they carry an era). With the hour alone beside it, a probe costs
  // about half of formatting every field.
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone: name,
    hour: 'numeric',
    hourCycle: 'h23',
    timeZoneName: 'longOffset',
  });
  const zone: Zone = {
    format: format.resolvedOptions().timeZone === 'UTC' ? null : format,
    months: new Map(),
    days: new Map(),
    daysPerMonth: new Map(),
  };
  zones.set(name, zone);
  if (zones.size > ZONE_LIMIT) zones.delete(zones.keys().next().value as string);
  return zone;
}

/**
 * The segment holding instant `t`. It may end before the zone's next change (at the end of a UTC day or
 * month): the walks treat such a cut, where `previousOffset` equals `offset`, as no change at all, so
 * what they find does not depend on which stretches happen to be known.
 */
function segmentAt(zone: Zone, t: number): Segment {
  if (zone.format === null) return UTC_SEGMENT;
  const day = Math.floor(t / DAY);
  const date = civil(day);
  const key = yearOf(date) * 12 + monthOf(date) - 1;
  const segments = zone.months.get(key) ?? zone.days.get(day) ?? findSegments(zone, zone.format, day, date, key);
  let found = segments[0]!;
  for (const seg of segments) if (seg.start <= t) found = seg;
  return found;
}

/**
 * Finds and keeps the segments of UTC day `day`, or of its whole month once searches have wanted three
 * of its days: a monthly expression needs two or three days around each instant (the walk lands a day
 * early), a weekly one needs the month.
 */
function findSegments(zone: Zone, format: Intl.DateTimeFormat, day: number, date: number, key: number) {
  const seen = zone.daysPerMonth.get(key) ?? 0;
  if (seen >= DAYS_BEFORE_MONTH) {
    const monthStart = day - dayOf(date) + 1;
    const segments = segmentsBetween(
      format,
      monthStart * DAY,
      (monthStart + monthLength(yearOf(date), monthOf(date))) * DAY,
    );
    zone.months.set(key, segments);
    if (zone.months.size > ZONE_MONTH_LIMIT) zone.months.delete(zone.months.keys().next().value as number);
    return segments;
  }
  zone.daysPerMonth.set(key, seen + 1);
  if (zone.daysPerMonth.size > ZONE_MONTH_LIMIT) {
    zone.daysPerMonth.delete(zone.daysPerMonth.keys().next().value as number);
  }
  const segments = segmentsBetween(format, day * DAY, (day + 1) * DAY);
  zone.days.set(day, segments);
  if (zone.days.size > ZONE_DAY_LIMIT) zone.days.delete(zone.days.keys().next().value as number);
  return segments;
}

/** The constant-offset segments covering [start, end) (whole days), cut at both ends and at each change. */
function segmentsBetween(format: Intl.DateTimeFormat, start: number, end: number): readonly Segment[] {
  const segments: Segment[] = [];
  let segStart = start;
  let offset = offsetAt(format, start);
  let previousOffset = offsetAt(format, start - SECOND);
  let cursor = start;
  // One probe a day finds every change except two that cancel out within 24 hours; tzdb has none (the
  // closest pairs are about 7 days apart: Gaza's Ramadan suspensions, Brazil in 2000).
  while (cursor < end - SECOND) {
    const probe = Math.min(cursor + DAY, end - SECOND);
    if (offsetAt(format, probe) === offset) {
      cursor = probe;
      continue;
    }
    let lo = cursor;
    let hi = probe;
    while (hi - lo > SECOND) {
      const mid = lo + Math.floor((hi - lo) / 2 / SECOND) * SECOND;
      if (offsetAt(format, mid) === offset) lo = mid;
      else hi = mid;
    }
    segments.push({ start: segStart, end: hi, offset, previousOffset });
    previousOffset = offset;
    offset = offsetAt(format, hi);
    segStart = hi;
    cursor = hi;
  }
  segments.push({ start: segStart, end, offset, previousOffset });
  return segments;
}

/**
 * UTC offset in milliseconds at instant `t` (local wall clock minus UTC), read from `GMT+05:45`,
 * `GMT-04:56:02` or `GMT`. Instants beyond the range of a Date (the first and last stretches reach
 * past it) take the offset at the edge.
 */
function offsetAt(format: Intl.DateTimeFormat, t: number): number {
  const text = format.format(Math.min(Math.max(t, -MAX_TIME), MAX_TIME));
  const at = text.lastIndexOf('GMT') + 3;
  if (at >= text.length) return 0;
  const sign = text.charCodeAt(at) === 45 /* - */ ? -1 : 1;
  const hours = Number(text.slice(at + 1, at + 3));
  const minutes = Number(text.slice(at + 4, at + 6));
  const seconds = text.length > at + 6 ? Number(text.slice(at + 7, at + 9)) : 0;
  return sign * (hours * 3600 + minutes * 60 + seconds) * SECOND;
}
