/**
 * One webhook delivery attempt: guard the destination, sign, send, read the start of the answer.
 * The shell around the pure parts (guard, signing, Retry-After): it owns the only sockets a webhook
 * opens, and it turns every network failure into a result, never an exception.
 */
import type { LookupOptions } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { checkInteger, checkOneOf } from '../validate.ts';
import {
  DEFAULT_DESTINATION_POLICY,
  type DestinationPolicy,
  type ResolvedAddress,
  resolveDestination,
  systemResolver,
  type WebhookResolver,
} from './guard.ts';
import { checkWebhookId, signWebhook, WEBHOOK_HEADERS } from './signing.ts';
import {
  DEFAULT_TIMEOUT_SECONDS,
  MAX_TIMEOUT_SECONDS,
  MIN_TIMEOUT_SECONDS,
  WEBHOOK_METHODS,
  type WebhookMethod,
} from './target.ts';

/** Most bytes of the receiver's answer kept (and read: the rest is never downloaded). */
export const MAX_RESPONSE_BODY_BYTES = 1024;
/** Longest wait a receiver's Retry-After may ask for, in milliseconds (1 hour). */
export const MAX_RETRY_AFTER_MS = 3_600_000;

/**
 * Why an attempt failed. `http` is an answer outside 2xx (a 3xx included: redirects are never
 * followed); the others had no usable answer.
 */
export const DELIVERY_ERROR_KINDS = ['timeout', 'refused', 'dns', 'blocked', 'tls', 'network', 'http'] as const;
export type DeliveryErrorKind = (typeof DELIVERY_ERROR_KINDS)[number];

/** One message to deliver. buildWebhookRequest() makes one from a target and a payload. */
export interface WebhookRequest {
  /** http or https URL, checked again here against the policy. */
  url: string;
  /** Default `POST`. */
  method?: WebhookMethod;
  /** The target's own headers, already validated by parseTarget(). Ours win over any of the same name. */
  headers?: Readonly<Record<string, string>>;
  /** The JSON text sent, and signed, byte for byte. */
  body: string;
  /** `webhook-id`: the run id, the same for every attempt, so receivers can de-duplicate. */
  id: string;
  /** Signing secret(s), `whsec_…`; several during a rotation. No `webhook-signature` without one. */
  secret?: string | readonly string[];
  /** Seconds the whole attempt may take: resolution, connection, request, answer headers and the body read. 1-300, default 10. */
  timeoutSeconds?: number;
}

/** Options of deliverWebhook(), the same for every attempt of an engine. */
export interface DeliveryOptions {
  /** The package version, for `user-agent: pg-cron-scheduler/<version>`. Default none (`pg-cron-scheduler`). */
  version?: string;
  /** Internal destinations the operator allows. Default DEFAULT_DESTINATION_POLICY (none). */
  policy?: DestinationPolicy;
  /** Resolves the URL's host name. Default systemResolver (dns.lookup, all addresses). */
  resolver?: WebhookResolver;
  /** The clock for `webhook-timestamp` and Retry-After dates, in milliseconds since the epoch. Default `Date.now`. */
  now?: () => number;
}

/** What became of one attempt. */
export interface DeliveryResult {
  /** A 2xx answer arrived, and its body was read to the end or to MAX_RESPONSE_BODY_BYTES, within the timeout. */
  ok: boolean;
  /** The answer's status, or null when none arrived. */
  status: number | null;
  /** Milliseconds from the start of the attempt to its end. */
  latencyMs: number;
  /** The first bytes (at most MAX_RESPONSE_BODY_BYTES) of the answer's body, decoded as UTF-8; invalid bytes become U+FFFD. */
  body: string;
  /** The wait the receiver asked for in Retry-After (seconds or an HTTP date), capped at MAX_RETRY_AFTER_MS; null without one. */
  retryAfterMs: number | null;
  /** The address connected to (after the guard), or null when none was. */
  address: string | null;
  /** Why the attempt failed; absent when `ok`. */
  error?: { kind: DeliveryErrorKind; message: string };
}

/**
 * The wait a Retry-After header asks for, in milliseconds: whole seconds, or an HTTP date (a date
 * already past is 0). Capped at `capMs`; null when absent or unreadable. Pure.
 */
export function parseRetryAfter(
  value: string | null | undefined,
  nowMs: number,
  capMs = MAX_RETRY_AFTER_MS,
): number | null {
  if (value === null || value === undefined) return null;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Math.min(Number(text) * 1000, capMs);
  if (!/[a-z]/i.test(text)) return null; // "1.5" or "-3" are not dates, whatever Date.parse thinks
  const at = Date.parse(text);
  if (Number.isNaN(at)) return null;
  return Math.min(Math.max(0, at - nowMs), capMs);
}

