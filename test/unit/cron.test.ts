import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CronExpressionParser } from 'cron-parser';
import {
  checkTimezone,
  countOccurrences,
  cronTrigger,
  describeCron,
  latestOccurrences,
  MAX_PREVIEW_YEARS,
  nextAfter,
  occurrences,
  parseCron,
  preview,
  previousBefore,
  upcoming,
} from '../../lib/cron.ts';
import { ValidationError } from '../../lib/errors.ts';

const at = (iso: string) => new Date(iso);
const iso = (dates: readonly Date[]) => dates.map((d) => d.toISOString());
/** Occurrences in [from, to] as ISO strings, at most 100. */
const between = (expression: string, timezone: string, from: string, to: string) =>
  iso(occurrences(parseCron(expression, timezone), at(from), at(to), 100));
const next = (expression: string, after: string, timezone = 'UTC') =>
  nextAfter(parseCron(expression, timezone), at(after))?.toISOString() ?? null;

function assertInvalid(fn: () => unknown, field: string, expected: RegExp) {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof ValidationError, `expected a ValidationError, got ${error}`);
    assert.equal(error.field, field);
    assert.match(error.issues[0]!.expected, expected);
    return true;
  });
}

function assertStrictlyIncreasing(dates: readonly Date[]) {
  for (let i = 1; i < dates.length; i++) {
    assert.ok(dates[i]!.getTime() > dates[i - 1]!.getTime(), `not increasing at ${dates[i]!.toISOString()}`);
  }
}

describe('parseCron', () => {
  test('5 and 6 fields, trimmed and normalised, UTC by default', () => {
    const s = parseCron('  */5   *  * * *\n');
    assert.deepEqual({ ...s }, { expression: '*/5 * * * *', timezone: 'UTC', hasSeconds: false });
    assert.equal(parseCron('*/10 * * * * *', 'Europe/Paris').hasSeconds, true);
    assert.equal(parseCron('@DAILY').expression, '@daily');
  });

  test('the cache returns the same schedule and equal results; plain objects work too', () => {
    const a = parseCron('0 9 * * 1-5', 'Europe/Berlin');
    const b = parseCron('0 9 * * 1-5', 'Europe/Berlin');
    assert.equal(a, b);
    const plain = { expression: '0 9 * * 1-5', timezone: 'Europe/Berlin', hasSeconds: false };
    const from = at('2026-03-27T00:00:00Z');
    const to = at('2026-04-10T00:00:00Z');
    assert.deepEqual(occurrences(a, from, to, 50), occurrences(plain, from, to, 50));
    assert.equal(nextAfter(plain, from)?.toISOString(), '2026-03-27T08:00:00.000Z');
    assert.equal(nextAfter(a, at('2026-03-28T00:00:00Z'))?.toISOString(), '2026-03-30T07:00:00.000Z');
  });

  test('field count is checked', () => {
    assertInvalid(() => parseCron('0 0 1 1 * 2026 x'), 'cron', /got 7 fields/);
    assertInvalid(() => parseCron('0 0 0 1 1 * 2026'), 'cron', /got 7 fields \(a year field is not supported\)/);
    assertInvalid(() => parseCron('* * * *'), 'cron', /5 fields .* or 6 fields.*got 4 fields/);
    assertInvalid(() => parseCron('*'), 'cron', /got 1 field$/);
    assertInvalid(() => parseCron('   '), 'cron', /empty string/);
  });

  test('values out of range name the field and the value', () => {
    assertInvalid(() => parseCron('61 * * * *'), 'cron', /minute \(field 1 of 5\).*"61" has 61, outside 0-59/);
    assertInvalid(() => parseCron('0 24 * * *'), 'cron', /hour \(field 2 of 5\).*"24" has 24, outside 0-23/);
    assertInvalid(() => parseCron('0 0 32 * *'), 'cron', /day-of-month \(field 3 of 5\)/);
    assertInvalid(() => parseCron('0 0 * 13 *'), 'cron', /month \(field 4 of 5\).*13/);
    assertInvalid(() => parseCron('0 0 * * 8'), 'cron', /day-of-week \(field 5 of 5\).*8/);
    assertInvalid(() => parseCron('60 * * * * *'), 'cron', /second \(field 1 of 6\).*60/);
    assertInvalid(() => parseCron('0 0 * * FOO'), 'cron', /day-of-week.*unknown name "foo"/);
    assertInvalid(() => parseCron('0 0 * JUNK *'), 'cron', /month/);
    assertInvalid(() => parseCron('x * * * *'), 'cron', /minute.*characters that are not allowed/);
    assertInvalid(() => parseCron('*/0 * * * *'), 'cron', /minute/);
    assertInvalid(() => parseCron('5-1 * * * *'), 'cron', /minute/);
    assertInvalid(() => parseCron('0 0 * * L'), 'cron', /day-of-week/);
  });

  test('unsupported syntax is refused with a reason', () => {
    assertInvalid(() => parseCron('H * * * *'), 'cron', /H \(hashed values\)/);
    assertInvalid(() => parseCron('0 0 1-5W * *'), 'cron', /W follows a single day/);
    assertInvalid(() => parseCron('0 0 32W * *'), 'cron', /W follows a single day/);
    assertInvalid(() => parseCron('@reboot'), 'cron', /one of the macros @yearly/);
    assertInvalid(() => parseCron('0 0 * * * '.repeat(30)), 'cron', /at most 256 characters/);
    assertInvalid(() => parseCron(42 as unknown as string), 'cron', /a cron expression string/);
    // Names containing H (THU) are not hashed values.
    assert.equal(parseCron('0 0 * * THU').expression, '0 0 * * THU');
  });

  test('time zones are IANA names', () => {
    for (const bad of ['Mars/Olympus', '+05:00', '', 'Europe/Paris ', 42, null]) {
      assertInvalid(() => parseCron('* * * * *', bad as string), 'timezone', /an IANA time zone such as Europe\/Paris/);
    }
    assert.equal(checkTimezone('tz', 'UTC'), 'UTC');
    assert.equal(checkTimezone('tz', 'europe/paris'), 'Europe/Paris');
    assert.equal(checkTimezone('tz', 'US/Eastern'), 'US/Eastern');
    assertInvalid(() => checkTimezone('zone', 'Nowhere'), 'zone', /IANA/);
  });
});

