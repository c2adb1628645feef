/**
 * The dashboard's pages and actions through `app.request()` (no network), on a real scheduler
 * (`fire: false`: runs stay queued, which is all these pages need) and a real database: list,
 * search and pages, the job page, the form and its field errors, the actions, the cookie login and
 * its read-only role, cross-site refusals, the security headers, and links under a mount prefix.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Hono } from 'hono';
import { createScheduler, type Scheduler } from '../../lib/index.ts';
import { createApp } from '../../server/app.ts';
import { issueSession } from '../../server/ui/session.ts';
import { createTestDatabase } from '../helpers/database.ts';

const FULL = 'ui-full-token-0123456789abcdef';
const READ = 'ui-read-token-0123456789abcdef';

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let scheduler: Scheduler;
/** No token: the dashboard is open, as the API. */
let open: ReturnType<typeof createApp>;
/** Both tokens: the dashboard needs a login. */
let locked: ReturnType<typeof createApp>;

before(async () => {
  db = await createTestDatabase();
  scheduler = createScheduler({ connectionString: db.url, fire: false });
  await scheduler.start();
  open = createApp({ scheduler, config: { apiToken: null } });
  locked = createApp({ scheduler, config: { apiToken: FULL, apiReadToken: READ } });
});

after(async () => {
  await scheduler?.stop();
  await db?.drop();
});

type Fetcher = { request: (path: string, init?: RequestInit) => Response | Promise<Response> };

let counter = 0;
const uniqueName = (prefix: string) => `${prefix}-${++counter}`;

async function get(app: Fetcher, path: string, headers: Record<string, string> = {}) {
  const res = await app.request(path, { headers });
  return { res, status: res.status, html: await res.text() };
}

async function post(
  app: Fetcher,
  path: string,
  form: Record<string, string> = {},
  headers: Record<string, string> = {},
) {
  const res = await app.request(path, { method: 'POST', body: new URLSearchParams(form), headers });
  return { res, status: res.status, html: await res.text() };
}

/** Where a redirect goes, resolved against the request's path as a browser does. */
function location(res: Response, from: string): string {
  const target = res.headers.get('location');
  assert.ok(target, `a Location header (status ${res.status})`);
  const url = new URL(target, `http://localhost${from}`);
  return url.pathname + url.search;
}

/** Every href, action and src of a page, resolved against its path (but the empty `data:,` icon). */
function links(html: string, from: string): string[] {
  return [...html.matchAll(/\s(?:href|action|src)="(?!data:)([^"]*)"/g)].map((m) => {
    const url = new URL(m[1]!.replaceAll('&amp;', '&'), `http://localhost${from}`);
    return url.pathname + url.search;
  });
}

/** The visible text of a page: tags dropped, entities of the few kinds we emit decoded. */
const text = (html: string) =>
  html
    .replace(/<[^>]+>/g, ' ')
    .replaceAll('&quot;', '"')
    .replaceAll('&#39;', "'")
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&amp;', '&')
    .replace(/\s+/g, ' ');

