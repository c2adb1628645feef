/**
 * The loop that claims due schedules and fires them. Every instance with `fire: true` runs one; they
 * need no leader: claims use FOR UPDATE SKIP LOCKED on the schedule rows and the runs' unique
 * (schedule, instant) key, in one transaction with the pg-boss insert and the advance of next_run_at.
 */
import { randomUUID } from 'node:crypto';
import { type Boss, type RunJob, runJob } from './boss.ts';
import type { SchedulerConfig } from './config.ts';
import { parseCron } from './cron.ts';
import type { Listener } from './listener.ts';
import { planTicks } from './plan.ts';
import { type NewRun, publicRun, type Store } from './store.ts';
import type { Run, SchedulerEvents } from './types.ts';

type Emit = <E extends keyof SchedulerEvents>(event: E, ...args: SchedulerEvents[E]) => void;

/** This process's worker for a queue, which can take runs straight from a claim (see RunWorker). */
export interface LocalWorker {
  reserve(count: number): number;
  handOver(jobs: RunJob[], reserved: number): void;
  unreserve(reserved: number): void;
}

/** The NOTIFY channel that re-arms tickers when a schedule changes (payload: its next run, epoch ms). */
export function wakeChannel(config: SchedulerConfig): string {
  return `${config.schema}_wake`;
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

/** The NOTIFY channel that wakes workers when runs are committed (payload: the queue). */
export function runsChannel(config: SchedulerConfig): string {
  return `${config.schema}_runs`;
}

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

export class Ticker {
  readonly #store: Store;
  readonly #boss: Boss;
  readonly #config: SchedulerConfig;
  readonly #emit: Emit;
  readonly #localWorker: (queue: string) => LocalWorker | undefined;
  #stopped = true;
  #loop: Promise<void> | null = null;
  /** Set while the loop sleeps: ends the sleep. */
  #wake: (() => void) | null = null;
  #pending = false;
  /** The database-clock instant (epoch ms) the loop sleeps until; a change due earlier wakes it. */
  #sleepingUntil = Number.POSITIVE_INFINITY;
  #pruneTimer: NodeJS.Timeout | null = null;
  /** The longest recent time from starting a tick's claim to having it ready to commit, ms. */
  #preparationMs = 0;

  constructor(
    store: Store,
    boss: Boss,
    config: SchedulerConfig,
    emit: Emit,
    listener: Listener,
    localWorker: (queue: string) => LocalWorker | undefined,
  ) {
    this.#localWorker = localWorker;
    this.#store = store;
    this.#boss = boss;
    this.#config = config;
    this.#emit = emit;
    listener.subscribe(wakeChannel(config), {
      onMessage: (payload) => {
        const at = payload ? Number(payload) : Number.NEGATIVE_INFINITY;
        // While the loop is busy every change counts; while it sleeps, only one due before it wakes.
        if (!this.#wake || at < this.#sleepingUntil) this.wake();
      },
      // Changes made while the connection was down were not announced: look again.
      onConnect: () => this.wake(),
    });
  }

  start(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
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
        const lookahead = next ? this.#lookaheadFor(next.due) : this.#config.lookaheadMs;
        if (next && next.waitMs <= lookahead) {
          await this.#fireTick(next.atMs, next.waitMs, next.due);
          continue;
        }
        // Wake early enough to prepare the next tick's claim.
        const wait = (next?.waitMs ?? Number.POSITIVE_INFINITY) - lookahead;
        await this.#sleep(Math.min(wait, this.#config.pollIntervalMs), next?.atMs ?? Number.POSITIVE_INFINITY);
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
  #lookaheadFor(due: number): number {
    if (this.#config.lookaheadMs === 0) return 0;
    const extra = Math.max(0, due - this.#config.claimBatchSize) * PREPARE_MS_PER_SCHEDULE;
    const measured = this.#preparationMs * PREPARATION_MARGIN;
    return Math.min(Math.max(this.#config.lookaheadMs + extra, measured), MAX_LOOKAHEAD_MS);
  }

  /**
   * Fires everything due at the tick `atMs` (epoch ms by the database's clock, `waitMs` away; both
   * may be in the past for overdue schedules). Claims are prepared in batches, each in its own
   * transaction, and every prepared transaction commits at the tick: pg-boss's NOTIFY and the jobs
   * become visible to workers then, not when the claim work is done. Several batches are kept open
   * at once so a burst of due schedules is ready together; SKIP LOCKED keeps their rows disjoint.
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
   * Claims one batch of schedules due by `dueBy` and fires their ticks in one transaction, which
   * commits at `dueBy` by the database's clock: the database holds the commit back, so a busy event
   * loop here cannot make it late. Calls `prepared` with how many it claimed, once they are locked,
   * and `ready` once the transaction is built and only waits for its commit.
   */
  async #claimBatch(
    dueBy: Date,
    batchSize: number,
    prepared: (claimed: number) => void,
    ready: () => void,
  ): Promise<number> {
    const limits = { misfireGraceMs: this.#config.misfireGraceMs, maxCatchUpRuns: this.#config.maxCatchUpRuns };
    const fired: { run: Run & { queue: string }; name: string }[] = [];
    const recorded: { run: Run; name: string }[] = [];
    const handOvers: { worker: LocalWorker; reserved: number; jobs: RunJob[] }[] = [];
    // THE COMMIT IS THE FIRING: it happens at the tick, not before.
    const transaction = this.#store.firing.transactionCommittingAt(dueBy, async (tx) => {
      const rows = await tx.claimDue(batchSize, dueBy);
      // The rows are locked now: the next batch may start claiming (SKIP LOCKED passes these by)
      // while this one is prepared, so the batches of a big tick are prepared side by side.
      prepared(rows.length);
      if (rows.length === 0) return 0;
      const runs: NewRun[] = [];
      const byId = new Map(rows.map((row) => [row.id, row]));
      const advances = new Map<
        string,
        { id: string; nextRunAt: Date | null; lastRunAt: Date | null; lastFiredRunId: string | null }
      >();
      for (const row of rows) {
        // Planned as of the tick (the commit instant), or of now for schedules already overdue.
        const planNow = row.now > dueBy ? row.now : dueBy;
        let plan: ReturnType<typeof planTicks>;
        try {
          plan = planTicks(
            {
              cron: parseCron(row.cron, row.timezone),
              nextRunAt: row.nextRunAt,
              catchUp: row.catchUp,
              catchUpWindowSeconds: row.catchUpWindowSeconds,
              overlap: row.overlap,
              previousActive: row.previousActive,
            },
            planNow,
            limits,
          );
        } catch (error) {
          // A stored expression this version cannot evaluate must not block every other schedule.
          this.#emit(
            'error',
            new Error(`schedule ${row.name}: cannot evaluate ${JSON.stringify(row.cron)}; disarmed`, { cause: error }),
          );
          advances.set(row.id, { id: row.id, nextRunAt: null, lastRunAt: null, lastFiredRunId: null });
          continue;
        }
        const base = { scheduleId: row.id, queue: row.queue, tickCount: 1 };
        for (const tick of plan.fire) {
          runs.push({
            ...base,
            id: randomUUID(),
            scheduledFor: tick.scheduledFor,
            lastScheduledFor: tick.scheduledFor,
            trigger: tick.trigger,
            status: 'queued',
          });
        }
        for (const at of plan.skipped) {
          runs.push({
            ...base,
            id: randomUUID(),
            scheduledFor: at,
            lastScheduledFor: at,
            trigger: 'schedule',
            status: 'skipped',
          });
        }
        if (plan.missed) {
          const { first, last, count } = plan.missed;
          runs.push({
            ...base,
            id: randomUUID(),
            scheduledFor: first,
            lastScheduledFor: last,
            tickCount: count,
            trigger: 'schedule',
            status: 'missed',
          });
        }
        advances.set(row.id, { id: row.id, nextRunAt: plan.nextRunAt, lastRunAt: null, lastFiredRunId: null });
      }

      const inserted = await tx.insertRuns(runs);
      const jobsByQueue = new Map<string, ReturnType<typeof runJob>[]>();
      for (const run of inserted) {
        const row = byId.get(run.scheduleId)!;
        if (run.status !== 'queued') {
          recorded.push({ run, name: row.name });
          continue;
        }
        const jobs = jobsByQueue.get(run.queue) ?? [];
        jobs.push(runJob(run, row));
        jobsByQueue.set(run.queue, jobs);
        const advance = advances.get(row.id)!;
        if (!advance.lastRunAt || run.scheduledFor > advance.lastRunAt) {
          advance.lastRunAt = run.scheduledFor;
          advance.lastFiredRunId = run.id;
        }
        fired.push({ run, name: row.name });
      }
      // The jobs commit with the runs and the advance, or none of them does.
      for (const [queue, jobs] of jobsByQueue) {
        await this.#boss.enqueue(queue, jobs, tx.executor);
        // This process's own worker takes what it has room for now, in this transaction: the
        // fetch is done before the tick, and its handlers start at the commit.
        const worker = this.#localWorker(queue);
        const reserved = worker?.reserve(jobs.length) ?? 0;
        if (worker && reserved > 0) {
          const handOver = { worker, reserved, jobs: [] as RunJob[] };
          handOvers.push(handOver);
          handOver.jobs = await this.#boss.fetch(queue, reserved, tx.executor);
        }
        // Delivered at commit, like the jobs: other workers fetch the rest the moment they are visible.
        if (reserved < jobs.length) await tx.notify(runsChannel(this.#config), queue);
      }
      await tx.advanceSchedules([...advances.values()]);
      ready();
      return rows.length;
    });
    let claimed: number;
    try {
      claimed = await transaction;
    } catch (error) {
      // Rolled back: the fetched jobs are not active, nor even there; free the promised slots.
      for (const { worker, reserved } of handOvers) worker.unreserve(reserved);
      throw error;
    }
    for (const { worker, reserved, jobs } of handOvers) worker.handOver(jobs, reserved);
    // Events only after the commit: a rolled-back claim fired nothing.
    for (const { run, name } of fired) this.#emit('fired', { ...publicRun(run), scheduleName: name });
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
    return claimed;
  }

  /**
   * Sleeps up to `ms`; wake() or a notification of a schedule due before `until` (epoch ms by the
   * database's clock) ends it early.
   */
  #sleep(ms: number, until: number): Promise<void> {
    // A wake that came while the loop was busy is a change its last look may have missed: look again.
    if (this.#stopped || this.#pending) {
      this.#pending = false;
      return Promise.resolve();
    }
    this.#sleepingUntil = until;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#wake = null;
        resolve();
      }, ms);
      this.#wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  async #prune(): Promise<void> {
    try {
      await this.#store.pruneRuns(this.#config.runRetentionSeconds, PRUNE_BATCH);
    } catch (error) {
      this.#emit('error', new Error(`pruning run history failed: ${(error as Error).message}`, { cause: error }));
    }
  }
}
