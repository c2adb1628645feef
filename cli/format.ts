/**
 * How the CLI prints: aligned tables and key/value blocks for people, the API's own JSON for scripts.
 * Pure: every function returns text.
 */
import type { CronPreview, Job, JobDetail, Run } from '../client/index.ts';

/** Columns padded to their widest cell, a header row in capitals, two spaces apart. */
export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(headers.map((h) => h.toUpperCase())), ...rows.map(line)].join('\n');
}

/** `key  value` lines, keys padded to the longest. */
export function keyValues(pairs: [string, string][]): string {
  const width = Math.max(...pairs.map(([k]) => k.length));
  return pairs.map(([k, v]) => `${k.padEnd(width)}  ${v}`.trimEnd()).join('\n');
}

const when = (iso: string | null) => iso ?? '-';

/** What decides when a job fires, in one cell: its cron, `every 15m`, or `at <instant>`. */
function scheduleOf(job: Job): string {
  if (job.cron !== null) return job.cron;
  if (job.every !== null) return `every ${job.every}`;
  return `at ${job.at ?? '-'}`;
}

export function jobsTable(jobs: Job[]): string {
  if (jobs.length === 0) return 'no jobs';
  return table(
    ['name', 'schedule', 'timezone', 'state', 'next run', 'last run', 'id'],
    jobs.map((j) => [j.name, scheduleOf(j), j.timezone, j.state, when(j.next_run_at), when(j.last_run_at), j.id]),
  );
}

export function jobDetails(job: Job | JobDetail): string {
  const pairs: [string, string][] = [
    ['id', job.id],
    ['name', job.name],
    ['schedule', `${scheduleOf(job)}  (${job.description})`],
    ['timezone', job.timezone],
    ['state', job.state + (job.pause_note ? ` (${job.pause_note})` : '')],
    ['window', `${job.start_at ?? '-'} to ${job.end_at ?? '-'}`],
    ['runs', `${job.fired_count}${job.max_runs === null ? '' : ` of at most ${job.max_runs}`}`],
    ['jitter', `${job.jitter_seconds} s`],
    ['version', String(job.version)],
    [
      'catch up',
      job.catch_up + (job.catch_up_window_seconds === null ? '' : `, within ${job.catch_up_window_seconds} s`),
    ],
    ['overlap', job.overlap],
    ['fields', JSON.stringify(job.job_fields)],
    ['next run', when(job.next_run_at)],
    ['last run', when(job.last_run_at)],
    ['created', job.created_at],
    ['updated', job.updated_at],
  ];
  if ('upcoming' in job) pairs.push(['upcoming', job.upcoming.join(', ') || '-']);
  return keyValues(pairs);
}

export function runsTable(runs: Run[]): string {
  if (runs.length === 0) return 'no runs';
  return table(
    ['scheduled for', 'trigger', 'status', 'attempts', 'started', 'finished', 'id', 'error'],
    runs.map((r) => [
      r.tick_count > 1 ? `${r.scheduled_for} (+${r.tick_count - 1} ticks)` : r.scheduled_for,
      r.trigger,
      r.status,
      String(r.attempts),
      when(r.started_at),
      when(r.finished_at),
      r.id,
      r.error ?? '',
    ]),
  );
}

export function runDetails(run: Run): string {
  return keyValues([
    ['id', run.id],
    ['job id', run.job_id],
    ['trigger', run.trigger],
    ['status', run.status],
    ['scheduled for', run.scheduled_for],
    ['enqueued', when(run.enqueued_at)],
  ]);
}

/** The description, then each instant in UTC and in the expression's zone. */
export function previewText(preview: CronPreview): string {
  const local = new Intl.DateTimeFormat('sv-SE', {
    timeZone: preview.timezone,
    dateStyle: 'short',
    timeStyle: 'medium',
  });
  const lines = [`${preview.cron}  (${preview.timezone})`, preview.description, ''];
  const rows = preview.next.map((iso) => [iso, `${local.format(new Date(iso))} ${preview.timezone}`]);
  return [...lines, table(['utc', 'local'], rows)].join('\n');
}