const TLS_CODE = /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|HOSTNAME_MISMATCH|ERR_OSSL_)/;

/** The kind of a Node socket error. */
export function classifyNetworkError(error: unknown): DeliveryErrorKind {
  const code = (error as { code?: unknown })?.code;
  if (typeof code !== 'string') return 'network';
  if (code === 'ECONNREFUSED') return 'refused';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'dns';
  if (TLS_CODE.test(code) || code === 'EPROTO') return 'tls';
  return 'network';
}

/**
 * The lookup Node's connection uses instead of DNS: it answers the one host name with the addresses
 * the guard checked, so the socket goes to them and nowhere else, while the URL (and with it the
 * Host header and the TLS server name and certificate check) keeps the name.
 */
function pinnedLookup(host: string, addresses: readonly ResolvedAddress[]): LookupFunction {
  return (hostname: string, options: LookupOptions, callback) => {
    if (hostname.toLowerCase().replace(/\.$/, '') !== host) {
      const error = Object.assign(new Error(`refusing to resolve ${hostname}: only ${host} was checked`), {
        code: 'ENOTFOUND',
      });
      callback(error, '', 0);
      return;
    }
    const wanted =
      options.family === 4 || options.family === 6 ? addresses.filter((a) => a.family === options.family) : addresses;
    if (wanted.length === 0) {
      callback(Object.assign(new Error(`${host} has no IPv${options.family} address`), { code: 'ENOTFOUND' }), '', 0);
      return;
    }
    // With `all`, Node tries each in turn (happy eyeballs); every one of them passed the guard.
    if (options.all)
      callback(
        null,
        wanted.map((a) => ({ address: a.address, family: a.family })),
      );
    else callback(null, wanted[0]!.address, wanted[0]!.family);
  };
}

interface Exchange {
  status: number | null;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  /** The body was cut at MAX_RESPONSE_BODY_BYTES (perhaps inside a character). */
  truncated: boolean;
  address: string | null;
  error?: { kind: DeliveryErrorKind; message: string };
}

/** The longest prefix of `text` whose UTF-8 form fits in `bytes` (U+FFFD replacements take 3 each). */
function fitUtf8(text: string, bytes: number): string {
  if (Buffer.byteLength(text, 'utf8') <= bytes) return text;
  let out = '';
  let size = 0;
  for (const char of text) {
    const charBytes = Buffer.byteLength(char, 'utf8');
    if (size + charBytes > bytes) break;
    out += char;
    size += charBytes;
  }
  return out;
}

function send(
  url: URL,
  host: string,
  addresses: readonly ResolvedAddress[],
  method: WebhookMethod,
  headers: Record<string, string>,
  body: string,
  timeoutMs: number,
  timeoutSeconds: number,
): Promise<Exchange> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let status: number | null = null;
    let responseHeaders: http.IncomingHttpHeaders = {};
    let address: string | null = null;
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    let request: http.ClientRequest | undefined;
    const finish = (error?: Exchange['error']) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      // Destroying the request closes the socket: nothing more of the answer is downloaded, and
      // with agent: false there is no pooled socket to reuse for another (differently pinned) host.
      request?.destroy();
      const truncated = size >= MAX_RESPONSE_BODY_BYTES;
      resolve({
        status,
        headers: responseHeaders,
        body: Buffer.concat(chunks),
        truncated,
        address,
        ...(error ? { error } : {}),
      });
    };
    try {
      request = (url.protocol === 'https:' ? https : http).request(url, {
        method,
        headers,
        agent: false,
        lookup: pinnedLookup(host, addresses),
        // Answers are small; a receiver may not make us hold large headers either.
        maxHeaderSize: 16 * 1024,
      });
    } catch (error) {
      // http.request throws at once for what it cannot send (a header value it refuses, say).
      finish({ kind: 'network', message: (error as Error)?.message ?? String(error) });
      return;
    }
    timer = setTimeout(
      () =>
        finish({
          kind: 'timeout',
          message: `no complete answer within ${timeoutSeconds} s${status === null ? '' : ` (status ${status} arrived, the body did not finish)`}`,
        }),
      timeoutMs,
    );
    request.on('socket', (socket) => {
      socket.once('connect', () => {
        address = socket.remoteAddress ?? null;
      });
    });
    request.on('error', (error) => finish({ kind: classifyNetworkError(error), message: error.message }));
    request.on('response', (response) => {
      status = response.statusCode ?? null;
      responseHeaders = response.headers;
      address ??= response.socket?.remoteAddress ?? null;
      response.on('data', (chunk: Buffer) => {
        const room = MAX_RESPONSE_BODY_BYTES - size;
        chunks.push(chunk.length > room ? chunk.subarray(0, room) : chunk);
        size += Math.min(chunk.length, room);
        if (size >= MAX_RESPONSE_BODY_BYTES) finish();
      });
      response.on('end', () => finish());
      response.on('error', (error) => finish({ kind: classifyNetworkError(error), message: error.message }));
      response.on('close', () =>
        finish(
          response.complete ? undefined : { kind: 'network', message: 'the connection closed before the answer ended' },
        ),
      );
    });
    request.end(body);
  });
}

