/**
 * Micro-benchmark of the cron search: prints the time per call of counting, enumerating, planning
 * catch-up and previewing, including the worst previews found. Pure CPU, no database; not part of
 * `npm run bench` (that one measures the engine against PostgreSQL).
 *
 *   node --import tsx test/bench/cron.ts            everything
 *   node --import tsx test/bench/cron.ts --quick    fewer schedules and repetitions
 *
 * "cold" figures use a zone whose offset table has not been built yet in this process (each cold
 * case picks a different zone or years), which is what a preview of an unusual zone or far year costs.
 */
import { countOccurrences, cronTrigger, latestOccurrences, parseCron, preview } from '../../lib/cron.ts';
import { planTicks } from '../../lib/plan.ts';

const quick = process.argv.includes('--quick');
const DAY = 86_400_000;
const YEAR = 365.2425 * DAY;
const at = (iso: string) => new Date(iso);

/** Median and worst of `runs` timings of `fn`, in milliseconds. */
function time(runs: number, fn: (i: number) => unknown): { median: number; max: number } {
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    fn(i);
    samples.push(performance.now() - started);
  }
  samples.sort((a, b) => a - b);
  return { median: samples[Math.floor(samples.length / 2)]!, max: samples.at(-1)! };
}

const rows: Array<[string, string]> = [];
function report(label: string, figures: { median: number; max: number }, extra = '') {
  const text = `median ${figures.median.toFixed(3)} ms, max ${figures.max.toFixed(3)} ms${extra ? `; ${extra}` : ''}`;
  rows.push([label, text]);
  console.log(`${label.padEnd(64)} ${text}`);
}

const everySecondUtc = parseCron('* * * * * *', 'UTC');
const everySecondNy = parseCron('* * * * * *', 'America/New_York');
const start = at('2026-01-01T00:00:00Z');
const reps = quick ? 5 : 21;

// Warm the zone tables used below, so these rows show the steady state.
countOccurrences(everySecondNy, start, new Date(start.getTime() + 10 * YEAR), Number.MAX_SAFE_INTEGER);

for (const [name, s] of [
  ['UTC', everySecondUtc],
  ['America/New_York', everySecondNy],
] as const) {
  for (const [span, ms] of [
    ['24 h', DAY],
    ['30 days', 30 * DAY],
    ['10 years', 10 * YEAR],
  ] as const) {
    // The old walk visits every tick; 10 years of it (315 million) is left out unless asked for.
    if (span === '10 years' && process.env['CRON_BENCH_SLOW'] === undefined && slowWalk(s)) continue;
    let n = 0;
    const figures = time(span === '24 h' ? reps : 3, () => {
      n = countOccurrences(s, start, new Date(start.getTime() + ms - 1000), Number.MAX_SAFE_INTEGER);
    });
    report(`countOccurrences * * * * * * ${name}, ${span}`, figures, `${n} occurrences`);
  }
}

/** True when counting a day takes over 5 ms: the walk that visits every tick. */
function slowWalk(s: ReturnType<typeof parseCron>): boolean {
  const started = performance.now();
  countOccurrences(s, start, new Date(start.getTime() + DAY), Number.MAX_SAFE_INTEGER);
  return performance.now() - started > 5;
}

{
  const figures = time(reps, () => latestOccurrences(everySecondNy, start, new Date(start.getTime() + DAY), 100));
  report('latestOccurrences 100 of * * * * * * New York over 24 h', figures);
}

// Planning: every-second schedules one day overdue, catch_up all, the default limits.
{
  const schedules = quick ? 200 : 10_000;
  const zones = ['UTC', 'America/New_York', 'Europe/Berlin', 'Australia/Lord_Howe', 'Asia/Kathmandu'];
  const now = at('2026-03-09T12:00:00Z');
  const due = Array.from({ length: schedules }, (_, i) => ({
    trigger: cronTrigger(parseCron('* * * * * *', zones[i % zones.length]!)),
    nextRunAt: new Date(now.getTime() - DAY - (i % 60) * 1000),
    catchUp: 'all' as const,
    catchUpWindowSeconds: null,
    overlap: 'allow' as const,
    previousActive: false,
    runsLeft: null,
  }));
  const limits = { misfireGraceMs: 5000, maxCatchUpRuns: 100 };
  // Time a slice first: the old walk takes about 10 ms per schedule, so the total is extrapolated.
  const slice = Math.min(schedules, 100);
  const started = performance.now();
  let worst = 0;
  for (let i = 0; i < slice; i++) {
    const one = performance.now();
    planTicks(due[i]!, now, limits);
    worst = Math.max(worst, performance.now() - one);
  }
  const sliceMs = performance.now() - started;
  let totalMs = (sliceMs / slice) * schedules;
  let measured = 'extrapolated from 100';
  if (sliceMs / slice < 1) {
    const all = performance.now();
    for (const d of due) {
      const one = performance.now();
      planTicks(d, now, limits);
      worst = Math.max(worst, performance.now() - one);
    }
    totalMs = performance.now() - all;
    measured = 'measured';
  }
  const missed = planTicks(due[0]!, now, limits).missed?.count;
  rows.push([
    `planTicks: ${schedules} every-second schedules one day late`,
    `total ${totalMs.toFixed(0)} ms (${measured}), worst single plan ${worst.toFixed(3)} ms; missed count ${missed}`,
  ]);
  console.log(rows.at(-1)!.join('  '));
}

