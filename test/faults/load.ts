/**
 * Load: mixed API traffic at a fixed rate while every-second jobs fire, shared by the short form
 * (test/integration/load-api.test.ts, seconds, in CI) and the long form (test/faults/load-api.test.ts:
 * 1,000 jobs, 500 requests per second for 60 s).
 *
 * This process serves the API (createApp() on a real socket). In the `one-process` layout it also
 * fires and runs the handlers, as the bundled server does by default; in the `split` layout a
 * process of its own does (load-engine.ts) and the API's scheduler has `fire: false`. The requests
 * come from autocannon in a child process (load-client.ts) so that generating them does not share
 * a measured event loop. Lateness is
 * Date.now() at handler start minus run.scheduledFor, first attempts of scheduled ticks only, in two
 * windows: fire only ("quiet") and fire under API load ("loaded").
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { serve } from '@hono/node-server';
import { createScheduler, type Scheduler } from '../../lib/index.ts';
import { createApp } from '../../server/app.ts';
import { type Summary, summarize } from '../bench/stats.ts';
import { createTestDatabase } from '../helpers/database.ts';
import type { LoadClientResult, LoadClientSettings } from './load-client.ts';
import type { EngineSettings } from './load-engine.ts';
import { type EngineResult, type Firing, missingIn, startFiring } from './load-firing.ts';

export interface LoadSize {
  /** Jobs firing every second (`* * * * * *`). */
  jobs: number;
  /** API requests per second. */
  rate: number;
  /** Seconds of API load. */
  loadSeconds: number;
  /** Seconds of firing alone, measured before the load, for comparison. */
  quietSeconds: number;
  /** Seconds of firing before anything is measured. */
  warmupSeconds: number;
  /** Client connections. */
  connections: number;
  /**
   * `one-process`: one process serves the API, fires and runs the handlers (the bundled server's
   * default). `split`: the API is served by a process with `fire: false`, and another process fires
   * and runs the handlers (SCHEDULER_FIRE=false and SCHEDULER_WORKER=false on the API processes).
   */
  layout: 'one-process' | 'split';
}

export const SHORT_LOAD: LoadSize = {
  jobs: 100,
  rate: 100,
  loadSeconds: 5,
  quietSeconds: 3,
  warmupSeconds: 2,
  connections: 8,
  layout: 'one-process',
};

export const LONG_LOAD: LoadSize = {
  jobs: 1000,
  rate: 500,
  loadSeconds: 60,
  quietSeconds: 20,
  warmupSeconds: 5,
  connections: 100,
  layout: 'one-process',
};

/** The benchmark target: p99 of handler start minus scheduled instant. */
export const P99_TARGET_MS = 50;

/** Lateness of handler starts, ms (nearest-rank percentiles, as the benchmarks report them). */
export type Lateness = Summary;

export interface LoadReport {
  size: LoadSize;
  quiet: Lateness;
  loaded: Lateness;
  api: LoadClientResult;
  /** API requests per second actually sent. */
  achievedRate: number;
  /** (job, tick) pairs handled twice. */
  duplicates: number;
  /** (job, tick) pairs in the measured windows that no handler started. */
  missing: number;
  /** `missed` events (ticks recorded as missed or skipped instead of fired). */
  missedTicks: number;
  /** Messages of the scheduler's `error` events. */
  schedulerErrors: string[];
}

