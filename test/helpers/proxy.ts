/**
 * A TCP proxy in front of PostgreSQL for network-fault tests. It forwards bytes both ways until it is
 * told to cut: from then on, the connections it matches are blackholed, as a network that silently
 * drops packets would leave them. Their sockets stay open (no FIN, no RST: the peers are never told),
 * nothing more is delivered either way, and they never come back. `heal()` lets new connections
 * through again, like a network path that returns; the blackholed ones stay dead.
 *
 * Connections are matched by the `application_name` of their startup message (plain text: the tests
 * connect without TLS), so one kind of connection (the LISTEN one, say) can be cut alone.
 */
import net from 'node:net';

interface Link {
  client: net.Socket;
  upstream: net.Socket;
  applicationName: string | null;
  blackholed: boolean;
}

export interface Proxy {
  /** The connection string through the proxy, for a database URL of the real server. */
  url(databaseUrl: string): string;
  readonly port: number;
  /** Blackholes the open connections `matches` accepts (all by default), and new ones like them until heal(). */
  cut(matches?: (applicationName: string | null) => boolean): void;
  /** New connections are forwarded again; the blackholed ones stay dead. */
  heal(): void;
  /** Open connections, with their application names and whether they are blackholed. */
  links(): { applicationName: string | null; blackholed: boolean }[];
  close(): Promise<void>;
}

/** The application_name in a startup message (int32 length, int32 protocol 3.0, then key\0value\0 pairs). */
function applicationNameOf(startup: Buffer): string | null {
  if (startup.length < 8 || startup.readInt32BE(4) !== 196608) return null;
  const pairs = startup.subarray(8, startup.readInt32BE(0)).toString('utf8').split('\0');
  for (let i = 0; i + 1 < pairs.length; i += 2) if (pairs[i] === 'application_name') return pairs[i + 1] ?? null;
  return null;
}

export async function startProxy(target: { host: string; port: number }): Promise<Proxy> {
  const links = new Set<Link>();
  let cutMatches: ((applicationName: string | null) => boolean) | null = null;
  const server = net.createServer((client) => {
    const upstream = net.connect(target.port, target.host);
    const link: Link = { client, upstream, applicationName: null, blackholed: false };
    links.add(link);
    let first = true;
    client.on('data', (chunk) => {
      if (first) {
        first = false;
        link.applicationName = applicationNameOf(chunk);
        if (cutMatches?.(link.applicationName)) link.blackholed = true;
      }
      if (!link.blackholed) upstream.write(chunk);
    });
    upstream.on('data', (chunk) => {
      if (!link.blackholed) client.write(chunk);
    });
    const end = () => {
      links.delete(link);
      client.destroy();
      upstream.destroy();
    };
    // A blackholed link is never closed by the proxy (until close()): the peers must find out by themselves.
    client.on('close', () => {
      if (!link.blackholed) end();
    });
    upstream.on('close', () => {
      if (!link.blackholed) end();
    });
    client.on('error', () => {});
    upstream.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    url(databaseUrl) {
      const url = new URL(databaseUrl);
      url.hostname = '127.0.0.1';
      url.port = String(port);
      return url.href;
    },
    cut(matches = () => true) {
      cutMatches = matches;
      for (const link of links) if (matches(link.applicationName)) link.blackholed = true;
    },
    heal() {
      cutMatches = null;
    },
    links() {
      return [...links].map(({ applicationName, blackholed }) => ({ applicationName, blackholed }));
    },
    async close() {
      for (const link of links) {
        link.client.destroy();
        link.upstream.destroy();
      }
      links.clear();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
