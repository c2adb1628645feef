/**
 * The load generator of test/faults/load.ts, in a process of its own so that sending requests does
 * not share the event loop whose timing is being measured. Reads its settings as JSON from the
 * LOAD_CLIENT variable, sends a fixed-rate mix with autocannon, and prints one JSON line: LoadClientResult.
 */
import { createRequire } from 'node:module';

export interface LoadClientSettings {
  url: string;
  rate: number;
  seconds: number;
  connections: number;
  /** Ids of stored jobs for GET /jobs/{id}. */
  ids: string[];
  /** Prefix of the names POST /jobs creates (unique per run). */
  prefix: string;
}

export interface LoadClientResult {
  /** Epoch ms at which sending started and ended. */
  startedMs: number;
  endedMs: number;
  total: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  statusCodes: Record<string, number>;
  latencyMs: { p50: number; p99: number; max: number };
}

/** The part of autocannon 9's API used here (the package ships no types). */
interface Request {
  method: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string;
  setupRequest?: (request: Request) => Request;
}
type Autocannon = (options: {
  url: string;
  connections: number;
  duration: number;
  overallRate: number;
  timeout: number;
  requests: Request[];
}) => Promise<{
  requests: { total: number };
  latency: { p50: number; p99: number; max: number };
  errors: number;
  timeouts: number;
  non2xx: number;
  statusCodeStats: Record<string, { count: number }>;
}>;

async function main(): Promise<void> {
  const settings = JSON.parse(process.env['LOAD_CLIENT'] ?? '') as LoadClientSettings;
  const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;
  const json = { 'Content-Type': 'application/json' };
  let n = 0;
  // Each connection cycles through the four, so the mix is even: reads, a page, a write, a preview.
  const requests: Request[] = [
    { method: 'GET', setupRequest: (req) => ({ ...req, path: `/jobs/${settings.ids[n++ % settings.ids.length]}` }) },
    { method: 'GET', path: '/jobs?limit=100' },
    {
      method: 'POST',
      path: '/jobs',
      headers: json,
      // Yearly and paused: the jobs the API creates never fire during the run.
      setupRequest: (req) => ({
        ...req,
        body: JSON.stringify({ name: `${settings.prefix}-${n++}`, cron: '0 0 1 1 *', paused: true }),
      }),
    },
    {
      method: 'POST',
      path: '/cron/preview',
      headers: json,
      body: JSON.stringify({ cron: '*/5 * * * * *', timezone: 'Europe/Paris', count: 5 }),
    },
  ];
  const startedMs = Date.now();
  const result = await autocannon({
    url: settings.url,
    connections: settings.connections,
    duration: settings.seconds,
    overallRate: settings.rate,
    timeout: 10,
    requests,
  });
  const out: LoadClientResult = {
    startedMs,
    endedMs: Date.now(),
    total: result.requests.total,
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
    statusCodes: Object.fromEntries(Object.entries(result.statusCodeStats).map(([code, s]) => [code, s.count])),
    latencyMs: { p50: result.latency.p50, p99: result.latency.p99, max: result.latency.max },
  };
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

await main();
