/**
 * What keeps other web pages away from the API, as middleware factories: the Host allowlist (DNS
 * rebinding), the refusal of cross-site state changes (a page on another origin), and the bearer
 * tokens (full and read-only). They read no environment (server/config.ts does) and keep no state.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import type { Context, MiddlewareHandler } from 'hono';
import type { ServerConfig } from './config.ts';
import { type AppEnv, appPath } from './context.ts';
import { HttpProblem } from './errors.ts';

/** Methods that change nothing: never checked for their origin, and allowed with the read-only token. */
export const SAFE_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The settings of these middlewares. Unset ones take the server's defaults (a loopback-only service). */
export type SecurityConfig = Pick<ServerConfig, 'apiToken'> &
  Partial<Pick<ServerConfig, 'host' | 'apiReadToken' | 'metricsToken' | 'allowedHosts' | 'allowedOrigins'>>;

/**
 * Routes anyone may call, token or not: probes and the documentation. `/health/schedules` is not
 * one: it names jobs, so it takes the token like the API.
 */
export function isPublicPath(path: string): boolean {
  return (
    path === '/healthcheck' ||
    path === '/health/ready' ||
    path === '/openapi.json' ||
    path === '/doc' ||
    path.startsWith('/doc/') ||
    path === '/docs' ||
    path === '/redoc' ||
    path.startsWith('/redoc/')
  );
}

/** Prometheus's scrape endpoint (server/metrics.ts): its own token when `metricsToken` is set. */
export function isMetricsPath(path: string): boolean {
  return path === '/metrics';
}

/**
 * The dashboard's pages (server/ui/): they log in with the same tokens but keep the session in a
 * cookie, so bearerAuth leaves them to the dashboard's own check. The JSON API stays bearer-only.
 */
export function isUiPath(path: string): boolean {
  return path === '/ui' || path.startsWith('/ui/');
}

/** A `Host` value split into its lower-case name (IPv6 without brackets, no final dot) and port. */
export interface ParsedHost {
  hostname: string;
  port: string | null;
}

/** Parses a `Host` header or URL authority; null when it is not a plain name, IP literal and port. */
export function parseHost(value: string): ParsedHost | null {
  const match = /^(?:\[([0-9a-f:.]+)\]|([a-z0-9._-]+))(?::(\d{1,5}))?$/i.exec(value);
  if (!match) return null;
  const hostname = (match[1] ?? match[2]!).toLowerCase().replace(/\.$/, '');
  if (hostname === '' || (match[1] !== undefined && isIP(hostname) !== 6)) return null;
  return { hostname, port: match[3] ?? null };
}

/**
 * Names no DNS-rebinding page can make a browser send. Rebinding needs a name whose DNS answer the
 * attacker controls (`attacker.com`, then 127.0.0.1); a browser sends an IP literal as `Host` only
 * for a page served from that very address and port, that is, from this service.
 */
function cannotBeRebound(hostname: string): boolean {
  return hostname === 'localhost' || isIP(hostname) !== 0;
}

/** The request's authority as the client wrote it: `Host`, or the URL's (HTTP/2 `:authority`). */
const authorityOf = (c: Context<AppEnv>) => c.req.header('Host') ?? new URL(c.req.url).host;

/** At most this much of a client's header is quoted back in a problem's detail. */
const QUOTE_MAX = 200;
const quote = (value: string) => JSON.stringify(value.slice(0, QUOTE_MAX));

/**
 * Refuses a request whose `Host` is not one this service answers to, so a DNS-rebinding page (its
 * own name pointed at this machine) gets nothing, not even the documentation or the probes: a probe
 * by address (a pod IP, 127.0.0.1) or by `localhost` passes anyway, and a name clients use is one to
 * list. Allowed: IP literals, `localhost`, the configured `host` when it is a name, and
 * `allowedHosts` (`.example.com` also allows its subdomains; `*` turns the check off).
 */
export function hostCheck({ host = '127.0.0.1', allowedHosts = [] }: SecurityConfig): MiddlewareHandler<AppEnv> {
  if (allowedHosts.includes('*')) return (_c, next) => next();
  const names = new Set<string>();
  const suffixes: string[] = [];
  for (const entry of [host, ...allowedHosts]) {
    const name = entry
      .toLowerCase()
      .replace(/^\[(.*)\]$/, '$1')
      .replace(/\.$/, '');
    if (name.startsWith('.')) suffixes.push(name);
    else names.add(name);
  }
  const allowed = (hostname: string) =>
    cannotBeRebound(hostname) ||
    names.has(hostname) ||
    suffixes.some((suffix) => hostname.endsWith(suffix) || hostname === suffix.slice(1));
  return async (c, next) => {
    const authority = authorityOf(c);
    const parsed = parseHost(authority);
    if (parsed && allowed(parsed.hostname)) return next();
    throw new HttpProblem(
      'host_not_allowed',
      `This service does not answer to the host ${quote(authority)}; its operator can allow the name in SCHEDULER_ALLOWED_HOSTS.`,
    );
  };
}

/** Whether `origin` names the host and port of `authority`, whatever its scheme (see crossSiteCheck). */
function originMatches(origin: string, authority: string): boolean {
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false; // `null` (sandboxed frames, file: pages) and anything unparsable
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
  const own = parseHost(authority);
  if (!own) return false;
  const defaultPort = url.protocol === 'https:' ? '443' : '80';
  const hostname = url.hostname.replace(/^\[(.*)\]$/, '$1').replace(/\.$/, '');
  return hostname === own.hostname && (url.port || defaultPort) === (own.port ?? defaultPort);
}

