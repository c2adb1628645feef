/**
 * Pure input checks. Each throws ValidationError naming the field, the value and what was expected.
 */
import { ValidationError } from './errors.ts';
import { CATCH_UP_POLICIES, OVERLAP_POLICIES, RUN_STATUSES } from './types.ts';

/** Schedule names: 1-128 letters, digits, `.`, `_`, `-`, starting with a letter or digit, without `..`. */
export const NAME_PATTERN = /^(?!.*\.\.)[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
export const NAME_EXPECTED =
  '1-128 characters of letters, digits, ".", "_" or "-", starting with a letter or digit, without ".."';
/** Most bytes of a schedule's `fields`, serialized as JSON. */
export const MAX_FIELDS_BYTES = 64 * 1024;
const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;
const QUEUE = /^[A-Za-z0-9][A-Za-z0-9._/-]{0,99}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function short(value: unknown): unknown {
  if (typeof value === 'string' && value.length > 200) return `${value.slice(0, 200)}…`;
  if (value !== null && typeof value === 'object') return undefined;
  return value;
}

function fail(field: string, value: unknown, expected: string): never {
  throw new ValidationError({ field, value: short(value), expected });
}

/** A lowercase SQL identifier (schema names), safe to interpolate once validated. */
export function checkIdentifier(field: string, value: unknown): string {
  if (typeof value !== 'string' || !IDENTIFIER.test(value)) {
    fail(
      field,
      value,
      'a lowercase SQL identifier: a-z, 0-9 and _, starting with a letter or _, at most 63 characters',
    );
  }
  return value;
}

export function checkQueueName(field: string, value: unknown): string {
  if (typeof value !== 'string' || !QUEUE.test(value)) {
    fail(field, value, '1-100 characters of letters, digits, ".", "_", "-" or "/", starting with a letter or digit');
  }
  return value;
}

export function checkName(field: string, value: unknown): string {
  if (typeof value !== 'string' || !NAME_PATTERN.test(value)) fail(field, value, NAME_EXPECTED);
  return value;
}

export function isUuid(value: string): boolean {
  return UUID.test(value);
}

/** Deepest nesting of a schedule's `fields`: deeper values overflow recursive serializers (V8, jsonb input). */
export const MAX_FIELDS_DEPTH = 64;

/** What PostgreSQL's jsonb cannot store in a string or key: NUL, and lone surrogates (invalid Unicode). */
function textProblem(text: string): string | null {
  if (text.includes('\0')) return 'a JSON object without NUL characters (PostgreSQL jsonb cannot store them)';
  if (!text.isWellFormed()) return 'a JSON object without lone surrogates (PostgreSQL jsonb cannot store them)';
  return null;
}

/** Walks keys and strings; stops at the depth bound, so it cannot run out of stack itself. */
function fieldsProblem(value: unknown, depth: number): string | null {
  if (typeof value === 'string') return textProblem(value);
  if (value === null || typeof value !== 'object') return null;
  if (depth > MAX_FIELDS_DEPTH) return `a JSON object nested at most ${MAX_FIELDS_DEPTH} levels deep`;
  for (const [key, item] of Object.entries(value)) {
    const problem = textProblem(key) ?? fieldsProblem(item, depth + 1);
    if (problem) return problem;
  }
  return null;
}

/** A plain JSON object of at most 64 KiB serialized, that PostgreSQL's jsonb can store. */
export function checkFields(field: string, value: unknown): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) fail(field, value, 'a JSON object');
  const problem = fieldsProblem(value, 1);
  if (problem) fail(field, undefined, problem);
  let text: string;
  try {
    text = JSON.stringify(value);
  } catch {
    fail(field, undefined, 'a JSON-serializable object');
  }
  if (Buffer.byteLength(text, 'utf8') > MAX_FIELDS_BYTES) {
    fail(field, undefined, `a JSON object of at most ${MAX_FIELDS_BYTES} bytes serialized`);
  }
  return value as Record<string, unknown>;
}

export function checkOneOf<T extends string>(field: string, value: unknown, allowed: readonly T[]): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    fail(field, value, `one of ${allowed.map((a) => `"${a}"`).join(', ')}`);
  }
  return value as T;
}

export const checkCatchUp = (field: string, value: unknown) => checkOneOf(field, value, CATCH_UP_POLICIES);
export const checkOverlap = (field: string, value: unknown) => checkOneOf(field, value, OVERLAP_POLICIES);
export const checkRunStatus = (field: string, value: unknown) => checkOneOf(field, value, RUN_STATUSES);

export function checkBoolean(field: string, value: unknown): boolean {
  if (typeof value !== 'boolean') fail(field, value, 'true or false');
  return value;
}

/** A Date that holds an instant (not `new Date(NaN)`). */
export function checkDate(field: string, value: unknown): Date {
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) fail(field, String(value), 'a valid Date');
  return value;
}

export function checkInteger(field: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    fail(field, value, `an integer from ${min} to ${max}`);
  }
  return value;
}

/** The one form encodeCursor writes (toISOString, years 0001-9999): PostgreSQL reads it, unlike much Date.parse takes. */
function isCursorTime(t: unknown): t is string {
  return (
    typeof t === 'string' &&
    /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/.test(t) &&
    t >= '0001' &&
    !Number.isNaN(Date.parse(t)) &&
    new Date(t).toISOString() === t
  );
}

/** Cursors are opaque base64url JSON; this decodes one and checks its shape. */
export function decodeCursor(field: string, value: string): { t: string; id: string } {
  try {
    const parsed = JSON.parse(Buffer.from(value, 'base64url').toString('utf8')) as unknown;
    if (
      parsed &&
      typeof parsed === 'object' &&
      isCursorTime((parsed as { t?: unknown }).t) &&
      typeof (parsed as { id?: unknown }).id === 'string' &&
      isUuid((parsed as { id: string }).id)
    ) {
      return parsed as { t: string; id: string };
    }
  } catch {
    // falls through to the error below
  }
  fail(field, value, 'a cursor returned by a previous page');
}

export function encodeCursor(t: Date, id: string): string {
  return Buffer.from(JSON.stringify({ t: t.toISOString(), id }), 'utf8').toString('base64url');
}
