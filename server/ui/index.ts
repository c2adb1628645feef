/**
 * The dashboard at /ui: server-rendered pages over the `Scheduler` interface (jobs list, job page, form, login).
 * Owns its routes, its cookie login, its security headers and its two static files (assets/ui.css, ui.js).
 */
import { readFile } from 'node:fs/promises';
import type { Context } from 'hono';
import { Hono } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import {
  NotFoundError,
  type Run,
  type Schedule,
  type Scheduler,
  SchedulerError,
  ValidationError,
} from '../../lib/index.ts';
import type { AppEnv } from '../context.ts';
import { SAFE_METHODS } from '../security.ts';
import {
  errorsOf,
  type FormErrors,
  type FormValues,
  formOf,
  formValues,
  issuesToErrors,
  NEW_FORM,
  toInput,
} from './form.ts';
import { instantText } from './format.ts';
import {
  type CronPreviewResult,
  FormPage,
  type Html,
  JobPage,
  type LinkTo,
  ListPage,
  LoginPage,
  MessagePage,
  type PageContext,
  view,
} from './pages.tsx';
import {
  issueSession,
  needsLogin,
  type Role,
  roleOfToken,
  SESSION_COOKIE,
  SESSION_SECONDS,
  type UiTokens,
  verifySession,
} from './session.ts';

/** Options of the dashboard: the scheduler it shows and the API's tokens, which it accepts at login. */
export interface UiOptions {
  scheduler: Scheduler;
  /** `apiToken`: the full token; null with `apiReadToken` null too means no login (as the API). */
  apiToken: string | null;
  /** `apiReadToken`: logs in to read-only pages. Default null. */
  apiReadToken?: string | null;
}

interface UiEnv {
  Variables: AppEnv['Variables'] & {
    /** What the session may do (`full` when the dashboard needs no login), null before login. */
    role: Role | null;
    /** The path the dashboard is served at, `<mount>/ui`: the session cookie's Path. */
    uiRoot: string;
    page: PageContext;
  };
}
type UiContext = Context<UiEnv>;

/** Jobs per page of the list, unless `?limit=` (1-200) says otherwise. */
const PAGE_SIZE = 50;
/** Runs per page on the job page. */
const RUNS_PAGE_SIZE = 25;

/**
 * Scripts and styles come from our own files only (no inline code, no CDN), nothing may frame the
 * pages (clickjacking), and forms post only to this origin.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "object-src 'none'",
].join('; ');

const ASSETS = {
  'ui.css': 'text/css; charset=utf-8',
  'ui.js': 'text/javascript; charset=utf-8',
} as const;
type AssetName = keyof typeof ASSETS;

/** Every zone the runtime knows, for the form's suggestions; `UTC` first. */
const ZONES: readonly string[] = ['UTC', ...Intl.supportedValuesOf('timeZone').filter((zone) => zone !== 'UTC')];

/**
 * Links relative to the page, computed from the request's path below the dashboard's root, so they
 * hold under any prefix the app is mounted at, and behind a proxy that strips one: from
 * `<root>/jobs` a target `jobs/<id>` is `./jobs/<id>`, from `<root>/jobs/<id>/edit` it is
 * `../../jobs/<id>`.
 */
export function linkerFor(rest: string): LinkTo {
  const depth = rest.split('/').length - 2;
  const up = depth > 0 ? '../'.repeat(depth) : './';
  return (target) => up + target;
}

/** Whether the browser reached us over https (directly, or through a proxy that says so). */
function isHttps(c: UiContext): boolean {
  const forwarded = c.req.header('X-Forwarded-Proto')?.split(',')[0]?.trim().toLowerCase();
  return new URL(c.req.url).protocol === 'https:' || forwarded === 'https';
}

/** A cron expression's meaning and next five instants through the library, or its refusal. */
function previewOf(scheduler: Scheduler, cron: string, timezone: string): CronPreviewResult {
  if (cron.trim() === '') return { ok: null };
  try {
    const preview = scheduler.preview({ cron: cron.trim(), timezone: timezone.trim() || 'UTC', count: 5 });
    return { ok: true, description: preview.description, next: preview.next, timezone: preview.timezone };
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    const message = error.issues
      .map((issue) => `${issue.field === 'cron' ? '' : `${issue.field}: `}expected ${issue.expected}`)
      .join('; ');
    return { ok: false, message };
  }
}

