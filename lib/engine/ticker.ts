/**
 * The loop that claims due schedules and fires them. Every instance with `fire: true` runs one; they
 * need no leader: claims use FOR UPDATE SKIP LOCKED on the schedule rows and the runs' unique
 * (schedule, instant) key, in one transaction with the advance of next_run_at.
 *
 * A tick's claim is prepared AND COMMITTED ahead of the tick (lookahead). What is durable (the
 * runs, who holds them, the schedule's next tick) is on disk before the tick; what happens at the
 * tick needs no write: the runs leased to this process start from memory (see RunWorker), and the
 * runs carried by pg-boss become fetchable (their jobs start after the tick) and their workers are
 * woken for it. A process killed at any moment leaves either nothing (before the commit) or runs
 * that its lease hands over to another instance (after it).
 */
import { createHash } from 'node:crypto';
import { type Boss, isBacklog, jobOptions, type NewJob, NO_OVERRIDES, runJobData } from '../boss.ts';
import { runOptionsOf, type SchedulerConfig } from '../config.ts';
import { cronTrigger, parseCron } from '../cron.ts';
import type { EngineMetrics } from '../metrics.ts';
import { planTicks } from '../plan.ts';
import {
  type Backfill,
  CommitOutcomeUnknown,
  type NewRun,
  publicRun,
  type Queries,
  type ScheduleAdvance,
  type Store,
  type StoredRun,
} from '../store/store.ts';
import type { Target } from '../targets/target.ts';
import { ATTRIBUTES, endSpan, startClaimSpan, withContext } from '../tracing.ts';
import { triggerOf } from '../triggers/index.ts';
import type { SchedulerEvents } from '../types.ts';
import { uuidv7 } from '../uuid.ts';
import type { InstanceLease } from './lease.ts';
import type { Listener } from './listener.ts';
import type { LeasedRun, RunWorker } from './worker.ts';

type Emit = <E extends keyof SchedulerEvents>(event: E, ...args: SchedulerEvents[E]) => void;

/**
 * A NOTIFY channel of the scheduler's schema. Channel names are identifiers of at most 63 bytes:
 * a long schema name is shortened, and a hash of it keeps channels of different schemas apart.
 */
function channel(config: SchedulerConfig, name: string): string {
  const hash = createHash('sha256').update(config.schema).digest('hex').slice(0, 8);
  return `${config.schema.slice(0, 40)}_${hash}_${name}`;
}

/** The NOTIFY channel that re-arms tickers when a schedule changes (payload: its next run, epoch ms). */
export function wakeChannel(config: SchedulerConfig): string {
  return channel(config, 'wake');
}

/** Slack between a ticker's periodic look and the wake-up it plans from it (query time, timers). */
const WAKE_MARGIN_MS = 1000;

/**
 * Whether a change that moved a schedule's next tick to `nextRunAt` (at `now`, both by the
 * database's clock) must wake the tickers. A ticker looks again at least every pollIntervalSeconds
 * and prepares a tick at most MAX_LOOKAHEAD_MS ahead, so only a tick closer than both needs the
 * NOTIFY; later ones are found by the next look, and a paused schedule needs no wake at all. Fewer
 * NOTIFYs matter: PostgreSQL serializes the commits of notifying transactions on one database-wide
 * lock held through their WAL flush, and the claims that fire ticks are among them.
 */
export function wakeNeeded(config: SchedulerConfig, nextRunAt: Date | null, now: Date): boolean {
  if (!nextRunAt) return false;
  return nextRunAt.getTime() - now.getTime() <= config.pollIntervalMs + MAX_LOOKAHEAD_MS + WAKE_MARGIN_MS;
}

/**
 * The NOTIFY channel of the workers. Payloads (JSON): `{ q, at }` runs of queue q come due in
 * pg-boss at `at` (epoch ms, the database's clock); `{ cancel, after? }` the schedule with that id
 * was deleted (or paused, or retimed): forget its leased runs that have not started (those due after
 * `after`, when given).
 */
export function runsChannel(config: SchedulerConfig): string {
  return channel(config, 'runs');
}

/**
 * The NOTIFY channel of the listener's self-test: at each connect it sends itself a token through
 * the pool and expects it back (see Listener). Payloads are tokens; other instances' are ignored.
 */
export function probeChannel(config: SchedulerConfig): string {
  return channel(config, 'probe');
}

