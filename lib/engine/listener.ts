/**
 * One dedicated LISTEN connection per scheduler, shared by the ticker (schedule changes) and the
 * workers (runs coming due). It pings its connection so that a dead one (a restarted server, a
 * silently dropped socket) is noticed within PING_MS + PING_TIMEOUT_MS (2 s), and reconnects by itself.
 * Subscribers hear when it goes down (notifications may be lost from then on: they poll faster)
 * and when it is back (they look again).
 *
 * At each connect it tests itself before telling anyone it listens: it sends a token through the
 * pool on a channel of its own and waits for it. Behind PgBouncer in transaction mode the LISTEN
 * lands on whichever server session ran it, which goes back to the pool, and every notification is
 * dropped ("got packet 'A' from server when not linked"): the connection answers pings yet hears
 * nothing. The first connect's outcome is what start() waits for (ready()), so such a setup is
 * refused at start instead of silently losing every wake-up.
 */
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { asPoolerError, PoolerError } from '../errors.ts';
import type { Store } from '../store/store.ts';

export interface Subscriber {
  onMessage(payload: string): void;
  /** Listening (again): notifications sent while it was down are lost, so look again. */
  onConnect(): void;
  /** Not listening: until onConnect, nothing is announced. */
  onDisconnect?(): void;
}

const RECONNECT_MS = 1000;
/**
 * The connection is pinged this often, and counted dead when a ping has no answer within the
 * timeout: a silently dead LISTEN connection is noticed within 2 s, and the ticker then polls
 * until it is back, so a schedule created meanwhile still fires on time.
 */
const PING_MS = 1000;
const PING_TIMEOUT_MS = 1000;
/**
 * How long the self-test waits for its own notification. Directly or through a session pool it
 * arrives within milliseconds; the bound is wide so that a loaded machine is not taken for a pooler
 * (a refusal at start is costly), and only a refused setup waits it out.
 */
const PROBE_TIMEOUT_MS = 5000;

/** What the listener needs besides the store: its self-test channel, and where to report trouble after start. */
export interface ListenerOptions {
  probeChannel: string;
  onError(error: Error): void;
}

export class Listener {
  readonly #store: Store;
  readonly #options: ListenerOptions;
  readonly #subscribers = new Map<string, Subscriber[]>();
  #client: pg.Client | null = null;
  #retry: NodeJS.Timeout | null = null;
  #ping: NodeJS.Timeout | null = null;
  #connected = false;
  #closed = false;
  /** The token the self-test under way waits for, and what it calls when the token arrives. */
  #probe: { token: string; arrived(): void } | null = null;
  /** Settled by the first connect's outcome (see ready()). */
  #first: { resolve(): void; reject(error: Error): void } | null = null;
  readonly #ready: Promise<void>;
  /** A failed self-test was reported and none has passed since: the next failure is not reported again. */
  #reported = false;

