/**
 * Every error the API returns, in one table: a problem kind (each library error code is one) ->
 * HTTP status and title. Bodies are RFC 9457 `application/problem+json`. Nothing here matches on
 * message text, and no stack trace or SQL reaches a client: unknown errors become a generic 500.
 */
import { HTTPException } from 'hono/http-exception';
import type { ZodError } from 'zod';
import { type ErrorCode, SchedulerError, ValidationError } from '../lib/index.ts';

interface ProblemSpec {
  status: number;
  title: string;
}

/** The one table. Library error codes are kinds of their own, so the mapping is total by type. */
export const PROBLEMS = {
  malformed_json: { status: 400, title: 'Malformed JSON' },
  unauthorized: { status: 401, title: 'Unauthorized' },
  forbidden: { status: 403, title: 'Forbidden' },
  cross_site: { status: 403, title: 'Cross-site request refused' },
  not_found: { status: 404, title: 'Not found' },
  no_route: { status: 404, title: 'No such route' },
  method_not_allowed: { status: 405, title: 'Method not allowed' },
  conflict: { status: 409, title: 'Conflict' },
  precondition_failed: { status: 412, title: 'Precondition failed' },
  payload_too_large: { status: 413, title: 'Payload too large' },
  unsupported_media_type: { status: 415, title: 'Unsupported media type' },
  // 421, not 403: the request reached a server that does not serve that name (a DNS-rebinding page,
  // or a proxy or client using a name nobody allowed). It is a routing mistake, not a permission.
  host_not_allowed: { status: 421, title: 'Host not allowed' },
  validation: { status: 422, title: 'Validation failed' },
  internal: { status: 500, title: 'Internal server error' },
  not_started: { status: 503, title: 'Service unavailable' },
  database: { status: 503, title: 'Database unavailable' },
  not_ready: { status: 503, title: 'Not ready' },
  schema_version: { status: 503, title: 'Schema version not supported' },
  // Raised at start only (a pooler that cannot carry the scheduler): a misconfiguration, like schema_version.
  pooler: { status: 503, title: 'Connection pooler not supported' },
  stale_jobs: { status: 503, title: 'Stale jobs' },
} as const satisfies Record<ErrorCode, ProblemSpec> & Record<string, ProblemSpec>;

export type ProblemKind = keyof typeof PROBLEMS;
export type ProblemStatus = (typeof PROBLEMS)[ProblemKind]['status'];

/** The media type of every error body. */
export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** Problem `type` URIs: stable identifiers, not links. */
export const problemType = (kind: ProblemKind): string => `urn:pg-cron-scheduler:problem:${kind}`;

/** One field that was wrong, named by its path in the API (snake_case, dotted). */
export interface FieldError {
  path: string;
  message: string;
}

/** The JSON body of every error response. */
export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  request_id: string;
  errors?: FieldError[];
}

/** An error the HTTP layer raises on purpose (auth, size, validation of shapes, ...). */
export class HttpProblem extends Error {
  readonly kind: ProblemKind;
  readonly errors: FieldError[] | undefined;
  readonly headers: Record<string, string>;
  constructor(
    kind: ProblemKind,
    detail: string,
    options: { errors?: FieldError[]; headers?: Record<string, string> } = {},
  ) {
    super(detail);
    this.name = 'HttpProblem';
    this.kind = kind;
    this.errors = options.errors;
    this.headers = options.headers ?? {};
  }
}

const snake = (name: string) => name.replace(/[A-Z]/g, (ch) => `_${ch.toLowerCase()}`);

/** Library field names -> API paths. Only `fields` is renamed; the rest are camelCase -> snake_case. */
export function apiPath(field: string): string {
  const [head = '', ...rest] = field.split('.');
  return [head === 'fields' ? 'job_fields' : snake(head), ...rest].join('.');
}