// Previews. Each named case is run cold (a zone or years not seen yet in this process), then warm.
const previewCases: Array<[string, string, number, string]> = [
  ['* * * * * *', 'UTC', 1000, '2026-01-01T00:00:00Z'],
  ['0 30 2 * * *', 'America/New_York', 1000, '2026-01-01T00:00:00Z'],
  ['0 0 1 1 *', 'UTC', 20, '2026-01-01T00:00:00Z'],
  ['0 0 1 1 *', 'Pacific/Kiritimati', 20, '2026-01-01T00:00:00Z'],
  ['0 0 1 1 *', 'America/Santiago', 21, '2026-01-01T00:00:00Z'],
  ['0 0 1 1 *', 'Asia/Jerusalem', 1000, '2026-01-01T00:00:00Z'],
  ['0 0 29 2 *', 'Australia/Lord_Howe', 5, '2026-01-01T00:00:00Z'],
  ['0 0 * 2 1#5', 'Europe/Berlin', 1, '2026-01-01T00:00:00Z'],
  ['0 0 * 2 1#5', 'America/Havana', 2, '2026-01-01T00:00:00Z'],
  ['0 0 * 2 1#5', 'Asia/Gaza', 1, '2101-01-01T00:00:00Z'],
  ['0 0 29 2 1', 'Europe/Paris', 1000, '2026-01-01T00:00:00Z'],
  ['0 0 L * *', 'America/Sao_Paulo', 240, '2026-01-01T00:00:00Z'],
  ['0 12 * * 5L', 'Asia/Tehran', 240, '2026-01-01T00:00:00Z'],
  ['0 0 15W * *', 'Africa/Casablanca', 240, '2026-01-01T00:00:00Z'],
  ['0 0 1 * *', 'America/Havana', 1000, '2026-01-01T00:00:00Z'],
  ['0 0 * * 0', 'Australia/Sydney', 1000, '2026-01-01T00:00:00Z'],
  ['0 0 1 1 *', 'Europe/London', 20, '3000-01-01T00:00:00Z'],
  ['0 0 1 1 *', 'Pacific/Chatham', 20, '+200000-01-01T00:00:00Z'],
];

function tryPreview(expression: string, zone: string, count: number, from: Date): string {
  try {
    return `${preview(expression, zone, count, from).length} instants`;
  } catch (error) {
    return `refused: ${(error as Error).message}`;
  }
}

for (const [expression, zone, count, from] of previewCases) {
  let outcome = '';
  const cold = time(1, () => {
    outcome = tryPreview(expression, zone, count, at(from));
  });
  const warm = time(reps, () => tryPreview(expression, zone, count, at(from)));
  const label = `preview ${expression} ${zone} count ${count} from ${from.slice(0, from.indexOf('-', 1))}`;
  rows.push([label, `cold ${cold.max.toFixed(2)} ms, warm median ${warm.median.toFixed(2)} ms; ${outcome}`]);
  console.log(`${label.padEnd(64)} ${rows.at(-1)![1]}`);
}

// A random sweep for the worst: every call cold (a random year far enough that no table exists yet).
{
  const expressions = [
    '* * * * * *',
    '*/7 * * * *',
    '0 9 * * 1-5',
    '0 0 * * 0',
    '0 0 1 * *',
    '0 0 L * *',
    '0 0 15W * *',
    '0 12 * * 5L',
    '0 0 * * 1#3',
    '0 0 1 1 *',
    '0 0 29 2 *',
    '0 0 * 2 1#5',
    '0 0 29 2 1',
    '30 2 * 3,10 0#2',
    '0 0 31 */2 *',
  ];
  const zoneNames = Intl.supportedValuesOf('timeZone');
  const counts = [1, 5, 20, 100, 240, 1000];
  let seed = 42;
  const random = (n: number) => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    return seed % n;
  };
  const calls = quick ? 50 : 400;
  const results: Array<{ ms: number; label: string; outcome: string }> = [];
  for (let i = 0; i < calls; i++) {
    const expression = expressions[random(expressions.length)]!;
    const zone = zoneNames[random(zoneNames.length)]!;
    const count = counts[random(counts.length)]!;
    const year = 2100 + random(260_000);
    const from = new Date(Date.UTC(2000, random(12), 1 + random(28)) + (year - 2000) * YEAR);
    let outcome = '';
    const ms = time(1, () => {
      outcome = tryPreview(expression, zone, count, from);
    }).max;
    results.push({ ms, label: `${expression} ${zone} count ${count} from ${from.getUTCFullYear()}`, outcome });
  }
  results.sort((a, b) => b.ms - a.ms);
  const all = results.map((r) => r.ms).sort((a, b) => a - b);
  const line = `${calls} random cold previews: median ${all[Math.floor(all.length / 2)]!.toFixed(2)} ms, max ${all.at(-1)!.toFixed(2)} ms`;
  console.log(line);
  rows.push(['random cold previews', line]);
  for (const r of results.slice(0, 5)) console.log(`  ${r.ms.toFixed(2)} ms  ${r.label}: ${r.outcome.slice(0, 90)}`);
}
