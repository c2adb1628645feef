/**
 * lib/cron.ts parses the fields itself, with the syntax and meaning cron-parser 5 gives them (it used
 * to call cron-parser, which loads Intl's data in every process). Random fields, valid and not, are
 * parsed by both: each must accept what the other accepts, and accepted expressions must fire at the
 * same instants in UTC. The deliberate differences are left out of the alphabet or skipped: hashed
 * `H` values (refused by us), `W` (cron-parser has none), and a day of month that no listed month has
 * (`0 0 30 2 *`: cron-parser refuses it, we accept an expression that never fires).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CronExpressionParser } from 'cron-parser';
import fc from 'fast-check';
import { occurrences, parseCron } from '../../lib/cron.ts';
import { ValidationError } from '../../lib/errors.ts';

const FROM = new Date('2025-12-30T22:58:07.250Z');
const UNTIL = new Date('2300-01-01T00:00:00Z');
const TAKE = 12;

/** Pieces of a field whose largest value is `max`, weighted so that valid fields are common. */
const token = (max: number) =>
  fc.oneof(
    { weight: 8, arbitrary: fc.integer({ min: 0, max: max + 2 }).map(String) },
    { weight: 3, arbitrary: fc.constantFrom('*', '?', '-', '/', ',', '*/', '/2', '-5', ',3') },
    { weight: 1, arbitrary: fc.constantFrom('L', '#', '5L', '#2', 'x', '', '00', '07') },
    { weight: 1, arbitrary: fc.constantFrom('JAN', 'feb', 'Dec', 'MON', 'fri', 'SUN', 'sat', 'foo') },
  );
const field = (max: number) => fc.array(token(max), { minLength: 1, maxLength: 4 }).map((parts) => parts.join(''));
const MAX = [59, 59, 23, 31, 12, 7];

/** cron-parser's reading: the instants, or null when it refuses; undefined for a refusal we differ on. */
function theirs(expression: string): string[] | null | undefined {
  let parsed: ReturnType<typeof CronExpressionParser.parse>;
  try {
    parsed = CronExpressionParser.parse(expression, { tz: 'UTC', currentDate: FROM });
  } catch (error) {
    if ((error as Error).message === 'Invalid explicit day of month definition') return undefined;
    return null;
  }
  try {
    return parsed.take(TAKE).map((d) => d.toISOString() as string);
  } catch {
    // Its iterator gives up on expressions that fire rarely or never; nothing to compare.
    return undefined;
  }
}

function ours(expression: string): string[] | null {
  let schedule: ReturnType<typeof parseCron>;
  try {
    schedule = parseCron(expression);
  } catch (error) {
    assert.ok(error instanceof ValidationError, `${expression}: ${error}`);
    return null;
  }
  return occurrences(schedule, new Date(FROM.getTime() + 1), UNTIL, TAKE).map((d) => d.toISOString());
}

/** The expression with `value` in field `index` (0 = second) and neutral values elsewhere. */
function withField(index: number, value: string): string {
  const fields = ['0', '0', '0', '*', '*', '*'];
  if (index < 3) fields[(index + 1) % 3] = '*';
  fields[index] = value;
  return fields.join(' ');
}

const NAMES = ['second', 'minute', 'hour', 'day-of-month', 'month', 'day-of-week'];

describe('field parsing agrees with cron-parser', () => {
  for (let index = 0; index < 6; index++) {
    test(NAMES[index]!, () => {
      fc.assert(
        fc.property(field(MAX[index]!), (value) => {
          const expression = withField(index, value);
          const expected = theirs(expression);
          if (expected === undefined) return;
          const actual = ours(expression);
          if (expected === null || actual === null) {
            assert.equal(actual === null, expected === null, `${expression}: ours ${actual}, cron-parser ${expected}`);
            return;
          }
          assert.deepEqual(actual, expected, expression);
        }),
        { numRuns: 1500 },
      );
    });
  }

  test('a few by hand', () => {
    for (const expression of [
      '0 0 * * 0-7',
      '0 0 * * 1/2',
      '0 0 * * 5-7',
      '0 0 * * *#2',
      '0 0 * * 7L',
      '0 0 1,L * *',
    ]) {
      assert.deepEqual(ours(expression), theirs(expression), expression);
    }
    for (const expression of [
      '0 0 * * 7,0',
      '0 0 * * L',
      '0 0 * * 1#2,3',
      '* * * * 1#6',
      '1,1 * * * *',
      '*-5 * * * *',
    ]) {
      assert.equal(ours(expression), null, expression);
      assert.equal(theirs(expression), null, expression);
    }
  });
});