export type RunsMessage = { q: string; at: number } | { cancel: string; after?: number };

/** The wake payload that says a backfill was requested. */
export const BACKFILL_WAKE = 'backfill';

/** While LISTEN is down, changes are not announced: the ticker looks this often instead. */
const UNLISTENED_POLL_MS = 500;

const MAX_BACKOFF_MS = 2000;
/** How long to wait when due schedules are all held by someone else's open transaction. */
const LOCKED_RETRY_MS = 20;
/** Preparation cost per due schedule beyond one batch, measured on 2 cores (claim, runs, jobs, advance). */
const PREPARE_MS_PER_SCHEDULE = 0.15;
/** A tick is prepared at least this many times its recent preparation time ahead. */
const PREPARATION_MARGIN = 1.5;
/** How the remembered preparation time fades per tick. */
const PREPARATION_DECAY = 0.9;
/** Earliest a tick is prepared, however big. */
const MAX_LOOKAHEAD_MS = 5000;
/** Largest claim batch, however big the tick. */
const MAX_BATCH = 10_000;
const PRUNE_BATCH = 10_000;
/** Most runs one backfill chunk fires (catch-up after downtime): a short transaction, a short event-loop turn. */
const BACKFILL_CHUNK = 500;
/** Backfills locked per chunk. */
const BACKFILL_ROWS = 100;
/** Longest a claim plans without letting the rest of the process in (requests, renewals). */
const SLICE_MS = 10;
/** A chunk is fired only when the next tick's preparation is at least this far away. */
const BACKFILL_SLACK_MS = 150;
/** Fewer than this is not worth a transaction: wait until the pace allows more. */
const BACKFILL_MIN_CHUNK = 20;
/** The pace of backfill runs (a second): where it starts, and its bounds. */
const INITIAL_BACKFILL_RATE = 100;
const MIN_BACKFILL_RATE = 20;
const MAX_BACKFILL_RATE = 5000;
/** Backfills start this long after the ticker. */
const BACKFILL_START_DELAY_MS = 3000;
/** Most extra lookahead drawn per tick, so that the instance claiming first changes (#spreadFor). */
const SPREAD_MS = 30;
/** The pace is adjusted at most this often. */
const PACE_ADJUST_MS = 500;
/** Fresh ticks this late (90th percentile, handler start minus tick) slow backfills down; earlier, they speed up. */
const FRESH_LATE_MS = 25;

/**
 * Plans an every-second schedule a day overdue once, before the loop starts: the first plan of a
 * process compiles the cron code and builds the zone's date formatters (tens of milliseconds in
 * one go), which is better spent at start than in the first claim, while requests are being served.
 */
function warmUp(config: SchedulerConfig): void {
  const now = new Date();
  planTicks(
    {
      trigger: cronTrigger(parseCron('* * * * * *', 'UTC')),
      nextRunAt: new Date(now.getTime() - 86_400_000),
      catchUp: 'all',
      catchUpWindowSeconds: null,
      overlap: 'allow',
      previousActive: false,
      runsLeft: null,
    },
    now,
    { misfireGraceMs: config.misfireGraceMs, maxCatchUpRuns: config.maxCatchUpRuns },
  );
}

/** Catch-up and backfill runs: they start behind fresh ticks. */
/** What a claim or a backfill chunk hands to this process's workers once it commits. */
type HandOvers = Map<RunWorker, { reserved: number; runs: LeasedRun[] }>;
/** The schedule fields a fired run's delivery needs. */
interface RunSource {
  id: string;
  name: string;
  fields: Record<string, unknown>;
  target: Target;
}

export class Ticker {
  readonly #store: Store;
  readonly #boss: Boss;
  readonly #config: SchedulerConfig;
  readonly #emit: Emit;
  readonly #lease: InstanceLease;
  readonly #localWorker: (queue: string) => RunWorker | undefined;
  #stopped = true;
  /** LISTEN is down: nothing is announced, so look often. */
  #unlistened = false;
  #loop: Promise<void> | null = null;
  /** Set while the loop sleeps: ends the sleep. */
  #wake: (() => void) | null = null;
  #pending = false;
  /** The database-clock instant (epoch ms) the loop sleeps until; a change due earlier wakes it. */
  #sleepingUntil = Number.POSITIVE_INFINITY;
  #pruneTimer: NodeJS.Timeout | null = null;
  /** The longest recent time from starting a tick's claim to having it ready to commit, ms. */
  #preparationMs = 0;
  /** Backfills may be waiting (a claim made some, one was requested, or nobody looked yet). */
  #backfillPending = true;
  /** Backfill runs fired a second at most (adapted to how fresh ticks fare; see #backfillBudget). */
  #backfillRate = INITIAL_BACKFILL_RATE;
  #lastChunkAt = 0;
  #startedAt = 0;
  #paceAdjustedAt = 0;
  /** The recent lateness of fresh ticks in this process's workers (90th percentile, ms), or null. */
  readonly #freshLateness: () => number | null;
  readonly #metrics: EngineMetrics;