describe('syntax', () => {
  const after = '2026-01-01T00:00:00Z'; // a Thursday

  test('ranges, steps, lists and names', () => {
    assert.deepEqual(between('10-12,40/10 0 * * *', 'UTC', after, '2026-01-01T01:00:00Z'), [
      '2026-01-01T00:10:00.000Z',
      '2026-01-01T00:11:00.000Z',
      '2026-01-01T00:12:00.000Z',
      '2026-01-01T00:40:00.000Z',
      '2026-01-01T00:50:00.000Z',
    ]);
    assert.equal(next('0 9 * FEB-MAR MON', after), '2026-02-02T09:00:00.000Z');
    assert.equal(next('0 9 * * sat,sun', after), '2026-01-03T09:00:00.000Z');
    assert.equal(next('0 0 1-31/10 * *', after), '2026-01-11T00:00:00.000Z');
  });

  test('Sunday is 0 or 7; ? means any', () => {
    for (const e of ['0 0 * * 0', '0 0 * * 7', '0 0 * * SUN', '0 0 ? * 7'])
      assert.equal(next(e, after), '2026-01-04T00:00:00.000Z');
    assert.equal(next('0 0 * * 5-7', after), '2026-01-02T00:00:00.000Z');
  });

  test('L, W and # ', () => {
    assert.equal(next('0 0 L * *', after), '2026-01-31T00:00:00.000Z');
    assert.equal(next('0 0 L 2 *', after), '2026-02-28T00:00:00.000Z');
    assert.equal(next('0 0 L 2 *', '2027-12-31T00:00:00Z'), '2028-02-29T00:00:00.000Z');
    // 2026-02-01 is a Sunday: 1W moves forward to Monday the 2nd, never back into January.
    assert.equal(next('0 0 1W 2 *', after), '2026-02-02T00:00:00.000Z');
    // 2026-08-01 is a Saturday: 1W is Monday the 3rd; 2026-01-31 is a Saturday: 31W is Friday the 30th.
    assert.equal(next('0 0 1W 8 *', after), '2026-08-03T00:00:00.000Z');
    assert.equal(next('0 0 31W * *', after), '2026-01-30T00:00:00.000Z');
    // 2026-05-31 is a Sunday: LW is Friday the 29th.
    assert.equal(next('0 0 LW 5 *', after), '2026-05-29T00:00:00.000Z');
    assert.equal(next('0 0 * * 5L', after), '2026-01-30T00:00:00.000Z');
    assert.equal(next('0 0 * * 1#2', after), '2026-01-12T00:00:00.000Z');
    assert.equal(next('0 0 * * MON#1', '2026-01-06T00:00:00Z'), '2026-02-02T00:00:00.000Z');
  });

  test('day-of-month and day-of-week both restricted: either matches (Vixie)', () => {
    // The 13th, or any Friday: Fri 2, Fri 9, Tue 13, Fri 16.
    assert.deepEqual(between('0 0 13 * 5', 'UTC', after, '2026-01-16T00:00:00Z'), [
      '2026-01-02T00:00:00.000Z',
      '2026-01-09T00:00:00.000Z',
      '2026-01-13T00:00:00.000Z',
      '2026-01-16T00:00:00.000Z',
    ]);
    // With either one a wildcard, only the other decides.
    assert.equal(next('0 0 13 * *', after), '2026-01-13T00:00:00.000Z');
    assert.equal(next('0 0 * * 5', after), '2026-01-02T00:00:00.000Z');
  });

  test('macros', () => {
    const cases: Record<string, string> = {
      '@yearly': '2027-01-01T00:00:00.000Z',
      '@annually': '2027-01-01T00:00:00.000Z',
      '@monthly': '2026-02-01T00:00:00.000Z',
      '@weekly': '2026-01-04T00:00:00.000Z',
      '@daily': '2026-01-02T00:00:00.000Z',
      '@midnight': '2026-01-02T00:00:00.000Z',
      '@hourly': '2026-01-01T01:00:00.000Z',
      '@minutely': '2026-01-01T00:01:00.000Z',
      '@secondly': '2026-01-01T00:00:01.000Z',
    };
    for (const [macro, expected] of Object.entries(cases)) assert.equal(next(macro, after), expected, macro);
    assert.equal(parseCron('@secondly').hasSeconds, true);
    assert.equal(parseCron('@minutely').hasSeconds, false);
  });

  test('agrees with cron-parser in UTC, where no daylight saving is involved', () => {
    const expressions = [
      '*/7 * * * *',
      '0 */5 * * * *',
      '15,45 8-18/2 * * MON-FRI',
      '0 0 L * *',
      '30 6 1,15 * *',
      '0 12 * * 5L',
      '0 0 * * 3#3',
      '0 0 13 * 5',
      '0 0 29 2 *',
      '5 4 * JAN,JUL SUN',
      '0 0 */3 */2 *',
    ];
    const start = at('2025-12-30T22:58:07.250Z');
    for (const e of expressions) {
      const theirs = CronExpressionParser.parse(e, { tz: 'UTC', currentDate: start })
        .take(40)
        .map((d) => d.toISOString());
      const ours = iso(occurrences(parseCron(e), new Date(start.getTime() + 1), at('2300-01-01T00:00:00Z'), 40));
      assert.deepEqual(ours, theirs, e);
    }
  });
});

