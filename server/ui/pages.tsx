/**
 * The dashboard's HTML: one component per page and the layout they share. Pure: each takes what it
 * shows and a `to()` that turns a dashboard path (`jobs/<id>`) into a link relative to the page, so
 * the pages hold under any prefix. Hono JSX escapes every text and attribute value.
 */

import { raw } from 'hono/html';
import type { Child, FC, PropsWithChildren } from 'hono/jsx';
import type { HtmlEscapedString } from 'hono/utils/html';
import type { Run, Schedule } from '../../lib/index.ts';
import { VERSION } from '../version.ts';
import type { FormErrors, FormField, FormValues } from './form.ts';
import { duration, formatInstant, instantText, relativeTime, scheduleSummary } from './format.ts';

/** Turns a path below the dashboard's root (`jobs`, `jobs/<id>?cursor=…`) into a link from this page. */
export type LinkTo = (target: string) => string;

/** What every page knows about the request. */
export interface PageContext {
  to: LinkTo;
  /** The instant the page is made, for "in 5 min". */
  now: Date;
  /** The session may change things (false with the read-only token). */
  canWrite: boolean;
  /** A login is in force, so there is a session to log out of. */
  loggedIn: boolean;
}

/** Rendered HTML, as `c.html()` takes it. */
export type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

/** A page as the HTML a response carries: `c.html(view(JobPage, props))`. */
export function view<P extends object>(Page: FC<P>, props: P): Html {
  return <Page {...props} />;
}

const capitalize = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

const Layout: FC<PropsWithChildren<{ page: PageContext; title: string }>> = ({ page, title, children }) => (
  <>
    {raw('<!doctype html>')}
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="referrer" content="no-referrer" />
        {/* No icon: without this line browsers ask for /favicon.ico, outside the dashboard. */}
        <link rel="icon" href="data:," />
        <title>{`${title} · pg-cron-scheduler`}</title>
        <link rel="stylesheet" href={page.to(`assets/ui.css?v=${VERSION}`)} />
        <script src={page.to(`assets/ui.js?v=${VERSION}`)} defer></script>
      </head>
      <body>
        <header class="top">
          <a class="brand" href={page.to('jobs')}>
            pg-cron-scheduler
          </a>
          <nav aria-label="Main">
            <a href={page.to('jobs')}>Jobs</a>
            {page.canWrite && <a href={page.to('new')}>New job</a>}
            {page.loggedIn && !page.canWrite && <span class="badge">read-only</span>}
            {page.loggedIn && (
              <form method="post" action={page.to('logout')} class="inline">
                <button type="submit" class="link">
                  Log out
                </button>
              </form>
            )}
          </nav>
        </header>
        <main id="main">{children}</main>
      </body>
    </html>
  </>
);

const When: FC<{ date: Date | null; now: Date; none?: string; relative?: boolean }> = ({
  date,
  now,
  none = '—',
  relative = true,
}) =>
  date ? (
    <time datetime={date.toISOString()} title={date.toISOString()}>
      {formatInstant(date)} UTC{relative && <span class="muted"> ({relativeTime(date, now)})</span>}
    </time>
  ) : (
    <span class="muted">{none}</span>
  );

const StatusBadge: FC<{ status: string }> = ({ status }) => <span class={`status status-${status}`}>{status}</span>;

/** A row of the jobs list: the schedule, and its newest run when it has one. */
export interface ListedJob {
  schedule: Schedule;
  lastRun: Run | null;
}