/** The dashboard sub-app; app.ts mounts it at /ui. */
export function createUiApp({ scheduler, apiToken, apiReadToken = null }: UiOptions): Hono<UiEnv> {
  const tokens: UiTokens = { full: apiToken, read: apiReadToken };
  const loginRequired = needsLogin(tokens);
  const ui = new Hono<UiEnv>();
  const assets = new Map<AssetName, Promise<Buffer>>();

  const render = (c: UiContext, node: Html, status: 200 | 401 | 403 | 404 | 409 | 422 | 500 | 503 = 200) =>
    c.html(node, status);
  const message = (c: UiContext, status: 401 | 403 | 404 | 422 | 500 | 503, title: string, text: string) =>
    render(c, view(MessagePage, { page: c.get('page'), title, message: text, requestId: c.get('requestId') }), status);
  /** 303 See Other to a dashboard path, relative to this request's path (after a POST, a GET follows). */
  const seeOther = (c: UiContext, target: string) => c.redirect(c.get('page').to(target), 303);

  // Order: the headers wrap everything (redirects and errors too); the root redirects before any
  // login; the session is read before any page; assets and the login page need none.
  //
  // Cross-site forgery: no CSRF token field. Every change is a POST, and two checks that do not
  // depend on us stop a forged one: the app's crossSiteCheck (before this sub-app) refuses any POST
  // a browser marks cross-site or same-site (Sec-Fetch-Site, or Origin in older browsers), the
  // login form included, and the session cookie is SameSite=Strict, so a page on another site
  // cannot even send it. A token would add a per-session secret and a field to every form, and
  // with no login configured (the open dashboard, like the open API) there would be no session to
  // tie it to, while the API's own POSTs rest on the same crossSiteCheck anyway.
  ui.use(async (c, next) => {
    await next();
    const headers = c.res.headers;
    headers.set('Content-Security-Policy', CONTENT_SECURITY_POLICY);
    headers.set('X-Frame-Options', 'DENY');
    headers.set('X-Content-Type-Options', 'nosniff');
    headers.set('Referrer-Policy', 'no-referrer');
    headers.set('Cross-Origin-Opener-Policy', 'same-origin');
    if (!headers.has('Cache-Control')) headers.set('Cache-Control', 'no-store');
  });

  ui.use(async (c, next) => {
    const uiRoot = `${c.get('mountPath')}/ui`;
    const rest = c.req.path.slice(uiRoot.length);
    if (rest === '' || rest === '/') return c.redirect(rest === '' ? 'ui/jobs' : 'jobs', 302);
    const role = loginRequired ? verifySession(tokens, getCookie(c, SESSION_COOKIE), new Date()) : 'full';
    c.set('uiRoot', uiRoot);
    c.set('role', role);
    c.set('page', {
      to: linkerFor(rest),
      now: new Date(),
      canWrite: role === 'full',
      loggedIn: loginRequired && role !== null,
    });
    if (rest.startsWith('/assets/') || rest === '/login') return next();
    if (role === null) {
      if (rest === '/preview') return c.json({ error: 'log in first' }, 401);
      return c.redirect(c.get('page').to('login'), SAFE_METHODS.has(c.req.method) ? 302 : 303);
    }
    // The read-only token may look at everything but the form, and change nothing but its session.
    const writes = !SAFE_METHODS.has(c.req.method) || rest === '/new' || rest.endsWith('/edit');
    if (role === 'read' && writes && rest !== '/logout') {
      return message(
        c,
        403,
        'Read-only',
        'You are logged in with the read-only token: log in with the full token to change jobs.',
      );
    }
    return next();
  });

  ui.get('/assets/:name', async (c) => {
    const name = c.req.param('name');
    if (!Object.hasOwn(ASSETS, name)) return message(c, 404, 'Not found', 'No such file.');
    const asset = name as AssetName;
    let content = assets.get(asset);
    if (!content) {
      // Next to this module in the sources and in dist/ (scripts/build.sh copies the folder).
      content = readFile(new URL(`./assets/${asset}`, import.meta.url));
      content.catch(() => assets.delete(asset));
      assets.set(asset, content);
    }
    return c.body(new Uint8Array(await content), 200, {
      'Content-Type': ASSETS[asset],
      // Links carry ?v=<version>, so a new release is fetched anew.
      'Cache-Control': 'public, max-age=86400',
    });
  });

  ui.get('/login', (c) => {
    if (!loginRequired || c.get('role') !== null) return c.redirect(c.get('page').to('jobs'), 302);
    return render(c, view(LoginPage, { page: c.get('page'), error: null }));
  });

  ui.post('/login', async (c) => {
    if (!loginRequired) return seeOther(c, 'jobs');
    const body = await c.req.parseBody();
    const given = typeof body['token'] === 'string' ? body['token'].trim() : '';
    const role = given === '' ? null : roleOfToken(tokens, given);
    if (role === null) {
      return render(c, view(LoginPage, { page: c.get('page'), error: 'That token is not valid.' }), 401);
    }
    setCookie(c, SESSION_COOKIE, issueSession(tokens, role, new Date()), {
      httpOnly: true,
      sameSite: 'Strict',
      secure: isHttps(c),
      path: c.get('uiRoot'),
      maxAge: SESSION_SECONDS,
    });
    return seeOther(c, 'jobs');
  });

  ui.post('/logout', (c) => {
    deleteCookie(c, SESSION_COOKIE, { path: c.get('uiRoot'), secure: isHttps(c), httpOnly: true, sameSite: 'Strict' });
    return seeOther(c, loginRequired ? 'login' : 'jobs');
  });

  // The form's live preview (ui.js). A GET under /ui rather than the API's POST /cron/preview: that
  // one takes the bearer token, which the page does not hold (its session is a cookie).
  ui.get('/preview', (c) => {
    const preview = previewOf(scheduler, c.req.query('cron') ?? '', c.req.query('timezone') ?? '');
    // A refused expression is an answer like any other here (the script shows why), not a failure.
    if (preview.ok === false) return c.json({ error: preview.message }, 200);
    if (preview.ok === null) return c.json({ description: '', next: [] }, 200);
    return c.json(
      {
        description: preview.description,
        next: preview.next.map((date) => ({ iso: date.toISOString(), text: instantText(date, preview.timezone) })),
      },
      200,
    );
  });

  ui.get('/jobs', async (c) => {
    const search = (c.req.query('q') ?? '').trim();
    const cursor = c.req.query('cursor') || null;
    const limitText = c.req.query('limit');
    const limit = limitText && /^\d{1,3}$/.test(limitText) ? Math.min(200, Math.max(1, Number(limitText))) : PAGE_SIZE;
    const keep = [search && `q=${encodeURIComponent(search)}&`, limitText && limit !== PAGE_SIZE && `limit=${limit}&`]
      .filter(Boolean)
      .join('');
    const page = c.get('page');
    try {
      // One keyset page (the library's cursor), never a count: the list costs the same at any size.
      const listed = await scheduler.list({ limit, cursor, ...(search && { search }) });
      const jobs = await Promise.all(
        listed.items.map(async (schedule) => ({ schedule, lastRun: await newestRun(schedule) })),
      );
      return render(
        c,
        view(ListPage, {
          page,
          jobs,
          search,
          cursor,
          nextCursor: listed.nextCursor,
          keep,
          error: null,
          notice: c.req.query('done') ?? null,
        }),
      );
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      const text = error.issues
        .map((issue) => `${issue.field === 'search' ? 'Search' : issue.field}: expected ${issue.expected}.`)
        .join(' ');
      return render(
        c,
        view(ListPage, { page, jobs: [], search, cursor: null, nextCursor: null, keep: '', error: text, notice: null }),
        422,
      );
    }
  });

  /** A schedule's newest run, for the list; null before the first (or when it was just deleted). */
  async function newestRun(schedule: Schedule): Promise<Run | null> {
    try {
      return (await scheduler.runs(schedule.id, { limit: 1 })).items[0] ?? null;
    } catch (error) {
      if (error instanceof NotFoundError) return null;
      throw error;
    }
  }

  const formPage = (
    c: UiContext,
    options: { mode: 'new' | 'edit'; values: FormValues; errors: FormErrors; schedule?: Schedule },
    status: 200 | 409 | 422 = 200,
  ) => {
    const page = c.get('page');
    const self = options.schedule ? `jobs/${options.schedule.id}` : null;
    return render(
      c,
      view(FormPage, {
        page,
        mode: options.mode,
        storedName: options.schedule?.name,
        values: options.values,
        errors: options.errors,
        preview: previewOf(scheduler, options.values.cron, options.values.timezone),
        action: page.to(self ? `${self}/edit` : 'new'),
        cancel: page.to(self ?? 'jobs'),
        zones: ZONES,
      }),
      status,
    );
  };

  /**
   * A form refused before the library saw it (its JSON does not parse) still marks a bad cron or
   * zone: the preview checks those with no side effect, where create() would store the job.
   */
  const withCronErrors = (values: FormValues, errors: FormErrors): FormErrors => {
    try {
      scheduler.preview({ cron: values.cron.trim(), timezone: values.timezone.trim() || 'UTC', count: 1 });
      return errors;
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      return { ...issuesToErrors(error.issues), ...errors };
    }
  };

  /** 409 for a taken name, 422 for the rest: the same statuses as the API. */
  const refusedStatus = (errors: FormErrors) => (errors.name === 'another job already has this name' ? 409 : 422);

  ui.get('/new', (c) => formPage(c, { mode: 'new', values: NEW_FORM, errors: {} }));

  ui.post('/new', async (c) => {
    const values = formValues(await c.req.parseBody());
    const { input, errors } = toInput(values);
    if (Object.keys(errors).length > 0) {
      return formPage(c, { mode: 'new', values, errors: withCronErrors(values, errors) }, 422);
    }
    try {
      const created = await scheduler.create(input);
      return seeOther(c, `jobs/${created.id}?done=created`);
    } catch (error) {
      const refused = errorsOf(error);
      if (!refused) throw error;
      return formPage(c, { mode: 'new', values, errors: refused }, refusedStatus(refused));
    }
  });

  ui.get('/jobs/:id', async (c) => {
    const schedule = await scheduler.get(c.req.param('id'));
    const runsCursor = c.req.query('cursor') || null;
    const runs = await scheduler.runs(schedule.id, { limit: RUNS_PAGE_SIZE, cursor: runsCursor });
    return render(
      c,
      view(JobPage, {
        page: c.get('page'),
        schedule,
        upcoming: scheduler.upcoming(schedule, 5),
        runs: runs.items,
        runsCursor,
        nextRunsCursor: runs.nextCursor,
        notice: c.req.query('done') ?? null,
      }),
    );
  });

  ui.get('/jobs/:id/edit', async (c) => {
    const schedule = await scheduler.get(c.req.param('id'));
    return formPage(c, { mode: 'edit', values: formOf(schedule), errors: {}, schedule });
  });

  ui.post('/jobs/:id/edit', async (c) => {
    const schedule = await scheduler.get(c.req.param('id'));
    const values = formValues(await c.req.parseBody());
    const { input, errors } = toInput(values);
    if (Object.keys(errors).length > 0) {
      return formPage(c, { mode: 'edit', values, errors: withCronErrors(values, errors), schedule }, 422);
    }
    // Pausing has its own buttons; the edit form leaves it as it is.
    const { paused: _unchanged, ...patch } = input;
    try {
      await scheduler.update(schedule.id, patch);
      return seeOther(c, `jobs/${schedule.id}?done=saved`);
    } catch (error) {
      const refused = errorsOf(error);
      if (!refused) throw error;
      return formPage(c, { mode: 'edit', values, errors: refused, schedule }, refusedStatus(refused));
    }
  });

  ui.post('/jobs/:id/pause', async (c) => {
    const schedule = await scheduler.pause(c.req.param('id'));
    return seeOther(c, `jobs/${schedule.id}?done=paused`);
  });

  ui.post('/jobs/:id/resume', async (c) => {
    const schedule = await scheduler.resume(c.req.param('id'));
    return seeOther(c, `jobs/${schedule.id}?done=resumed`);
  });

  ui.post('/jobs/:id/run', async (c) => {
    const run = await scheduler.trigger(c.req.param('id'));
    return seeOther(c, `jobs/${run.scheduleId}?done=run`);
  });

  ui.post('/jobs/:id/delete', async (c) => {
    await scheduler.delete(c.req.param('id'));
    return seeOther(c, 'jobs?done=deleted');
  });

  ui.all('*', (c) => message(c, 404, 'Not found', 'There is no page here.'));

  ui.onError((error, c) => {
    // An error before the session middleware ran still gets a page (links from the dashboard's root).
    if (!c.get('page')) c.set('page', { to: linkerFor('/'), now: new Date(), canWrite: false, loggedIn: false });
    if (error instanceof NotFoundError) return message(c, 404, 'Not found', 'No job has that id or name.');
    if (error instanceof ValidationError) return message(c, 422, 'Not valid', error.message);
    if (error instanceof SchedulerError && (error.code === 'database' || error.code === 'not_started')) {
      return message(c, 503, 'Unavailable', 'The database is unavailable; try again in a moment.');
    }
    c.get('log').error({ err: error }, 'dashboard request failed');
    return message(c, 500, 'Something went wrong', 'The request failed; the server log has the details.');
  });

  return ui;
}