describe('nextAfter', () => {
  test('strictly after, at whole seconds', () => {
    assert.equal(next('*/5 * * * *', '2026-01-01T00:05:00Z'), '2026-01-01T00:10:00.000Z');
    assert.equal(next('*/5 * * * *', '2026-01-01T00:04:59.999Z'), '2026-01-01T00:05:00.000Z');
    assert.equal(next('* * * * * *', '2026-01-01T00:00:00Z'), '2026-01-01T00:00:01.000Z');
    assert.equal(next('* * * * * *', '2026-01-01T00:00:00.400Z'), '2026-01-01T00:00:01.000Z');
    assert.equal(next('* * * * * *', '2026-12-31T23:59:59.999Z'), '2027-01-01T00:00:00.000Z');
  });

  test('null when the expression can never fire', () => {
    assert.equal(next('0 0 30 2 *', '2026-01-01T00:00:00Z'), null);
    assert.equal(next('0 0 31 4,6,9,11 *', '2026-01-01T00:00:00Z', 'Europe/Berlin'), null);
    assert.equal(next('0 0 30W 2 *', '2026-01-01T00:00:00Z'), null);
    assert.deepEqual(between('0 0 30 2 *', 'UTC', '2026-01-01T00:00:00Z', '2030-01-01T00:00:00Z'), []);
    // Rare is not never: February 29th, and a fifth Monday in February (a leap year starting on Monday).
    assert.equal(next('0 0 29 2 *', '2026-01-01T00:00:00Z'), '2028-02-29T00:00:00.000Z');
    assert.equal(next('0 0 * 2 1#5', '2026-01-01T00:00:00Z'), '2044-02-29T00:00:00.000Z');
  });

  test('rejects invalid dates and counts', () => {
    const s = parseCron('* * * * *');
    assertInvalid(() => nextAfter(s, new Date(Number.NaN)), 'after', /a valid Date/);
    assertInvalid(
      () => occurrences(s, at('2026-01-01T00:00:00Z'), at('2026-01-02T00:00:00Z'), -1),
      'limit',
      /0 or more/,
    );
    assertInvalid(
      () => countOccurrences(s, at('2026-01-01T00:00:00Z'), at('2026-01-02T00:00:00Z'), 1.5),
      'cap',
      /0 or more/,
    );
  });
});

