/**
 * The facade: lifecycle and public methods. It validates input, then delegates to the store (SQL),
 * boss (pg-boss), ticker (firing) and workers (handlers). No SQL here.
 */
import { EventEmitter } from 'node:events';
import { type Boss, createBoss, jobOptions, runJobData } from './boss.ts';
import { resolveConfig, runOptionsOf, type SchedulerConfig, type SchedulerOptions } from './config.ts';
import { MAX_PREVIEW_YEARS, preview } from './cron.ts';
import {
  armAt,
  checkObject,
  collect,
  type DefinitionContext,
  sameDefinition,
  sameTiming,
  specOf,
  valuesFromInput,
  valuesFromPatch,
} from './definition.ts';
import { InstanceLease } from './engine/lease.ts';
import { Listener } from './engine/listener.ts';
import { type Due, decideAtStop, handOver, Reaper } from './engine/reaper.ts';
import { Reconciler } from './engine/reconciler.ts';
import { RunRecorder } from './engine/recorder.ts';
import { StaleWatch } from './engine/stale.ts';
import {
  BACKFILL_WAKE,
  probeChannel,
  type RunsMessage,
  runsChannel,
  Ticker,
  wakeChannel,
  wakeNeeded,
} from './engine/ticker.ts';
import { RunWorker } from './engine/worker.ts';
import {
  asDatabaseError,
  asPoolerError,
  ConflictError,
  DatabaseError,
  type FieldIssue,
  isUnavailable,
  NotFoundError,
  NotStartedError,
  PreconditionFailedError,
  ValidationError,
} from './errors.ts';
import { BACKLOG_GRACE_SECONDS, createMetrics, type EngineMetrics } from './metrics.ts';
import {
  fullTargetOf,
  type PausedSchedule,
  publicRun,
  type Queries,
  type ScheduleValues,
  Store,
} from './store/store.ts';
import { createRunDelivery, type RunDelivery } from './targets/run.ts';
import { activeCarrier } from './tracing.ts';
import { formatEvery, type Trigger, triggerOf } from './triggers/index.ts';
import {
  type BackfillInput,
  type BackfillResult,
  type ListRunsOptions,
  type ListSchedulesOptions,
  type Page,
  type PreviewInput,
  type Run,
  type RunHandler,
  type Schedule,
  type ScheduleInput,
  type SchedulePatch,
  type SchedulePreview,
  type Scheduler,
  type SchedulerEvents,
  type SchedulerMetrics,
  type StaleSchedule,
  SYNC_REMOVALS,
  type SyncOptions,
  type SyncRemoval,
  type SyncResult,
  type UpsertResult,
  type WorkOptions,
  type WriteConditions,
} from './types.ts';
import { uuidv7 } from './uuid.ts';
import {
  checkBoolean,
  checkDate,
  checkInteger,
  checkOneOf,
  checkOverlap,
  checkQueueName,
  checkRunStatus,
  decodeCursor,
  encodeCursor,
  isUuid,
} from './validate.ts';

/** How often, during a database outage, the scheduler checks whether it is over. */
const OUTAGE_PROBE_MS = 1000;

/** Creates a scheduler. Nothing connects until `start()`. Throws ValidationError for bad options. */
export function createScheduler(options: SchedulerOptions): Scheduler {
  return new PgScheduler(resolveConfig(options));
}

/** Database unreachability surfaces as DatabaseError (code `database`); every other error unchanged. */
function guard<T>(operation: Promise<T>): Promise<T> {
  return operation.catch((error: unknown) => {
    throw asDatabaseError(error);
  });
}

function checkSearch(field: string, value: unknown): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 128 || value.includes('\0')) {
    throw new ValidationError({ field, value, expected: 'a part of a name: 1-128 characters' });
  }
  return value;
}

function checkKey(field: string, value: unknown): string {
  // NUL: PostgreSQL text cannot hold it, so the lookup would fail in the database instead of here.
  if (typeof value !== 'string' || value.length === 0 || value.length > 128 || value.includes('\0')) {
    throw new ValidationError({ field, value, expected: 'a schedule id or name' });
  }
  return value;
}

/** The `ifMatch` of write conditions, checked (a version is a positive integer). */
function checkConditions(conditions: WriteConditions): number | '*' | undefined {
  checkObject('conditions', conditions);
  if (conditions.ifMatch !== undefined && conditions.ifMatch !== '*') {
    checkInteger('ifMatch', conditions.ifMatch, 1, Number.MAX_SAFE_INTEGER);
  }
  if (conditions.ifNoneMatch !== undefined) checkBoolean('ifNoneMatch', conditions.ifNoneMatch);
  return conditions.ifMatch;
}

function checkOwner(field: string, value: unknown): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 128 || value.includes('\0')) {
    throw new ValidationError({ field, value, expected: 'an owner name: 1-128 characters' });
  }
  return value;
}

/** Most ticks one backfill fires. */
const MAX_BACKFILL_TICKS = 10_000;

/** Most years one listing of instants covers, as for cron previews. */
const UPCOMING_SPAN_MS = MAX_PREVIEW_YEARS * 365.2425 * 86_400_000;

