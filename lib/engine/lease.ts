/**
 * This instance's lease: a row in `instances` whose `lease_until` it renews, four times per lease,
 * on a connection of its own. It is what makes a run held by this process safe to start without
 * asking the database first:
 *
 * - Another instance takes over the runs this one holds only once `lease_until` has passed by the
 *   database's clock (see Reaper).
 * - This instance starts a run it holds only while its lease certainly holds: until the local
 *   instant it sent its last successful renewal, plus the lease, minus a margin. The database set
 *   `lease_until` after receiving that renewal, so by then `lease_until` is still ahead.
 *
 * So an instance that is killed, cut off, or stalled loses its runs to others within a lease, and
 * can never start one of them after they were handed over.
 *
 * It also keeps an estimate of the database's clock (the instant of each tick is the database's):
 * at each renewal it reads `clock_timestamp()` in a query of its own (no commit, so the round trip
 * is short), and the offset of the recent reading with the shortest round trip wins. Wall clocks
 * are compared with wall clocks (Date.now() against the server's): a monotonic clock runs at a
 * slightly different rate while NTP slews the wall clock (0.05 % measured here), which adds up.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type pg from 'pg';
import type { SchedulerConfig } from '../config.ts';
import type { Store } from '../store/store.ts';

/** Local clock in ms on the wall-clock scale, but monotonic: deadlines must not move with NTP steps. */
export function monotonicNow(): number {
  return performance.timeOrigin + performance.now();
}

/** Subtracted from every local deadline: clock-rate differences between this host and the database's. */
const DEADLINE_MARGIN_MS = 50;
/** Clock readings kept (a few seconds' worth: older ones drift); the one with the shortest trip wins. */
const CLOCK_SAMPLES = 6;

export interface LeaseEvents {
  /** The instance was declared dead meanwhile (its lease ran out) and registered again under a new id. */
  lost(oldId: string): void;
  error(error: Error): void;
}

export class InstanceLease {
  readonly name: string;
  readonly #store: Store;
  readonly #leaseMs: number;
  readonly #events: LeaseEvents;
  #id = randomUUID();
  #deadline = Number.NEGATIVE_INFINITY;
  #samples: { offsetMs: number; rttMs: number }[] = [];
  #offsetMs = 0;
  #uncertaintyMs = 0;
  #client: pg.Client | null = null;
  #timer: NodeJS.Timeout | null = null;
  #beating: Promise<void> | null = null;
  #stopped = false;

  constructor(store: Store, config: SchedulerConfig, events: LeaseEvents) {
    this.#store = store;
    this.#leaseMs = config.leaseMs;
    this.#events = events;
    this.name = config.instanceName ?? `${hostname()}:${process.pid}`;
  }

  /** The instance's id: the `owner` of the runs it holds. Changes when the lease was lost. */
  get id(): string {
    return this.#id;
  }

  /** Whether the lease certainly holds at the local instant `at` (default: now). */
  valid(at = monotonicNow()): boolean {
    return at < this.#deadline;
  }

  /** The local instant until which the lease certainly holds. */
  get deadline(): number {
    return this.#deadline;
  }

  /** The database's clock now, as estimated (ms since the epoch). */
  dbNow(): number {
    return Date.now() + this.#offsetMs;
  }

  /** How far off dbNow() can be: half the round trip of the reading it comes from, plus a tick of Date.now(). */
  get uncertaintyMs(): number {
    return this.#uncertaintyMs;
  }

  /** How long from now until the database's clock reads `dbMs`, ms (negative when it has passed). */
  msUntil(dbMs: number): number {
    return dbMs - this.dbNow();
  }

  /**
   * Gives up the current id at once: a transaction that leased runs to this instance may have
   * committed without our knowing (its COMMIT went unanswered), so runs may be held under this id
   * that no worker here knows of. Nothing held under the old id is started any more (the worker
   * starts only runs of the current id), the next renewal registers a new id, and the runs left
   * under the old one are handed over by a reaper once its lease runs out, as a dead instance's are.
   */
  renounce(): void {
    this.#id = randomUUID();
    this.#deadline = Number.NEGATIVE_INFINITY;
  }

  /** Registers the instance and starts renewing. */
  async start(): Promise<void> {
    await this.#beat();
    if (!this.valid()) throw new Error('the instance could not register its lease');
    this.#schedule();
  }

  /**
   * Stops renewing. The row is removed once the runs it held were handed back; with `keepRow` it
   * is left to run out, and another instance takes over what is still held under it.
   */
  async stop(options: { keepRow?: boolean } = {}): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    await this.#beating;
    this.#deadline = Number.NEGATIVE_INFINITY;
    try {
      if (!options.keepRow) await this.#store.queries.deleteInstance(this.#id);
    } finally {
      await this.#close();
    }
  }

  #schedule(): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      this.#beating = this.#beat().finally(() => {
        this.#beating = null;
        this.#schedule();
      });
    }, this.#leaseMs / 4);
    this.#timer.unref();
  }

  /** One renewal (a registration when there is no row yet); never throws. */
  async #beat(): Promise<void> {
    const sent = monotonicNow();
    // A renewal that takes longer than the renewal period is abandoned: the connection may be dead.
    const timeoutMs = Math.max(250, this.#leaseMs / 4);
    // A renewal of an id renounced meanwhile must not make the new id look valid.
    let id = this.#id;
    try {
      const queries = this.#store.queriesOn(await this.#connection(), timeoutMs);
      let now = await queries.renewInstance(id, this.#leaseMs);
      if (this.#id !== id) return;
      if (now === null) {
        if (this.#deadline !== Number.NEGATIVE_INFINITY) {
          // Declared dead while we could not renew (stalled, or cut off): whatever we held has been
          // (or is being) handed over. Start again under a new id.
          const old = id;
          this.#id = id = randomUUID();
          this.#deadline = Number.NEGATIVE_INFINITY;
          this.#events.lost(old);
        }
        now = await queries.insertInstance(id, this.name, this.#leaseMs);
      }
      if (now === null || this.#id !== id) return;
      this.#deadline = Math.max(this.#deadline, sent + this.#leaseMs - DEADLINE_MARGIN_MS);
      // A read of the clock alone: the renewal's round trip includes its commit's WAL flush.
      const asked = Date.now();
      const clock = await queries.now();
      this.#sample(clock.getTime(), asked, Date.now());
    } catch (error) {
      await this.#close();
      if (!this.#stopped) this.#events.error(error as Error);
    }
  }

  /** The offset of the sample with the shortest round trip: its uncertainty is half of that trip. */
  #sample(dbMs: number, sent: number, received: number): void {
    this.#samples.push({ offsetMs: dbMs - (sent + received) / 2, rttMs: received - sent });
    if (this.#samples.length > CLOCK_SAMPLES) this.#samples.shift();
    let best = this.#samples[0]!;
    for (const s of this.#samples) if (s.rttMs < best.rttMs) best = s;
    this.#offsetMs = best.offsetMs;
    // Date.now() counts whole milliseconds: each reading is off by up to one more.
    this.#uncertaintyMs = best.rttMs / 2 + 1;
  }

  async #connection(): Promise<pg.Client> {
    if (this.#client) return this.#client;
    const client = this.#store.newClient('lease');
    client.on('error', () => {
      if (this.#client === client) this.#client = null;
    });
    await client.connect();
    this.#client = client;
    return client;
  }

  async #close(): Promise<void> {
    const client = this.#client;
    this.#client = null;
    // end() destroys the socket when a query is still pending on it (a silent connection).
    await client?.end().catch(() => {});
  }
}
