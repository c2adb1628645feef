/**
 * `pg-cron-scheduler/client`: a typed HTTP client for a running server, for other services and the CLI.
 * Its types come from the API's OpenAPI document (client/openapi.ts); errors are the server's problem+json.
 */
import createFetchClient from 'openapi-fetch';
import type { components, paths } from './openapi.ts';

export type { components, paths } from './openapi.ts';

type Schemas = components['schemas'];
/** A stored job, as the API returns it (snake_case, ISO 8601 timestamps in UTC). */
export type Job = Schemas['Job'];
/** A job with its next five run instants (`GET /jobs/{id}`). */
export type JobDetail = Schemas['JobDetail'];
/** The body of `POST /jobs`. */
export type CreateJob = Schemas['CreateJob'];
/** The body of `PATCH /jobs/{id}`: any subset of the fields. */
export type UpdateJob = Schemas['UpdateJob'];
/** One run of a job. */
export type Run = Schemas['Run'];
/** The body of `POST /cron/preview`. */
export type CronPreviewRequest = Schemas['CronPreviewRequest'];
/** A cron expression's description and next instants. */
export type CronPreview = Schemas['CronPreview'];
/** Every error body the API sends (RFC 9457 `application/problem+json`). */
export type Problem = Schemas['Problem'];
/** The status filter of `runs()`. */
export type RunStatus = Run['status'];

/** Options of `createClient()`. */
export interface ClientOptions {
  /** The server's URL, with the prefix the API is mounted under if any: `http://127.0.0.1:8000`, `https://host/scheduler`. */
  baseUrl: string;
  /** Sent as `Authorization: Bearer <token>` when set (servers with SCHEDULER_API_TOKEN require it). */
  token?: string | undefined;
  /** Extra headers for every request (your own auth in front of a mounted API, for instance). */
  headers?: Record<string, string>;
  /** The fetch to use. Default: the global fetch. */
  fetch?: typeof globalThis.fetch;
}

/** One page of a list, and the cursor of the next one (null on the last page). */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** Paging options of the list calls. */
export interface PageOptions {
  /** Page size, 1-1000. Default 100. */
  limit?: number;
  /** The `nextCursor` of the previous page. */
  cursor?: string | null;
}

/** The server answered with an error; `problem` is its problem+json body. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  /** The HTTP status. */
  readonly status: number;
  /** The error body: `type`, `title`, `status`, `detail`, `request_id`, and `errors` naming each bad field. */
  readonly problem: Problem;
  constructor(problem: Problem) {
    super(`${problem.status} ${problem.title}: ${problem.detail}`);
    this.status = problem.status;
    this.problem = problem;
  }
}

/** The server could not be reached (refused, reset, DNS, ...); `cause` is fetch's own error. */
export class ConnectionError extends Error {
  override readonly name = 'ConnectionError';
  constructor(baseUrl: string, cause: unknown) {
    const reason = cause instanceof Error ? ((cause.cause as Error | undefined)?.message ?? cause.message) : '';
    super(`cannot reach the scheduler API at ${baseUrl}${reason ? `: ${reason}` : ''}`, { cause });
  }
}

/** The typed client: one method per API operation. Every method throws ApiError or ConnectionError. */
export interface SchedulerClient {
  jobs: {
    /** One page of jobs, oldest first. */
    list(options?: PageOptions & { paused?: boolean }): Promise<Page<Job>>;
    /** A job by id or name, with its next five run instants. */
    get(idOrName: string): Promise<JobDetail>;
    create(job: CreateJob): Promise<Job>;
    update(idOrName: string, patch: UpdateJob): Promise<Job>;
    /** Deletes a job, its run history and its queued runs. */
    delete(idOrName: string): Promise<void>;
    pause(idOrName: string): Promise<Job>;
    /** Resumes from now: ticks passed while paused are not caught up. */
    resume(idOrName: string): Promise<Job>;
    /** Queues a manual run now; resolves to that run. */
    run(idOrName: string): Promise<Run>;
    /** One page of a job's runs, newest first. */
    runs(idOrName: string, options?: PageOptions & { status?: RunStatus }): Promise<Page<Run>>;
  };
  cron: {
    /** Describes a cron expression and lists its next instants; stores nothing. */
    preview(request: CronPreviewRequest): Promise<CronPreview>;
  };
  health: {
    /** Resolves when the process answers. */
    live(): Promise<void>;
    /** Resolves when the server's database answers; ApiError 503 when it does not. */
    ready(): Promise<void>;
  };
}