describe('daylight saving', () => {
  describe('America/New_York (spring 2026-03-08 02:00 EST -> 03:00 EDT, fall 2026-11-01 02:00 EDT -> 01:00 EST)', () => {
    const tz = 'America/New_York';

    test('a skipped fixed time fires once at the end of the gap; other times are unaffected', () => {
      assert.deepEqual(between('30 2 * * *', tz, '2026-03-07T00:00:00Z', '2026-03-10T00:00:00Z'), [
        '2026-03-07T07:30:00.000Z', // 02:30 EST
        '2026-03-08T07:00:00.000Z', // 02:30 does not exist: 03:00 EDT
        '2026-03-09T06:30:00.000Z', // 02:30 EDT
      ]);
      assert.deepEqual(between('30 3 * * *', tz, '2026-03-08T00:00:00Z', '2026-03-09T00:00:00Z'), [
        '2026-03-08T07:30:00.000Z', // 03:30 EDT, half an hour after the collapsed 02:30 above
      ]);
      // Several times in the gap still fire once.
      assert.deepEqual(between('0,20,40 2 * * *', tz, '2026-03-08T00:00:00Z', '2026-03-09T00:00:00Z'), [
        '2026-03-08T07:00:00.000Z',
      ]);
    });

    test('a wildcard-hour schedule continues after the gap', () => {
      assert.deepEqual(between('*/15 * * * *', tz, '2026-03-08T06:30:00Z', '2026-03-08T07:15:00Z'), [
        '2026-03-08T06:30:00.000Z', // 01:30 EST
        '2026-03-08T06:45:00.000Z', // 01:45 EST
        '2026-03-08T07:00:00.000Z', // 03:00 EDT
        '2026-03-08T07:15:00.000Z', // 03:15 EDT
      ]);
      // 02:30 never happens for `30 * * * *`: 01:30 EST is followed by 03:30 EDT, an hour later.
      assert.deepEqual(between('30 * * * *', tz, '2026-03-08T06:00:00Z', '2026-03-08T08:00:00Z'), [
        '2026-03-08T06:30:00.000Z',
        '2026-03-08T07:30:00.000Z',
      ]);
    });

    test('a repeated fixed time fires once, on the first pass', () => {
      assert.deepEqual(between('30 1 * * *', tz, '2026-10-31T00:00:00Z', '2026-11-03T00:00:00Z'), [
        '2026-10-31T05:30:00.000Z',
        '2026-11-01T05:30:00.000Z', // 01:30 EDT; 01:30 EST (06:30Z) does not fire
        '2026-11-02T06:30:00.000Z',
      ]);
      // Starting inside the second pass: already fired today.
      assert.equal(next('30 1 * * *', '2026-11-01T06:10:00Z', tz), '2026-11-02T06:30:00.000Z');
      // Every minute of 01:xx: 60 firings, not 120.
      assert.equal(
        countOccurrences(parseCron('* 1 * * *', tz), at('2026-11-01T00:00:00Z'), at('2026-11-02T00:00:00Z'), 1000),
        60,
      );
    });

    test('a wildcard-hour schedule fires through both passes in elapsed time', () => {
      assert.deepEqual(between('*/15 * * * *', tz, '2026-11-01T04:50:00Z', '2026-11-01T07:00:00Z'), [
        '2026-11-01T05:00:00.000Z', // 01:00 EDT
        '2026-11-01T05:15:00.000Z',
        '2026-11-01T05:30:00.000Z',
        '2026-11-01T05:45:00.000Z',
        '2026-11-01T06:00:00.000Z', // 01:00 EST
        '2026-11-01T06:15:00.000Z',
        '2026-11-01T06:30:00.000Z',
        '2026-11-01T06:45:00.000Z',
        '2026-11-01T07:00:00.000Z', // 02:00 EST
      ]);
      const everySecond = parseCron('* * * * * *', tz);
      assert.equal(
        countOccurrences(everySecond, at('2026-11-01T04:00:00Z'), at('2026-11-01T07:59:59Z'), 1e6),
        4 * 3600,
      );
      assert.equal(
        countOccurrences(everySecond, at('2026-03-08T05:00:00Z'), at('2026-03-08T08:59:59Z'), 1e6),
        4 * 3600,
      );
    });
  });

  describe('Europe/Berlin (spring 2026-03-29 02:00 CET -> 03:00 CEST, fall 2026-10-25 03:00 CEST -> 02:00 CET)', () => {
    const tz = 'Europe/Berlin';

    test('fixed times in the gap and in the repeated hour', () => {
      assert.deepEqual(between('30 2 * * *', tz, '2026-03-28T00:00:00Z', '2026-03-31T00:00:00Z'), [
        '2026-03-28T01:30:00.000Z',
        '2026-03-29T01:00:00.000Z', // 03:00 CEST
        '2026-03-30T00:30:00.000Z',
      ]);
      assert.deepEqual(between('30 2 * * *', tz, '2026-10-24T00:00:00Z', '2026-10-27T00:00:00Z'), [
        '2026-10-24T00:30:00.000Z',
        '2026-10-25T00:30:00.000Z', // 02:30 CEST; 02:30 CET (01:30Z) does not fire
        '2026-10-26T01:30:00.000Z',
      ]);
      assert.equal(next('0 9 * * *', '2026-03-29T00:00:00Z', tz), '2026-03-29T07:00:00.000Z');
    });

    test('hourly keeps elapsed time', () => {
      assert.deepEqual(between('0 * * * *', tz, '2026-10-24T23:30:00Z', '2026-10-25T02:30:00Z'), [
        '2026-10-25T00:00:00.000Z', // 02:00 CEST
        '2026-10-25T01:00:00.000Z', // 02:00 CET
        '2026-10-25T02:00:00.000Z', // 03:00 CET
      ]);
      assert.deepEqual(between('0 * * * *', tz, '2026-03-28T23:30:00Z', '2026-03-29T02:30:00Z'), [
        '2026-03-29T00:00:00.000Z', // 01:00 CET
        '2026-03-29T01:00:00.000Z', // 03:00 CEST
        '2026-03-29T02:00:00.000Z',
      ]);
    });
  });

  describe('Australia/Lord_Howe (half-hour shifts: 2026-04-05 02:00 -> 01:30, 2026-10-04 02:00 -> 02:30)', () => {
    const tz = 'Australia/Lord_Howe';

    test('a fixed time in the half-hour gap fires once at 02:30', () => {
      assert.deepEqual(between('15 2 * * *', tz, '2026-10-02T00:00:00Z', '2026-10-05T00:00:00Z'), [
        '2026-10-02T15:45:00.000Z', // Oct 3 02:15 +10:30
        '2026-10-03T15:30:00.000Z', // Oct 4 02:15 does not exist: 02:30 +11
        '2026-10-04T15:15:00.000Z', // Oct 5 02:15 +11
      ]);
      assert.equal(next('45 2 * * *', '2026-10-03T12:00:00Z', tz), '2026-10-03T15:45:00.000Z'); // 02:45 exists
    });

    test('a wildcard-hour schedule continues after the gap', () => {
      assert.deepEqual(between('*/10 * * * *', tz, '2026-10-03T15:10:00Z', '2026-10-03T15:40:00Z'), [
        '2026-10-03T15:10:00.000Z', // 01:40 +10:30
        '2026-10-03T15:20:00.000Z', // 01:50 +10:30
        '2026-10-03T15:30:00.000Z', // 02:30 +11
        '2026-10-03T15:40:00.000Z',
      ]);
    });

    test('a repeated fixed time fires once; a wildcard hour fires through both passes', () => {
      assert.deepEqual(between('45 1 * * *', tz, '2026-04-03T00:00:00Z', '2026-04-06T00:00:00Z'), [
        '2026-04-03T14:45:00.000Z',
        '2026-04-04T14:45:00.000Z', // Apr 5 01:45 +11; 01:45 +10:30 (15:15Z) does not fire
        '2026-04-05T15:15:00.000Z',
      ]);
      assert.deepEqual(between('*/10 * * * *', tz, '2026-04-04T14:30:00Z', '2026-04-04T15:30:00Z'), [
        '2026-04-04T14:30:00.000Z', // 01:30 +11
        '2026-04-04T14:40:00.000Z',
        '2026-04-04T14:50:00.000Z',
        '2026-04-04T15:00:00.000Z', // 01:30 +10:30
        '2026-04-04T15:10:00.000Z',
        '2026-04-04T15:20:00.000Z',
        '2026-04-04T15:30:00.000Z', // 02:00 +10:30
      ]);
    });
  });

  test('instants are strictly increasing; backward and forward walks and counts agree', () => {
    const zones = ['America/New_York', 'Europe/Berlin', 'Australia/Lord_Howe', 'UTC'];
    const expressions = ['30 2 * * *', '*/15 * * * *', '30 1 * * *', '0,30 1-3 * * *', '*/20 * * * * *', '0 0 * * *'];
    const windows: Array<[string, string]> = [
      ['2026-03-07T00:00:00Z', '2026-03-10T00:00:00Z'],
      ['2026-03-27T00:00:00Z', '2026-03-31T00:00:00Z'],
      ['2026-04-03T00:00:00Z', '2026-04-07T00:00:00Z'],
      ['2026-10-02T00:00:00Z', '2026-10-06T00:00:00Z'],
      ['2026-10-24T00:00:00Z', '2026-11-03T00:00:00Z'],
    ];
    for (const tz of zones) {
      for (const e of expressions) {
        const s = parseCron(e, tz);
        for (const [a, b] of windows) {
          const all = occurrences(s, at(a), at(b), 1e6);
          assertStrictlyIncreasing(all);
          assert.equal(countOccurrences(s, at(a), at(b), 1e6), all.length, `${e} ${tz} ${a}`);
          assert.deepEqual(latestOccurrences(s, at(a), at(b), 1e6), all, `${e} ${tz} ${a}`);
          assert.deepEqual(latestOccurrences(s, at(a), at(b), 7), all.slice(-7), `${e} ${tz} ${a}`);
          let cursor = new Date(at(a).getTime() - 1);
          for (const expected of all) {
            const found = nextAfter(s, cursor);
            assert.equal(found?.toISOString(), expected.toISOString(), `${e} ${tz}`);
            cursor = found!;
          }
        }
      }
    }
  });
});