  constructor(
    store: Store,
    boss: Boss,
    config: SchedulerConfig,
    emit: Emit,
    listener: Listener,
    lease: InstanceLease,
    localWorker: (queue: string) => RunWorker | undefined,
    freshLateness: () => number | null,
    metrics: EngineMetrics,
  ) {
    this.#metrics = metrics;
    this.#freshLateness = freshLateness;
    this.#localWorker = localWorker;
    this.#lease = lease;
    this.#store = store;
    this.#boss = boss;
    this.#config = config;
    this.#emit = emit;
    listener.subscribe(wakeChannel(config), {
      onMessage: (payload) => {
        if (payload === BACKFILL_WAKE) {
          this.#backfillPending = true;
          if (!this.#wake) this.#pending = true;
        }
        const at = payload && payload !== BACKFILL_WAKE ? Number(payload) : Number.NEGATIVE_INFINITY;
        // While the loop is busy every change counts; while it sleeps, only one due before it wakes.
        if (!this.#wake || at < this.#sleepingUntil) this.wake();
      },
      // Changes made while the connection was down were not announced: look again.
      onConnect: () => {
        this.#unlistened = false;
        this.wake();
      },
      // Until it is back, a schedule created meanwhile must still fire on time: look often.
      onDisconnect: () => {
        this.#unlistened = true;
        this.wake();
      },
    });
  }

  start(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    this.#startedAt = performance.now();
    warmUp(this.#config);
    this.#loop = this.#run();
    this.#pruneTimer = setInterval(() => void this.#prune(), this.#config.pruneIntervalMs);
    this.#pruneTimer.unref();
  }

  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    if (this.#pruneTimer) clearInterval(this.#pruneTimer);
    this.wake();
    await this.#loop;
  }

  /** Wakes the loop now, or makes its next sleep return at once when it is busy. */
  wake(): void {
    const wake = this.#wake;
    if (wake) {
      this.#wake = null;
      wake();
    } else {
      this.#pending = true;
    }
  }

  async #run(): Promise<void> {
    let backoffMs = 100;
    while (!this.#stopped) {
      try {
        const next = await this.#store.firing.queries.nextWake();
        backoffMs = 100;
        // A big tick is prepared earlier, so that all of it is ready to commit at the tick.
        const lookahead = next ? this.#lookaheadFor(next.due, next.atMs) : this.#config.lookaheadMs;
        if (next && next.waitMs <= lookahead) {
          await this.#fireTick(next.atMs, next.waitMs, next.due);
          continue;
        }
        // Wake early enough to prepare the next tick's claim.
        const wait = (next?.waitMs ?? Number.POSITIVE_INFINITY) - lookahead;
        // The time before it goes to backfills (catch-up after downtime), a chunk at a time, so
        // fresh ticks are never held up behind them.
        let nap = Number.POSITIVE_INFINITY;
        if (this.#backfillPending && wait > BACKFILL_SLACK_MS) {
          const budget = this.#backfillBudget();
          if (budget >= BACKFILL_MIN_CHUNK) {
            const worked = await this.#backfillChunk(budget);
            if (worked > 0) continue;
            this.#backfillPending = false;
          } else {
            // Paced: look again once the rate allows a chunk.
            nap = ((BACKFILL_MIN_CHUNK - budget) / this.#backfillRate) * 1000;
          }
        }
        const poll = this.#unlistened ? UNLISTENED_POLL_MS : this.#config.pollIntervalMs;
        const slept = await this.#sleep(Math.min(wait, poll, nap), next?.atMs ?? Number.POSITIVE_INFINITY);
        // A whole poll interval without news: another instance may have made backfills meanwhile.
        if (slept === 'timeout' && wait > poll) this.#backfillPending = true;
      } catch (error) {
        // Reported through the scheduler's error filter, which reports an outage once.
        this.#emit('error', error as Error);
        await this.#sleep(backoffMs, Number.POSITIVE_INFINITY);
        backoffMs = Math.min(backoffMs * 2, MAX_BACKOFF_MS);
      }
    }
  }

  /**
   * How far ahead of a tick with `due` schedules to start preparing it: the configured lookahead
   * (0 keeps it off), plus the measured preparation cost of what exceeds one batch (about 0.15 ms
   * per schedule on 2 cores), and at least PREPARATION_MARGIN times the longest recent preparation
   * (a loaded machine prepares slower), capped at MAX_LOOKAHEAD_MS.
   */
  #lookaheadFor(due: number, atMs: number): number {
    if (this.#config.lookaheadMs === 0) return 0;
    const extra = Math.max(0, due - this.#config.claimBatchSize) * PREPARE_MS_PER_SCHEDULE;
    const measured = this.#preparationMs * PREPARATION_MARGIN;
    return Math.min(Math.max(this.#config.lookaheadMs + extra, measured), MAX_LOOKAHEAD_MS) + this.#spreadFor(atMs);
  }

  /**
   * A random 0 to SPREAD_MS more of lookahead, drawn once per tick. Instances that prepare the same
   * tick would otherwise wake in the same order tick after tick, and the first claim takes every
   * due schedule (and leases their runs to its own worker): drawn anew, the first claimer changes,
   * and so does who handles the runs. Preparing a moment earlier costs nothing.
   */
  #spreadFor(atMs: number): number {
    if (this.#spread.atMs !== atMs) this.#spread = { atMs, ms: Math.random() * SPREAD_MS };
    return this.#spread.ms;
  }
  #spread = { atMs: Number.NaN, ms: 0 };

  /**
   * Fires everything due at the tick `atMs` (epoch ms by the database's clock, `waitMs` away; both
   * may be in the past for overdue schedules). Claims are prepared in batches, each in its own
   * transaction committed as soon as it is built; several batches are kept open at once so a burst
   * of due schedules is ready together (SKIP LOCKED keeps their rows disjoint).
   */
  async #fireTick(atMs: number, waitMs: number, due: number): Promise<void> {
    const startedAt = performance.now();
    let readyAt = startedAt;
    const ready = () => {
      readyAt = Math.max(readyAt, performance.now());
    };
    const open: Promise<number>[] = [];
    const maxOpen = this.#config.fireConnections;
    // Batches big enough that the whole tick fits in the open transactions at once.
    const batchSize = Math.min(MAX_BATCH, Math.max(this.#config.claimBatchSize, Math.ceil(due / maxOpen)));
    let total = 0;
    for (;;) {
      let prepared!: (claimed: number) => void;
      const locked = new Promise<number>((resolve) => {
        prepared = resolve;
      });
      const committed = this.#claimBatch(new Date(atMs), batchSize, prepared, ready);
      // A batch that fails before it is prepared must not leave the loop waiting for it.
      committed.catch(() => prepared(0));
      open.push(committed);
      const claimed = await locked;
      total += claimed;
      if (claimed < batchSize || this.#stopped) break;
      // Keep the number of connections held by open claims bounded: wait for the oldest to commit.
      if (open.length >= maxOpen) await open.shift();
    }
    await Promise.all(open);
    if (total > 0) this.#metrics.tick(total);
    // The longest recent preparation, fading by a tenth a tick once the machine is quieter.
    if (total > 0) {
      this.#preparationMs = Math.max(readyAt - startedAt, this.#preparationMs * PREPARATION_DECAY);
    }
    // Nothing could be claimed: the tick is ahead and its schedules are claimed only at the tick
    // (overlap `skip`), or another instance (or an API write) holds their rows. Wait for the tick,
    // or a moment for the holder to commit, rather than asking again at once.
    if (total === 0) await this.#sleep(waitMs > 0 ? waitMs : LOCKED_RETRY_MS, atMs);
  }

  /**
   * Claims one batch of schedules due by `dueBy` and fires their ticks in one transaction,
   * committed ahead of the tick. The runs this process's worker has room for are leased to it
   * (`owner` is this instance): they are handed to the worker after the commit and start at the
   * tick. The others are carried by pg-boss jobs that become fetchable at the tick. Missed ticks
   * that catch-up fires more than one of become a backfill, fired a chunk at a time behind fresh
   * ticks. Calls `prepared` with how many schedules it claimed, once they are locked, and `ready`
   * once the transaction is built.
   */
  async #claimBatch(
    dueBy: Date,
    batchSize: number,
    prepared: (claimed: number) => void,
    ready: () => void,
  ): Promise<number> {
    const limits = { misfireGraceMs: this.#config.misfireGraceMs, maxCatchUpRuns: this.#config.maxCatchUpRuns };
    const handOvers: HandOvers = new Map();
    const recorded: { run: StoredRun; name: string }[] = [];
    let fired: { run: StoredRun; name: string }[] = [];
    let backfilled = false;
    // Measured for the metrics: from the claim query until the transaction is built, then its commit.
    let claimStart = 0;
    let builtAt = 0;
    let committedAt = 0;
    const claim = startClaimSpan();
    const build = async (tx: Queries): Promise<number> => {
      claimStart = performance.now();
      const rows = await tx.claimDue(batchSize, dueBy);
      // The rows are locked now: the next batch may start claiming (SKIP LOCKED passes these by)
      // while this one is prepared, so the batches of a big tick are prepared side by side.
      prepared(rows.length);
      claim.span.setAttribute(ATTRIBUTES.claimed, rows.length);
      if (rows.length === 0) return 0;
      const runs: NewRun[] = [];
      const backfills: Backfill[] = [];
      const advances = new Map<string, ScheduleAdvance>();
      let slice = performance.now();
      for (const row of rows) {
        // A big batch is planned in slices: the process keeps answering meanwhile.
        if (performance.now() - slice > SLICE_MS) {
          await new Promise((resolve) => setImmediate(resolve));
          slice = performance.now();
        }
        // Planned as of the tick, or of now for schedules already overdue.
        const planNow = row.now > dueBy ? row.now : dueBy;
        let plan: ReturnType<typeof planTicks>;
        try {
          plan = planTicks(
            {
              trigger: triggerOf(row.spec),
              nextRunAt: row.nextRunAt,
              catchUp: row.catchUp,
              catchUpWindowSeconds: row.catchUpWindowSeconds,
              overlap: row.overlap,
              previousActive: row.previousActive,
              runsLeft: row.maxRuns === null ? null : row.maxRuns - row.firedCount,
              buffered: row.buffered,
            },
            planNow,
            limits,
          );
        } catch (error) {
          // A stored expression this version cannot evaluate must not block every other schedule.
          this.#emit(
            'error',
            new Error(`schedule ${row.name}: cannot evaluate ${JSON.stringify(row.spec.cron)}; disarmed`, {
              cause: error,
            }),
          );
          advances.set(row.id, {
            id: row.id,
            nextRunAt: null,
            lastRunAt: null,
            lastFiredRunId: null,
            fired: 0,
            buffered: false,
          });
          continue;
        }
        const options = runOptionsOf(row.runOptions, this.#config);
        const base = { scheduleId: row.id, queue: row.queue, tickCount: 1, owner: null, job: false };
        let fire = plan.fire;
        const catchUp = fire.filter((tick) => tick.trigger === 'catch_up');
        if (catchUp.length > 1) {
          // Fired later, a chunk at a time: they must not hold up the fresh ticks of every schedule.
          backfills.push({
            id: uuidv7(),
            scheduleId: row.id,
            trigger: 'catch_up',
            nextAt: catchUp[0]!.scheduledFor,
            untilAt: catchUp.at(-1)!.scheduledFor,
            remaining: catchUp.length,
            // Only schedules that allow overlap fire more than one catch-up run.
            sequential: false,
          });
          fire = fire.filter((tick) => tick.trigger !== 'catch_up');
        }
        for (const tick of fire) {
          runs.push({
            ...base,
            id: uuidv7(),
            scheduledFor: tick.scheduledFor,
            lastScheduledFor: tick.scheduledFor,
            trigger: tick.trigger,
            status: 'queued',
            options,
          });
        }
        for (const at of plan.skipped) {
          runs.push({
            ...base,
            id: uuidv7(),
            scheduledFor: at,
            lastScheduledFor: at,
            trigger: 'schedule',
            status: 'skipped',
            options: null,
          });
        }
        if (plan.missed) {
          const { first, last, count } = plan.missed;
          runs.push({
            ...base,
            id: uuidv7(),
            scheduledFor: first,
            lastScheduledFor: last,
            tickCount: count,
            trigger: 'schedule',
            status: 'missed',
            options: null,
          });
        }
        // Counted as planned: catch-up ticks moved to a backfill count too (they will fire).
        advances.set(row.id, {
          id: row.id,
          nextRunAt: plan.nextRunAt,
          lastRunAt: null,
          lastFiredRunId: null,
          fired: plan.fire.length,
          buffered: plan.buffered,
        });
      }

      const sources = new Map<string, RunSource>(rows.map((row) => [row.id, row]));
      fired = await this.#dispatch(tx, runs, sources, dueBy, handOvers, recorded);
      for (const { run } of fired) {
        const advance = advances.get(run.scheduleId)!;
        if (!advance.lastRunAt || run.scheduledFor > advance.lastRunAt) {
          advance.lastRunAt = run.scheduledFor;
          advance.lastFiredRunId = run.id;
        }
      }
      await tx.insertBackfills(backfills);
      backfilled = backfills.length > 0;
      await tx.advanceSchedules([...advances.values()]);
      ready();
      builtAt = performance.now();
      return rows.length;
    };
    // Started with the claim's span active: whatever the app traces beneath (pg queries) nests in it.
    const transaction = withContext(claim.context, () => this.#store.firing.transaction(build)).then((claimed) => {
      // Right after COMMIT answered, before the hand-over and the events.
      committedAt = performance.now();
      return claimed;
    });
    let claimed: number;
    try {
      claimed = await this.#settle(transaction, dueBy, handOvers, () => fired, recorded);
    } catch (error) {
      endSpan(claim.span, error as Error);
      throw error;
    }
    endSpan(claim.span);
    if (claimed > 0) this.#metrics.claim((builtAt - claimStart) / 1000, (committedAt - builtAt) / 1000);
    if (backfilled) this.#backfillPending = true;
    return claimed;
  }

  /**
   * Fires up to BACKFILL_CHUNK runs of pending backfills (catch-up after downtime, requested
   * ranges) in one transaction, committed at once: each with its own instant and trigger, behind
   * fresh ticks (the local worker's backlog lane, or pg-boss at a lower priority). A tick already
   * recorded is not fired again, so a range is fired exactly once whoever works on it. Returns how
   * many backfills it worked on (0: none left that it could lock).
   */
  /**
   * How many backfill runs may be fired now: the pace (runs a second) times the time since the
   * last chunk, at most a chunk. The pace adapts to the fresh ticks: while this process's workers
   * start them late (over FRESH_LATE_MS at the 90th percentile of the recent ones), it halves;
   * otherwise (on time, or no fresh tick lately) it grows by a quarter. There is no band in which it
   * holds: on a host whose fresh ticks sit at 10-25 ms anyway, a band there kept the pace at its
   * start (100 a second) for a whole catch-up, 3.5 times slower than the same code elsewhere.
   */
  #backfillBudget(): number {
    const now = performance.now();
    // A process that just started is busiest with its first ticks (and the first of everything):
    // backfills wait a moment.
    if (now - this.#startedAt < BACKFILL_START_DELAY_MS) return 0;
    const late = this.#freshLateness();
    if (now - this.#paceAdjustedAt > PACE_ADJUST_MS) {
      if (late !== null && late > FRESH_LATE_MS)
        this.#backfillRate = Math.max(MIN_BACKFILL_RATE, this.#backfillRate / 2);
      else this.#backfillRate = Math.min(MAX_BACKFILL_RATE, this.#backfillRate * 1.25);
      this.#paceAdjustedAt = now;
    }
    const elapsed = Math.min(now - this.#lastChunkAt, 1000);
    return Math.min(BACKFILL_CHUNK, Math.floor((this.#backfillRate * elapsed) / 1000));
  }

  async #backfillChunk(limit: number): Promise<number> {
    this.#lastChunkAt = performance.now();
    const handOvers: HandOvers = new Map();
    const recorded: { run: StoredRun; name: string }[] = [];
    let fired: { run: StoredRun; name: string }[] = [];
    let now = new Date();
    const transaction = this.#store.firing.transaction(async (tx) => {
      const rows = await tx.claimBackfills(BACKFILL_ROWS);
      if (rows.length === 0) return 0;
      now = await tx.now();
      const runs: NewRun[] = [];
      const advances: { id: string; nextAt: Date; remaining: number; lastRunId: string | null }[] = [];
      const done: string[] = [];
      let budget = limit;
      for (const row of rows) {
        if (row.deleted) {
          done.push(row.id);
          continue;
        }
        if (budget <= 0) break;
        // A sequential backfill fires one run per chunk, and is claimed again once it has ended.
        const take = Math.min(budget, row.remaining, row.sequential ? 1 : Number.MAX_SAFE_INTEGER);
        let ticks: Date[];
        try {
          ticks = triggerOf(row.spec).occurrences(row.nextAt, row.untilAt, take);
        } catch (error) {
          this.#emit('error', new Error(`backfill of schedule ${row.name} dropped`, { cause: error }));
          done.push(row.id);
          continue;
        }
        budget -= ticks.length;
        const remaining = row.remaining - ticks.length;
        const last = ticks.at(-1);
        // Fewer than asked: the range is used up. None left to fire: so is the backfill.
        const ids = ticks.map(() => uuidv7());
        if (!last || ticks.length < take || remaining === 0) done.push(row.id);
        else
          advances.push({
            id: row.id,
            nextAt: new Date(last.getTime() + 1),
            remaining,
            lastRunId: row.sequential ? ids.at(-1)! : null,
          });
        for (const [i, at] of ticks.entries()) {
          runs.push({
            id: ids[i]!,
            scheduleId: row.scheduleId,
            scheduledFor: at,
            lastScheduledFor: at,
            tickCount: 1,
            trigger: row.trigger,
            status: 'queued',
            queue: row.queue,
            owner: null,
            job: false,
            options: runOptionsOf(row.runOptions, this.#config),
          });
        }
      }
      const sources = new Map<string, RunSource>(rows.map((row) => [row.scheduleId, { ...row, id: row.scheduleId }]));
      fired = await this.#dispatch(tx, runs, sources, now, handOvers, recorded);
      const lastRuns = new Map<string, Date>();
      for (const { run } of fired) {
        const seen = lastRuns.get(run.scheduleId);
        if (!seen || run.scheduledFor > seen) lastRuns.set(run.scheduleId, run.scheduledFor);
      }
      await tx.touchLastRun(lastRuns);
      await tx.advanceBackfills(advances);
      await tx.deleteBackfills(done);
      return rows.length;
    });
    return this.#settle(transaction, now, handOvers, () => fired, recorded);
  }

  /**
   * Inserts the runs and decides who carries each fired one: this process's worker as far as it
   * has room (fresh ticks) or free slots (catch-up and backfill runs, which must not take the room
   * fresh ticks need), pg-boss for the rest, fetchable from `dueBy` (the NOTIFY, delivered at
   * commit, tells workers when). Returns the fired runs; skipped and missed records go to `recorded`.
   */
  async #dispatch(
    tx: Queries,
    runs: NewRun[],
    sources: Map<string, RunSource>,
    dueBy: Date,
    handOvers: HandOvers,
    recorded: { run: StoredRun; name: string }[],
  ): Promise<{ run: StoredRun; name: string }[]> {
    const lease = this.#lease;
    const owner = lease.id;
    // Runs are leased to this process only while its lease holds; otherwise pg-boss carries them,
    // and any instance's worker takes them. (Should the lease lapse before the tick, the worker
    // holds them back until it is renewed, or until the instance that takes them over runs them.)
    const canLease = lease.valid();
    const toFire = Map.groupBy(
      runs.filter((run) => run.status === 'queued'),
      (run) => run.queue,
    );
    for (const [queue, queued] of toFire) {
      const worker = canLease ? this.#localWorker(queue) : undefined;
      if (!worker) {
        for (const run of queued) run.job = true;
        continue;
      }
      const fresh = queued.filter((run) => !isBacklog(run));
      const backlog = queued.filter(isBacklog);
      const reserved =
        worker.reserve(fresh.length, dueBy.getTime()) + worker.reserveFree(backlog.length, dueBy.getTime());
      if (reserved > 0)
        handOvers.set(worker, { reserved: (handOvers.get(worker)?.reserved ?? 0) + reserved, runs: [] });
      // Fresh ticks first: they take what was reserved, in order.
      [...fresh, ...backlog].forEach((run, i) => {
        if (i < reserved) run.owner = owner;
        else run.job = true;
      });
    }

    const inserted = await tx.insertRuns(runs);
    const leasedIds = new Set(runs.filter((run) => run.owner !== null).map((run) => run.id));
    const jobsByQueue = new Map<string, NewJob[]>();
    const fired: { run: StoredRun; name: string }[] = [];
    for (const run of inserted) {
      const source = sources.get(run.scheduleId)!;
      if (run.status !== 'queued') {
        recorded.push({ run, name: source.name });
        continue;
      }
      const backlog = isBacklog(run);
      if (leasedIds.has(run.id)) {
        handOvers.get(this.#localWorker(run.queue)!)?.runs.push({
          id: run.id,
          scheduleId: source.id,
          scheduleName: source.name,
          scheduledFor: run.scheduledFor,
          firedAt: run.enqueuedAt ?? run.scheduledFor,
          trigger: run.trigger,
          fields: source.fields,
          options: run.options ?? runOptionsOf(NO_OVERRIDES, this.#config),
          target: source.target,
          owner,
          backlog,
        });
      } else {
        const jobs = jobsByQueue.get(run.queue) ?? [];
        const options = run.options ?? runOptionsOf(NO_OVERRIDES, this.#config);
        jobs.push({
          ...jobOptions(options, run),
          id: run.id,
          data: runJobData(run, source, 0, options),
          startAfter: run.enqueuedAt ?? run.scheduledFor,
        });
        jobsByQueue.set(run.queue, jobs);
      }
      fired.push({ run, name: source.name });
    }
    // The jobs commit with the runs, or none of them does.
    for (const [queue, jobs] of jobsByQueue) {
      await this.#boss.enqueue(queue, jobs, tx.executor);
      const message: RunsMessage = { q: queue, at: dueBy.getTime() };
      await tx.notify(runsChannel(this.#config), JSON.stringify(message));
    }
    return fired;
  }

  /**
   * After a claim or chunk transaction: gives back the room it reserved if it rolled back, hands
   * the leased runs to the workers (due at `dueBy`) if it committed, and emits the events.
   */
  async #settle(
    transaction: Promise<number>,
    dueBy: Date,
    handOvers: HandOvers,
    fired: () => { run: StoredRun; name: string }[],
    recorded: { run: StoredRun; name: string }[],
  ): Promise<number> {
    let result: number;
    try {
      result = await transaction;
    } catch (error) {
      // Rolled back (or perhaps not, see below): nothing goes to the workers; free the promised room.
      for (const [worker, { reserved }] of handOvers) worker.unreserve(reserved, dueBy.getTime());
      // COMMIT went unanswered: the claim may have committed (a crash after the commit record, a
      // failover to a synchronous standby that had it), leaving runs held under our id that no worker
      // here knows of. Our lease stays alive, so no reaper would ever hand them over: give up the id,
      // and they are handed over once its lease runs out, like a dead instance's runs.
      if (error instanceof CommitOutcomeUnknown && [...handOvers.values()].some(({ runs }) => runs.length > 0)) {
        this.#lease.renounce();
      }
      throw error;
    }
    for (const [worker, { reserved, runs }] of handOvers) worker.accept(runs, dueBy.getTime(), reserved);
    // Events only after the commit: a rolled-back claim fired nothing.
    for (const { run, name } of fired()) this.#emit('fired', { ...publicRun(run), scheduleName: name });
    for (const { run, name } of recorded) {
      this.#emit('missed', {
        scheduleId: run.scheduleId,
        scheduleName: name,
        status: run.status as 'missed' | 'skipped',
        count: run.tickCount,
        firstScheduledFor: run.scheduledFor,
        lastScheduledFor: run.lastScheduledFor,
      });
    }
    return result;
  }

  /**
   * Sleeps up to `ms`; wake() or a notification of a schedule due before `until` (epoch ms by the
   * database's clock) ends it early.
   */
  #sleep(ms: number, until: number): Promise<'timeout' | 'woken'> {
    // A wake that came while the loop was busy is a change its last look may have missed: look again.
    if (this.#stopped || this.#pending) {
      this.#pending = false;
      return Promise.resolve('woken');
    }
    this.#sleepingUntil = until;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#wake = null;
        resolve('timeout');
      }, ms);
      this.#wake = () => {
        clearTimeout(timer);
        resolve('woken');
      };
    });
  }

  async #prune(): Promise<void> {
    try {
      await this.#store.prune(this.#config.runRetentionSeconds, PRUNE_BATCH);
    } catch (error) {
      this.#emit('error', new Error(`pruning run history failed: ${(error as Error).message}`, { cause: error }));
    }
  }
}
