/**
 * A job's target (issue 14): where a run goes when it fires. Pure validation of the three kinds,
 * and the redacted view the API may show. Field names are the API's (snake_case), and every
 * message names the field as `target.<name>`.
 */
import { createHash } from 'node:crypto';
import { ValidationError } from '../errors.ts';
import { checkInteger, checkOneOf, checkQueueName } from '../validate.ts';
import { checkWebhookUrl, DEFAULT_DESTINATION_POLICY, type DestinationPolicy } from './guard.ts';
import { checkWebhookSecret, secretFingerprint, WEBHOOK_HEADERS } from './signing.ts';

/** The kinds of target. `log` (the default) only records the run. */
export const TARGET_TYPES = ['log', 'queue', 'webhook'] as const;
export type TargetType = (typeof TARGET_TYPES)[number];

/** Methods a webhook may use. GET is left out: a GET with a body is not understood everywhere. */
export const WEBHOOK_METHODS = ['POST', 'PUT', 'PATCH'] as const;
export type WebhookMethod = (typeof WEBHOOK_METHODS)[number];

/** Bounds and default of `timeout_seconds`. */
export const MIN_TIMEOUT_SECONDS = 1;
export const MAX_TIMEOUT_SECONDS = 300;
export const DEFAULT_TIMEOUT_SECONDS = 10;
/** Most headers a webhook target may add. */
export const MAX_WEBHOOK_HEADERS = 20;
/** Most bytes of the added headers' names and values together. */
export const MAX_WEBHOOK_HEADER_BYTES = 8 * 1024;

/**
 * Header names a target may not set: the signature headers, the ones that frame the message
 * (a receiver must be able to trust them, and Node sets them), and hop-by-hop ones.
 */
export const RESERVED_HEADER_NAMES = [
  WEBHOOK_HEADERS.id,
  WEBHOOK_HEADERS.timestamp,
  WEBHOOK_HEADERS.signature,
  'host',
  'content-type',
  'content-length',
  'content-encoding',
  'transfer-encoding',
  'user-agent',
  'connection',
  'keep-alive',
  'upgrade',
  'te',
  'trailer',
  'expect',
  'proxy-authorization',
  'proxy-connection',
] as const;

/** Runs are recorded and nothing is sent. */
export interface LogTarget {
  type: 'log';
}

/** Runs are sent as pg-boss jobs to a queue of the user's own. */
export interface QueueTarget {
  type: 'queue';
  /** pg-boss queue name: letters, digits, `.`, `_`, `-`, `/`; at most 100 characters. */
  queue: string;
}

/** Runs are delivered as signed HTTP requests. */
export interface WebhookTarget {
  type: 'webhook';
  /** http or https URL, without credentials. */
  url: string;
  /** Default `POST`. */
  method: WebhookMethod;
  /** Extra request headers, names lowercase. */
  headers: Record<string, string>;
  /** Names (lowercase) of headers whose values are write-only: redacted in every view. */
  secret_headers: string[];
  /** Seconds an attempt may take, 1-300. Default 10. */
  timeout_seconds: number;
  /** Standard Webhooks signing secret `whsec_…`; write-only. Without one, nothing is signed. */
  secret?: string;
}

export type Target = LogTarget | QueueTarget | WebhookTarget;

/** A webhook target as the API may show it: secrets replaced by fingerprints. */
export interface RedactedWebhookTarget extends Omit<WebhookTarget, 'secret'> {
  /** `sha256:` + 12 hex digits naming the secret, when there is one. */
  secret_fingerprint?: string;
}
export type RedactedTarget = LogTarget | QueueTarget | RedactedWebhookTarget;

/** Options of parseTarget(). */
export interface ParseTargetOptions {
  /** Internal destinations the operator allows (SCHEDULER_WEBHOOK_ALLOW). Default none. */
  policy?: DestinationPolicy;
}

// RFC 9110 token.
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,100}$/;
// Tab, visible ASCII, space and obs-text: what Node sends without complaint; no CR, LF or NUL.
const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

