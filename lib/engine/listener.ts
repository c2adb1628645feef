/**
 * One dedicated LISTEN connection per scheduler, shared by the ticker (schedule changes) and the
 * workers (runs coming due). It pings its connection so that a dead one (a restarted server, a
 * silently dropped socket) is noticed within PING_MS + PING_TIMEOUT_MS (2 s), and reconnects by itself.
 * Subscribers hear when it goes down (notifications may be lost from then on: they poll faster)
 * and when it is back (they look again).
 */
import type pg from 'pg';
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

export class Listener {
  readonly #store: Store;
  readonly #subscribers = new Map<string, Subscriber[]>();
  #client: pg.Client | null = null;
  #retry: NodeJS.Timeout | null = null;
  #ping: NodeJS.Timeout | null = null;
  #connected = false;
  #closed = false;

  constructor(store: Store) {
    this.#store = store;
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
    if (this.#retry) clearTimeout(this.#retry);
    if (this.#ping) clearInterval(this.#ping);
    const client = this.#client;
    this.#client = null;
    await client?.end().catch(() => {});
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
      for (const subscriber of this.#subscribers.get(message.channel) ?? []) {
        subscriber.onMessage(message.payload ?? '');
      }
    });
    try {
      await client.connect();
      for (const channel of this.#subscribers.keys()) await this.#store.listen(client, channel, PING_TIMEOUT_MS);
      this.#connected = true;
      this.#each((s) => s.onConnect());
      this.#ping = setInterval(() => {
        this.#store.pingOn(client, PING_TIMEOUT_MS).catch(retry);
      }, PING_MS);
      this.#ping.unref();
    } catch {
      retry();
    }
  }
}
