/**
 * The dashboard in a real browser: Debian's Chromium, headless, driven by playwright-core, against
 * the app listening on 127.0.0.1 (a random port) over a started scheduler with a worker, so runs
 * succeed. Logs in, creates a job through the form while the cron preview follows the typing, finds
 * it listed, runs it now, waits for `succeeded`, pauses it; axe-core finds no serious or critical
 * accessibility problem on the list, job and form pages; screenshots go to test-output/screenshots/.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { serve } from '@hono/node-server';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { createScheduler, type Scheduler } from '../../lib/index.ts';
import { createApp } from '../../server/app.ts';
import { createTestDatabase } from '../helpers/database.ts';
import { waitFor } from '../helpers/wait.ts';

const CHROMIUM = '/usr/bin/chromium';
const TOKEN = 'browser-token-0123456789abcdef';
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SHOTS = path.join(ROOT, 'test-output', 'screenshots');
const WIDE = { width: 1280, height: 860 };
const PHONE = { width: 375, height: 812 };

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let scheduler: Scheduler;
let server: ReturnType<typeof serve>;
let base: string;
let profile: string;
let context: BrowserContext;
/** What the pages said on the console: a CSP violation or a script error shows up here. */
const consoleErrors: string[] = [];

before(async () => {
  // Not a skip: a missing browser must fail the run, or the dashboard would go untested unnoticed.
  assert.ok(
    existsSync(CHROMIUM),
    `${CHROMIUM} is missing: install Debian's Chromium (apt-get update && apt-get install -y chromium); .ci/run does`,
  );
  db = await createTestDatabase();
  scheduler = createScheduler({ connectionString: db.url });
  await scheduler.start();
  await scheduler.work(() => undefined);
  // Neighbours for the list, as a real dashboard has them.
  await scheduler.create({ name: 'nightly-backup', cron: '0 2 * * *', fields: { target: 's3://backups' } });
  await scheduler.create({ name: 'invoice-reminders', cron: '0 8 1 * *', timezone: 'America/New_York', paused: true });
  const app = createApp({ scheduler, config: { apiToken: TOKEN, host: '127.0.0.1' } });
  server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
  if (!server.listening) await new Promise((resolve) => server.once('listening', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  await mkdir(SHOTS, { recursive: true });
  // A fresh profile each run (Playwright passes it as --user-data-dir).
  profile = await mkdtemp(path.join(tmpdir(), 'ui-browser-'));
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: WIDE,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  context.on('page', watchConsole);
  for (const page of context.pages()) watchConsole(page);
});

after(async () => {
  await context?.close();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  await scheduler?.stop();
  await db?.drop();
  if (profile) await rm(profile, { recursive: true, force: true });
});

function watchConsole(page: Page): void {
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => consoleErrors.push(error.message));
}

/** axe-core's serious and critical findings on the page now loaded in `page`'s URL. */
async function axeFindings(url: string): Promise<string[]> {
  // A page of its own whose CSP is bypassed (as Playwright's bypassCSP does), so axe can be injected
  // as an inline script; the dashboard's own pages run under their CSP everywhere else.
  const page = await context.newPage();
  try {
    const cdp = await context.newCDPSession(page);
    await cdp.send('Page.setBypassCSP', { enabled: true });
    await page.goto(url);
    const source = await readFile(path.join(ROOT, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');
    await page.addScriptTag({ content: source });
    const violations = await page.evaluate(async () => {
      const axe = (globalThis as unknown as { axe: { run: () => Promise<{ violations: unknown[] }> } }).axe;
      return (await axe.run()).violations as {
        id: string;
        impact: string | null;
        help: string;
        nodes: { target: unknown }[];
      }[];
    });
    return violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.impact} ${v.id}: ${v.help} at ${v.nodes.map((n) => JSON.stringify(n.target)).join(', ')}`);
  } finally {
    await page.close();
  }
}

test('log in, create a job through the form, see it listed, run it until it succeeds, pause it; accessible', async () => {
  const page = await context.newPage();

  // Login: the dashboard redirects there first.
  await page.goto(`${base}/ui`);
  assert.equal(new URL(page.url()).pathname, '/ui/login');
  await page.getByLabel('API token').fill(TOKEN);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.waitForURL(`${base}/ui/jobs`);

  // The form: the cron's meaning and next instants follow the typing.
  await page.getByRole('link', { name: 'New job' }).first().click();
  await page.waitForURL(`${base}/ui/new`);
  await page.getByLabel('Name').fill('browser-report');
  const cron = page.getByLabel('Cron expression');
  await cron.pressSequentially('30 9 * *', { delay: 20 });
  await page
    .locator('#cron-problem')
    .filter({ hasText: /Expected/ })
    .waitFor();
  await cron.pressSequentially(' 1-5', { delay: 20 });
  await page.locator('#cron-description').filter({ hasText: 'At 09:30, Monday through Friday' }).waitFor();
  await waitFor('five instants in the preview', async () => (await page.locator('#cron-next li').count()) === 5);
  assert.equal(await page.locator('#cron-problem').isHidden(), true);
  await page.getByLabel('Time zone').fill('Europe/Paris');
  await page.locator('#cron-next li').first().filter({ hasText: '09:30:00 Europe/Paris' }).waitFor();
  await page.getByLabel('Job fields (JSON object)').fill('{"report": "sales"}');
  await page.screenshot({ path: path.join(SHOTS, 'form.png'), fullPage: true });
  await page.getByRole('button', { name: 'Create job' }).click();
  await page.getByText('The job was created.').waitFor();
  const jobUrl = page.url().replace(/\?.*$/, '');

  // Listed with its next run.
  const job = await scheduler.get('browser-report');
  await page.getByRole('link', { name: 'Jobs', exact: true }).first().click();
  const row = page.getByRole('row').filter({ hasText: 'browser-report' });
  await row.waitFor();
  const rowText = (await row.textContent()) ?? '';
  assert.match(rowText, /30 9 \* \* 1-5/);
  assert.ok(rowText.includes(job.nextRunAt!.toISOString().slice(0, 10)), rowText);

  // Open it, run it now, and follow the page until the run succeeded.
  await row.getByRole('link', { name: 'browser-report' }).click();
  await page.waitForURL(jobUrl);
  await page.getByRole('button', { name: 'Run now' }).click();
  await page.getByText('A run was queued').waitFor();
  await waitFor(
    'the run to show succeeded on the job page',
    async () => {
      await page.reload();
      return (await page.locator('table.runs .status-succeeded').count()) === 1;
    },
    { timeoutMs: 30_000, intervalMs: 250 },
  );
  await page.screenshot({ path: path.join(SHOTS, 'job.png'), fullPage: true });

  // Pause.
  await page.getByRole('button', { name: 'Pause' }).click();
  await page.getByText('The job is paused').waitFor();
  assert.equal(await page.getByRole('button', { name: 'Resume' }).count(), 1);
  assert.equal((await scheduler.get(job.id)).paused, true);

  // The list now: the run's status, the paused badge; wide and at a phone's width.
  await page.getByRole('link', { name: 'Jobs', exact: true }).first().click();
  assert.match((await row.textContent()) ?? '', /paused[\s\S]*succeeded/);
  await page.screenshot({ path: path.join(SHOTS, 'list.png'), fullPage: true });
  await page.setViewportSize(PHONE);
  await page.screenshot({ path: path.join(SHOTS, 'list-phone.png'), fullPage: true });
  const overflow = await page.evaluate(() => {
    const window = globalThis as unknown as {
      innerWidth: number;
      document: { documentElement: { scrollWidth: number } };
    };
    return window.document.documentElement.scrollWidth - window.innerWidth;
  });
  assert.ok(overflow <= 0, `no sideways scrolling at 375 px (${overflow} px too wide)`);
  await page.setViewportSize(WIDE);

  assert.deepEqual(consoleErrors, [], 'no script error and no CSP violation on the pages');

  for (const url of [`${base}/ui/jobs`, jobUrl, `${base}/ui/new`, `${jobUrl}/edit`]) {
    assert.deepEqual(await axeFindings(url), [], url);
  }
});
