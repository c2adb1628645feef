/**
 * Typed errors of the library. Each carries a stable `code`; the HTTP shell maps codes to statuses
 * in one table, so nothing matches on message text.
 */

/** Stable error codes, one per error class. */
export const ERROR_CODES = [
  'validation',
  'not_found',
  'conflict',
  'precondition_failed',
  'not_started',
  'database',
  'schema_version',
  'pooler',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** Base class of every error the library throws on purpose. */
export class SchedulerError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** One problem with an input: which field, what it held, what was expected. */
export interface FieldIssue {
  /** Dotted path of the field, e.g. `cron` or `fields`. */
  field: string;
  /** Human-readable statement of what was expected, e.g. `a 5- or 6-field cron expression`. */
  expected: string;
  /** The offending value, when it is small enough to echo back. */
  value?: unknown;
}

/** An input was refused. `issues` names every field that was wrong. */
export class ValidationError extends SchedulerError {
  readonly issues: readonly FieldIssue[];
  constructor(issues: FieldIssue | readonly FieldIssue[]) {
    const list = Array.isArray(issues) ? issues : [issues as FieldIssue];
    super('validation', list.map((i) => `${i.field}: expected ${i.expected}`).join('; '));
    this.issues = list;
  }
  /** The first issue's field (most callers report one). */
  get field(): string {
    return this.issues[0]?.field ?? '';
  }
}

/** No schedule with that id or name. */
export class NotFoundError extends SchedulerError {
  readonly resource: string;
  readonly key: string;
  constructor(resource: string, key: string) {
    super('not_found', `${resource} ${JSON.stringify(key)} was not found`);
    this.resource = resource;
    this.key = key;
  }
}

/** A schedule with that name already exists. */
export class ConflictError extends SchedulerError {
  readonly field: string;
  readonly value: string;
  constructor(field: string, value: string, message?: string) {
    super('conflict', message ?? `a schedule with ${field} ${JSON.stringify(value)} already exists`);
    this.field = field;
    this.value = value;
  }
}

/** The database could not be reached (refused, dropped, shutting down, out of connections). Retry later. */
/**
 * A write's precondition on the schedule's version did not hold: `ifMatch` named another version
 * (or the schedule is gone), or `ifNoneMatch` found one. Nothing was written.
 */
export class PreconditionFailedError extends SchedulerError {
  /** The schedule's version now; null when there is no such schedule. */
  readonly currentVersion: number | null;
  constructor(message: string, currentVersion: number | null) {
    super('precondition_failed', message);
    this.currentVersion = currentVersion;
  }
}

export class DatabaseError extends SchedulerError {
  constructor(cause: unknown) {
    super('database', `the database is unavailable: ${(cause as Error)?.message ?? String(cause)}`, { cause });
  }
}

/**
 * The connection goes through a pooler (PgBouncer) that cannot carry what the scheduler needs:
 * `problem` says which. `startup_parameters`: the pooler refused a setting the library sends when a
 * connection starts (set the `pooler` option). `notifications`: a NOTIFY sent through the pool
 * never reached the LISTEN connection (transaction pooling: give `directConnectionString`, or use
 * session pooling).
 */
export class PoolerError extends SchedulerError {
  readonly problem: 'startup_parameters' | 'notifications';
  constructor(problem: 'startup_parameters' | 'notifications', message: string, options?: { cause?: unknown }) {
    super('pooler', message, options);
    this.problem = problem;
  }
}

/** PgBouncer's answer to a startup parameter it neither tracks nor ignores (SQLSTATE 08P01). */
const REFUSED_STARTUP_PARAMETER = /unsupported startup parameter: *(\S+)/;

/**
 * The startup parameter a pooler refused, when that is what `error` (or an error it wraps) says;
 * null otherwise. Matched on PgBouncer's message: its SQLSTATE (08P01, protocol violation) says
 * nothing more specific.
 */
export function refusedStartupParameter(error: unknown): string | null {
  for (let e = error, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    if ((e as { code?: unknown }).code !== '08P01') continue;
    const match = REFUSED_STARTUP_PARAMETER.exec((e as Error).message ?? '');
    if (match) return match[1] ?? null;
  }
  return null;
}

/**
 * The error as a PoolerError when it is one, or when a pooler refused a startup parameter;
 * otherwise null.
 */
export function asPoolerError(error: unknown): PoolerError | null {
  if (error instanceof PoolerError) return error;
  const parameter = refusedStartupParameter(error);
  if (parameter === null) return null;
  return new PoolerError(
    'startup_parameters',
    `the server refused the startup parameter ${parameter}: a pooler (PgBouncer) is in between. Set the ` +
      '`pooler` option (connections then start with no server settings), and point `directConnectionString`, ' +
      'if given, at PostgreSQL itself',
    { cause: error },
  );
}

/** Node socket errors and PostgreSQL SQLSTATEs (classes 08 and 57P, 53300) that mean "unreachable", not "refused". */
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  '53300',
  '57P01',
  '57P02',
  '57P03',
]);
// node-postgres reports some losses only in the message, with no code.
const UNAVAILABLE_MESSAGE = /connection terminated|connection timeout|connection error|not queryable|Connection ended/i;

/** Whether the error (or an error it wraps) means the database is unreachable. */
export function isUnavailable(error: unknown): boolean {
  // Refused by a pooler's configuration (08P01 too): waiting will not help.
  if (refusedStartupParameter(error) !== null) return false;
  for (let e = error, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof DatabaseError) return true;
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && (UNAVAILABLE_CODES.has(code) || code.startsWith('08'))) return true;
    if (UNAVAILABLE_MESSAGE.test((e as Error).message ?? '')) return true;
  }
  return false;
}

/** The error as a DatabaseError when it means the database is unreachable; otherwise unchanged. */
export function asDatabaseError(error: unknown): unknown {
  if (error instanceof SchedulerError) return error;
  return isUnavailable(error) ? new DatabaseError(error) : error;
}

/** A method that needs a started scheduler was called before start() or after stop(). */
export class NotStartedError extends SchedulerError {
  constructor(what: string) {
    super('not_started', `${what} needs a started scheduler: call start() first`);
  }
}