/** The library's ValidationError issues, in API terms. */
export function libraryFieldErrors(error: ValidationError): FieldError[] {
  return error.issues.map((issue) => ({
    path: apiPath(issue.field),
    message:
      issue.value === undefined
        ? `expected ${issue.expected}`
        : `expected ${issue.expected} (got ${JSON.stringify(issue.value)})`,
  }));
}

/**
 * One step of a field path. Keys the client chose may be empty or hold dots, which would leave a
 * path empty or looking nested: those are written as JSON strings (`""`, `"a.b"`).
 */
const pathSegment = (key: PropertyKey): string =>
  typeof key === 'string' && !/^[A-Za-z0-9_-]+$/.test(key) ? JSON.stringify(key) : String(key);

/** zod issues of one request part (`json`, `query`, `param`, ...) as field errors. */
export function zodFieldErrors(target: string, error: ZodError): FieldError[] {
  const whole = target === 'json' ? 'body' : target;
  return error.issues.flatMap((issue) => {
    const base = issue.path.map(pathSegment).join('.');
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({
        path: base ? `${base}.${pathSegment(key)}` : pathSegment(key),
        message: 'unknown field',
      }));
    }
    return [{ path: base || whole, message: issue.message }];
  });
}

/** What an error becomes on the wire, and whether it is unexpected (logged as an error). */
export interface ProblemResponse {
  body: ProblemBody;
  headers: Record<string, string>;
  unexpected: boolean;
}

function build(
  kind: ProblemKind,
  detail: string,
  requestId: string,
  extra: { errors?: FieldError[] | undefined; headers?: Record<string, string> } = {},
): ProblemResponse {
  const { status, title } = PROBLEMS[kind];
  const body: ProblemBody = { type: problemType(kind), title, status, detail, request_id: requestId };
  if (extra.errors) body.errors = extra.errors;
  return { body, headers: extra.headers ?? {}, unexpected: kind === 'internal' };
}

/** A problem of a known kind (used for 404 routes, 405, 401, ...). */
export function problemOf(
  kind: ProblemKind,
  detail: string,
  requestId: string,
  extra?: { errors?: FieldError[]; headers?: Record<string, string> },
): ProblemResponse {
  return build(kind, detail, requestId, extra);
}

/** Hono's own exceptions, by status (the only information they carry that we trust). */
const HONO_STATUS_KINDS: Partial<Record<number, ProblemKind>> = {
  400: 'malformed_json',
  401: 'unauthorized',
  404: 'no_route',
  405: 'method_not_allowed',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
};

const HONO_DETAILS: Partial<Record<ProblemKind, string>> = {
  malformed_json: 'The request body is not valid JSON.',
  payload_too_large: 'The request body is larger than the server accepts.',
  unsupported_media_type: 'Send the request body as application/json.',
};

/** Any thrown value -> the problem the client sees. Unknown errors say nothing but the request id. */
export function toProblem(error: unknown, requestId: string): ProblemResponse {
  if (error instanceof HttpProblem) {
    return build(error.kind, error.message, requestId, { errors: error.errors, headers: error.headers });
  }
  if (error instanceof ValidationError) {
    return build('validation', 'The request has invalid values.', requestId, { errors: libraryFieldErrors(error) });
  }
  if (error instanceof SchedulerError) {
    // database errors may carry SQL or connection details in their message: never echo those.
    const detail =
      error.code === 'database'
        ? 'The database did not answer; try again later.'
        : error.code === 'not_started'
          ? 'The scheduler is not running; try again later.'
          : error.message;
    return { ...build(error.code, detail, requestId), unexpected: error.code === 'database' };
  }
  if (error instanceof HTTPException) {
    const kind = HONO_STATUS_KINDS[error.status];
    if (kind) return build(kind, HONO_DETAILS[kind] ?? PROBLEMS[kind].title, requestId);
  }
  return build('internal', `An unexpected error occurred. Quote request id ${requestId} when reporting it.`, requestId);
}