/** `origin` in the form `allowedOrigins` holds (URL.origin), or null when it is not an http(s) origin. */
function normalOrigin(origin: string): string | null {
  try {
    const url = new URL(origin);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.origin : null;
  } catch {
    return null;
  }
}

/**
 * Refuses a state-changing request (any method but GET, HEAD, OPTIONS) sent by a browser for a page
 * on another origin. `POST /jobs/{id}/run` has no body, so a page can send it cross-site with no
 * preflight; this check, not the JSON-only 415, is what stops it. Modelled on Go's
 * `http.CrossOriginProtection`:
 *
 * 1. An origin in `allowedOrigins` passes.
 * 2. `Sec-Fetch-Site` decides when present: the browser computes it and no page can set it.
 *    `same-origin` and `none` (typed in, a bookmark) pass; `cross-site` and `same-site` are refused.
 *    Same-site is refused too: it means another origin of the same site, and every port of
 *    localhost is one site, so any local dev server or tool page would otherwise pass.
 * 3. With neither header the client is not a browser (curl, the CLI, a server): it passes. With
 *    no token such a client could do anything anyway; this check is about pages in a browser.
 * 4. Otherwise (a browser too old to send `Sec-Fetch-Site`) `Origin` must name the `Host` and port
 *    the request was sent to. The scheme is not compared: behind a proxy that terminates TLS the
 *    page is https and this server sees http, and neither side can tell.
 *
 * Reading is not a state change, and CORS is not enabled, so a page on another origin cannot read
 * what a GET answers: GETs are not checked. A trusted origin still needs CORS to read answers.
 */
export function crossSiteCheck({ allowedOrigins = [] }: SecurityConfig): MiddlewareHandler<AppEnv> {
  const trusted = new Set(allowedOrigins);
  return async (c, next) => {
    if (SAFE_METHODS.has(c.req.method)) return next();
    const origin = c.req.header('Origin');
    if (origin !== undefined && trusted.has(normalOrigin(origin) ?? '')) return next();
    const site = c.req.header('Sec-Fetch-Site');
    let evidence: string;
    if (site !== undefined) {
      if (site === 'same-origin' || site === 'none') return next();
      evidence = `Sec-Fetch-Site: ${site.slice(0, QUOTE_MAX)}`;
    } else {
      if (origin === undefined || originMatches(origin, authorityOf(c))) return next();
      evidence = `Origin: ${quote(origin)}`;
    }
    throw new HttpProblem(
      'cross_site',
      `${c.req.method} from a web page on another origin is refused (${evidence}). Changes must come from this service's own pages or from a client that is not a browser.`,
    );
  };
}

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest();

/**
 * `Authorization: Bearer <token>` on every non-public route when a token is configured. The full
 * token allows everything; the read-only one (`apiReadToken`) allows the safe methods only, and a
 * change with it is 403 `insufficient_scope` (RFC 6750), not 401: the token is good, its scope is
 * not. Both sides are hashed first so each comparison is constant-time whatever the lengths, and
 * both comparisons always run, so timing does not tell which token was close. With `metricsToken`
 * set, `/metrics` takes that token and no other (and the rest of the API does not take it).
 */
export function bearerAuth({
  apiToken,
  apiReadToken = null,
  metricsToken = null,
}: SecurityConfig): MiddlewareHandler<AppEnv> {
  const full = apiToken === null ? null : sha256(apiToken);
  const read = apiReadToken === null ? null : sha256(apiReadToken);
  const metrics = metricsToken === null ? null : sha256(metricsToken);
  const challenge = 'Bearer realm="pg-cron-scheduler"';
  const bearer = (c: Context<AppEnv>): Buffer => {
    const match = /^Bearer +(\S+) *$/i.exec(c.req.header('Authorization') ?? '');
    if (!match) {
      throw new HttpProblem('unauthorized', 'Send Authorization: Bearer <token>.', {
        headers: { 'WWW-Authenticate': challenge },
      });
    }
    return sha256(match[1]!);
  };
  return async (c, next) => {
    const path = appPath(c);
    if (metrics !== null && isMetricsPath(path)) {
      if (timingSafeEqual(bearer(c), metrics)) return next();
      throw new HttpProblem('unauthorized', 'The bearer token is not valid: /metrics takes the metrics token.', {
        headers: { 'WWW-Authenticate': `${challenge}, error="invalid_token"` },
      });
    }
    if ((full === null && read === null) || isPublicPath(path) || isUiPath(path)) return next();
    const given = bearer(c);
    const isFull = full !== null && timingSafeEqual(given, full);
    const isRead = read !== null && timingSafeEqual(given, read);
    if (isFull || (isRead && SAFE_METHODS.has(c.req.method))) return next();
    if (isRead) {
      throw new HttpProblem(
        'forbidden',
        `This token may only read (GET, HEAD); ${c.req.method} needs the full token.`,
        {
          headers: { 'WWW-Authenticate': `${challenge}, error="insufficient_scope"` },
        },
      );
    }
    throw new HttpProblem('unauthorized', 'The bearer token is not valid.', {
      headers: { 'WWW-Authenticate': `${challenge}, error="invalid_token"` },
    });
  };
}