  constructor(store: Store, options: ListenerOptions) {
    this.#store = store;
    this.#options = options;
    this.#ready = new Promise((resolve, reject) => {
      this.#first = { resolve, reject };
    });
    // Not every caller waits for ready() (a stop() before it): its rejection must not go unhandled.
    this.#ready.catch(() => {});
  }

  /**
   * Settles with the first connect: resolves once the listener hears itself, or once that first
   * attempt failed in a way a retry can mend (the server unreachable: it keeps retrying as before);
   * rejects with a PoolerError when what is in between cannot carry notifications (transaction
   * pooling) or refused the connection's settings. A direct connection passes in milliseconds.
   */
  ready(): Promise<void> {
    return this.#ready;
  }

  /** Subscribes to a channel (a validated identifier). Call before start(). */
  subscribe(channel: string, subscriber: Subscriber): void {
    this.#subscribers.set(channel, [...(this.#subscribers.get(channel) ?? []), subscriber]);
  }

  /** Whether notifications are being received now. */
  get connected(): boolean {
    return this.#connected;
  }

  start(): void {
    void this.#connect();
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#settle();
    if (this.#retry) clearTimeout(this.#retry);
    if (this.#ping) clearInterval(this.#ping);
    const client = this.#client;
    this.#client = null;
    await client?.end().catch(() => {});
  }

  /** Settles ready() once: with the error when given, else resolved. */
  #settle(error?: Error): void {
    const first = this.#first;
    this.#first = null;
    if (error) first?.reject(error);
    else first?.resolve();
  }

  /** A connect that cannot work by retrying: refused at start, reported (once) later. */
  #refuse(error: PoolerError): void {
    if (this.#first) {
      this.#settle(error);
      return;
    }
    if (!this.#reported) this.#options.onError(error);
    this.#reported = true;
  }

  /**
   * Sends a token through the pool and waits for it on `client`. Rejects with a PoolerError when it
   * does not come within the probe timeout, counted from the NOTIFY's commit, while `client` still
   * answers a ping; with the error of whichever step failed otherwise (the pool could not send it,
   * or the LISTEN connection is gone: an outage, retried as one, not a pooler).
   */
  async #selfTest(client: pg.Client): Promise<void> {
    const token = randomUUID();
    const arrived = new Promise<void>((resolve) => {
      this.#probe = { token, arrived: resolve };
    });
    let timer: NodeJS.Timeout | undefined;
    try {
      await this.#store.listen(client, this.#options.probeChannel, PING_TIMEOUT_MS);
      // The bound starts once the notification is on its way: a pool slow to send it (the network
      // cut, the server restarting) is an outage, and must not be taken for a pooler.
      await this.#store.queries.notify(this.#options.probeChannel, token);
      const timedOut = new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(true), PROBE_TIMEOUT_MS);
        timer.unref();
      });
      if (!(await Promise.race([arrived.then(() => false), timedOut]))) return;
      // Sent and not heard. A LISTEN connection that went silent meanwhile hears nothing either:
      // that is an outage (the ping throws, and the connect is retried).
      await this.#store.pingOn(client, PING_TIMEOUT_MS);
      throw new PoolerError(
        'notifications',
        `a notification sent through the pool did not reach the LISTEN connection within ${PROBE_TIMEOUT_MS / 1000} s: ` +
          'a pooler in transaction mode (PgBouncer pool_mode=transaction) is in between, and the ' +
          'scheduler would miss every wake-up. Give `directConnectionString` (PostgreSQL itself, for the ' +
          'LISTEN connection), or use session pooling',
      );
    } finally {
      clearTimeout(timer);
      this.#probe = null;
    }
  }

  #each(action: (subscriber: Subscriber) => void): void {
    for (const subscribers of this.#subscribers.values()) for (const s of subscribers) action(s);
  }

  async #connect(): Promise<void> {
    if (this.#closed) return;
    const client = this.#store.newClient('listen');
    const retry = () => {
      if (this.#client !== client) return;
      this.#client = null;
      if (this.#ping) clearInterval(this.#ping);
      this.#ping = null;
      if (this.#connected) {
        this.#connected = false;
        this.#each((s) => s.onDisconnect?.());
      }
      // end() destroys the socket when a query (the ping) is still pending on it.
      client.end().catch(() => {});
      if (this.#closed) return;
      this.#retry = setTimeout(() => void this.#connect(), RECONNECT_MS);
      this.#retry.unref();
    };
    this.#client = client;
    client.on('error', retry);
    client.on('end', retry);
    client.on('notification', (message) => {
      if (message.channel === this.#options.probeChannel) {
        if (this.#probe && message.payload === this.#probe.token) this.#probe.arrived();
        return;
      }
      for (const subscriber of this.#subscribers.get(message.channel) ?? []) {
        subscriber.onMessage(message.payload ?? '');
      }
    });
    try {
      await client.connect();
      for (const channel of this.#subscribers.keys()) await this.#store.listen(client, channel, PING_TIMEOUT_MS);
      await this.#selfTest(client);
      // Closed or replaced while testing: the new attempt (or close()) owns the state now.
      if (this.#client !== client) return;
      this.#connected = true;
      this.#reported = false;
      this.#settle();
      this.#each((s) => s.onConnect());
      this.#ping = setInterval(() => {
        this.#store.pingOn(client, PING_TIMEOUT_MS).catch(retry);
      }, PING_MS);
      this.#ping.unref();
    } catch (error) {
      const refused = asPoolerError(error);
      if (refused) this.#refuse(refused);
      // Unreachable for now: start() goes on, and the retries below take over, as before the self-test.
      else this.#settle();
      retry();
    }
  }
}