/** The names in the list's rows, in order. */
const listedNames = (html: string) =>
  [...html.matchAll(/<th scope="row"[^>]*><a href="[^"]*">([^<]+)<\/a>/g)].map((m) => m[1]!);

describe('the jobs list', () => {
  test('/ui redirects to the list, whose rows carry name, schedule, meaning, next and last run, and badges', async () => {
    const first = await get(open, '/ui');
    assert.equal(first.status, 302);
    assert.equal(location(first.res, '/ui'), '/ui/jobs');
    assert.equal(location((await get(open, '/ui/')).res, '/ui/'), '/ui/jobs');

    const active = await scheduler.create({
      name: uniqueName('listed'),
      cron: '0 9 * * 1-5',
      timezone: 'Europe/Paris',
    });
    const paused = await scheduler.create({ name: uniqueName('listed'), cron: '*/5 * * * *', paused: true });
    await scheduler.trigger(active.id);

    const { status, res, html } = await get(open, '/ui/jobs?q=listed-');
    assert.equal(status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
    assert.deepEqual(listedNames(html), [active.name, paused.name]);
    const page = text(html);
    assert.match(page, /0 9 \* \* 1-5 At 09:00, Monday through Friday \(Europe\/Paris\)/);
    assert.ok(page.includes(`${active.nextRunAt!.toISOString().slice(0, 10)}`), 'the next run’s date');
    assert.match(page, /queued \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC/, 'the last run and its status');
    assert.match(page, new RegExp(`${paused.name} paused`), 'the paused badge');
    assert.match(page, /never/, 'no run yet');
  });

  test('search by name, and a search too long for the library is refused with its message', async () => {
    const a = await scheduler.create({ name: uniqueName('needle-xyz'), cron: '0 0 * * *' });
    await scheduler.create({ name: uniqueName('haystack'), cron: '0 0 * * *' });
    const found = await get(open, '/ui/jobs?q=NEEDLE-x');
    assert.deepEqual(listedNames(found.html), [a.name]);
    assert.match(found.html, /value="NEEDLE-x"/);
    const none = await get(open, '/ui/jobs?q=nothing-like-this');
    assert.match(text(none.html), /No job’s name contains “nothing-like-this”/);
    const long = await get(open, `/ui/jobs?q=${'x'.repeat(129)}`);
    assert.equal(long.status, 422);
    assert.match(text(long.html), /Search: expected/);
  });

  test('pages follow the library’s cursor: every job once, a next link until the last page, a first-page link', async () => {
    const names: string[] = [];
    for (let i = 0; i < 5; i++)
      names.push((await scheduler.create({ name: uniqueName('paged'), cron: '0 0 * * *' })).name);
    const seen: string[] = [];
    let path: string | null = '/ui/jobs?q=paged-&limit=2';
    let pages = 0;
    while (path) {
      const { status, html }: { status: number; html: string } = await get(open, path);
      assert.equal(status, 200);
      seen.push(...listedNames(html));
      if (pages > 0) assert.match(html, />First page</);
      const next = /<a rel="next" href="([^"]+)"/.exec(html)?.[1];
      path = next ? links(` href="${next}"`, path)[0]! : null;
      if (path) assert.match(path, /^\/ui\/jobs\?q=paged-&limit=2&cursor=/);
      pages++;
    }
    assert.equal(pages, 3);
    assert.deepEqual(seen, names);
  });

  test('a page asks the library for one page and nothing more (fast at any number of jobs)', async () => {
    const calls: { method: string; args: unknown[] }[] = [];
    const spy = new Proxy(scheduler, {
      get(target, key, receiver) {
        const value = Reflect.get(target, key, receiver);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          calls.push({ method: String(key), args });
          return value.apply(target, args);
        };
      },
    });
    const app = createApp({ scheduler: spy, config: { apiToken: null } });
    assert.equal((await get(app, '/ui/jobs')).status, 200);
    const lists = calls.filter((call) => call.method === 'list');
    assert.equal(lists.length, 1);
    assert.equal((lists[0]!.args[0] as { limit: number }).limit, 50);
    // The only other calls: one run per listed job, one each.
    for (const call of calls.filter((c) => c.method !== 'list')) {
      assert.equal(call.method, 'runs');
      assert.equal((call.args[1] as { limit: number }).limit, 1);
    }
  });
});