describe('ranges', () => {
  test('occurrences are inclusive at both ends and stop at limit', () => {
    const s = parseCron('*/5 * * * *');
    assert.deepEqual(iso(occurrences(s, at('2026-01-01T00:05:00Z'), at('2026-01-01T00:15:00Z'), 10)), [
      '2026-01-01T00:05:00.000Z',
      '2026-01-01T00:10:00.000Z',
      '2026-01-01T00:15:00.000Z',
    ]);
    assert.equal(occurrences(s, at('2026-01-01T00:00:00Z'), at('2026-01-02T00:00:00Z'), 2).length, 2);
    assert.deepEqual(occurrences(s, at('2026-01-01T00:00:00Z'), at('2026-01-02T00:00:00Z'), 0), []);
    assert.deepEqual(iso(latestOccurrences(s, at('2026-01-01T00:00:00Z'), at('2026-01-01T23:59:59Z'), 2)), [
      '2026-01-01T23:50:00.000Z',
      '2026-01-01T23:55:00.000Z',
    ]);
    assert.equal(countOccurrences(s, at('2026-01-01T00:00:00Z'), at('2026-01-02T00:00:00Z'), 100), 100);
    assert.equal(countOccurrences(s, at('2026-01-02T00:00:00Z'), at('2026-01-01T00:00:00Z'), 100), 0);
  });

  test('every second: nextAfter, and a counted day is 86400', () => {
    const s = parseCron('* * * * * *', 'Europe/Berlin');
    assert.equal(nextAfter(s, at('2026-06-01T12:00:00.000Z'))?.toISOString(), '2026-06-01T12:00:01.000Z');
    assert.equal(countOccurrences(s, at('2026-06-01T00:00:00Z'), at('2026-06-01T23:59:59Z'), 1e6), 86_400);
  });

  test('latestOccurrences walks back from the end of the range', () => {
    const s = parseCron('* * * * * *', 'America/New_York');
    const last = latestOccurrences(s, at('2026-01-01T00:00:00Z'), at('2026-12-31T23:59:59.500Z'), 3);
    assert.deepEqual(iso(last), ['2026-12-31T23:59:57.000Z', '2026-12-31T23:59:58.000Z', '2026-12-31T23:59:59.000Z']);
    const yearly = parseCron('0 12 1 1 *', 'Europe/Berlin');
    assert.deepEqual(iso(latestOccurrences(yearly, at('2020-01-01T00:00:00Z'), at('2026-06-01T00:00:00Z'), 2)), [
      '2025-01-01T11:00:00.000Z',
      '2026-01-01T11:00:00.000Z',
    ]);
  });

  test('previousBefore: strictly before, the mirror of nextAfter', () => {
    const s = parseCron('*/5 * * * *');
    assert.equal(previousBefore(s, at('2026-01-01T00:05:00Z'))?.toISOString(), '2026-01-01T00:00:00.000Z');
    assert.equal(previousBefore(s, at('2026-01-01T00:05:00.001Z'))?.toISOString(), '2026-01-01T00:05:00.000Z');
    assert.equal(previousBefore(parseCron('0 0 30 2 *'), at('2026-01-01T00:00:00Z')), null);
    // The single firing for New York's skipped 02:30 is at 03:00 EDT.
    assert.equal(
      previousBefore(parseCron('30 2 * * *', 'America/New_York'), at('2026-03-08T12:00:00Z'))?.toISOString(),
      '2026-03-08T07:00:00.000Z',
    );
    assertInvalid(() => previousBefore(s, new Date(Number.NaN)), 'before', /a valid Date/);
  });

  test('cost of nextAfter', (t) => {
    const s = parseCron('0 9 * * 1-5', 'Europe/Berlin');
    const base = Date.UTC(2026, 0, 1);
    nextAfter(s, new Date(base)); // warm the zone's offset table
    const calls = 20_000;
    const started = performance.now();
    for (let i = 0; i < calls; i++) nextAfter(s, new Date(base + i * 1_234_567));
    t.diagnostic(`nextAfter: ${(((performance.now() - started) * 1000) / calls).toFixed(3)} µs per call`);
  });
});