export const ListPage: FC<{
  page: PageContext;
  jobs: ListedJob[];
  search: string;
  /** The cursor of this page: null on the first page. */
  cursor: string | null;
  nextCursor: string | null;
  /** Query string that keeps the search when following a page link (`q=…&`), or ''. */
  keep: string;
  error: string | null;
  /** What the last action did (`deleted`), from the redirect's `?done=`. */
  notice: string | null;
}> = ({ page, jobs, search, cursor, nextCursor, keep, error, notice }) => (
  <Layout page={page} title="Jobs">
    <div class="heading">
      <h1>Jobs</h1>
      {page.canWrite && (
        <a class="button" href={page.to('new')}>
          New job
        </a>
      )}
    </div>
    <search>
      <form method="get" action={page.to('jobs')} class="search">
        <label for="q">Search by name</label>
        <input id="q" name="q" type="search" value={search} maxlength={128} />
        <button type="submit">Search</button>
        {search && <a href={page.to('jobs')}>Clear</a>}
      </form>
    </search>
    {notice === 'deleted' && (
      <p class="notice" role="status">
        The job was deleted.
      </p>
    )}
    {error && (
      <p class="error" role="alert">
        {error}
      </p>
    )}
    {jobs.length === 0 ? (
      <p class="empty">{search ? `No job’s name contains “${search}”.` : 'No jobs yet.'}</p>
    ) : (
      <table class="cards jobs">
        <caption class="visually-hidden">Jobs, oldest first</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Schedule</th>
            <th scope="col">Next run</th>
            <th scope="col">Last run</th>
          </tr>
        </thead>
        <tbody>
          {jobs.map(({ schedule, lastRun }) => {
            const summary = scheduleSummary(schedule);
            return (
              <tr>
                <th scope="row" data-label="Name">
                  <a href={page.to(`jobs/${schedule.id}`)}>{schedule.name}</a>
                  {summary.state !== 'active' && <span class={`badge badge-${summary.state}`}>{summary.state}</span>}
                </th>
                <td data-label="Schedule">
                  <code>{summary.headline}</code>
                  <span class="description">
                    {summary.description}
                    {summary.timezone !== 'UTC' && ` (${summary.timezone})`}
                  </span>
                </td>
                <td data-label="Next run">
                  <When date={schedule.nextRunAt} now={page.now} none={summary.state} />
                </td>
                <td data-label="Last run">
                  {lastRun ? (
                    <>
                      <StatusBadge status={lastRun.status} /> <When date={lastRun.scheduledFor} now={page.now} />
                    </>
                  ) : (
                    <span class="muted">never</span>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    )}
    <nav aria-label="Pages" class="pager">
      {cursor !== null && <a href={page.to(keep ? `jobs?${keep.slice(0, -1)}` : 'jobs')}>First page</a>}
      {nextCursor !== null && (
        <a rel="next" href={page.to(`jobs?${keep}cursor=${encodeURIComponent(nextCursor)}`)}>
          Next page
        </a>
      )}
    </nav>
  </Layout>
);

const NOTICES: Record<string, string> = {
  created: 'The job was created.',
  saved: 'The changes were saved.',
  paused: 'The job is paused: it fires nothing until resumed.',
  resumed: 'The job is resumed from now.',
  run: 'A run was queued; reload to follow it.',
};

/** A post-and-redirect button: a one-button form. */
const ActionButton: FC<{ action: string; label: string; className?: string }> = ({ action, label, className }) => (
  <form method="post" action={action} class="inline">
    <button type="submit" class={className}>
      {label}
    </button>
  </form>
);

export const JobPage: FC<{
  page: PageContext;
  schedule: Schedule;
  upcoming: Date[];
  runs: Run[];
  /** The cursor of this page of runs: null on the first. */
  runsCursor: string | null;
  nextRunsCursor: string | null;
  notice: string | null;
}> = ({ page, schedule, upcoming, runs, runsCursor, nextRunsCursor, notice }) => {
  const summary = scheduleSummary(schedule);
  const self = `jobs/${schedule.id}`;
  const noticeText = notice ? NOTICES[notice] : undefined;
  return (
    <Layout page={page} title={schedule.name}>
      <p class="crumbs">
        <a href={page.to('jobs')}>Jobs</a> /
      </p>
      <div class="heading">
        <h1>
          {schedule.name}
          {summary.state !== 'active' && <span class={`badge badge-${summary.state}`}>{summary.state}</span>}
        </h1>
      </div>
      {noticeText && (
        <p class="notice" role="status">
          {noticeText}
        </p>
      )}
      {page.canWrite && (
        <div class="actions">
          {schedule.paused ? (
            <ActionButton action={page.to(`${self}/resume`)} label="Resume" />
          ) : (
            <ActionButton action={page.to(`${self}/pause`)} label="Pause" />
          )}
          <ActionButton action={page.to(`${self}/run`)} label="Run now" />
          <a class="button secondary" href={page.to(`${self}/edit`)}>
            Edit
          </a>
          <details class="danger-zone">
            <summary>Delete…</summary>
            <form
              method="post"
              action={page.to(`${self}/delete`)}
              data-confirm={`Delete ${schedule.name}, its run history and its queued runs?`}
            >
              <p>This deletes the job, its run history, and cancels its queued runs. It cannot be undone.</p>
              <button type="submit" class="danger">
                Delete {schedule.name}
              </button>
            </form>
          </details>
        </div>
      )}
      <div class="columns">
        <section aria-labelledby="h-schedule">
          <h2 id="h-schedule">Schedule</h2>
          <dl class="fields">
            {summary.rows.map((row) => (
              <>
                <dt>{row.label}</dt>
                <dd>{row.code ? <code>{row.value}</code> : row.value}</dd>
              </>
            ))}
            <dt>Next run</dt>
            <dd>
              <When date={schedule.nextRunAt} now={page.now} none={summary.state} />
            </dd>
            <dt>Last run</dt>
            <dd>
              <When date={schedule.lastRunAt} now={page.now} none="never" />
            </dd>
            <dt>Created</dt>
            <dd>
              <When date={schedule.createdAt} now={page.now} />
            </dd>
            <dt>Id</dt>
            <dd>
              <code>{schedule.id}</code>
            </dd>
          </dl>
        </section>
        <section aria-labelledby="h-upcoming">
          <h2 id="h-upcoming">Next instants</h2>
          {upcoming.length === 0 ? (
            <p class="muted">{schedule.paused ? 'None while paused.' : 'None within 20 years.'}</p>
          ) : (
            <ol class="instants">
              {upcoming.map((date) => (
                <li>
                  <When date={date} now={page.now} />
                  {schedule.timezone !== 'UTC' && (
                    <span class="muted">
                      {' '}
                      = {formatInstant(date, schedule.timezone)} {schedule.timezone}
                    </span>
                  )}
                </li>
              ))}
            </ol>
          )}
          <h2 id="h-fields">Job fields</h2>
          <pre class="json">{JSON.stringify(schedule.fields, null, 2)}</pre>
        </section>
      </div>
      <section aria-labelledby="h-runs">
        <h2 id="h-runs">Runs</h2>
        {runs.length === 0 ? (
          <p class="muted">No runs yet.</p>
        ) : (
          <table class="cards runs">
            <caption class="visually-hidden">Runs, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Status</th>
                <th scope="col">Trigger</th>
                <th scope="col">Scheduled for</th>
                <th scope="col">Started</th>
                <th scope="col">Finished</th>
                <th scope="col">Attempts</th>
                <th scope="col">Error</th>
              </tr>
            </thead>
            <tbody>
              {runs.map((run) => (
                <tr>
                  <td data-label="Status">
                    <StatusBadge status={run.status} />
                    {run.tickCount > 1 && <span class="muted"> ×{run.tickCount}</span>}
                  </td>
                  <td data-label="Trigger">{run.trigger}</td>
                  <td data-label="Scheduled for">
                    <When date={run.scheduledFor} now={page.now} />
                  </td>
                  <td data-label="Started">
                    <When date={run.startedAt} now={page.now} relative={false} />
                  </td>
                  <td data-label="Finished">
                    <When date={run.finishedAt} now={page.now} relative={false} />
                    {duration(run.startedAt, run.finishedAt) && (
                      <span class="muted"> ({duration(run.startedAt, run.finishedAt)})</span>
                    )}
                  </td>
                  <td data-label="Attempts">{run.attempts}</td>
                  <td data-label="Error">{run.error ? <RunError run={run} /> : <span class="muted">—</span>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <nav aria-label="Pages of runs" class="pager">
          {runsCursor !== null && <a href={page.to(self)}>Newest runs</a>}
          {nextRunsCursor !== null && (
            <a rel="next" href={page.to(`${self}?cursor=${encodeURIComponent(nextRunsCursor)}`)}>
              Older runs
            </a>
          )}
        </nav>
      </section>
    </Layout>
  );
};

const RunError: FC<{ run: Run }> = ({ run }) => (
  <details class="run-error">
    <summary>{(run.error ?? '').split('\n')[0]!.slice(0, 80)}</summary>
    <pre>{run.error}</pre>
    {run.failedAttempts.length > 0 && (
      <ul>
        {run.failedAttempts.map((attempt) => (
          <li>
            Attempt {attempt.attempt}: {attempt.outcome}
            {attempt.error && ` — ${attempt.error.split('\n')[0]}`}
          </li>
        ))}
      </ul>
    )}
  </details>
);

/** A cron expression's meaning and next instants, or why it is refused. */
export type CronPreviewResult =
  | { ok: true; description: string; next: Date[]; timezone: string }
  | { ok: false; message: string }
  | { ok: null };

const FieldError: FC<{ id: string; message: string | undefined }> = ({ id, message }) =>
  message ? (
    <p id={id} class="field-error">
      {capitalize(message)}
    </p>
  ) : null;

/** The id of a field's error message, for aria-describedby. */
const errorId = (field: FormField) => `${field}-error`;

/** Attributes that tie an input to its error message, when it has one. */
function invalid(errors: FormErrors, field: FormField, hint?: string): Record<string, string> {
  const described = [hint, errors[field] ? errorId(field) : undefined].filter(Boolean).join(' ');
  return {
    ...(errors[field] ? { 'aria-invalid': 'true' } : {}),
    ...(described ? { 'aria-describedby': described } : {}),
  };
}

export const FormPage: FC<{
  page: PageContext;
  mode: 'new' | 'edit';
  /** The job's name as stored (edit), for the heading. */
  storedName?: string;
  values: FormValues;
  errors: FormErrors;
  preview: CronPreviewResult;
  action: string;
  cancel: string;
  zones: readonly string[];
}> = ({ page, mode, storedName, values, errors, preview, action, cancel, zones }) => {
  const title = mode === 'new' ? 'New job' : `Edit ${storedName ?? values.name}`;
  const option = (field: FormField, value: string, label: string) => (
    <option value={value} selected={values[field] === value}>
      {label}
    </option>
  );
  return (
    <Layout page={page} title={title}>
      <p class="crumbs">
        <a href={page.to('jobs')}>Jobs</a> /
      </p>
      <h1>{title}</h1>
      {Object.keys(errors).length > 0 && (
        <p class="error" role="alert">
          {errors.form ? capitalize(errors.form) : 'The job was not saved: see the fields marked below.'}
        </p>
      )}
      <form method="post" action={action} class="job-form" data-preview-url={page.to('preview')}>
        <div class="field">
          <label for="name">Name</label>
          <input
            id="name"
            name="name"
            value={values.name}
            required
            maxlength={128}
            autocomplete="off"
            spellcheck={false}
            {...invalid(errors, 'name', 'name-hint')}
          />
          <p id="name-hint" class="hint">
            Letters, digits, <code>.</code> <code>_</code> <code>-</code>; unique.
          </p>
          <FieldError id={errorId('name')} message={errors.name} />
        </div>
        <div class="field">
          <label for="cron">Cron expression</label>
          <input
            id="cron"
            name="cron"
            value={values.cron}
            autocomplete="off"
            spellcheck={false}
            class="mono"
            {...invalid(errors, 'cron', 'cron-hint')}
          />
          <p id="cron-hint" class="hint">
            5 fields (minute hour day month weekday), 6 with leading seconds, or a macro such as <code>@daily</code>.
          </p>
          <FieldError id={errorId('cron')} message={errors.cron} />
          <CronPreviewBox preview={preview} />
        </div>
        <div class="field">
          <label for="every">Or an interval</label>
          <input
            id="every"
            name="every"
            value={values.every}
            autocomplete="off"
            spellcheck={false}
            class="mono"
            {...invalid(errors, 'every', 'every-hint')}
          />
          <p id="every-hint" class="hint">
            Instead of a cron expression: <code>90s</code>, <code>15m</code>, <code>6h</code>, <code>1h30m</code>.
          </p>
          <FieldError id={errorId('every')} message={errors.every} />
        </div>
        <div class="field">
          <label for="timezone">Time zone</label>
          <input
            id="timezone"
            name="timezone"
            value={values.timezone}
            list="zones"
            autocomplete="off"
            spellcheck={false}
            {...invalid(errors, 'timezone')}
          />
          <datalist id="zones">
            {zones.map((zone) => (
              <option value={zone} />
            ))}
          </datalist>
          <FieldError id={errorId('timezone')} message={errors.timezone} />
        </div>
        <div class="field">
          <label for="job_fields">Job fields (JSON object)</label>
          <textarea
            id="job_fields"
            name="job_fields"
            rows={6}
            class="mono"
            spellcheck={false}
            {...invalid(errors, 'job_fields', 'job_fields-hint')}
          >
            {values.job_fields}
          </textarea>
          <p id="job_fields-hint" class="hint">
            Passed to every run.
          </p>
          <FieldError id={errorId('job_fields')} message={errors.job_fields} />
        </div>
        <fieldset>
          <legend>Policies</legend>
          <div class="field">
            <label for="catch_up">Missed ticks (catch-up)</label>
            <select id="catch_up" name="catch_up" {...invalid(errors, 'catch_up')}>
              {option('catch_up', 'latest', 'Fire the latest missed tick')}
              {option('catch_up', 'all', 'Fire every missed tick')}
              {option('catch_up', 'skip', 'Skip missed ticks (record them)')}
            </select>
            <FieldError id={errorId('catch_up')} message={errors.catch_up} />
          </div>
          <div class="field">
            <label for="catch_up_window_seconds">Catch-up window (seconds)</label>
            <input
              id="catch_up_window_seconds"
              name="catch_up_window_seconds"
              value={values.catch_up_window_seconds}
              inputmode="numeric"
              {...invalid(errors, 'catch_up_window_seconds', 'window-hint')}
            />
            <p id="window-hint" class="hint">
              Missed ticks older than this are recorded, never fired. Empty: no bound.
            </p>
            <FieldError id={errorId('catch_up_window_seconds')} message={errors.catch_up_window_seconds} />
          </div>
          <div class="field">
            <label for="overlap">While the previous run is queued or running</label>
            <select id="overlap" name="overlap" {...invalid(errors, 'overlap')}>
              {option('overlap', 'allow', 'Fire anyway (allow)')}
              {option('overlap', 'skip', 'Skip the tick (record it)')}
            </select>
            <FieldError id={errorId('overlap')} message={errors.overlap} />
          </div>
        </fieldset>
        {mode === 'new' && (
          <div class="field check">
            <input id="paused" name="paused" type="checkbox" value="on" checked={values.paused !== ''} />
            <label for="paused">Create it paused</label>
          </div>
        )}
        <div class="actions">
          <button type="submit">{mode === 'new' ? 'Create job' : 'Save changes'}</button>
          <a href={cancel}>Cancel</a>
        </div>
      </form>
    </Layout>
  );
};

/** Filled by the server for the value it rendered, then kept up to date by ui.js as the user types. */
const CronPreviewBox: FC<{ preview: CronPreviewResult }> = ({ preview }) => (
  <div id="cron-preview" class="preview" aria-live="polite">
    <p id="cron-description" class="description">
      {preview.ok === true ? preview.description : ''}
    </p>
    <p id="cron-problem" class="field-error" hidden={preview.ok !== false}>
      {preview.ok === false ? capitalize(preview.message) : ''}
    </p>
    <ol id="cron-next" class="instants">
      {preview.ok === true &&
        preview.next.map((date) => (
          <li>
            <time datetime={date.toISOString()}>{instantText(date, preview.timezone)}</time>
          </li>
        ))}
    </ol>
  </div>
);

export const LoginPage: FC<{ page: PageContext; error: string | null }> = ({ page, error }) => (
  <Layout page={page} title="Log in">
    <div class="narrow">
      <h1>Log in</h1>
      <p>Paste the API token of this service (the full token, or the read-only one to look only).</p>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <form method="post" action={page.to('login')}>
        <div class="field">
          <label for="token">API token</label>
          <input id="token" name="token" type="password" required autocomplete="current-password" />
        </div>
        <button type="submit">Log in</button>
      </form>
    </div>
  </Layout>
);

/** A page that only says something: not found, forbidden, the confirmation of a deletion, an error. */
export const MessagePage: FC<{ page: PageContext; title: string; message: Child; requestId?: string }> = ({
  page,
  title,
  message,
  requestId,
}) => (
  <Layout page={page} title={title}>
    <h1>{title}</h1>
    <p>{message}</p>
    {requestId && (
      <p class="muted">
        Request id: <code>{requestId}</code>
      </p>
    )}
    <p>
      <a href={page.to('jobs')}>Back to the jobs</a>
    </p>
  </Layout>
);
