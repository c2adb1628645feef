#!/usr/bin/env node
/**
 * `pg-cron-scheduler`, the command line: `serve` and `migrate` work on the database with the server's
 * own configuration; `jobs`, `runs` and `preview` talk to a running server through the typed client.
 */
import { type ParseArgsOptionsConfig, parseArgs } from 'node:util';
import type { ApiError, Job, RunStatus, SchedulerClient } from '../client/index.ts';
import { VERSION } from '../server/version.ts';
import { apiTarget, DEFAULT_URL } from './env.ts';
import * as format from './format.ts';

/** Exit codes scripts can rely on. */
const EXIT = {
  ok: 0,
  /** The server refused the request (e.g. 422 invalid value, 401 wrong token), or the command failed. */
  failed: 1,
  /** The command line is wrong: unknown command or option, missing or malformed argument. */
  usage: 2,
  /** No job with that id or name (404). */
  notFound: 3,
  /** A job with that name already exists (409). */
  conflict: 4,
  /** The server or its database cannot be reached (connection refused, 503). */
  unavailable: 5,
} as const;

/** A wrong command line; the message says which argument and what was expected. */
class UsageError extends Error {}

/** What a command's `run` gets. */
interface Context {
  values: Record<string, string | boolean | undefined>;
  args: string[];
  json: boolean;
  out: (text: string) => void;
  client: () => Promise<SchedulerClient>;
}

interface Command {
  usage: string;
  summary: string;
  /** Extra lines of help: what the options mean. */
  details?: string[];
  options?: ParseArgsOptionsConfig;
  /** Names of the positional arguments, all required. */
  args?: string[];
  /** Resolves to an exit code, or to `undefined` when the process keeps running (serve). */
  run(ctx: Context): Promise<number | undefined>;
}

