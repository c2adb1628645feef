/**
 * Cron expressions: parse, describe and enumerate occurrences in a time zone. Pure: the time and the
 * zone are always parameters, nothing here reads the clock.
 *
 * cron-parser parses and range-checks each field; the search for occurrences is ours. cron-parser's
 * own iterator decides daylight-saving cases hour by hour and gets some of them wrong (in
 * Australia/Lord_Howe it drops the occurrence in a skipped half hour, skips real instants after the
 * change and can throw "loop limit exceeded"; walking backwards it returns a repeated hour twice), and
 * it has no `W`. So we walk the wall clock ourselves between the zone's offset changes, which also
 * makes the daylight-saving rules below a single, testable decision.
 *
 * Daylight saving (see {@link parseCron}): a schedule whose hour field is a wildcard (`*`, `*\/n`) runs
 * in real elapsed time; one with a fixed hour names a time of day, which fires once per day.
 */
import { CronExpressionParser } from 'cron-parser';
import cronstrue from 'cronstrue';
import { ValidationError } from './errors.ts';

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
/** Years of offset changes kept per zone. */
const ZONE_YEAR_LIMIT = 256;
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

/** Lookup tables for one parsed expression: what the wall clock must read for it to fire. */
interface Matcher {
  /** For each value v, the smallest allowed value >= v, or -1 (index max+1 is always -1). */
  readonly nextSecond: Int8Array;
  readonly nextMinute: Int8Array;
  readonly nextHour: Int8Array;
  /** For each value v, the largest allowed value <= v, or -1. */
  readonly prevSecond: Int8Array;
  readonly prevMinute: Int8Array;
  readonly prevHour: Int8Array;
  /** Indexed 1-12 (0 and 13 are sentinels). */
  readonly nextMonth: Int8Array;
  readonly prevMonth: Int8Array;
  readonly dayOfMonthRestricted: boolean;
  readonly dayOfWeekRestricted: boolean;
  /** Indexed 1-31. */
  readonly days: readonly boolean[];
  readonly lastDay: boolean;
  readonly lastWeekday: boolean;
  readonly nearestWeekdays: readonly number[];
  /** Indexed 0-6, Sunday 0. */
  readonly weekdays: readonly boolean[];
  readonly lastWeekdaysOfMonth: readonly boolean[];
  /** 1-5 for `#n`, 0 when absent. */
  readonly nthWeekday: number;
  /** The hour field starts with `*` (or is `?`): the schedule follows elapsed time across DST. */
  readonly wildcardHour: boolean;
  /** No calendar day can ever match (e.g. `0 0 30 2 *`). */
  readonly never: boolean;
  /** One-entry memo of {@link dayState}: the search asks about the same day many times in a row. */
  memoDay: number;
  memoState: number;
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

/** Turn a cron-parser message into the end of a sentence about one field. */
function explain(message: string): string {
  const value = /got value (\S+) expected range (\S+)/.exec(message);
  if (value) return `has ${value[1]}, outside ${value[2]}`;
  const range = /got range (\S+) expected range (\S+)/.exec(message);
  if (range) return `has the range ${range[1]}, outside ${range[2]}`;
  const alias = /cannot resolve alias "(\w+)"/.exec(message);
  if (alias) return `has an unknown name "${alias[1]}"`;
  if (message.startsWith('Invalid characters')) return 'has characters that are not allowed here';
  return `is not valid (${message.replace(/^(Constraint|Validation) error, /, '')})`;
}

/** Build the matcher for 6 raw fields, using cron-parser for each field's values. */
function compileFields(expression: string, raw: readonly string[], hasSeconds: boolean): Matcher {
  const fail = (index: number, reason: string): never => fieldError(expression, raw, hasSeconds, index, reason);
  for (let i = 0; i < 6; i++) {
    // Month and weekday names may contain H (THU); hashed values (H, H/5) may not, since they would make
    // the schedule depend on a seed rather than on what was written.
    const withoutNames = i >= 4 ? raw[i]!.replace(/[a-z]{3}/gi, '') : raw[i]!;
    if (withoutNames.includes('H')) fail(i, 'uses H (hashed values), which is not supported');
  }

  // cron-parser has no W, so W items are taken out of the day-of-month field here and matched by us.
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
  const dayOfMonthForParser = plainDays.length > 0 ? plainDays.join(',') : '*';

  // The month is parsed apart from the days so that cron-parser's "day 30 never occurs in February"
  // check does not reject an expression that is valid but never fires; we detect that case ourselves.
  let parsed: ReturnType<typeof CronExpressionParser.parse>;
  let months: ReturnType<typeof CronExpressionParser.parse>;
  try {
    parsed = CronExpressionParser.parse(`${raw[0]} ${raw[1]} ${raw[2]} ${dayOfMonthForParser} * ${raw[5]}`);
    months = CronExpressionParser.parse(`0 0 0 * ${raw[4]} *`);
  } catch (error) {
    // Find the field at fault by parsing each one on its own against neutral neighbours.
    const parts = [...raw.slice(0, 3), dayOfMonthForParser, raw[4]!, raw[5]!];
    for (let i = 0; i < 6; i++) {
      const probe = ['0', '0', '0', '*', '*', '*'];
      probe[i] = parts[i]!;
      try {
        CronExpressionParser.parse(probe.join(' '));
      } catch (fieldFailure) {
        fail(i, explain((fieldFailure as Error).message));
      }
    }
    cronError(expression, `a valid cron expression: ${(error as Error).message}`);
  }

  const { second, minute, hour, dayOfMonth, dayOfWeek } = parsed.fields;
  const days = new Array<boolean>(32).fill(false);
  let lastDay = false;
  if (plainDays.length > 0) {
    for (const v of dayOfMonth.values) {
      if (v === 'L') lastDay = true;
      else if (typeof v === 'number') days[v] = true;
    }
  }
  const weekdays = new Array<boolean>(7).fill(false);
  const lastWeekdaysOfMonth = new Array<boolean>(7).fill(false);
  for (const v of dayOfWeek.values) {
    if (typeof v === 'number') weekdays[v % 7] = true;
    else lastWeekdaysOfMonth[Number(v.charAt(0)) % 7] = true;
  }
  const monthAllowed = new Array<boolean>(13).fill(false);
  for (const v of months.fields.month.values) monthAllowed[v] = true;

  const dayOfMonthRestricted = !UNRESTRICTED.has(raw[3]!);
  const dayOfWeekRestricted = !UNRESTRICTED.has(raw[5]!);
  // Only a day-of-month restriction on its own can be unsatisfiable: every weekday, nth weekday and
  // last weekday occurs in every month sooner or later (a fifth weekday in February every 28-40 years).
  let never = false;
  if (dayOfMonthRestricted && !dayOfWeekRestricted && !lastDay && !lastWeekday) {
    const longest = Math.max(...monthAllowed.map((ok, m) => (ok ? DAYS_IN_MONTH[m]! : 0)));
    const earliest = Math.min(...days.map((ok, d) => (ok ? d : 99)), ...nearestWeekdays);
    never = earliest > longest;
  }

  return {
    nextSecond: nextTable(second.values, 59, 1),
    nextMinute: nextTable(minute.values, 59, 1),
    nextHour: nextTable(hour.values, 23, 1),
    prevSecond: nextTable(second.values, 59, -1),
    prevMinute: nextTable(minute.values, 59, -1),
    prevHour: nextTable(hour.values, 23, -1),
    nextMonth: nextTable(months.fields.month.values, 12, 1),
    prevMonth: nextTable(months.fields.month.values, 12, -1),
    dayOfMonthRestricted,
    dayOfWeekRestricted,
    days,
    lastDay,
    lastWeekday,
    nearestWeekdays,
    weekdays,
    lastWeekdaysOfMonth,
    nthWeekday: dayOfWeek.nthDay,
    wildcardHour: raw[2]!.startsWith('*') || raw[2] === '?',
    never,
    memoDay: Number.NaN,
    memoState: 0,
  };
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

function describe(text: string): string {
  const fields = text.startsWith('@') ? MACROS[text]! : text;
  try {
    return cronstrue.toString(fields, { use24HourTimeFormat: true, throwExceptionOnParseError: true });
  } catch {
    // cronstrue reads a few valid combinations less well than cron-parser; the expression still runs.
    return `Cron "${text}"`;
  }
}

/**
 * The first occurrence strictly after `after`, or null when the expression can never fire (such as
 * `0 0 30 2 *`). Occurrences fall on whole seconds (whole minutes for 5-field expressions).
 */
export function nextAfter(s: CronSchedule, after: Date): Date | null {
  const { matcher, zone } = compiledOf(s);
  const from = floorSecond(instant('after', after)) + SECOND;
  if (matcher.never) return null;
  const found = firstAtOrAfter(matcher, zone, from, Math.min(from + HORIZON_MS, MAX_TIME));
  return found === null ? null : new Date(found);
}

/** The first `limit` occurrences in `[fromInclusive, toInclusive]`, ascending. */
export function occurrences(s: CronSchedule, fromInclusive: Date, toInclusive: Date, limit: number): Date[] {
  const out: Date[] = [];
  walkForward(s, fromInclusive, toInclusive, count('limit', limit), (t) => out.push(new Date(t)));
  return out;
}

/**
 * The last `limit` occurrences in `[fromInclusive, toInclusive]`, ascending. Walks backwards from
 * `toInclusive`, so the cost depends on `limit`, not on the length of the range.
 */
export function latestOccurrences(s: CronSchedule, fromInclusive: Date, toInclusive: Date, limit: number): Date[] {
  const { matcher, zone } = compiledOf(s);
  const floor = ceilSecond(instant('fromInclusive', fromInclusive));
  let cursor = floorSecond(instant('toInclusive', toInclusive));
  const n = count('limit', limit);
  const out: Date[] = [];
  if (matcher.never) return out;
  while (out.length < n && cursor >= floor) {
    const found = lastAtOrBefore(matcher, zone, cursor, floor);
    if (found === null) break;
    out.push(new Date(found));
    cursor = found - SECOND;
  }
  return out.reverse();
}

/** How many occurrences fall in `[fromInclusive, toInclusive]`, counting no further than `cap`. */
export function countOccurrences(s: CronSchedule, fromInclusive: Date, toInclusive: Date, cap: number): number {
  let n = 0;
  walkForward(s, fromInclusive, toInclusive, count('cap', cap), () => n++);
  return n;
}

/**
 * The next `count` instants strictly after `from`, for showing a user what an expression will do.
 *
 * @param count 0 to 1000
 * @throws ValidationError on `cron`, `timezone` or `count`
 */
export function preview(expression: string, timezone: string, count: number, from: Date): Date[] {
  const s = parseCron(expression, timezone);
  if (!Number.isInteger(count) || count < 0 || count > MAX_PREVIEW_COUNT) {
    throw new ValidationError({ field: 'count', value: count, expected: `an integer from 0 to ${MAX_PREVIEW_COUNT}` });
  }
  const start = new Date(floorSecond(instant('from', from)) + SECOND);
  return occurrences(s, start, new Date(MAX_TIME), count);
}

function walkForward(s: CronSchedule, fromInclusive: Date, toInclusive: Date, n: number, emit: (t: number) => void) {
  const { matcher, zone } = compiledOf(s);
  let cursor = ceilSecond(instant('fromInclusive', fromInclusive));
  const limit = instant('toInclusive', toInclusive);
  if (matcher.never) return;
  for (let emitted = 0; emitted < n && cursor <= limit; emitted++) {
    const found = firstAtOrAfter(matcher, zone, cursor, limit);
    if (found === null) return;
    emit(found);
    cursor = found + SECOND;
  }
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

function count(field: string, value: number): number {
  if (!Number.isInteger(value) || value < 0) {
    throw new ValidationError({ field, value, expected: 'an integer of 0 or more' });
  }
  return value;
}

const floorSecond = (t: number) => Math.floor(t / SECOND) * SECOND;
const ceilSecond = (t: number) => Math.ceil(t / SECOND) * SECOND;

// ---------------------------------------------------------------------------------------------------
// The search. Instants are UTC milliseconds; "local" values are the zone's wall clock expressed as if
// it were UTC (local = instant + offset), which lets the calendar arithmetic ignore zones entirely.

/**
 * First occurrence at or after `start` (a whole second) and at or before `limit`. Walks the zone's
 * constant-offset segments; inside one, local time and instants correspond one to one.
 */
function firstAtOrAfter(m: Matcher, zone: Zone, start: number, limit: number): number | null {
  let cursor = start;
  while (cursor <= limit) {
    const seg = segmentAt(zone, cursor);
    // Spring forward at seg.start: the wall-clock times [start+previousOffset, start+offset) never
    // happen. A fixed-hour schedule due in that gap fires once, at the transition itself.
    if (!m.wildcardHour && cursor === seg.start && seg.previousOffset < seg.offset) {
      if (nextLocal(m, seg.start + seg.previousOffset, seg.start + seg.offset) !== null) return seg.start;
    }
    let from = cursor + seg.offset;
    // Fall back at seg.start: [start+offset, start+previousOffset) is the second pass of times the
    // previous segment already covered; a fixed-hour schedule fired on the first pass only.
    if (!m.wildcardHour && seg.previousOffset > seg.offset) from = Math.max(from, seg.start + seg.previousOffset);
    const found = nextLocal(m, from, Math.min(seg.end, limit + 1) + seg.offset);
    if (found !== null) return found - seg.offset;
    cursor = seg.end;
  }
  return null;
}

/** Last occurrence at or before `start` (a whole second) and at or after `floor`: the mirror of the above. */
function lastAtOrBefore(m: Matcher, zone: Zone, start: number, floor: number): number | null {
  let cursor = start;
  while (cursor >= floor) {
    const seg = segmentAt(zone, cursor);
    let low = Math.max(seg.start, floor) + seg.offset;
    if (!m.wildcardHour && seg.previousOffset > seg.offset) low = Math.max(low, seg.start + seg.previousOffset);
    const found = prevLocal(m, cursor + seg.offset, low);
    if (found !== null) return found - seg.offset;
    // The gap's single firing sits at the segment start, before everything else in the segment.
    if (!m.wildcardHour && seg.previousOffset < seg.offset && seg.start >= floor) {
      if (nextLocal(m, seg.start + seg.previousOffset, seg.start + seg.offset) !== null) return seg.start;
    }
    cursor = seg.start - SECOND;
  }
  return null;
}

const DAY_OK = 0;
const DAY_MISMATCH = 1;
const MONTH_MISMATCH = 2;

/** Whether local calendar day `days` (days since 1970-01-01) matches: one of the three states above. */
function dayState(m: Matcher, days: number): number {
  if (m.memoDay === days) return m.memoState;
  civil(days);
  let state = DAY_OK;
  if (m.nextMonth[civilMonth] !== civilMonth) state = MONTH_MISMATCH;
  else if (!dayMatches(m, civilYear, civilMonth, civilDay, weekdayOf(days))) state = DAY_MISMATCH;
  m.memoDay = days;
  m.memoState = state;
  return state;
}

function dayMatches(m: Matcher, y: number, month: number, d: number, weekday: number): boolean {
  if (!m.dayOfMonthRestricted && !m.dayOfWeekRestricted) return true;
  const length = monthLength(y, month);
  let byDay = false;
  if (m.dayOfMonthRestricted) {
    byDay = m.days[d] === true || (m.lastDay && d === length);
    if (!byDay && (m.lastWeekday || m.nearestWeekdays.length > 0) && weekday >= 1 && weekday <= 5) {
      byDay =
        (m.lastWeekday && d === lastWeekdayOf(y, month, length)) ||
        m.nearestWeekdays.some((n) => nearestWeekday(y, month, n, length) === d);
    }
  }
  let byWeekday = false;
  if (m.dayOfWeekRestricted) {
    byWeekday =
      (m.weekdays[weekday] === true && (m.nthWeekday === 0 || Math.ceil(d / 7) === m.nthWeekday)) ||
      (m.lastWeekdaysOfMonth[weekday] === true && d + 7 > length);
  }
  // Vixie cron: both restricted means either may match; otherwise the restricted one decides.
  if (m.dayOfMonthRestricted && m.dayOfWeekRestricted) return byDay || byWeekday;
  return m.dayOfMonthRestricted ? byDay : byWeekday;
}

/** The weekday (Mon-Fri) nearest day `n`, never leaving the month; -1 when the month has no day `n`. */
function nearestWeekday(y: number, month: number, n: number, length: number): number {
  if (n > length) return -1;
  const weekday = weekdayOf(daysFromCivil(y, month, n));
  if (weekday === 6) return n === 1 ? 3 : n - 1;
  if (weekday === 0) return n === length ? n - 2 : n + 1;
  return n;
}

function lastWeekdayOf(y: number, month: number, length: number): number {
  const weekday = weekdayOf(daysFromCivil(y, month, length));
  return weekday === 6 ? length - 1 : weekday === 0 ? length - 2 : length;
}

/** First matching local whole second in [from, until), or null. */
function nextLocal(m: Matcher, from: number, until: number): number | null {
  let days = Math.floor(ceilSecond(from) / DAY);
  let sec = (ceilSecond(from) - days * DAY) / SECOND;
  while (days * DAY < until) {
    const state = dayState(m, days);
    if (state === MONTH_MISMATCH) {
      civil(days);
      const month = m.nextMonth[civilMonth + 1]!;
      days = month >= 0 ? daysFromCivil(civilYear, month, 1) : daysFromCivil(civilYear + 1, m.nextMonth[1]!, 1);
      sec = 0;
      continue;
    }
    const h = m.nextHour[Math.floor(sec / 3600)]!;
    if (state === DAY_MISMATCH || h < 0) {
      days++;
      sec = 0;
      continue;
    }
    const sameHour = h === Math.floor(sec / 3600);
    const minute = m.nextMinute[sameHour ? Math.floor(sec / 60) % 60 : 0]!;
    if (minute < 0) {
      sec = (h + 1) * 3600;
      if (sec >= 86_400) {
        days++;
        sec = 0;
      }
      continue;
    }
    const sameMinute = sameHour && minute === Math.floor(sec / 60) % 60;
    const second = m.nextSecond[sameMinute ? sec % 60 : 0]!;
    if (second < 0) {
      sec = h * 3600 + (minute + 1) * 60;
      if (sec >= 86_400) {
        days++;
        sec = 0;
      }
      continue;
    }
    const found = days * DAY + (h * 3600 + minute * 60 + second) * SECOND;
    return found < until ? found : null;
  }
  return null;
}

/** Last matching local whole second in [floor, from], or null. */
function prevLocal(m: Matcher, from: number, floor: number): number | null {
  const start = floorSecond(from);
  if (start < floor) return null;
  let days = Math.floor(start / DAY);
  let sec = (start - days * DAY) / SECOND;
  while ((days + 1) * DAY > floor) {
    const state = dayState(m, days);
    if (state === MONTH_MISMATCH) {
      civil(days);
      const month = m.prevMonth[civilMonth - 1]!;
      const year = month > 0 ? civilYear : civilYear - 1;
      const target = month > 0 ? month : m.prevMonth[12]!;
      days = daysFromCivil(year, target, monthLength(year, target));
      sec = 86_399;
      continue;
    }
    const h = m.prevHour[Math.floor(sec / 3600)]!;
    if (state === DAY_MISMATCH || h < 0) {
      days--;
      sec = 86_399;
      continue;
    }
    const sameHour = h === Math.floor(sec / 3600);
    const minute = m.prevMinute[sameHour ? Math.floor(sec / 60) % 60 : 59]!;
    if (minute < 0) {
      sec = h * 3600 - 1;
      if (sec < 0) {
        days--;
        sec = 86_399;
      }
      continue;
    }
    const sameMinute = sameHour && minute === Math.floor(sec / 60) % 60;
    const second = m.prevSecond[sameMinute ? sec % 60 : 59]!;
    if (second < 0) {
      sec = h * 3600 + minute * 60 - 1;
      if (sec < 0) {
        days--;
        sec = 86_399;
      }
      continue;
    }
    const found = days * DAY + (h * 3600 + minute * 60 + second) * SECOND;
    return found >= floor ? found : null;
  }
  return null;
}

// ---------------------------------------------------------------------------------------------------
// Calendar arithmetic (proleptic Gregorian, days since 1970-01-01), after Howard Hinnant's algorithms.

const DAYS_IN_MONTH = [0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const;

// civil() writes its answer here rather than allocating: it runs once per candidate day in the search.
let civilYear = 1970;
let civilMonth = 1;
let civilDay = 1;

function civil(days: number): void {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  civilDay = doy - Math.floor((153 * mp + 2) / 5) + 1;
  civilMonth = mp < 10 ? mp + 3 : mp - 9;
  civilYear = yoe + era * 400 + (civilMonth <= 2 ? 1 : 0);
}

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

// ---------------------------------------------------------------------------------------------------
// Zone offsets. Intl gives the offset at an instant; we find each year's offset changes once (one probe
// per day, then a binary search to the second) and keep them, so the search never calls Intl.

/** A stretch of time with one UTC offset. `previousOffset` differs from `offset` only at a real change. */
interface Segment {
  readonly start: number;
  readonly end: number;
  readonly offset: number;
  readonly previousOffset: number;
}

interface Zone {
  /** Null for UTC, which needs no lookups. */
  readonly format: Intl.DateTimeFormat | null;
  readonly years: Map<number, readonly Segment[]>;
  /** The segment last returned: consecutive lookups almost always fall in it. */
  last: Segment;
}

const UTC_SEGMENT: Segment = { start: -MAX_TIME, end: MAX_TIME + 1, offset: 0, previousOffset: 0 };
const zones = new Map<string, Zone>();

function zoneFor(name: string): Zone {
  const known = zones.get(name);
  if (known) return known;
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone: name,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  });
  const zone: Zone = {
    format: format.resolvedOptions().timeZone === 'UTC' ? null : format,
    years: new Map(),
    last: UTC_SEGMENT,
  };
  zones.set(name, zone);
  if (zones.size > ZONE_LIMIT) zones.delete(zones.keys().next().value as string);
  return zone;
}

function segmentAt(zone: Zone, t: number): Segment {
  if (zone.format === null) return UTC_SEGMENT;
  const last = zone.last;
  if (t >= last.start && t < last.end && last !== UTC_SEGMENT) return last;
  civil(Math.floor(t / DAY));
  const segments = yearSegments(zone, civilYear);
  let found = segments[0]!;
  for (const seg of segments) if (seg.start <= t) found = seg;
  zone.last = found;
  return found;
}

/** The constant-offset segments covering UTC year `year`, cut at the year's ends and at each change. */
function yearSegments(zone: Zone, year: number): readonly Segment[] {
  const known = zone.years.get(year);
  if (known) return known;
  const format = zone.format!;
  const start = daysFromCivil(year, 1, 1) * DAY;
  const end = daysFromCivil(year + 1, 1, 1) * DAY;
  const segments: Segment[] = [];
  let segStart = start;
  let offset = offsetAt(format, start);
  let previousOffset = offsetAt(format, start - SECOND);
  let cursor = start;
  // One probe a day finds every change except two that cancel out within 24 hours; tzdb has none.
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
  zone.years.set(year, segments);
  if (zone.years.size > ZONE_YEAR_LIMIT) zone.years.delete(zone.years.keys().next().value as number);
  return segments;
}

/** UTC offset in milliseconds at instant `t` (local wall clock minus UTC). */
function offsetAt(format: Intl.DateTimeFormat, t: number): number {
  let y = 0;
  let mo = 0;
  let d = 0;
  let h = 0;
  let mi = 0;
  let s = 0;
  for (const part of format.formatToParts(t)) {
    const v = Number(part.value);
    if (part.type === 'year') y = v;
    else if (part.type === 'month') mo = v;
    else if (part.type === 'day') d = v;
    else if (part.type === 'hour') h = v;
    else if (part.type === 'minute') mi = v;
    else if (part.type === 'second') s = v;
  }
  return daysFromCivil(y, mo, d) * DAY + (h * 3600 + mi * 60 + s) * SECOND - floorSecond(t);
}