/** The next `count` instants strictly after `from`, within 20 years of the first. */
function upcomingOf(trigger: Trigger, count: number, from: Date): Date[] {
  const out: Date[] = [];
  let at = count > 0 ? trigger.next(from) : null;
  const until = at ? at.getTime() + UPCOMING_SPAN_MS : 0;
  while (at !== null && out.length < count && at.getTime() <= until) {
    out.push(at);
    at = trigger.next(at);
  }
  return out;
}

/** Checks a page request's limit (1-1000, default 100), cursor and filter together, reporting every issue. */
function checkPage(
  options: { limit?: number; cursor?: string | null },
  checkFilter: () => void,
): { limit: number; cursor: { t: string; id: string } | null } {
  let limit = 100;
  let cursor: { t: string; id: string } | null = null;
  collect([
    () => {
      if (options.limit !== undefined) limit = checkInteger('limit', options.limit, 1, 1000);
    },
    () => {
      if (options.cursor) cursor = decodeCursor('cursor', options.cursor);
    },
    checkFilter,
  ]);
  return { limit, cursor };
}

/** The first `limit` rows of `limit + 1` fetched, and a cursor after the last one when there are more. */
function toPage<T>(rows: T[], limit: number, cursorOf: (last: T) => string): Page<T> {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items, nextCursor: rows.length > limit && last !== undefined ? cursorOf(last) : null };
}

class PgScheduler extends EventEmitter<SchedulerEvents> implements Scheduler {
  readonly #config: SchedulerConfig;
  /** What definitions are completed and checked with: the default queue, the webhook policy. */
  get #definitions(): DefinitionContext {
    return { queue: this.#config.queue, policy: this.#config.webhookPolicy };
  }
  #store: Store | null = null;
  #boss: Boss | null = null;
  #lease: InstanceLease | null = null;
  #recorder: RunRecorder | null = null;
  #reaper: Reaper | null = null;
  #reconciler: Reconciler | null = null;
  #staleWatch: StaleWatch | null = null;
  #listener: Listener | null = null;
  #ticker: Ticker | null = null;
  #workers: RunWorker[] = [];
  /** Delivers webhook runs for every worker of this scheduler (one limiter per destination). */
  #deliver: RunDelivery | null = null;
  #starting: Promise<void> | null = null;
  /** Set during a database outage: further connection errors are not reported, a probe looks for the end. */
  #outage: NodeJS.Timeout | null = null;
  readonly #metrics: EngineMetrics;
  /**
   * A plain property, not a getter over #metrics: a Proxy around the scheduler (a wrapper that
   * forwards with the proxy as receiver) can still read it.
   */
  readonly metrics: SchedulerMetrics | null;