describe('the job page', () => {
  test('its fields, next five instants, runs, and the action buttons; everything escaped', async () => {
    const job = await scheduler.create({
      name: uniqueName('detail'),
      cron: '30 6 * * *',
      timezone: 'America/New_York',
      fields: { note: '<script>alert(1)</script>' },
      overlap: 'skip',
    });
    const run = await scheduler.trigger(job.id);
    const { status, html } = await get(open, `/ui/jobs/${job.id}`);
    assert.equal(status, 200);
    const page = text(html);
    for (const expected of [job.name, '30 6 * * *', job.description, 'America/New_York', 'skip a tick', job.id]) {
      assert.ok(page.includes(expected), expected);
    }
    const upcoming = scheduler.upcoming(job, 5);
    const instants = /<h2 id="h-upcoming">[\s\S]*?<ol class="instants">([\s\S]*?)<\/ol>/.exec(html)![1]!;
    assert.deepEqual(
      [...instants.matchAll(/datetime="([^"]+)"/g)].map((m) => m[1]),
      upcoming.map((d) => d.toISOString()),
    );
    assert.match(instants, /America\/New_York/, 'each instant in the job’s zone too');
    assert.match(
      page,
      /Runs Runs, newest first Status Trigger Scheduled for Started Finished Attempts Error queued manual/,
    );
    assert.ok(html.includes(run.scheduledFor.toISOString()));
    assert.ok(html.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
    assert.ok(!html.includes('<script>alert'));
    for (const action of ['pause', 'run', 'delete'])
      assert.ok(links(html, `/ui/jobs/${job.id}`).includes(`/ui/jobs/${job.id}/${action}`));
    assert.match(html, /<details class="danger-zone"><summary>Delete…<\/summary>/, 'delete asks first, without JS');
  });

  test('an unknown job is a 404 page', async () => {
    const { status, res, html } = await get(open, '/ui/jobs/no-such-job');
    assert.equal(status, 404);
    assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
    assert.match(text(html), /Not found/);
    assert.equal((await get(open, '/ui/nowhere')).status, 404);
  });
});

describe('the form', () => {
  test('a bad cron, zone and JSON are 422 with each message next to its field, and the values kept', async () => {
    const name = uniqueName('bad');
    const { status, html } = await post(open, '/ui/new', {
      name,
      cron: '61 * * * *',
      timezone: 'UTC',
      job_fields: '{"a": ',
      catch_up: 'latest',
      overlap: 'allow',
    });
    assert.equal(status, 422);
    assert.match(
      html,
      /<input id="cron" name="cron" value="61 \* \* \* \*"[^>]*aria-invalid="true"[^>]*aria-describedby="cron-hint cron-error"/,
    );
    assert.match(html, /<p id="cron-error" class="field-error">Expected a valid minute/);
    assert.match(html, /<p id="job_fields-error" class="field-error">Expected a JSON object/);
    assert.match(html, new RegExp(`value="${name}"`));
    await assert.rejects(scheduler.get(name), { code: 'not_found' });

    const zone = await post(open, '/ui/new', { name, cron: '0 * * * *', timezone: 'Mars/Olympus', job_fields: '{}' });
    assert.equal(zone.status, 422);
    assert.match(zone.html, /<p id="timezone-error" class="field-error">Expected/);
    const window = await post(open, '/ui/new', { name, cron: '0 * * * *', catch_up_window_seconds: 'soon' });
    assert.match(window.html, /<p id="catch_up_window_seconds-error" class="field-error">Expected an integer/);
  });

  test('a taken name is 409 on the name field', async () => {
    const job = await scheduler.create({ name: uniqueName('taken'), cron: '0 0 * * *' });
    const { status, html } = await post(open, '/ui/new', { name: job.name, cron: '0 1 * * *' });
    assert.equal(status, 409);
    assert.match(html, /<p id="name-error" class="field-error">Another job already has this name/);
  });

  test('create: stored with every field, then the job page', async () => {
    const name = uniqueName('made');
    const { status, res } = await post(open, '/ui/new', {
      name,
      cron: '0 7 * * 1',
      timezone: 'Europe/Berlin',
      job_fields: '{"report": "weekly", "n": 3}',
      catch_up: 'all',
      catch_up_window_seconds: '600',
      overlap: 'skip',
      paused: 'on',
    });
    assert.equal(status, 303);
    const job = await scheduler.get(name);
    assert.equal(location(res, '/ui/new'), `/ui/jobs/${job.id}?done=created`);
    assert.deepEqual(
      [job.cron, job.timezone, job.fields, job.catchUp, job.catchUpWindowSeconds, job.overlap, job.paused],
      ['0 7 * * 1', 'Europe/Berlin', { report: 'weekly', n: 3 }, 'all', 600, 'skip', true],
    );
    assert.match(text((await get(open, `/ui/jobs/${job.id}?done=created`)).html), /The job was created/);
  });

  test('the form shows the cron’s meaning and next instants without JS; the preview route answers the script', async () => {
    const job = await scheduler.create({ name: uniqueName('shown'), cron: '15 10 * * *' });
    const { html } = await get(open, `/ui/jobs/${job.id}/edit`);
    assert.match(html, /<p id="cron-description" class="description">At 10:15<\/p>/);
    assert.equal([.../<ol id="cron-next"[^>]*>([\s\S]*?)<\/ol>/.exec(html)![1]!.matchAll(/<li>/g)].length, 5);
    assert.match(html, /data-preview-url="..\/..\/preview"/);

    const ok = await get(open, '/ui/preview?cron=*/10+*+*+*+*&timezone=Asia/Tokyo');
    const body = JSON.parse(ok.html) as { description: string; next: { iso: string; text: string }[] };
    assert.equal(body.description, 'Every 10 minutes');
    assert.equal(body.next.length, 5);
    assert.match(body.next[0]!.text, /^\d{4}-\d\d-\d\d \d\d:\d0:00 UTC = \d{4}-\d\d-\d\d \d\d:\d0:00 Asia\/Tokyo$/);
    const bad = await get(open, '/ui/preview?cron=nope');
    assert.equal(bad.status, 200);
    assert.match((JSON.parse(bad.html) as { error: string }).error, /^expected/);
  });

  test('edit: saves the changes, keeps a paused job paused', async () => {
    const job = await scheduler.create({ name: uniqueName('edited'), cron: '0 0 * * *', paused: true });
    const form = await get(open, `/ui/jobs/${job.id}/edit`);
    assert.equal(form.status, 200);
    assert.match(form.html, /action="..\/..\/jobs\/[^"]+\/edit"/);
    const { status, res } = await post(open, `/ui/jobs/${job.id}/edit`, {
      name: `${job.name}-renamed`,
      cron: '*/15 * * * *',
      timezone: 'UTC',
      job_fields: '{"changed": true}',
      catch_up: 'skip',
      catch_up_window_seconds: '',
      overlap: 'allow',
    });
    assert.equal(status, 303);
    assert.equal(location(res, `/ui/jobs/${job.id}/edit`), `/ui/jobs/${job.id}?done=saved`);
    const saved = await scheduler.get(job.id);
    assert.deepEqual(
      [saved.name, saved.cron, saved.fields, saved.catchUp, saved.paused],
      [`${job.name}-renamed`, '*/15 * * * *', { changed: true }, 'skip', true],
    );
    const refused = await post(open, `/ui/jobs/${job.id}/edit`, { name: saved.name, cron: '* * *' });
    assert.equal(refused.status, 422);
    assert.match(refused.html, /id="cron-error"/);
  });
});

describe('the actions', () => {
  test('pause, resume, run now and delete, each redirecting to a page that says so', async () => {
    const job = await scheduler.create({ name: uniqueName('acted'), cron: '0 0 1 1 *' });
    const at = (action: string) => `/ui/jobs/${job.id}/${action}`;

    const paused = await post(open, at('pause'));
    assert.equal(paused.status, 303);
    assert.equal(location(paused.res, at('pause')), `/ui/jobs/${job.id}?done=paused`);
    assert.equal((await scheduler.get(job.id)).paused, true);
    const page = await get(open, `/ui/jobs/${job.id}?done=paused`);
    assert.match(text(page.html), /The job is paused/);
    assert.ok(links(page.html, `/ui/jobs/${job.id}`).includes(at('resume')), 'a paused job offers Resume');

    assert.equal((await post(open, at('resume'))).status, 303);
    assert.equal((await scheduler.get(job.id)).paused, false);

    assert.equal((await post(open, at('run'))).status, 303);
    const runs = await scheduler.runs(job.id);
    assert.deepEqual(
      runs.items.map((r) => r.trigger),
      ['manual'],
    );

    const deleted = await post(open, at('delete'));
    assert.equal(deleted.status, 303);
    assert.equal(location(deleted.res, at('delete')), '/ui/jobs?done=deleted');
    await assert.rejects(scheduler.get(job.id), { code: 'not_found' });
    assert.match(text((await get(open, '/ui/jobs?done=deleted')).html), /The job was deleted/);
    assert.equal((await post(open, at('pause'))).status, 404);
  });
});

describe('security', () => {
  test('every page carries a restrictive CSP, no framing, no sniffing, no caching', async () => {
    for (const path of ['/ui/jobs', '/ui/new', '/ui/login', '/ui/nowhere']) {
      const { res } = await get(open, path);
      const csp = res.headers.get('content-security-policy') ?? '';
      assert.match(csp, /default-src 'self'/, path);
      assert.match(csp, /script-src 'self'(;|$)/, path);
      assert.match(csp, /frame-ancestors 'none'/, path);
      assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/, path);
      assert.equal(res.headers.get('x-frame-options'), 'DENY', path);
      assert.equal(res.headers.get('x-content-type-options'), 'nosniff', path);
      assert.equal(res.headers.get('cache-control'), 'no-store', path);
    }
    const { html } = await get(open, '/ui/jobs');
    assert.doesNotMatch(html, /<script>|<script [^>]*>[^<]|<style|\sstyle="|\son[a-z]+=/, 'no inline script or style');
    const css = await get(open, '/ui/assets/ui.css');
    assert.equal(css.status, 200);
    assert.match(css.res.headers.get('content-type') ?? '', /^text\/css/);
    assert.equal(
      (await get(open, '/ui/assets/ui.js')).res.headers.get('content-type'),
      'text/javascript; charset=utf-8',
    );
    assert.equal((await get(open, '/ui/assets/other.js')).status, 404);
  });

  test('a state change sent from another site is refused and changes nothing', async () => {
    const job = await scheduler.create({ name: uniqueName('guarded'), cron: '0 0 1 1 *' });
    const attempts: Record<string, string>[] = [
      { Origin: 'http://evil.example' },
      { 'Sec-Fetch-Site': 'cross-site' },
      { 'Sec-Fetch-Site': 'same-site', Origin: 'http://localhost:3000' },
    ];
    for (const headers of attempts) {
      for (const action of ['pause', 'run', 'delete']) {
        const { status } = await post(open, `/ui/jobs/${job.id}/${action}`, {}, headers);
        assert.equal(status, 403, `${action} ${JSON.stringify(headers)}`);
      }
      assert.equal(
        (await post(open, '/ui/new', { name: uniqueName('planted'), cron: '* * * * *' }, headers)).status,
        403,
      );
    }
    assert.equal((await scheduler.get(job.id)).paused, false);
    assert.equal((await scheduler.runs(job.id)).items.length, 0);
    // The dashboard's own pages pass.
    const own = await post(
      open,
      `/ui/jobs/${job.id}/pause`,
      {},
      { 'Sec-Fetch-Site': 'same-origin', Origin: 'http://localhost' },
    );
    assert.equal(own.status, 303);
  });
});

/** Logs in with `token`; returns the Cookie header to send, and the Set-Cookie line. */
async function login(app: Fetcher, token: string, base = '/ui', headers: Record<string, string> = {}) {
  const { status, res } = await post(app, `${base}/login`, { token }, headers);
  assert.equal(status, 303);
  const setCookie = res.headers.get('set-cookie') ?? '';
  const pair = /^(pg_cron_ui=[^;]+)/.exec(setCookie)?.[1];
  assert.ok(pair, setCookie);
  return { cookie: { Cookie: pair }, setCookie, location: location(res, `${base}/login`) };
}

describe('login with a configured token', () => {
  test('no session: pages redirect to the login page, actions change nothing, the preview is 401', async () => {
    const job = await scheduler.create({ name: uniqueName('locked'), cron: '0 0 1 1 *' });
    for (const path of ['/ui/jobs', `/ui/jobs/${job.id}`, '/ui/new']) {
      const { status, res } = await get(locked, path);
      assert.equal(status, 302, path);
      assert.equal(location(res, path), '/ui/login');
    }
    const run = await post(locked, `/ui/jobs/${job.id}/run`);
    assert.equal(run.status, 303);
    assert.equal(location(run.res, `/ui/jobs/${job.id}/run`), '/ui/login');
    assert.equal((await scheduler.runs(job.id)).items.length, 0);
    assert.equal((await get(locked, '/ui/preview?cron=*+*+*+*+*')).status, 401);
    const page = await get(locked, '/ui/login');
    assert.equal(page.status, 200);
    assert.match(page.html, /<input id="token" name="token" type="password"/);
  });

  test('a wrong token is refused, with no cookie', async () => {
    for (const token of ['wrong-token', '', `${FULL}x`]) {
      const { status, res, html } = await post(locked, '/ui/login', { token });
      assert.equal(status, 401);
      assert.equal(res.headers.get('set-cookie'), null);
      assert.match(text(html), /That token is not valid/);
    }
  });

  test('the full token: an HttpOnly, SameSite=Strict cookie scoped to /ui that holds no token; pages and actions work', async () => {
    const { cookie, setCookie, location: next } = await login(locked, FULL);
    assert.equal(next, '/ui/jobs');
    assert.match(setCookie, /; HttpOnly/);
    assert.match(setCookie, /; SameSite=Strict/);
    assert.match(setCookie, /; Path=\/ui(;|$)/);
    assert.match(setCookie, /; Max-Age=43200/);
    assert.doesNotMatch(setCookie, /Secure/, 'plain http: a Secure cookie would never come back');
    assert.ok(!setCookie.includes(FULL));

    const job = await scheduler.create({ name: uniqueName('cookie'), cron: '0 0 1 1 *' });
    const list = await get(locked, '/ui/jobs', cookie);
    assert.equal(list.status, 200);
    assert.match(list.html, />New job</);
    assert.match(list.html, />Log out</);
    assert.equal((await post(locked, `/ui/jobs/${job.id}/pause`, {}, cookie)).status, 303);
    assert.equal((await scheduler.get(job.id)).paused, true);

    // The JSON API stays bearer-only: the cookie opens nothing there.
    assert.equal((await get(locked, '/jobs', cookie)).status, 401);
    assert.equal((await get(locked, '/jobs', { Authorization: `Bearer ${FULL}` })).status, 200);
  });

  test('over https (or behind a proxy that says so) the cookie is Secure', async () => {
    const direct = await locked.request('https://localhost/ui/login', {
      method: 'POST',
      body: new URLSearchParams({ token: FULL }),
    });
    assert.match(direct.headers.get('set-cookie') ?? '', /; Secure/);
    const proxied = await login(locked, FULL, '/ui', { 'X-Forwarded-Proto': 'https' });
    assert.match(proxied.setCookie, /; Secure/);
  });

  test('a tampered, expired or other-token cookie is no session', async () => {
    const { cookie } = await login(locked, FULL);
    const value = cookie.Cookie.slice('pg_cron_ui='.length);
    const [role, expires, mac] = value.split('.');
    const hour = 3600 * 1000;
    const forged = [
      `read.${expires}.${mac}`,
      `${role}.${Number(expires) + 1}.${mac}`,
      // One character changed (to another one, whatever it was).
      `${role}.${expires}.${mac!.slice(0, 5)}${mac![5] === 'A' ? 'B' : 'A'}${mac!.slice(6)}`,
      issueSession({ full: FULL, read: READ }, 'full', new Date(Date.now() - 13 * hour)),
      issueSession({ full: 'another-token', read: null }, 'full', new Date()),
      FULL,
    ];
    for (const bad of forged) {
      const { status } = await get(locked, '/ui/jobs', { Cookie: `pg_cron_ui=${bad}` });
      assert.equal(status, 302, bad);
    }
  });

  test('the read-only token: pages without actions; every change and the form refused with 403', async () => {
    const job = await scheduler.create({ name: uniqueName('readonly'), cron: '0 0 1 1 *' });
    const { cookie } = await login(locked, READ);
    const list = await get(locked, '/ui/jobs', cookie);
    assert.equal(list.status, 200);
    assert.doesNotMatch(list.html, />New job</);
    assert.match(list.html, />read-only</);
    const page = await get(locked, `/ui/jobs/${job.id}`, cookie);
    assert.equal(page.status, 200);
    assert.doesNotMatch(page.html, /method="post" action="[^"]*\/(pause|resume|run|delete)"|>Edit</);
    for (const action of ['pause', 'run', 'delete', 'edit']) {
      const { status, html } = await post(
        locked,
        `/ui/jobs/${job.id}/${action}`,
        { name: 'x', cron: '* * * * *' },
        cookie,
      );
      assert.equal(status, 403, action);
      assert.match(text(html), /read-only token/);
    }
    assert.equal((await post(locked, '/ui/new', { name: uniqueName('ro'), cron: '* * * * *' }, cookie)).status, 403);
    assert.equal((await get(locked, '/ui/new', cookie)).status, 403);
    assert.equal((await get(locked, `/ui/jobs/${job.id}/edit`, cookie)).status, 403);
    assert.equal((await get(locked, '/ui/preview?cron=*+*+*+*+*', cookie)).status, 200);
    const after = await scheduler.get(job.id);
    assert.equal(after.paused, false);
    assert.equal((await scheduler.runs(job.id)).items.length, 0);
  });

  test('log out clears the cookie at its path and goes back to the login page', async () => {
    const { cookie } = await login(locked, READ);
    const { status, res } = await post(locked, '/ui/logout', {}, cookie);
    assert.equal(status, 303);
    assert.equal(location(res, '/ui/logout'), '/ui/login');
    assert.match(res.headers.get('set-cookie') ?? '', /^pg_cron_ui=; Max-Age=0; Path=\/ui;/);
  });
});

describe('mounted under a prefix', () => {
  let parent: Hono;
  before(() => {
    parent = new Hono();
    parent.route('/ops/scheduler', createApp({ scheduler, config: { apiToken: FULL } }));
  });

  test('the login cookie is scoped to the prefix, and every link, form and asset stays under it and answers', async () => {
    const root = await get(parent, '/ops/scheduler/ui');
    assert.equal(location(root.res, '/ops/scheduler/ui'), '/ops/scheduler/ui/jobs');
    assert.equal(
      location((await get(parent, '/ops/scheduler/ui/jobs')).res, '/ops/scheduler/ui/jobs'),
      '/ops/scheduler/ui/login',
    );
    const { cookie, setCookie, location: next } = await login(parent, FULL, '/ops/scheduler/ui');
    assert.match(setCookie, /; Path=\/ops\/scheduler\/ui(;|$)/);
    assert.equal(next, '/ops/scheduler/ui/jobs');

    const job = await scheduler.create({ name: uniqueName('mounted'), cron: '0 0 1 1 *' });
    await scheduler.trigger(job.id);
    const pages = [
      '/ops/scheduler/ui/jobs?limit=1',
      `/ops/scheduler/ui/jobs/${job.id}`,
      `/ops/scheduler/ui/jobs/${job.id}/edit`,
      '/ops/scheduler/ui/new',
    ];
    const followed = new Set<string>();
    for (const path of pages) {
      const { status, html } = await get(parent, path, cookie);
      assert.equal(status, 200, path);
      const found = links(html, path);
      assert.ok(found.length > 3, path);
      for (const link of found) {
        assert.ok(link.startsWith('/ops/scheduler/ui/'), `${link} (from ${path})`);
        followed.add(link);
      }
      const preview = /data-preview-url="([^"]+)"/.exec(html)?.[1];
      if (preview) assert.equal(links(` href="${preview}"`, path)[0], '/ops/scheduler/ui/preview');
    }
    const posts = new Set(['pause', 'run', 'delete', 'edit', 'logout', 'new'].map((a) => a));
    for (const link of followed) {
      const last = link.split('?')[0]!.split('/').pop()!;
      if (posts.has(last) && !link.endsWith('/edit') && !link.endsWith('/new')) continue;
      const { status } = await get(parent, link, cookie);
      assert.equal(status, 200, link);
    }
    const paused = await post(parent, `/ops/scheduler/ui/jobs/${job.id}/pause`, {}, cookie);
    assert.equal(
      location(paused.res, `/ops/scheduler/ui/jobs/${job.id}/pause`),
      `/ops/scheduler/ui/jobs/${job.id}?done=paused`,
    );
  });
});