function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T | typeof TIMED_OUT> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(() => resolve(TIMED_OUT), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}
const TIMED_OUT = Symbol('timed out');

const USER_AGENT = 'pg-cron-scheduler';

/**
 * One delivery attempt of a webhook. Resolves the URL's host once, refuses it when any address is
 * refused by the policy, and connects only to the checked addresses (pinned: DNS is not asked
 * again). Sends `content-type: application/json`, `user-agent`, the Standard Webhooks headers (a
 * signature when the request has a secret) and the target's headers. Never follows a redirect.
 * The whole attempt is bounded by `timeoutSeconds`. A 2xx is `ok`; anything else, and every
 * network failure, is a failed result: it throws only ValidationError, for a malformed request.
 */
export async function deliverWebhook(request: WebhookRequest, options: DeliveryOptions = {}): Promise<DeliveryResult> {
  const started = performance.now();
  const timeoutSeconds = checkInteger(
    'timeoutSeconds',
    request.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS,
    MIN_TIMEOUT_SECONDS,
    MAX_TIMEOUT_SECONDS,
  );
  const method = checkOneOf('method', request.method ?? 'POST', WEBHOOK_METHODS);
  const now = options.now ?? Date.now;
  const timeoutMs = timeoutSeconds * 1000;
  const elapsed = () => Math.round(performance.now() - started);
  const failed = (kind: DeliveryErrorKind, message: string): DeliveryResult => ({
    ok: false,
    status: null,
    latencyMs: elapsed(),
    body: '',
    retryAfterMs: null,
    address: null,
    error: { kind, message },
  });

  // Signed before anything is sent, so that a bad secret or id (a ValidationError) fails the call
  // before any socket exists.
  const timestamp = Math.floor(now() / 1000);
  checkWebhookId('id', request.id);
  const signature =
    request.secret === undefined ? null : signWebhook(request.secret, request.id, timestamp, request.body);

  const destination = await withDeadline(
    resolveDestination(request.url, options.policy ?? DEFAULT_DESTINATION_POLICY, options.resolver ?? systemResolver),
    timeoutMs,
  );
  if (destination === TIMED_OUT) return failed('timeout', `the host name did not resolve within ${timeoutSeconds} s`);
  if (!destination.ok) return failed(destination.error, destination.message);

  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers ?? {})) headers[name.toLowerCase()] = value;
  // Ours are set after the target's, so a header that slipped past validation cannot replace them.
  headers['content-type'] = 'application/json';
  headers['content-length'] = String(Buffer.byteLength(request.body, 'utf8'));
  headers['user-agent'] = options.version ? `${USER_AGENT}/${options.version}` : USER_AGENT;
  headers[WEBHOOK_HEADERS.id] = request.id;
  headers[WEBHOOK_HEADERS.timestamp] = String(timestamp);
  if (signature !== null) headers[WEBHOOK_HEADERS.signature] = signature;
  else delete headers[WEBHOOK_HEADERS.signature];
  delete headers.host;
  delete headers['transfer-encoding'];

  const remaining = Math.max(1, timeoutMs - (performance.now() - started));
  const exchange = await send(
    destination.url,
    destination.host,
    destination.addresses,
    method,
    headers,
    request.body,
    remaining,
    timeoutSeconds,
  );

  const retryAfter = exchange.headers['retry-after'];
  const status = exchange.status;
  const ok = exchange.error === undefined && status !== null && status >= 200 && status < 300;
  let error = exchange.error;
  if (!error && !ok) {
    const location = exchange.headers.location;
    error = {
      kind: 'http',
      message:
        status !== null && status >= 300 && status < 400
          ? `the receiver answered ${status}, a redirect${location ? ` to ${fitUtf8(location, 200)}` : ''}; redirects are not followed: update the URL`
          : `the receiver answered ${status}`,
    };
  }
  // A body cut inside a character loses that character's start rather than gaining a U+FFFD.
  const decoded = new TextDecoder('utf-8', { fatal: false }).decode(exchange.body, { stream: exchange.truncated });
  return {
    ok,
    status,
    latencyMs: elapsed(),
    body: fitUtf8(decoded, MAX_RESPONSE_BODY_BYTES),
    retryAfterMs: parseRetryAfter(typeof retryAfter === 'string' ? retryAfter : undefined, now()),
    address: exchange.address,
    ...(error ? { error } : {}),
  };
}