  constructor(config: SchedulerConfig) {
    super();
    this.#config = config;
    // Made with the scheduler (the app may serve them before start()); the gauges read its state at scrape time.
    this.#metrics = createMetrics(config.metrics, {
      schedules: async () => {
        const store = this.#store;
        if (!store) return null;
        const [{ states, stale }, due] = await Promise.all([
          store.queries.scheduleStates(),
          store.queries.dueBacklog(BACKLOG_GRACE_SECONDS),
        ]);
        return { states, stale, backlog: due.backlog, oldestSeconds: due.oldestSeconds };
      },
      slots: () => this.#workers.map((worker) => ({ queue: worker.queue, busy: worker.busy, slots: worker.slots })),
      pools: () =>
        (this.#store?.pools() ?? []).map(({ name, pool }) => ({
          pool: name,
          total: pool.totalCount,
          idle: pool.idleCount,
          waiting: pool.waitingCount,
        })),
      onError: (error) => this.#onBackgroundError(error),
    });
    this.metrics = this.#metrics.exposed;
  }

  /**
   * Background errors go to 'error' listeners when there are any; without one they become process
   * warnings instead of the EventEmitter default (throwing, which would crash the host app).
   */
  #emitEvent = <E extends keyof SchedulerEvents>(event: E, ...args: SchedulerEvents[E]): void => {
    if (event === 'error') {
      this.#onBackgroundError(args[0] as Error);
      return;
    }
    // Counted whether or not anyone listens: fired, succeeded, failed (final or retried), missed.
    this.#metrics.event(event, args);
    try {
      (this.emit as (event: E, ...args: SchedulerEvents[E]) => boolean)(event, ...args);
    } catch (error) {
      // A listener that throws must not break the engine's flow (a run's settlement, a claim).
      this.#report(
        new Error(`a "${event}" listener threw: ${(error as Error)?.message ?? String(error)}`, { cause: error }),
      );
    }
  };

  #report(error: Error): void {
    try {
      if (this.listenerCount('error') === 0) process.emitWarning(error.message, 'SchedulerWarning');
      else this.emit('error', error);
    } catch (thrown) {
      // Even an 'error' listener that throws must not take the process down.
      process.emitWarning(
        `an "error" listener threw: ${(thrown as Error)?.message ?? String(thrown)}`,
        'SchedulerWarning',
      );
    }
  }

  /**
   * Every part (pool, pg-boss, ticker, workers) sees a database outage on its own, again and again:
   * report its first sign once, then probe until the database answers and report that once.
   */
  #onBackgroundError = (error: Error): void => {
    if (!isUnavailable(error)) {
      this.#report(error);
      return;
    }
    if (this.#outage) return;
    this.#report(new DatabaseError(error));
    this.#outage = setInterval(() => void this.#probe(), OUTAGE_PROBE_MS);
    this.#outage.unref();
  };

  async #probe(): Promise<void> {
    if (!this.#outage || !(await this.ping())) return;
    this.#endOutage();
    this.#report(new Error('the database is reachable again; the scheduler resumed'));
  }

  #endOutage(): void {
    if (this.#outage) clearInterval(this.#outage);
    this.#outage = null;
  }

  start(): Promise<void> {
    this.#starting ??= this.#start().catch(async (error) => {
      this.#starting = null;
      await this.#close(0).catch(() => {});
      // A pooler's refusal says what to change; as a bare protocol error it would read as an outage.
      throw asPoolerError(error) ?? error;
    });
    return this.#starting;
  }

  async #start(): Promise<void> {
    const config = this.#config;
    const store = new Store(config, this.#onBackgroundError);
    this.#store = store;
    await store.migrate();
    const boss = createBoss(config);
    this.#boss = boss;
    boss.onError(this.#onBackgroundError);
    await boss.start();
    await boss.ensureQueue(config.queue);
    const lease = new InstanceLease(store, config, {
      lost: (oldId) =>
        this.#report(
          new Error(
            `this instance stopped renewing its lease long enough to be declared dead (id ${oldId}); ` +
              'the runs it held were handed to other instances, and it registered again',
          ),
        ),
      error: this.#onBackgroundError,
    });
    this.#lease = lease;
    await lease.start();
    const onPaused = (schedule: PausedSchedule) =>
      this.#emitEvent('paused', { scheduleId: schedule.id, scheduleName: schedule.name, note: schedule.note });
    this.#recorder = new RunRecorder(
      store,
      boss,
      this.#onBackgroundError,
      (tx, retries) => this.#announce(tx, new Map(retries.map((r) => [r.queue, r.job.startAfter.getTime()]))),
      onPaused,
      wakeChannel(config),
      () => this.#workers.some((worker) => worker.starting),
    );
    const listener = new Listener(store, { probeChannel: probeChannel(config), onError: this.#onBackgroundError });
    this.#listener = listener;
    // Subscriptions come before the connection: workers registered later are found at delivery.
    listener.subscribe(runsChannel(config), {
      onMessage: (payload) => this.#onRunsMessage(payload),
      onConnect: () => {
        for (const worker of this.#workers) worker.wake();
      },
    });
    if (config.fire) {
      this.#ticker = new Ticker(
        store,
        boss,
        config,
        this.#emitEvent,
        listener,
        lease,
        (queue) => this.#workers.find((worker) => worker.queue === queue),
        () => {
          const all = this.#workers.map((worker) => worker.freshLateness()).filter((l) => l !== null);
          return all.length > 0 ? Math.max(...all) : null;
        },
        this.#metrics,
      );
    }
    this.#reaper = new Reaper(store, boss, config, (tx, due) => this.#announce(tx, due), this.#onBackgroundError);
    this.#reconciler = new Reconciler(store, boss, this.#onBackgroundError, onPaused);
    this.#staleWatch = new StaleWatch(store, this.#onBackgroundError, (schedule) => this.#emitEvent('stale', schedule));
    listener.start();
    // Before anything fires or takes over: a listener that cannot hear (transaction pooling) refuses
    // the start here. A direct connection's self-test takes a few milliseconds.
    await listener.ready();
    this.#reaper.start();
    this.#reconciler.start();
    this.#staleWatch.start();
    this.#ticker?.start();
  }

  /** Tells the workers of every instance (at commit) when runs come due in pg-boss, per queue. */
  async #announce(tx: Queries, due: Due): Promise<void> {
    for (const [queue, at] of due) {
      const message: RunsMessage = { q: queue, at };
      await tx.notify(runsChannel(this.#config), JSON.stringify(message));
    }
  }

  #onRunsMessage(payload: string): void {
    let message: RunsMessage;
    try {
      message = JSON.parse(payload) as RunsMessage;
    } catch {
      return;
    }
    if ('cancel' in message) {
      const after = message.after ?? Number.NEGATIVE_INFINITY;
      for (const worker of this.#workers) {
        worker.forget((run) => run.scheduleId === message.cancel && run.scheduledFor.getTime() > after);
      }
      return;
    }
    for (const worker of this.#workers) if (worker.queue === message.q) worker.wakeAt(message.at);
  }

  async stop(options: { timeoutSeconds?: number } = {}): Promise<void> {
    const timeoutMs =
      options.timeoutSeconds === undefined
        ? this.#config.shutdownTimeoutMs
        : checkInteger('timeoutSeconds', options.timeoutSeconds, 0, 3600) * 1000;
    const starting = this.#starting;
    if (!starting) return;
    await starting.catch(() => {});
    this.#starting = null;
    await this.#close(timeoutMs);
  }

  async #close(timeoutMs: number): Promise<void> {
    // Order matters: stop firing first; then let running handlers finish within the bound; write
    // what the workers saw; hand back what this instance still holds (leased runs not started,
    // handlers that did not finish: released) so other instances run them at once, and only then
    // give up the lease; then stop pg-boss and the listener, and close the pool everything above
    // used. Every step runs even if one before it failed, so no connection is left open; the first
    // failure is rethrown at the end. Should the process die anywhere in here, the lease runs out
    // and another instance takes over what it held.
    const failures: unknown[] = [];
    const step = async (action: () => Promise<unknown> | undefined) => {
      try {
        await action();
      } catch (error) {
        failures.push(error);
      }
    };
    await step(() => this.#ticker?.stop());
    this.#ticker = null;
    await step(() => Promise.all(this.#workers.map((worker) => worker.stop(timeoutMs))));
    this.#workers = [];
    await step(() => this.#recorder?.drain(Date.now() + Math.max(timeoutMs, 5000)));
    this.#recorder?.close();
    this.#recorder = null;
    const lease = this.#lease;
    const store = this.#store;
    const boss = this.#boss;
    let handedBack = false;
    if (lease && store && boss && lease.valid()) {
      await step(async () => {
        await store.transaction(async (tx) => {
          const due = await handOver(tx, boss, this.#config, lease.id, decideAtStop);
          await this.#announce(tx, due);
        });
        handedBack = true;
      });
    }
    await step(() => this.#reaper?.stop());
    this.#reaper = null;
    await step(() => this.#reconciler?.stop());
    this.#reconciler = null;
    await step(() => this.#staleWatch?.stop());
    this.#staleWatch = null;
    // The lease's row goes only once nothing is held under it; otherwise it runs out, and another
    // instance takes over what is left.
    await step(() => lease?.stop({ keepRow: !handedBack }));
    this.#lease = null;
    await step(() => this.#boss?.stop(1000));
    this.#boss = null;
    await step(() => this.#listener?.close());
    this.#listener = null;
    this.#endOutage();
    await step(() => this.#store?.end());
    this.#store = null;
    if (failures.length > 0) throw failures[0];
  }

  /** Wakes the tickers (at commit) when a schedule's new next tick is too close for their next look. */
  async #wakeTickers(tx: Queries, nextRunAt: Date | null, now: Date): Promise<void> {
    if (wakeNeeded(this.#config, nextRunAt, now)) {
      await tx.notify(wakeChannel(this.#config), String(nextRunAt!.getTime()));
    }
  }

  #running(what: string): { store: Store; boss: Boss } {
    if (!this.#store || !this.#boss) throw new NotStartedError(what);
    return { store: this.#store, boss: this.#boss };
  }

  /**
   * Writes a schedule's definition: inserts it (`current` null; null when the name is taken) or
   * replaces the stored one, inside the caller's transaction with the row locked. Runs prepared
   * for ticks the change makes wrong (new timing, or paused) are withdrawn; the next tick is
   * recomputed from now when the timing changed, on resume, and for a schedule with none.
   */
  async #write(
    tx: Queries,
    boss: Boss,
    current: Schedule | null,
    values: ScheduleValues,
    owner: string | null,
  ): Promise<Schedule | null> {
    const now = await tx.now();
    if (current === null) {
      const arm = armAt(values, 0, now);
      const row = await tx.insertSchedule(uuidv7(), values, { ...arm, owner });
      if (row) await this.#wakeTickers(tx, row.nextRunAt, now);
      return row;
    }
    const retimed = !sameTiming(current, values);
    // Claims are committed ahead of their tick: a tick already prepared for the old timing, or
    // for a schedule now paused, is withdrawn (its run, and its job or its lease), so the change
    // takes effect from now. A run whose handler starts at this very moment may still run.
    if (retimed || (values.paused && !current.paused)) await this.#withdraw(tx, boss, current.id, now);
    const rearm = retimed || (!values.paused && (current.paused || current.nextRunAt === null));
    const arm = rearm
      ? armAt(values, current.firedCount, now)
      : { nextRunAt: values.paused ? null : current.nextRunAt, completed: current.completedAt !== null };
    const row = await tx.updateSchedule(current.id, values, { ...arm, owner });
    if (!row) throw new ConflictError('name', values.name);
    // Only a new next tick can need a ticker's attention.
    if (rearm) await this.#wakeTickers(tx, row.nextRunAt, now);
    return row;
  }

  /** Throws PreconditionFailedError unless `current` is at the version `ifMatch` names. */
  #checkVersion(current: Schedule | null, key: string, ifMatch: number | '*' | undefined): void {
    if (ifMatch === undefined) return;
    if (current === null) {
      throw new PreconditionFailedError(
        ifMatch === '*'
          ? `no schedule ${JSON.stringify(key)}: If-Match asked for an existing one`
          : `no schedule ${JSON.stringify(key)}: it cannot be at version ${ifMatch}`,
        null,
      );
    }
    if (ifMatch !== '*' && current.version !== ifMatch) {
      throw new PreconditionFailedError(
        `schedule ${JSON.stringify(current.name)} is at version ${current.version}, not ${ifMatch}: it changed since it was read`,
        current.version,
      );
    }
  }

  create(input: ScheduleInput): Promise<Schedule> {
    return guard(this.#create(input));
  }

  async #create(input: ScheduleInput): Promise<Schedule> {
    const values = valuesFromInput(input, this.#definitions);
    const { store, boss } = this.#running('create()');
    await boss.ensureQueue(values.queue);
    const created = await store.transaction((tx) => this.#write(tx, boss, null, values, null));
    if (!created) throw new ConflictError('name', values.name);
    return created;
  }

  upsert(input: ScheduleInput, conditions: WriteConditions = {}): Promise<UpsertResult> {
    return guard(this.#upsert(input, conditions));
  }

  async #upsert(input: ScheduleInput, conditions: WriteConditions): Promise<UpsertResult> {
    const ifMatch = checkConditions(conditions);
    const values = valuesFromInput(input, this.#definitions);
    const { store, boss } = this.#running('upsert()');
    await boss.ensureQueue(values.queue);
    return store.transaction(async (tx) => {
      let current = await tx.findSchedule(values.name, false, { forUpdate: true });
      if (current === null) {
        this.#checkVersion(null, values.name, ifMatch);
        const created = await this.#write(tx, boss, null, values, null);
        if (created) return { schedule: created, outcome: 'created' as const };
        // Another upsert created it meanwhile (the insert waited for it to commit): this one updates.
        current = await tx.findSchedule(values.name, false, { forUpdate: true });
        if (current === null) throw new ConflictError('name', values.name);
      }
      if (conditions.ifNoneMatch) {
        throw new PreconditionFailedError(
          `schedule ${JSON.stringify(values.name)} exists (version ${current.version}): If-None-Match asked for create only`,
          current.version,
        );
      }
      this.#checkVersion(current, values.name, ifMatch);
      if (sameDefinition(current, values)) return { schedule: current, outcome: 'unchanged' as const };
      const updated = await this.#write(tx, boss, current, values, current.owner);
      return { schedule: updated!, outcome: 'updated' as const };
    });
  }

  sync(definitions: readonly ScheduleInput[], options: SyncOptions): Promise<SyncResult> {
    return guard(this.#sync(definitions, options));
  }

  async #sync(definitions: readonly ScheduleInput[], options: SyncOptions): Promise<SyncResult> {
    checkObject('options', options);
    let removed: SyncRemoval = 'delete';
    let list: ScheduleValues[] = [];
    collect([
      () => checkOwner('owner', options.owner),
      () => {
        if (options.removed !== undefined) removed = checkOneOf('removed', options.removed, SYNC_REMOVALS);
      },
      () => {
        if (!Array.isArray(definitions)) throw new ValidationError({ field: 'definitions', expected: 'an array' });
        const issues: FieldIssue[] = [];
        const seen = new Set<string>();
        list = definitions.flatMap((input, i) => {
          try {
            const values = valuesFromInput(input, this.#definitions, `definitions[${i}].`);
            if (seen.has(values.name)) {
              issues.push({
                field: `definitions[${i}].name`,
                value: values.name,
                expected: 'a name not listed before',
              });
            }
            seen.add(values.name);
            return [values];
          } catch (error) {
            if (!(error instanceof ValidationError)) throw error;
            issues.push(...error.issues);
            return [];
          }
        });
        if (issues.length > 0) throw new ValidationError(issues);
      },
    ]);
    const owner = options.owner;
    const given = new Map(definitions.map((input) => [input.name, input]));
    const { store, boss } = this.#running('sync()');
    for (const queue of new Set(list.map((v) => v.queue))) await boss.ensureQueue(queue);
    const result: SyncResult = { created: [], updated: [], unchanged: [], deleted: [], paused: [] };
    const removedNote = `removed from the definitions of ${owner}`;
    let cancelled = 0;
    await store.transaction(async (tx) => {
      // Instances booting together sync one after another: the later ones find nothing to do.
      await tx.lockSync(`${this.#config.schema}:sync:${owner}`);
      const stored = new Map((await tx.schedulesByName(list.map((v) => v.name))).map((row) => [row.name, row]));
      const foreign = [...stored.values()].filter((row) => row.owner !== owner);
      if (foreign.length > 0) {
        const names = foreign.map(
          (row) => `${row.name} (${row.owner === null ? 'made one by one' : `owner ${row.owner}`})`,
        );
        throw new ConflictError(
          'name',
          foreign[0]!.name,
          `sync for owner ${JSON.stringify(owner)} would take over schedules it does not own: ${names.join(', ')}; rename them or delete them first`,
        );
      }
      for (const values of list) {
        const current = stored.get(values.name) ?? null;
        const input = given.get(values.name)!;
        // An operator's pause outlives a sync whose definition does not mention `paused`; a pause
        // made by this sync for a schedule it no longer listed does not.
        if (current && input.paused === undefined && current.paused && current.pauseNote !== removedNote) {
          values.paused = true;
          if (input.pauseNote === undefined) values.pauseNote = current.pauseNote;
        }
        if (current && sameDefinition(current, values)) {
          result.unchanged.push(values.name);
          continue;
        }
        const row = await this.#write(tx, boss, current, values, owner);
        if (!row) throw new ConflictError('name', values.name);
        (current ? result.updated : result.created).push(values.name);
      }
      const listed = new Set(list.map((v) => v.name));
      for (const row of await tx.ownedSchedules(owner)) {
        if (listed.has(row.name)) continue;
        if (removed === 'delete') {
          cancelled += await this.#deleteLocked(tx, boss, row);
          result.deleted.push(row.name);
        } else if (!row.paused) {
          const values = valuesFromPatch(
            row,
            fullTargetOf(row),
            { paused: true, pauseNote: removedNote },
            this.#config.webhookPolicy,
          );
          await this.#write(tx, boss, row, values, owner);
          result.paused.push(row.name);
        }
      }
    });
    // Counted once committed: a sync that rolled back cancelled nothing.
    this.#metrics.cancelled(cancelled);
    return result;
  }

  get(idOrName: string): Promise<Schedule> {
    return guard(this.#get(idOrName));
  }

  async #get(idOrName: string): Promise<Schedule> {
    const key = checkKey('id', idOrName);
    const { store } = this.#running('get()');
    const found = await store.queries.findSchedule(key, isUuid(key));
    if (!found) throw new NotFoundError('schedule', key);
    return found;
  }

  list(options: ListSchedulesOptions = {}): Promise<Page<Schedule>> {
    return guard(this.#list(options));
  }

  async #list(options: ListSchedulesOptions): Promise<Page<Schedule>> {
    const { limit, cursor } = checkPage(options, () => {
      if (options.paused !== undefined) checkBoolean('paused', options.paused);
      if (options.search !== undefined) checkSearch('search', options.search);
    });
    const { store } = this.#running('list()');
    const rows = await store.queries.listSchedules(cursor, options.paused ?? null, limit + 1, options.search ?? null);
    return toPage(rows, limit, (last) => encodeCursor(last.createdAt, last.id));
  }

  update(idOrName: string, patch: SchedulePatch, conditions: Pick<WriteConditions, 'ifMatch'> = {}): Promise<Schedule> {
    return guard(this.#update(idOrName, patch, conditions));
  }

  async #update(
    idOrName: string,
    patch: SchedulePatch,
    conditions: Pick<WriteConditions, 'ifMatch'>,
  ): Promise<Schedule> {
    const key = checkKey('id', idOrName);
    checkObject('patch', patch);
    const ifMatch = checkConditions(conditions);
    const { store, boss } = this.#running('update()');
    if (patch.queue !== undefined) {
      checkQueueName('queue', patch.queue);
      await boss.ensureQueue(patch.queue);
    }
    return store.transaction(async (tx) => {
      const current = await tx.findSchedule(key, isUuid(key), { forUpdate: true });
      if (!current) {
        if (ifMatch !== undefined) this.#checkVersion(null, key, ifMatch);
        throw new NotFoundError('schedule', key);
      }
      this.#checkVersion(current, key, ifMatch);
      const values = valuesFromPatch(current, fullTargetOf(current), patch, this.#config.webhookPolicy);
      return (await this.#write(tx, boss, current, values, current.owner))!;
    });
  }

  /**
   * Withdraws the runs already prepared for a schedule's ticks after `now` (claims commit ahead of
   * their tick): deleted with their pg-boss jobs, forgotten by the instance holding them.
   */
  async #withdraw(tx: Queries, boss: Boss, scheduleId: string, now: Date): Promise<void> {
    const withdrawn = await tx.withdrawRuns(scheduleId, now);
    if (withdrawn.length === 0) return;
    for (const [queue, runs] of Map.groupBy(
      withdrawn.filter((run) => run.job),
      (run) => run.queue,
    )) {
      await boss.deleteJobs(
        queue,
        runs.map((run) => run.id),
        tx.executor,
      );
    }
    const message: RunsMessage = { cancel: scheduleId, after: now.getTime() };
    await tx.notify(runsChannel(this.#config), JSON.stringify(message));
  }

  delete(idOrName: string, conditions: Pick<WriteConditions, 'ifMatch'> = {}): Promise<void> {
    return guard(this.#delete(idOrName, conditions));
  }

  async #delete(idOrName: string, conditions: Pick<WriteConditions, 'ifMatch'>): Promise<void> {
    const key = checkKey('id', idOrName);
    const ifMatch = checkConditions(conditions);
    const { store, boss } = this.#running('delete()');
    const cancelled = await store.transaction(async (tx) => {
      const current = await tx.findSchedule(key, isUuid(key), { forUpdate: true });
      if (!current) {
        if (ifMatch !== undefined) this.#checkVersion(null, key, ifMatch);
        throw new NotFoundError('schedule', key);
      }
      this.#checkVersion(current, key, ifMatch);
      return this.#deleteLocked(tx, boss, current);
    });
    this.#metrics.cancelled(cancelled);
  }

  /** Deletes a schedule whose row the transaction holds, cancelling its open runs with it; returns how many. */
  async #deleteLocked(tx: Queries, boss: Boss, current: Schedule): Promise<number> {
    // Cancelled in the same transaction as the delete: an open run never outlives its schedule.
    // pg-boss cancels the jobs that carry runs; a run leased to an instance is forgotten by it
    // (the NOTIFY below) unless its handler already started, and its record says cancelled.
    const open = await tx.openRunsOfSchedule(current.id);
    for (const [queue, runs] of Map.groupBy(
      open.filter((run) => run.job),
      (run) => run.queue,
    )) {
      await boss.cancel(
        queue,
        runs.map((run) => run.id),
        tx.executor,
      );
    }
    await tx.cancelRuns(
      open.map((run) => run.id),
      'cancelled: the schedule was deleted',
    );
    await tx.softDeleteSchedule(current.id);
    const message: RunsMessage = { cancel: current.id };
    if (open.length > 0) await tx.notify(runsChannel(this.#config), JSON.stringify(message));
    return open.length;
  }

  backfill(idOrName: string, input: BackfillInput): Promise<BackfillResult> {
    return guard(this.#backfill(idOrName, input));
  }

  async #backfill(idOrName: string, input: BackfillInput): Promise<BackfillResult> {
    const key = checkKey('id', idOrName);
    checkObject('input', input);
    collect([
      () => checkDate('from', input.from),
      () => checkDate('to', input.to),
      () => {
        if (input.overlap !== undefined) checkOverlap('overlap', input.overlap);
      },
    ]);
    if (input.to < input.from) {
      throw new ValidationError({
        field: 'to',
        value: input.to.toISOString(),
        expected: 'an instant at or after from',
      });
    }
    const { store } = this.#running('backfill()');
    return store.transaction(async (tx) => {
      const now = await tx.now();
      if (input.to > now) {
        throw new ValidationError({
          field: 'to',
          value: input.to.toISOString(),
          expected: 'an instant not after now (ticks to come fire by themselves)',
        });
      }
      const schedule = await tx.findSchedule(key, isUuid(key), { forUpdate: true });
      if (!schedule) throw new NotFoundError('schedule', key);
      const ticks = triggerOf(specOf(schedule)).count(input.from, input.to, MAX_BACKFILL_TICKS + 1);
      if (ticks > MAX_BACKFILL_TICKS) {
        throw new ValidationError({
          field: 'to',
          value: input.to.toISOString(),
          expected: `a range of at most ${MAX_BACKFILL_TICKS} ticks of this schedule (it has more): split it`,
        });
      }
      if (ticks > 0) {
        await tx.insertBackfills([
          {
            id: uuidv7(),
            scheduleId: schedule.id,
            trigger: 'backfill',
            nextAt: input.from,
            untilAt: input.to,
            remaining: ticks,
            sequential: (input.overlap ?? schedule.overlap) !== 'allow',
          },
        ]);
        // Any instance's ticker fires it, a paced chunk at a time, behind fresh ticks.
        await tx.notify(wakeChannel(this.#config), BACKFILL_WAKE);
      }
      return { scheduleId: schedule.id, from: input.from, to: input.to, ticks };
    });
  }

  pause(idOrName: string, options: { note?: string } = {}): Promise<Schedule> {
    return this.update(idOrName, { paused: true, pauseNote: options?.note ?? null });
  }

  resume(idOrName: string): Promise<Schedule> {
    return this.update(idOrName, { paused: false, pauseNote: null });
  }

  trigger(idOrName: string): Promise<Run> {
    return guard(this.#trigger(idOrName));
  }

  async #trigger(idOrName: string): Promise<Run> {
    const key = checkKey('id', idOrName);
    const { store, boss } = this.#running('trigger()');
    // The trace this is called in (a request's span, the app's own): the run's handler continues it.
    const trace = activeCarrier();
    const { run, name } = await store.transaction(async (tx) => {
      const current = await tx.findSchedule(key, isUuid(key), { forUpdate: true });
      if (!current) throw new NotFoundError('schedule', key);
      const options = runOptionsOf(current.runOptions, this.#config);
      const run = await tx.insertManualRun(uuidv7(), current.id, current.queue, options);
      // A manual run is carried by pg-boss: any instance's worker may take it.
      await boss.enqueue(
        current.queue,
        [
          {
            ...jobOptions(options, run),
            id: run.id,
            data: runJobData(run, { ...current, target: fullTargetOf(current) }, 0, options, trace),
            startAfter: run.scheduledFor,
          },
        ],
        tx.executor,
      );
      await this.#announce(tx, new Map([[current.queue, run.scheduledFor.getTime()]]));
      // Its last run moves, but the overlap policy does not look at it: a manual run never takes
      // or shifts a scheduled tick.
      await tx.markFired(current.id, run.scheduledFor);
      return { run, name: current.name };
    });
    const fired = publicRun(run);
    this.#emitEvent('fired', { ...fired, scheduleName: name });
    return fired;
  }

  preview(input: PreviewInput): SchedulePreview {
    checkObject('input', input);
    let count = 5;
    let from = new Date();
    let values: ScheduleValues | undefined;
    collect([
      () => {
        if (input.count !== undefined) count = checkInteger('count', input.count, 1, 100);
      },
      () => {
        if (input.from !== undefined) from = checkDate('from', input.from);
      },
      () => {
        const { count: _count, from: _from, ...definition } = input;
        values = valuesFromInput({ ...definition, name: input.name ?? 'preview' }, this.#definitions);
      },
    ]);
    const v = values!;
    const trigger = triggerOf(specOf(v));
    const plainCron = v.cron !== null && v.startAt === null && v.endAt === null && v.jitterSeconds <= 1;
    // A plain cron expression keeps its refusal of counts that span more than 20 years.
    const next = plainCron ? preview(v.cron!, v.timezone, count, from) : upcomingOf(trigger, count, from);
    return {
      cron: v.cron === null ? null : v.cron.trim(),
      every: v.everySeconds === null ? null : formatEvery(v.everySeconds),
      at: v.at,
      timezone: v.timezone,
      description: trigger.describe(),
      next,
    };
  }

  upcoming(schedule: Schedule, count = 5): Date[] {
    if (!schedule.nextRunAt) return [];
    // Counted from just before nextRunAt, so the first is nextRunAt even when that tick is already
    // due but not fired yet.
    const n = checkInteger('count', count, 0, 1000);
    const left = schedule.maxRuns === null ? n : Math.max(0, Math.min(n, schedule.maxRuns - schedule.firedCount));
    return upcomingOf(
      triggerOf(specOf({ ...schedule, name: schedule.name })),
      left,
      new Date(schedule.nextRunAt.getTime() - 1),
    );
  }

  runs(idOrName: string, options: ListRunsOptions = {}): Promise<Page<Run>> {
    return guard(this.#runs(idOrName, options));
  }

  async #runs(idOrName: string, options: ListRunsOptions): Promise<Page<Run>> {
    const key = checkKey('id', idOrName);
    const { limit, cursor } = checkPage(options, () => {
      if (options.status !== undefined) checkRunStatus('status', options.status);
    });
    const { store } = this.#running('runs()');
    // A deleted schedule's history stays readable by its id until it is pruned.
    const schedule = await store.queries.findSchedule(key, isUuid(key), { includeDeleted: true });
    if (!schedule) throw new NotFoundError('schedule', key);
    const rows = await store.queries.listRuns(schedule.id, cursor, options.status ?? null, limit + 1);
    return toPage(rows, limit, (last) => encodeCursor(last.scheduledFor, last.id));
  }

  async work(handler: RunHandler, options: WorkOptions & { queue?: string } = {}): Promise<string> {
    if (typeof handler !== 'function') throw new ValidationError({ field: 'handler', expected: 'a function' });
    const queue = checkQueueName('queue', options.queue ?? this.#config.queue);
    const concurrency =
      options.concurrency === undefined
        ? this.#config.workConcurrency
        : checkInteger('concurrency', options.concurrency, 1, 1000);
    if (options.prepare !== undefined && typeof options.prepare !== 'function') {
      throw new ValidationError({ field: 'prepare', expected: 'a function' });
    }
    const { boss } = this.#running('work()');
    await boss.ensureQueue(queue);
    const lease = this.#lease;
    const recorder = this.#recorder;
    if (!lease || !recorder) throw new NotStartedError('work()');
    const store = this.#store!;
    const take = (name: string, batchSize: number, owner: string) =>
      store.transaction(async (tx) => {
        const jobs = await boss.fetch(name, batchSize, tx.executor);
        if (jobs.length === 0) return [];
        const now = lease.dbNow();
        const taken = jobs.map((job) => ({
          job,
          attempt: (job.data.attemptsBefore ?? 0) + job.retryCount + 1,
          startedAt: new Date(Math.max(now, new Date(job.data.scheduledFor).getTime())),
        }));
        await tx.recordRunEvents(
          taken
            .filter(({ job }) => job.data.runId !== undefined)
            .map(({ job, attempt, startedAt }) => ({
              id: job.data.runId,
              owner,
              attempt,
              status: 'running' as const,
              startedAt,
              finishedAt: null,
              error: null,
              isStart: true,
              outcome: null,
              attemptStartedAt: startedAt,
              job: true,
              response: null,
            })),
          wakeChannel(this.#config),
        );
        return taken;
      });
    this.#deliver ??= createRunDelivery(this.#config);
    const worker = new RunWorker(
      {
        boss,
        recorder,
        lease,
        take,
        config: this.#config,
        emit: this.#emitEvent,
        deliver: this.#deliver,
        metrics: this.#metrics,
      },
      queue,
      concurrency,
      handler,
      options.prepare,
    );
    this.#workers.push(worker);
    worker.start();
    return `${queue}#${this.#workers.length}`;
  }

  staleSchedules(): Promise<StaleSchedule[]> {
    return guard(this.#staleSchedules());
  }

  async #staleSchedules(): Promise<StaleSchedule[]> {
    const { store } = this.#running('staleSchedules()');
    const rows = await store.queries.staleSchedules(1000);
    return rows.map(({ notified: _notified, ...schedule }) => schedule);
  }

  async ping(): Promise<boolean> {
    if (!this.#store) return false;
    try {
      await this.#store.queries.ping();
      return true;
    } catch {
      return false;
    }
  }
}