describe('counting', () => {
  const zones = ['UTC', 'America/New_York', 'Europe/Berlin', 'Australia/Lord_Howe', 'Asia/Kathmandu'];
  /** Local midnight of a date in a zone, found with nextAfter of a daily expression. */
  const midnight = (date: string, zone: string) =>
    nextAfter(parseCron('0 0 * * *', zone), new Date(at(`${date}T00:00:00Z`).getTime() - 15 * 3600_000))!;
  const count = (expression: string, zone: string, from: Date | string, to: Date | string) =>
    countOccurrences(
      parseCron(expression, zone),
      typeof from === 'string' ? at(from) : from,
      typeof to === 'string' ? at(to) : to,
    );

  test('a wildcard-hour schedule counts elapsed time, across every change, over 24 hours and 10 years', () => {
    for (const zone of zones) {
      assert.equal(count('* * * * * *', zone, '2026-03-08T00:00:00Z', '2026-03-08T23:59:59Z'), 86_400, zone);
      assert.equal(count('* * * * * *', zone, '2016-01-01T00:00:00Z', '2025-12-31T23:59:59Z'), 315_619_200, zone);
      // Every change in these zones is a multiple of 15 minutes, and Kathmandu's offset is too.
      assert.equal(count('*/15 * * * *', zone, '2016-01-01T00:00:00Z', '2025-12-31T23:59:59Z'), 350_688, zone);
    }
    // New York's local days of 23 and 25 hours.
    const ny = 'America/New_York';
    const day = (date: string, next: string) =>
      count('* * * * * *', ny, midnight(date, ny), new Date(midnight(next, ny).getTime() - 1000));
    assert.equal(day('2026-03-08', '2026-03-09'), 23 * 3600);
    assert.equal(day('2026-11-01', '2026-11-02'), 25 * 3600);
    assert.equal(day('2026-06-01', '2026-06-02'), 24 * 3600);
  });

  test('a fixed-hour schedule fires once a day, through spring-forward and fall-back', () => {
    for (const zone of zones) {
      const from = midnight('2016-01-01', zone);
      const to = new Date(midnight('2026-01-01', zone).getTime() - 1000);
      // 3653 local days; 02:30 is skipped or repeated on some of them in every zone but UTC and Kathmandu.
      assert.equal(count('0 30 2 * * *', zone, from, to), 3653, zone);
      assert.equal(count('30 1-2 * * *', zone, from, to), 2 * 3653, zone);
    }
    // The change days themselves, New York and Berlin: the skipped 02:30 fires once at 03:00, the
    // repeated one once.
    assert.equal(count('0 30 2 * * *', 'America/New_York', '2026-03-08T05:00:00Z', '2026-03-09T03:59:59Z'), 1);
    assert.equal(count('0 30 2 * * *', 'America/New_York', '2026-11-01T04:00:00Z', '2026-11-02T04:59:59Z'), 1);
    assert.equal(count('0 30 2 * * *', 'Europe/Berlin', '2026-03-28T23:00:00Z', '2026-03-29T21:59:59Z'), 1);
    assert.equal(count('0 30 2 * * *', 'Europe/Berlin', '2026-10-24T22:00:00Z', '2026-10-25T22:59:59Z'), 1);
  });

  test('L, W, LW, # and nL: once a month for 10 years, even where midnight is skipped', () => {
    // Santiago moves its clocks at midnight (00:00 -> 01:00 on the first Sunday of September).
    for (const zone of [...zones, 'America/Santiago']) {
      const from = midnight('2016-01-01', zone);
      const to = new Date(midnight('2026-01-01', zone).getTime() - 1000);
      for (const expression of ['0 0 L * *', '0 0 15W * *', '0 0 1W * *', '0 0 LW * *', '0 0 * * 0#1', '0 0 * * 5L']) {
        assert.equal(count(expression, zone, from, to), 120, `${expression} ${zone}`);
      }
    }
  });

  test('rare expressions over 400 years', () => {
    assert.equal(count('0 0 29 2 *', 'UTC', '2000-01-01T00:00:00Z', '2399-12-31T23:59:59Z'), 97);
    // February 29th falling on a Monday: 15 times in the 400-year cycle.
    assert.equal(count('0 0 * 2 1#5', 'Europe/Berlin', '2000-01-01T00:00:00Z', '2399-12-31T23:59:59Z'), 15);
    assert.equal(count('0 0 30 2 *', 'UTC', '2000-01-01T00:00:00Z', '2399-12-31T23:59:59Z'), 0);
  });

  test('the ends of the range and cap', () => {
    const s = parseCron('* * * * * *');
    assert.equal(countOccurrences(s, at('2026-01-01T00:00:00.001Z'), at('2026-01-01T00:00:02.999Z')), 2);
    assert.equal(countOccurrences(s, at('2026-01-01T00:00:00Z'), at('2026-01-01T00:00:00Z')), 1);
    assert.equal(countOccurrences(s, at('2026-01-01T00:00:00.001Z'), at('2026-01-01T00:00:00.999Z')), 0);
    assert.equal(countOccurrences(s, at('2016-01-01T00:00:00Z'), at('2026-01-01T00:00:00Z'), 1000), 1000);
    // The whole range of a Date.
    assert.equal(countOccurrences(parseCron('0 0 1 1 *'), new Date(-8.64e15), new Date(8.64e15)), 547_581);
  });

  test("Apia's skipped day (2011-12-30): a fixed time fires once at the first instant after it", () => {
    const tz = 'Pacific/Apia';
    assert.deepEqual(between('0 9 * * *', tz, '2011-12-28T00:00:00Z', '2012-01-01T00:00:00Z'), [
      '2011-12-28T19:00:00.000Z',
      '2011-12-29T19:00:00.000Z', // Dec 29 09:00 -10
      '2011-12-30T10:00:00.000Z', // Dec 30 never happens: Dec 31 00:00 +14
      '2011-12-30T19:00:00.000Z', // Dec 31 09:00 +14
      '2011-12-31T19:00:00.000Z',
    ]);
    assert.equal(count('0 9 * * *', tz, '2011-12-28T00:00:00Z', '2012-01-01T00:00:00Z'), 5);
    assert.equal(count('0 * * * *', tz, '2011-12-29T00:00:00Z', '2011-12-31T23:59:59Z'), 72);
  });
});