const GLOBAL_OPTIONS = {
  url: { type: 'string' },
  token: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsOptionsConfig;

const API_HELP = [
  `--url URL      the server (default: PG_CRON_SCHEDULER_URL, else ${DEFAULT_URL}); include the prefix a mounted API lives under`,
  '--token TOKEN  bearer token (default: SCHEDULER_API_TOKEN; prefer the variable: arguments show in `ps`)',
  '--json         print the API’s JSON instead of a table',
];

const JOB_FIELD_OPTIONS = {
  tz: { type: 'string' },
  fields: { type: 'string' },
  'catch-up': { type: 'string' },
  'catch-up-window': { type: 'string' },
  overlap: { type: 'string' },
} as const satisfies ParseArgsOptionsConfig;

const JOB_FIELD_HELP = [
  '--tz ZONE                  IANA time zone the cron is evaluated in (default UTC)',
  '--fields JSON              a JSON object passed to every run',
  '--catch-up POLICY          skip, latest or all: what fires after downtime (default latest)',
  '--catch-up-window SECONDS  missed ticks older than this are only recorded ("none": no bound)',
  '--overlap POLICY           allow or skip a tick while the previous run is still going (default allow)',
];

const string = (ctx: Context, name: string) => ctx.values[name] as string | undefined;

function integer(ctx: Context, name: string): number | undefined {
  const value = string(ctx, name);
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new UsageError(`--${name}: expected a whole number (got ${JSON.stringify(value)})`);
  return Number(value);
}

function jsonObject(ctx: Context, name: string): Record<string, unknown> | undefined {
  const value = string(ctx, name);
  if (value === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw new UsageError(`--${name}: expected a JSON object such as '{"to":"ops@example.com"}' (got ${value})`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new UsageError(`--${name}: expected a JSON object (got ${value})`);
  }
  return parsed as Record<string, unknown>;
}

/** The job fields given as options, in API names; the server validates the values. */
function jobFields(ctx: Context) {
  const window = string(ctx, 'catch-up-window');
  return {
    ...(string(ctx, 'tz') !== undefined && { timezone: string(ctx, 'tz')! }),
    ...(ctx.values['fields'] !== undefined && { job_fields: jsonObject(ctx, 'fields')! }),
    ...(string(ctx, 'catch-up') !== undefined && { catch_up: string(ctx, 'catch-up') as 'skip' | 'latest' | 'all' }),
    ...(window !== undefined && {
      catch_up_window_seconds: window === 'none' ? null : (integer(ctx, 'catch-up-window') as number),
    }),
    ...(string(ctx, 'overlap') !== undefined && { overlap: string(ctx, 'overlap') as 'allow' | 'skip' }),
  };
}

const print = (ctx: Context, body: unknown, text: () => string) =>
  ctx.out(ctx.json ? JSON.stringify(body, null, 2) : text());

const COMMANDS: Record<string, Command> = {
  serve: {
    usage: 'serve',
    summary: 'run the service: the API, the engine and the log-file worker (one process)',
    details: [
      'Configured by the environment (every variable is in .env.example): DATABASE_URL (unset: an embedded',
      'PostgreSQL in DATA_DIR), PORT, HOST, SCHEDULER_API_TOKEN, LOG_DIR, SCHEDULER_*. Stops on SIGTERM/SIGINT.',
      'Run it as `MALLOC_ARENA_MAX=1 node --max-semi-space-size=1 --no-maglev --invocation-count-for-turbofan=500',
      '<this file> serve` (npm start does, through scripts/serve.sh): it holds less than half the memory of V8’s',
      'defaults, and a big tick’s handlers start on optimized code from the first minutes (README, Limits).',
    ],
    async run() {
      const { runServer } = await import('../server/main.ts');
      await runServer();
      return undefined;
    },
  },
  migrate: {
    usage: 'migrate',
    summary: 'create or update the scheduler’s and pg-boss’s schemas, then exit',
    details: ['Uses the same configuration as serve: DATABASE_URL (or the embedded PostgreSQL), SCHEDULER_SCHEMA, ...'],
    async run(ctx) {
      const { migrate } = await import('../server/main.ts');
      const done = await migrate();
      print(ctx, done, () => `migrated: schema ${done.schema}, pg-boss schema ${done.bossSchema}`);
      return EXIT.ok;
    },
  },
  'jobs list': {
    usage: 'jobs list [--paused | --active] [--limit N] [--cursor CURSOR] [--all]',
    summary: 'list jobs, oldest first',
    details: [
      '--paused, --active   only paused or only active jobs',
      '--limit N            jobs per page, 1-1000 (default 100)',
      '--cursor CURSOR      the page after the one that printed this cursor',
      '--all                every page',
    ],
    options: {
      paused: { type: 'boolean' },
      active: { type: 'boolean' },
      limit: { type: 'string' },
      cursor: { type: 'string' },
      all: { type: 'boolean' },
    },
    async run(ctx) {
      if (ctx.values['paused'] && ctx.values['active'])
        throw new UsageError('--paused and --active exclude each other');
      const client = await ctx.client();
      const limit = integer(ctx, 'limit');
      const paused = ctx.values['paused'] ? true : ctx.values['active'] ? false : undefined;
      let cursor = string(ctx, 'cursor') ?? null;
      const jobs: Job[] = [];
      do {
        const page = await client.jobs.list({
          ...(limit !== undefined && { limit }),
          ...(paused !== undefined && { paused }),
          cursor,
        });
        jobs.push(...page.items);
        cursor = page.nextCursor;
      } while (cursor && ctx.values['all']);
      print(ctx, jobs, () => format.jobsTable(jobs));
      if (cursor) process.stderr.write(`more jobs: --cursor ${cursor} (or --all)\n`);
      return EXIT.ok;
    },
  },
  'jobs get': {
    usage: 'jobs get <job>',
    summary: 'show a job (by id or name) and its next five run instants',
    args: ['job'],
    async run(ctx) {
      const job = await (await ctx.client()).jobs.get(ctx.args[0]!);
      print(ctx, job, () => format.jobDetails(job));
      return EXIT.ok;
    },
  },
  'jobs create': {
    usage:
      'jobs create <name> <cron> [--tz ZONE] [--fields JSON] [--paused] [--catch-up P] [--catch-up-window S] [--overlap P]',
    summary: 'create a job',
    details: [
      '<cron>     5 fields, 6 with leading seconds, or a macro such as @daily; quote it',
      '--paused   create it paused',
      ...JOB_FIELD_HELP,
    ],
    args: ['name', 'cron'],
    options: { ...JOB_FIELD_OPTIONS, paused: { type: 'boolean' } },
    async run(ctx) {
      const [name, cron] = ctx.args as [string, string];
      const body = { name, cron, ...jobFields(ctx), ...(ctx.values['paused'] === true && { paused: true }) };
      const job = await (await ctx.client()).jobs.create(body);
      print(ctx, job, () => format.jobDetails(job));
      return EXIT.ok;
    },
  },
  'jobs update': {
    usage:
      'jobs update <job> [--name NAME] [--cron CRON] [--tz ZONE] [--fields JSON] [--catch-up P] [--catch-up-window S] [--overlap P]',
    summary: 'change any of a job’s fields (a new cron or zone recomputes its next run)',
    details: ['--name NAME   rename it', '--cron CRON   a new expression', ...JOB_FIELD_HELP],
    args: ['job'],
    options: { ...JOB_FIELD_OPTIONS, name: { type: 'string' }, cron: { type: 'string' } },
    async run(ctx) {
      const patch = {
        ...jobFields(ctx),
        ...(string(ctx, 'name') !== undefined && { name: string(ctx, 'name')! }),
        ...(string(ctx, 'cron') !== undefined && { cron: string(ctx, 'cron')! }),
      };
      if (Object.keys(patch).length === 0) throw new UsageError('jobs update: give at least one field to change');
      const job = await (await ctx.client()).jobs.update(ctx.args[0]!, patch);
      print(ctx, job, () => format.jobDetails(job));
      return EXIT.ok;
    },
  },
  'jobs pause': {
    usage: 'jobs pause <job>',
    summary: 'pause a job (idempotent)',
    args: ['job'],
    async run(ctx) {
      const job = await (await ctx.client()).jobs.pause(ctx.args[0]!);
      print(ctx, job, () => `paused ${job.name}`);
      return EXIT.ok;
    },
  },
  'jobs resume': {
    usage: 'jobs resume <job>',
    summary: 'resume a job from now (ticks passed while paused are not caught up)',
    args: ['job'],
    async run(ctx) {
      const job = await (await ctx.client()).jobs.resume(ctx.args[0]!);
      print(ctx, job, () => `resumed ${job.name}; next run ${job.next_run_at ?? '-'}`);
      return EXIT.ok;
    },
  },
  'jobs run': {
    usage: 'jobs run <job>',
    summary: 'queue a manual run now, whatever the cron says',
    args: ['job'],
    async run(ctx) {
      const run = await (await ctx.client()).jobs.run(ctx.args[0]!);
      print(ctx, run, () => format.runDetails(run));
      return EXIT.ok;
    },
  },
  'jobs delete': {
    usage: 'jobs delete <job>',
    summary: 'delete a job, its run history and its queued runs',
    args: ['job'],
    async run(ctx) {
      await (await ctx.client()).jobs.delete(ctx.args[0]!);
      print(ctx, { deleted: ctx.args[0] }, () => `deleted ${ctx.args[0]}`);
      return EXIT.ok;
    },
  },
  runs: {
    usage: 'runs <job> [--status STATUS] [--limit N] [--cursor CURSOR]',
    summary: 'list a job’s runs, newest first',
    details: [
      '--status STATUS   queued, running, succeeded, failed, skipped or missed',
      '--limit N         runs per page, 1-1000 (default 100)',
      '--cursor CURSOR   the page after the one that printed this cursor',
    ],
    args: ['job'],
    options: { status: { type: 'string' }, limit: { type: 'string' }, cursor: { type: 'string' } },
    async run(ctx) {
      const limit = integer(ctx, 'limit');
      // The server checks the value and names the field when it is not a status.
      const status = string(ctx, 'status') as RunStatus | undefined;
      const page = await (await ctx.client()).jobs.runs(ctx.args[0]!, {
        ...(limit !== undefined && { limit }),
        ...(status !== undefined && { status }),
        cursor: string(ctx, 'cursor') ?? null,
      });
      print(ctx, page.items, () => format.runsTable(page.items));
      if (page.nextCursor) process.stderr.write(`more runs: --cursor ${page.nextCursor}\n`);
      return EXIT.ok;
    },
  },
  preview: {
    usage: 'preview "<cron>" [--tz ZONE] [--count N]',
    summary: 'describe a cron expression and list its next instants (asks the server; stores nothing)',
    details: ['--tz ZONE   IANA time zone (default UTC)', '--count N   how many instants, 1-100 (default 5)'],
    args: ['cron'],
    options: { tz: { type: 'string' }, count: { type: 'string' } },
    async run(ctx) {
      const count = integer(ctx, 'count');
      const preview = await (await ctx.client()).cron.preview({
        cron: ctx.args[0]!,
        ...(string(ctx, 'tz') !== undefined && { timezone: string(ctx, 'tz')! }),
        ...(count !== undefined && { count }),
      });
      print(ctx, preview, () => format.previewText(preview));
      return EXIT.ok;
    },
  },
};

const SERVER_COMMANDS = new Set(['serve', 'migrate']);

function overview(): string {
  const width = Math.max(...Object.values(COMMANDS).map((c) => c.usage.split(' [')[0]!.length));
  return [
    `pg-cron-scheduler ${VERSION}: cron jobs stored in PostgreSQL`,
    '',
    'Usage: pg-cron-scheduler <command> [options]',
    '',
    ...Object.values(COMMANDS).map((c) => `  ${c.usage.split(' [')[0]!.padEnd(width)}  ${c.summary}`),
    '',
    'serve and migrate use the database (DATABASE_URL, see .env.example); the other commands talk to a',
    'running server: --url (PG_CRON_SCHEDULER_URL) and --token (SCHEDULER_API_TOKEN). --json prints JSON.',
    `Exit codes: ${EXIT.ok} ok, ${EXIT.failed} refused or failed, ${EXIT.usage} usage, ${EXIT.notFound} not found, ${EXIT.conflict} name taken, ${EXIT.unavailable} unreachable.`,
    "Run 'pg-cron-scheduler <command> --help' for a command's options.",
  ].join('\n');
}

function help(name: string, command: Command): string {
  const lines = [`Usage: pg-cron-scheduler ${command.usage}`, '', `${command.summary}.`];
  const details = [...(command.details ?? []), ...(SERVER_COMMANDS.has(name) ? [] : API_HELP)];
  if (details.length > 0) lines.push('', ...details.map((d) => `  ${d}`));
  return lines.join('\n');
}

/** Finds the command named by the first one or two words. */
function findCommand(argv: string[]): { name: string; rest: string[] } | undefined {
  const two = argv.slice(0, 2).join(' ');
  if (COMMANDS[two]) return { name: two, rest: argv.slice(2) };
  if (argv[0] && COMMANDS[argv[0]]) return { name: argv[0], rest: argv.slice(1) };
  return undefined;
}

/** One line for the error, then one per bad field; the problem JSON instead with --json. */
function reportApiError(error: ApiError, json: boolean): number {
  if (json) process.stderr.write(`${JSON.stringify(error.problem, null, 2)}\n`);
  else {
    const fields = (error.problem.errors ?? []).map((e) => `\n  ${e.path}: ${e.message}`).join('');
    process.stderr.write(`error: ${error.problem.detail} (${error.status} ${error.problem.title})${fields}\n`);
  }
  if (error.status === 404) return EXIT.notFound;
  if (error.status === 409) return EXIT.conflict;
  if (error.status === 503) return EXIT.unavailable;
  return EXIT.failed;
}

/**
 * Runs the command line `argv` (without `node` and the script). Resolves to the exit code, or to
 * `undefined` when the process goes on running (serve). Never throws: errors become messages.
 */
async function main(argv: string[]): Promise<number | undefined> {
  const out = (text: string) => process.stdout.write(`${text}\n`);
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    out(overview());
    return argv.length === 0 ? EXIT.usage : EXIT.ok;
  }
  if (argv[0] === '--version' || argv[0] === '-v') {
    out(VERSION);
    return EXIT.ok;
  }
  const found = findCommand(argv);
  if (!found) {
    process.stderr.write(`error: unknown command ${JSON.stringify(argv.slice(0, 2).join(' '))}\n\n${overview()}\n`);
    return EXIT.usage;
  }
  const command = COMMANDS[found.name]!;
  const json = found.rest.includes('--json');
  try {
    const { values, positionals } = parseArgs({
      args: found.rest,
      options: { ...GLOBAL_OPTIONS, ...command.options },
      allowPositionals: true,
      strict: true,
    });
    if (values.help) {
      out(help(found.name, command));
      return EXIT.ok;
    }
    const names = command.args ?? [];
    if (positionals.length !== names.length) {
      throw new UsageError(
        positionals.length < names.length
          ? `missing <${names[positionals.length]}>`
          : `unexpected argument ${JSON.stringify(positionals[names.length])}`,
      );
    }
    const target = apiTarget({ url: values.url, token: values.token });
    const client = async () =>
      (await import('../client/index.ts')).createClient({ baseUrl: target.url, token: target.token });
    return await command.run({ values, args: positionals, json: values.json === true, out, client });
  } catch (error) {
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`error: ${(error as Error).message}\nUsage: pg-cron-scheduler ${command.usage}\n`);
      return EXIT.usage;
    }
    const { ApiError, ConnectionError } = await import('../client/index.ts');
    if (error instanceof ApiError) return reportApiError(error, json);
    // ConnectionError: no server answers; `database`: the library's DatabaseError (migrate).
    if (error instanceof ConnectionError || (error as { code?: unknown }).code === 'database') {
      process.stderr.write(`error: ${(error as Error).message}\n`);
      return EXIT.unavailable;
    }
    process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT.failed;
  }
}

// No top-level await: the exit code is set once the command settles; the process ends by itself.
void main(process.argv.slice(2)).then((code) => {
  if (code !== undefined) process.exitCode = code;
});
