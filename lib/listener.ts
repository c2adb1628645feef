/**
 * One dedicated LISTEN connection per scheduler, shared by the ticker (schedule changes) and the
 * workers (runs committed). It reconnects by itself; after every (re)connect it tells each
 * subscriber, since notifications sent while it was away are lost.
 */
import type pg from 'pg';
import type { Store } from './store.ts';

type Subscriber = { onMessage: (payload: string) => void; onConnect: () => void };

const RECONNECT_MS = 1000;

export class Listener {
  readonly #store: Store;
  readonly #subscribers = new Map<string, Subscriber[]>();
  #client: pg.Client | null = null;
  #retry: NodeJS.Timeout | null = null;
  #closed = false;

  constructor(store: Store) {
    this.#store = store;
  }

  /** Subscribes to a channel (a validated identifier). Call before start(). */
  subscribe(channel: string, subscriber: Subscriber): void {
    this.#subscribers.set(channel, [...(this.#subscribers.get(channel) ?? []), subscriber]);
  }

  start(): void {
    void this.#connect();
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#retry) clearTimeout(this.#retry);
    const client = this.#client;
    this.#client = null;
    await client?.end().catch(() => {});
  }

  async #connect(): Promise<void> {
    if (this.#closed) return;
    const client = this.#store.newListenClient();
    const retry = () => {
      if (this.#client !== client) return;
      this.#client = null;
      client.end().catch(() => {});
      if (this.#closed) return;
      this.#retry = setTimeout(() => void this.#connect(), RECONNECT_MS);
      this.#retry.unref();
    };
    this.#client = client;
    client.on('error', retry);
    client.on('end', retry);
    client.on('notification', (message) => {
      for (const subscriber of this.#subscribers.get(message.channel) ?? [])
        subscriber.onMessage(message.payload ?? '');
    });
    try {
      await client.connect();
      for (const channel of this.#subscribers.keys()) await this.#store.listen(client, channel);
      for (const subscribers of this.#subscribers.values()) for (const s of subscribers) s.onConnect();
    } catch {
      retry();
    }
  }
}