describe('triggers', () => {
  test('a cron trigger answers next, previous, count and describe', () => {
    const trigger = cronTrigger(parseCron('30 2 * * *', 'America/New_York'));
    assert.equal(trigger.next(at('2026-03-08T00:00:00Z'))?.toISOString(), '2026-03-08T07:00:00.000Z');
    assert.equal(trigger.previous(at('2026-03-08T07:00:00Z'))?.toISOString(), '2026-03-07T07:30:00.000Z');
    assert.equal(trigger.count(at('2026-03-01T00:00:00Z'), at('2026-03-31T23:59:59Z')), 31);
    assert.equal(trigger.describe(), 'At 02:30');
    assertInvalid(() => cronTrigger({ expression: '* *', timezone: 'UTC', hasSeconds: false }), 'cron', /got 2 fields/);
  });
});

describe('describeCron and preview', () => {
  test('24-hour descriptions', () => {
    assert.equal(describeCron('*/5 * * * *'), 'Every 5 minutes');
    assert.equal(describeCron('0 9 * * 1-5'), 'At 09:00, Monday through Friday');
    assert.equal(describeCron('30 14 * * *'), 'At 14:30');
    assert.equal(describeCron('*/10 * * * * *'), 'Every 10 seconds');
    assert.equal(describeCron('@daily'), 'At 00:00');
    assert.equal(describeCron('0 0 15W * *'), 'At 00:00, on the weekday nearest day 15 of the month');
    assert.equal(describeCron('0 0 * * 5L'), 'At 00:00, on the last Friday of the month');
    assertInvalid(() => describeCron('* * *'), 'cron', /got 3 fields/);
  });

  test('preview lists the next instants strictly after from', () => {
    assert.deepEqual(iso(preview('30 2 * * *', 'America/New_York', 3, at('2026-03-07T07:30:00Z'))), [
      '2026-03-08T07:00:00.000Z',
      '2026-03-09T06:30:00.000Z',
      '2026-03-10T06:30:00.000Z',
    ]);
    assert.deepEqual(preview('0 0 30 2 *', 'UTC', 5, at('2026-01-01T00:00:00Z')), []);
    assertInvalid(() => preview('* * * * *', 'UTC', 1001, at('2026-01-01T00:00:00Z')), 'count', /0 to 1000/);
    assertInvalid(() => preview('* * * * *', 'Atlantis', 1, at('2026-01-01T00:00:00Z')), 'timezone', /IANA/);
    assert.deepEqual(preview('* * * * *', 'UTC', 0, at('2026-01-01T00:00:00Z')), []);
    assert.equal(preview('* * * * * *', 'America/New_York', 1000, at('2026-01-01T00:00:00Z')).length, 1000);
  });

  test(`preview covers at most ${MAX_PREVIEW_YEARS} years from its first instant, and says so`, () => {
    const from = at('2026-01-01T00:00:00Z');
    // 2027 to 2046: 2047-01-01 is a few hours more than 20 average years after the first.
    assert.equal(preview('@yearly', 'Europe/Berlin', 20, from).length, 20);
    assertInvalid(
      () => preview('@yearly', 'Europe/Berlin', 21, from),
      'count',
      /^at most 20 for this expression: it fires about once a year, and a preview covers at most 20 years from its first instant$/,
    );
    assertInvalid(() => preview('0 0 1 * *', 'UTC', 1000, from), 'count', /^at most 240 .* about 12 times a year/);
    // 2028, 2032, 2036, 2040, 2044.
    assert.equal(preview('0 0 29 2 *', 'UTC', 5, from).length, 5);
    assertInvalid(() => preview('0 0 29 2 *', 'UTC', 6, from), 'count', /^at most 5 .* about once every 4 years/);
    // February 29th on a Monday: 2044, 2072, then 2112 (2100 is not a leap year).
    assert.deepEqual(iso(preview('0 0 * 2 1#5', 'UTC', 1, from)), ['2044-02-29T00:00:00.000Z']);
    assertInvalid(() => preview('0 0 * 2 1#5', 'UTC', 2, from), 'count', /^at most 1 .* about once every 27 years/);
    // The first instant is always found, however far away.
    assert.deepEqual(iso(preview('0 0 * 2 1#5', 'UTC', 1, at('2073-01-01T00:00:00Z'))), ['2112-02-29T00:00:00.000Z']);
    // Near the end of time there are simply no more instants: fewer, not refused.
    assert.deepEqual(iso(preview('0 0 1 1 *', 'UTC', 5, new Date(8.64e15 - 2.5 * 365 * 86_400_000))), [
      '+275759-01-01T00:00:00.000Z',
      '+275760-01-01T00:00:00.000Z',
    ]);
    // Far years in a far zone.
    assert.deepEqual(iso(preview('0 0 1 1 *', 'Pacific/Chatham', 2, at('+200000-01-01T00:00:00Z'))), [
      '+200000-12-31T10:15:00.000Z',
      '+200001-12-31T10:15:00.000Z',
    ]);
  });

  test('upcoming returns the instants that fit instead of refusing', () => {
    const s = parseCron('0 0 * 2 1#5', 'Europe/Berlin');
    assert.deepEqual(iso(upcoming(s, 5, at('2026-01-01T00:00:00Z'))), ['2044-02-28T23:00:00.000Z']);
    assert.equal(upcoming(parseCron('@yearly'), 100, at('2026-01-01T00:00:00Z')).length, 20);
    assert.deepEqual(upcoming(s, 0, at('2026-01-01T00:00:00Z')), []);
    assertInvalid(() => upcoming(s, 1001, at('2026-01-01T00:00:00Z')), 'count', /0 to 1000/);
  });
});