const CLIENT = fileURLToPath(new URL('./load-client.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

async function runClient(settings: LoadClientSettings): Promise<LoadClientResult> {
  const child = spawn(process.execPath, ['--import', 'tsx', CLIENT], {
    cwd: ROOT,
    env: { ...process.env, LOAD_CLIENT: JSON.stringify(settings) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    out += chunk;
  });
  const [code] = (await once(child, 'exit')) as [number | null];
  if (code !== 0) throw new Error(`the load client exited with ${code}: ${out}`);
  return JSON.parse(out.trim().split('\n').at(-1)!) as LoadClientResult;
}

/**
 * Resolves at the epoch instant `at`. Not a wait for something to happen: the measured windows are
 * spans of wall-clock time.
 */
function until(at: number): Promise<number> {
  return new Promise((resolve) => setTimeout(() => resolve(at), Math.max(0, at - Date.now())));
}

/** The side that fires and runs the handlers: the measured one. */
interface Engine extends Firing {
  /** Stops whatever is left running. */
  close(): Promise<void>;
}

/** One process fires, runs the handlers and serves the API (the bundled server's default). */
async function inProcessEngine(scheduler: Scheduler, jobs: number, prefix: string): Promise<Engine> {
  const firing = await startFiring(scheduler, jobs, prefix);
  return { ...firing, close: () => scheduler.stop({ timeoutSeconds: 5 }) };
}

const ENGINE = fileURLToPath(new URL('./load-engine.ts', import.meta.url));

/** A process of its own fires and runs the handlers (load-engine.ts); the API process does not fire. */
async function childEngine(url: string, jobs: number, prefix: string): Promise<Engine> {
  const child = spawn(process.execPath, ['--import', 'tsx', ENGINE], {
    cwd: ROOT,
    env: { ...process.env, LOAD_ENGINE: JSON.stringify({ url, jobs, prefix } satisfies EngineSettings) },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const exited = once(child, 'exit');
  // Only this protocol's lines: anything else on stdout (a warning) is not for us.
  const next = async (key: string): Promise<unknown> => {
    for (;;) {
      const line = await lines.next();
      if (line.done) throw new Error(`the engine process exited: ${JSON.stringify(await exited)}`);
      if (line.value.startsWith(`{"${key}"`)) return JSON.parse(line.value);
    }
  };
  const { ids } = (await next('ids')) as { ids: string[] };
  return {
    ids,
    async finish(ticks) {
      child.stdin.write(`${JSON.stringify({ ticks })}\n`);
      return (await next('handled')) as EngineResult;
    },
    async close() {
      if (child.exitCode === null) {
        child.kill('SIGKILL');
        await exited;
      }
    },
  };
}

export async function runLoad(size: LoadSize): Promise<LoadReport> {
  const db = await createTestDatabase();
  let api: Scheduler | undefined;
  let engine: Engine | undefined;
  let server: ReturnType<typeof serve> | undefined;
  try {
    const prefix = `load-${process.pid}-${Date.now()}`;
    if (size.layout === 'split') {
      engine = await childEngine(db.url, size.jobs, prefix);
      api = createScheduler({ connectionString: db.url, fire: false });
      await api.start();
    } else {
      api = createScheduler({ connectionString: db.url });
      engine = await inProcessEngine(api, size.jobs, prefix);
    }
    const { ids } = engine;

    const app = createApp({ scheduler: api, config: { apiToken: null, maxBodyBytes: 1024 * 1024 } });
    server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;

    // Windows on whole seconds, so each holds exactly `jobs` ticks per second.
    const quietFrom = Math.ceil(Date.now() / 1000) * 1000 + size.warmupSeconds * 1000;
    const quietTo = quietFrom + size.quietSeconds * 1000;
    await until(quietTo);
    const load = await runClient({
      url: `http://127.0.0.1:${port}`,
      rate: size.rate,
      seconds: size.loadSeconds,
      connections: size.connections,
      ids,
      prefix: `${prefix}-api`,
    });
    // The first second of load is a ramp (the client starting); the window is the rest of it.
    const loadedFrom = Math.ceil(load.startedMs / 1000) * 1000 + 1000;
    const loadedTo = Math.floor(load.endedMs / 1000) * 1000;

    const ticksIn = (from: number, to: number) => {
      const out: number[] = [];
      for (let t = from; t < to; t += 1000) out.push(t);
      return out;
    };
    const ticks = [...ticksIn(quietFrom, quietTo), ...ticksIn(loadedFrom, loadedTo)];
    const result = await engine.finish(ticks);
    const handled = new Map(result.handled);
    const lateness = (from: number, to: number) =>
      summarize(
        [...handled]
          .filter(([key]) => {
            const t = Number(key.slice(key.indexOf('@') + 1));
            return t >= from && t < to;
          })
          .map(([, ms]) => ms),
      );
    return {
      size,
      quiet: lateness(quietFrom, quietTo),
      loaded: lateness(loadedFrom, loadedTo),
      api: load,
      achievedRate: load.total / ((load.endedMs - load.startedMs) / 1000),
      duplicates: result.duplicates,
      missing: missingIn(handled, ids, ticks),
      missedTicks: result.missedTicks,
      schedulerErrors: result.errors,
    };
  } finally {
    if (server) {
      const closing = server;
      await new Promise<void>((done) => closing.close(() => done()));
    }
    await engine?.close();
    await api?.stop({ timeoutSeconds: 5 });
    await db.drop();
  }
}

/** One line per figure, for the test's diagnostics. */
export function describeReport(r: LoadReport): string[] {
  const l = (x: Lateness) => `n=${x.n} p50=${x.p50} ms p99=${x.p99} ms max=${x.max} ms`;
  return [
    `layout ${r.size.layout}: ${r.size.jobs} every-second jobs; API ${r.size.rate} rps for ${r.size.loadSeconds} s over ${r.size.connections} connections`,
    `lateness, firing only:   ${l(r.quiet)}`,
    `lateness, under API load: ${l(r.loaded)}`,
    `API: ${r.api.total} requests (${r.achievedRate.toFixed(1)}/s), statuses ${JSON.stringify(r.api.statusCodes)}, errors ${r.api.errors}, timeouts ${r.api.timeouts}, latency p50 ${r.api.latencyMs.p50} ms p99 ${r.api.latencyMs.p99} ms max ${r.api.latencyMs.max} ms`,
    `duplicates ${r.duplicates}, ticks never handled ${r.missing}, missed ticks ${r.missedTicks}, scheduler errors ${r.schedulerErrors.length}`,
  ];
}