/** What openapi-fetch resolves to, reduced to what `unwrap()` reads. */
type Outcome<T> = { data?: T; error?: unknown; response: Response };

/** The cursor in a `Link: <…?cursor=…>; rel="next"` header, or null. */
function nextCursor(response: Response): string | null {
  const match = /<([^>]*)>\s*;\s*rel="?next"?/.exec(response.headers.get('Link') ?? '');
  if (!match) return null;
  return new URL(match[1]!, 'http://link.invalid').searchParams.get('cursor');
}

/** A problem body, or one made up for an error response that is not problem+json (a proxy's page). */
function problemOf(error: unknown, response: Response): Problem {
  if (error && typeof error === 'object' && typeof (error as Problem).status === 'number') return error as Problem;
  return {
    type: 'about:blank',
    title: response.statusText || 'Error',
    status: response.status,
    detail: typeof error === 'string' && error ? error.slice(0, 500) : `HTTP ${response.status}`,
    request_id: response.headers.get('X-Request-Id') ?? '',
  };
}

/** Creates a client for the API at `options.baseUrl`. Nothing is sent until a method is called. */
export function createClient(options: ClientOptions): SchedulerClient {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers['Authorization'] = `Bearer ${options.token}`;
  const api = createFetchClient<paths>({ baseUrl, headers, ...(options.fetch && { fetch: options.fetch }) });

  const call = async <T>(request: () => Promise<Outcome<T>>): Promise<{ data: T; response: Response }> => {
    let outcome: Outcome<T>;
    try {
      outcome = await request();
    } catch (error) {
      throw new ConnectionError(baseUrl, error);
    }
    if (!outcome.response.ok) throw new ApiError(problemOf(outcome.error, outcome.response));
    return { data: outcome.data as T, response: outcome.response };
  };
  const path = (idOrName: string) => ({ params: { path: { id: idOrName } } });
  const page = <T>({ data, response }: { data: T[]; response: Response }): Page<T> => ({
    items: data,
    nextCursor: nextCursor(response),
  });
  const pageQuery = (o: PageOptions) => ({
    ...(o.limit !== undefined && { limit: o.limit }),
    ...(o.cursor ? { cursor: o.cursor } : {}),
  });

  return {
    jobs: {
      list: async (o = {}) =>
        page(
          await call(() =>
            api.GET('/jobs', {
              params: {
                query: { ...pageQuery(o), ...(o.paused !== undefined && { paused: o.paused ? 'true' : 'false' }) },
              },
            }),
          ),
        ),
      get: async (id) => (await call(() => api.GET('/jobs/{id}', path(id)))).data,
      create: async (job) => (await call(() => api.POST('/jobs', { body: job }))).data,
      update: async (id, patch) => (await call(() => api.PATCH('/jobs/{id}', { ...path(id), body: patch }))).data,
      delete: async (id) => {
        await call(() => api.DELETE('/jobs/{id}', path(id)));
      },
      pause: async (id) => (await call(() => api.POST('/jobs/{id}/pause', path(id)))).data,
      resume: async (id) => (await call(() => api.POST('/jobs/{id}/resume', path(id)))).data,
      run: async (id) => (await call(() => api.POST('/jobs/{id}/run', path(id)))).data,
      runs: async (id, o = {}) =>
        page(
          await call(() =>
            api.GET('/jobs/{id}/runs', {
              params: { path: { id }, query: { ...pageQuery(o), ...(o.status && { status: o.status }) } },
            }),
          ),
        ),
    },
    cron: {
      preview: async (request) => (await call(() => api.POST('/cron/preview', { body: request }))).data,
    },
    health: {
      live: async () => {
        await call(() => api.GET('/healthcheck'));
      },
      ready: async () => {
        await call(() => api.GET('/health/ready'));
      },
    },
  };
}
