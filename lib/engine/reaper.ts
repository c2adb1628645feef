/**
 * Hands over the runs an instance holds when it can no longer run them: another instance's runs
 * once its lease has run out (it was killed, cut off, or stalled), and this instance's own at stop.
 * Every instance looks for expired leases twice a second; the takeover of one instance is a single
 * transaction that locks its row (SKIP LOCKED: one reaper at a time), so its runs are handed over
 * exactly once.
 *
 * A handed-over run is carried by a pg-boss job from then on, and any instance's worker takes it.
 * Attempt numbers never repeat: an attempt that the dead instance may have started counts, and is
 * logged as `lost`, so the next attempt has a higher number (at-least-once, no duplicate start of
 * one attempt).
 */
import { type Boss, jobOptions, type NewJob, NO_OVERRIDES, runJobData } from '../boss.ts';
import { runOptionsOf, type SchedulerConfig } from '../config.ts';
import type { HandOff, HeldRun, Queries, Store } from '../store/store.ts';
import { monotonicNow } from './lease.ts';

type ReportError = (error: Error) => void;

/** How often each instance looks for expired leases. */
const REAP_MS = 500;
/** Beyond the lease's end by the database's clock before it is taken over: clock-rate differences. */
const REAP_GRACE_MS = 100;

/** What to do with one held run: the attempts it counts from now, and the attempt cut short, if any. */
export type Decision = Omit<HandOff, 'id'>;

/** Where handed-over runs come due, per queue (for the workers' wake-up). */
export type Due = Map<string, number>;

/**
 * Hands the open runs `owner` holds to pg-boss, in the caller's transaction: a job for each run
 * that had none, the active attempt of a job released, and the run rows updated and logged.
 */
export async function handOver(
  tx: Queries,
  boss: Boss,
  config: SchedulerConfig,
  owner: string,
  decide: (run: HeldRun) => Decision,
): Promise<Due> {
  const held = await tx.openRunsOfOwner(owner);
  const handOffs: HandOff[] = [];
  const jobs = new Map<string, NewJob[]>();
  const due: Due = new Map();
  const now = await tx.now();
  const soonest = (queue: string, at: number) => due.set(queue, Math.min(due.get(queue) ?? at, at));
  for (const run of held) {
    const decision = decide(run);
    handOffs.push({ id: run.id, ...decision });
    if (!run.job) {
      const startAfter = new Date(Math.max(now.getTime(), (run.enqueuedAt ?? run.scheduledFor).getTime()));
      const list = jobs.get(run.queue) ?? [];
      const options = run.options ?? runOptionsOf(NO_OVERRIDES, config);
      list.push({
        // Lost and released attempts are not the run's fault: only failures use up retries.
        ...jobOptions(options, run, options.retryLimit - run.failures),
        id: run.id,
        data: runJobData(
          run,
          { id: run.scheduleId, name: run.scheduleName, fields: run.fields, target: run.target },
          decision.attempts,
          options,
        ),
        startAfter,
      });
      jobs.set(run.queue, list);
      soonest(run.queue, startAfter.getTime());
    } else if (run.status === 'running') {
      await boss.release(run.queue, run.id, decision.error ?? 'released', tx.executor);
      soonest(run.queue, now.getTime() + (run.options?.retryDelaySeconds ?? config.retryDelaySeconds) * 1000);
    }
  }
  for (const [queue, list] of jobs) await boss.enqueue(queue, list, tx.executor);
  await tx.handOffRuns(handOffs);
  return due;
}

/** How this instance gives back what it holds at stop: the handlers that did not finish are released. */
export function decideAtStop(run: HeldRun): Decision {
  if (run.status === 'running') {
    return {
      attempts: run.attempts,
      outcome: 'released',
      error: 'released: the worker stopped before the run finished',
      attemptStartedAt: run.startedAt,
    };
  }
  // Leased and never started: the worker stopped first.
  return { attempts: run.attempts, outcome: null, error: null, attemptStartedAt: null };
}

/**
 * How a dead instance's runs are taken over. A recorded start is certain; a leased run with no
 * recorded start may still have started, if its instant came before the lease ran out (its start
 * is recorded a moment after it): that attempt counts too.
 */
export function decideAtTakeover(instance: { name: string; leaseUntil: Date }) {
  const lost = `lost: instance ${instance.name} stopped answering (its lease ran out at ${instance.leaseUntil.toISOString()})`;
  return (run: HeldRun): Decision => {
    if (run.status === 'running') {
      return { attempts: run.attempts, outcome: 'lost', error: lost, attemptStartedAt: run.startedAt };
    }
    const due = (run.enqueuedAt ?? run.scheduledFor).getTime();
    if (!run.job && due < instance.leaseUntil.getTime()) {
      return {
        attempts: run.attempts + 1,
        outcome: 'lost',
        error: `${lost} before reporting whether it started this attempt`,
        attemptStartedAt: null,
      };
    }
    return { attempts: run.attempts, outcome: null, error: null, attemptStartedAt: null };
  };
}

export class Reaper {
  readonly #store: Store;
  readonly #boss: Boss;
  readonly #config: SchedulerConfig;
  readonly #reportError: ReportError;
  readonly #notify: (tx: Queries, due: Due) => Promise<void>;
  #timer: NodeJS.Timeout | null = null;
  #pass: Promise<void> | null = null;
  #stopped = true;
  /** The last pass failed (the database did not answer). */
  #failing = false;
  /** When passes started succeeding again after failing (local ms); -Infinity: never failed. */
  #healthySince = Number.NEGATIVE_INFINITY;

  constructor(
    store: Store,
    boss: Boss,
    config: SchedulerConfig,
    notify: (tx: Queries, due: Due) => Promise<void>,
    reportError: ReportError,
  ) {
    this.#store = store;
    this.#boss = boss;
    this.#config = config;
    this.#notify = notify;
    this.#reportError = reportError;
  }

  start(): void {
    this.#stopped = false;
    this.#schedule(0);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    await this.#pass;
  }

  #schedule(ms: number): void {
    if (this.#stopped) return;
    // Jittered, so instances started together do not all look at once.
    this.#timer = setTimeout(
      () => {
        this.#pass = this.reap()
          .then(
            () => {},
            (error: Error) => {
              this.#failing = true;
              this.#reportError(error);
            },
          )
          .finally(() => {
            this.#pass = null;
            this.#schedule(REAP_MS);
          });
      },
      ms * (0.75 + Math.random() / 2),
    );
    this.#timer.unref();
  }

  /** One pass: takes over every instance whose lease ran out. Returns how many it took over. */
  async reap(): Promise<number> {
    let taken = 0;
    const expired = await this.#store.queries.expiredInstances(REAP_GRACE_MS);
    if (this.#failing) this.#healthySince = monotonicNow();
    this.#failing = false;
    // Just after an outage of the database, every lease ran out only because nobody could renew:
    // give their holders one lease to renew before taking anything over.
    if (monotonicNow() - this.#healthySince < this.#config.leaseMs) return 0;
    for (const id of expired) {
      // Our own lease, too, when it ran out (a long stall): nothing of ours could start meanwhile
      // (see InstanceLease), and the lease registers again under a new id.
      const took = await this.#store.transaction(async (tx) => {
        const instance = await tx.lockExpiredInstance(id, REAP_GRACE_MS);
        if (!instance) return false;
        const due = await handOver(tx, this.#boss, this.#config, id, decideAtTakeover(instance));
        await tx.deleteInstance(id);
        await this.#notify(tx, due);
        return true;
      });
      if (took) taken++;
    }
    return taken;
  }
}