function fail(field: string, value: unknown, expected: string): never {
  const echo = typeof value === 'string' && value.length > 200 ? `${value.slice(0, 200)}…` : value;
  throw new ValidationError({ field, value: echo !== null && typeof echo === 'object' ? undefined : echo, expected });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function refuseUnknown(input: Record<string, unknown>, allowed: readonly string[], type: TargetType): void {
  for (const key of Object.keys(input)) {
    if (!allowed.includes(key)) {
      fail(`target.${key}`, undefined, `no such field for a ${type} target (fields: ${allowed.join(', ')})`);
    }
  }
}

function parseHeaders(value: unknown): Record<string, string> {
  if (value === undefined) return {};
  if (!isRecord(value)) fail('target.headers', value, 'an object of header names to string values');
  const entries = Object.entries(value);
  if (entries.length > MAX_WEBHOOK_HEADERS) fail('target.headers', undefined, `at most ${MAX_WEBHOOK_HEADERS} headers`);
  const headers: Record<string, string> = {};
  let bytes = 0;
  for (const [name, headerValue] of entries) {
    const field = `target.headers.${name}`;
    if (!HEADER_NAME.test(name))
      fail(field, name, "a header name of 1-100 token characters (letters, digits, !#$%&'*+.^_`|~-)");
    const lower = name.toLowerCase();
    if ((RESERVED_HEADER_NAMES as readonly string[]).includes(lower) || lower.startsWith('webhook-')) {
      fail(
        field,
        name,
        'a header the scheduler does not set itself (not a webhook-*, host, content-type or framing header)',
      );
    }
    if (Object.hasOwn(headers, lower)) fail(field, name, 'each header name once, whatever its case');
    // The value is not echoed back: it may be a credential.
    if (typeof headerValue !== 'string') fail(field, undefined, 'a string value');
    if (!HEADER_VALUE.test(headerValue)) fail(field, undefined, 'a value without CR, LF or other control characters');
    bytes += Buffer.byteLength(lower, 'latin1') + Buffer.byteLength(headerValue, 'latin1');
    headers[lower] = headerValue;
  }
  if (bytes > MAX_WEBHOOK_HEADER_BYTES)
    fail('target.headers', undefined, `headers of at most ${MAX_WEBHOOK_HEADER_BYTES} bytes in all`);
  return headers;
}

function parseSecretHeaders(value: unknown, headers: Record<string, string>): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) fail('target.secret_headers', value, 'a list of names of headers in target.headers');
  const names: string[] = [];
  value.forEach((name, i) => {
    const field = `target.secret_headers[${i}]`;
    if (typeof name !== 'string' || !Object.hasOwn(headers, name.toLowerCase())) {
      fail(field, name, 'the name of a header in target.headers');
    }
    if (!names.includes(name.toLowerCase())) names.push(name.toLowerCase());
  });
  return names;
}

const WEBHOOK_FIELDS = ['type', 'url', 'method', 'headers', 'secret_headers', 'timeout_seconds', 'secret'] as const;

/**
 * Validates a job's target and fills its defaults: absent (undefined or null) is `{ type: "log" }`.
 * Throws ValidationError naming the field (`target.url`, `target.headers.<name>`, …) and what was
 * expected. A webhook URL gets the static destination check (checkWebhookUrl); its host name is
 * only resolved at delivery. Secrets and header values are never echoed in messages.
 */
export function parseTarget(input: unknown, options: ParseTargetOptions = {}): Target {
  if (input === undefined || input === null) return { type: 'log' };
  if (!isRecord(input)) fail('target', input, 'an object with a "type" of "log", "queue" or "webhook"');
  const type = checkOneOf('target.type', input.type, TARGET_TYPES);
  switch (type) {
    case 'log':
      refuseUnknown(input, ['type'], type);
      return { type };
    case 'queue':
      refuseUnknown(input, ['type', 'queue'], type);
      return { type, queue: checkQueueName('target.queue', input.queue) };
    case 'webhook': {
      refuseUnknown(input, WEBHOOK_FIELDS, type);
      checkWebhookUrl(input.url, options.policy ?? DEFAULT_DESTINATION_POLICY, 'target.url');
      const method = input.method === undefined ? 'POST' : checkOneOf('target.method', input.method, WEBHOOK_METHODS);
      const headers = parseHeaders(input.headers);
      const target: WebhookTarget = {
        type,
        // As given: URL's normalized href may differ (an added "/"), and users should see what they wrote.
        url: input.url as string,
        method,
        headers,
        secret_headers: parseSecretHeaders(input.secret_headers, headers),
        timeout_seconds:
          input.timeout_seconds === undefined
            ? DEFAULT_TIMEOUT_SECONDS
            : checkInteger('target.timeout_seconds', input.timeout_seconds, MIN_TIMEOUT_SECONDS, MAX_TIMEOUT_SECONDS),
      };
      if (input.secret !== undefined) target.secret = checkWebhookSecret('target.secret', input.secret);
      return target;
    }
  }
}

/** `<redacted sha256:…>`: names a header value without showing it, so a change of value shows. */
export function redactedHeaderValue(value: string): string {
  return `<redacted sha256:${createHash('sha256').update(value, 'latin1').digest('hex').slice(0, 12)}>`;
}

/**
 * The target as the API may show it: the signing secret replaced by `secret_fingerprint`, the
 * values of `secret_headers` by `<redacted sha256:…>`. Nothing write-only survives. Pure.
 */
export function redactTarget(target: Target): RedactedTarget {
  if (target.type !== 'webhook') return { ...target };
  const { secret, ...rest } = target;
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(target.headers)) {
    headers[name] = target.secret_headers.includes(name) ? redactedHeaderValue(value) : value;
  }
  return {
    ...rest,
    headers,
    secret_headers: [...target.secret_headers],
    ...(secret === undefined ? {} : { secret_fingerprint: secretFingerprint(secret) }),
  };
}
