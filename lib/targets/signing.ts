/**
 * Standard Webhooks signatures (https://www.standardwebhooks.com/, symmetric scheme `v1`): the
 * sender signs `${id}.${timestamp}.${body}` with HMAC-SHA256 under a `whsec_` secret; the receiver
 * checks the timestamp and any one of the space-separated signatures. Pure apart from the clock
 * and the random bytes of a new secret, both of which callers may pass in or leave to Node.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { ValidationError } from '../errors.ts';

/** The three headers of the scheme, lowercase. */
export const WEBHOOK_HEADERS = Object.freeze({
  id: 'webhook-id',
  timestamp: 'webhook-timestamp',
  signature: 'webhook-signature',
} as const);

const SECRET_PREFIX = 'whsec_';
/** The spec's bounds on a symmetric key: at least 192 bits, at most 512. */
export const MIN_SECRET_BYTES = 24;
export const MAX_SECRET_BYTES = 64;
/** Bytes of a secret made by generateWebhookSecret(): a full SHA-256 block's worth of key. */
const GENERATED_SECRET_BYTES = 32;
/** Default tolerance between the webhook's timestamp and the receiver's clock, in seconds (the spec's 5 minutes). */
export const DEFAULT_TOLERANCE_SECONDS = 300;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const SECRET_EXPECTED = `"whsec_" followed by the base64 of ${MIN_SECRET_BYTES} to ${MAX_SECRET_BYTES} random bytes`;

/** Why a webhook was refused by verifyWebhook(). */
export const WEBHOOK_VERIFICATION_REASONS = [
  'missing_header',
  'invalid_header',
  'stale_timestamp',
  'bad_signature',
] as const;
export type WebhookVerificationReason = (typeof WEBHOOK_VERIFICATION_REASONS)[number];

/**
 * A received webhook failed verification. Thrown in the receiver's process, never by the scheduler's
 * API, so it is not a SchedulerError and has no place in the server's problem table: a receiver
 * answers 400 for `missing_header`/`invalid_header` and 401 for the others.
 */
export class WebhookVerificationError extends Error {
  readonly code = 'webhook_verification' as const;
  readonly reason: WebhookVerificationReason;
  constructor(reason: WebhookVerificationReason, message: string) {
    super(message);
    this.name = 'WebhookVerificationError';
    this.reason = reason;
  }
}

/**
 * The HMAC key of a `whsec_` secret. Throws ValidationError naming `field` when the secret is not
 * `whsec_` + canonical base64 of 24-64 bytes.
 */
export function webhookSecretKey(secret: unknown, field = 'secret'): Buffer {
  const problem = (): never => {
    // Never echo the value: it is, or may be, a secret.
    throw new ValidationError({ field, expected: SECRET_EXPECTED });
  };
  if (typeof secret !== 'string' || !secret.startsWith(SECRET_PREFIX)) return problem();
  const encoded = secret.slice(SECRET_PREFIX.length);
  if (!BASE64.test(encoded)) return problem();
  const key = Buffer.from(encoded, 'base64');
  // Buffer's decoder forgives stray bits and missing padding; a secret must survive a round trip,
  // so two spellings of one key cannot both exist.
  const canonical = key.toString('base64');
  if (encoded !== canonical && encoded !== canonical.replace(/=+$/, '')) return problem();
  if (key.length < MIN_SECRET_BYTES || key.length > MAX_SECRET_BYTES) return problem();
  return key;
}

/** Checks a `whsec_` secret and returns it unchanged; throws ValidationError naming `field` otherwise. */
export function checkWebhookSecret(field: string, secret: unknown): string {
  webhookSecretKey(secret, field);
  return secret as string;
}

/** A new signing secret: `whsec_` + base64 of 32 random bytes. */
export function generateWebhookSecret(): string {
  return SECRET_PREFIX + randomBytes(GENERATED_SECRET_BYTES).toString('base64');
}

/**
 * A short, non-reversible name of a secret to show in its place: `sha256:` + the first 12 hex
 * digits of the SHA-256 of its key. Two views of one secret show the same fingerprint.
 */
export function secretFingerprint(secret: string): string {
  return `sha256:${createHash('sha256').update(webhookSecretKey(secret)).digest('hex').slice(0, 12)}`;
}

function hmac(key: Buffer, id: string, timestamp: number, body: string | Uint8Array): Buffer {
  // The body is hashed as the bytes sent: a Buffer is never decoded and re-encoded on the way.
  return createHmac('sha256', key).update(`${id}.${timestamp}.`).update(body).digest();
}

/** A `webhook-id`: 1-200 visible ASCII characters other than ".". Throws ValidationError naming `field` otherwise. */
export function checkWebhookId(field: string, id: unknown): string {
  // The spec: the id must not contain "." so that `${id}.${timestamp}` cannot be spelled two ways.
  // Visible ASCII keeps it a valid header value.
  if (typeof id !== 'string' || !/^[\x21-\x2d\x2f-\x7e]{1,200}$/.test(id)) {
    throw new ValidationError({ field, value: id, expected: '1-200 visible ASCII characters other than "."' });
  }
  return id;
}

function checkTimestamp(timestamp: unknown): number {
  if (typeof timestamp !== 'number' || !Number.isSafeInteger(timestamp) || timestamp < 0) {
    throw new ValidationError({ field: 'timestamp', value: timestamp, expected: 'whole unix seconds, 0 or more' });
  }
  return timestamp;
}

/**
 * The `webhook-signature` value for one message: `v1,<base64 HMAC>` per secret, space-separated.
 * Pass the current and the previous secret during a rotation; receivers accept either.
 *
 * @param timestamp whole unix seconds, the value of `webhook-timestamp`
 * @param body the exact bytes sent (a string is signed as UTF-8)
 */
export function signWebhook(
  secret: string | readonly string[],
  id: string,
  timestamp: number,
  body: string | Uint8Array,
): string {
  const secrets = typeof secret === 'string' ? [secret] : secret;
  if (secrets.length === 0) throw new ValidationError({ field: 'secret', expected: 'at least one secret' });
  checkWebhookId('id', id);
  checkTimestamp(timestamp);
  return secrets.map((s) => `v1,${hmac(webhookSecretKey(s), id, timestamp, body).toString('base64')}`).join(' ');
}

/** Options of verifyWebhook(). */
export interface VerifyWebhookOptions {
  /** Most seconds the webhook's timestamp may be from the receiver's clock, either way. Default 300. */
  toleranceSeconds?: number;
  /** The receiver's clock, in milliseconds since the epoch. Default `Date.now()`. */
  now?: number;
}

/** What a verified webhook carried in its headers. */
export interface VerifiedWebhook {
  /** `webhook-id`: the same for every retry of one message; de-duplicate on it. */
  id: string;
  /** `webhook-timestamp`, unix seconds. */
  timestamp: number;
}

/** Request headers as a Fetch `Headers`, or a record such as node:http's `req.headers`. */
export type WebhookHeaders = Headers | Readonly<Record<string, string | readonly string[] | undefined>>;

function header(headers: WebhookHeaders, name: string): string | readonly string[] | undefined {
  if (typeof (headers as Headers).get === 'function' && typeof (headers as Headers).has === 'function') {
    return (headers as Headers).get(name) ?? undefined;
  }
  for (const [key, value] of Object.entries(headers as Record<string, string | readonly string[] | undefined>)) {
    if (key.toLowerCase() === name) return value;
  }
  return undefined;
}

function single(headers: WebhookHeaders, name: string): string {
  const value = header(headers, name);
  if (value === undefined || value === '' || (Array.isArray(value) && value.length === 0)) {
    throw new WebhookVerificationError('missing_header', `the ${name} header is missing`);
  }
  if (typeof value !== 'string') {
    throw new WebhookVerificationError('invalid_header', `the ${name} header appears more than once`);
  }
  return value;
}

/**
 * Verifies a received webhook against one secret or a list (during a rotation on the receiver's
 * side). Returns its id and timestamp; throws WebhookVerificationError saying why otherwise, and
 * ValidationError for a malformed secret (a configuration mistake, not a bad request).
 *
 * @param body the raw request body exactly as received: verify before parsing JSON
 */
export function verifyWebhook(
  secret: string | readonly string[],
  headers: WebhookHeaders,
  body: string | Uint8Array,
  options: VerifyWebhookOptions = {},
): VerifiedWebhook {
  const secrets = typeof secret === 'string' ? [secret] : secret;
  if (secrets.length === 0) throw new ValidationError({ field: 'secret', expected: 'at least one secret' });
  const keys = secrets.map((s, i) => webhookSecretKey(s, typeof secret === 'string' ? 'secret' : `secret[${i}]`));
  const tolerance = options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  if (!Number.isFinite(tolerance) || tolerance < 0) {
    throw new ValidationError({
      field: 'toleranceSeconds',
      value: tolerance,
      expected: 'a number of seconds, 0 or more',
    });
  }

  const id = single(headers, WEBHOOK_HEADERS.id);
  const timestampText = single(headers, WEBHOOK_HEADERS.timestamp);
  const signatures = header(headers, WEBHOOK_HEADERS.signature);
  if (signatures === undefined || signatures === '' || (Array.isArray(signatures) && signatures.length === 0)) {
    throw new WebhookVerificationError('missing_header', `the ${WEBHOOK_HEADERS.signature} header is missing`);
  }
  if (!/^\d{1,15}$/.test(timestampText)) {
    throw new WebhookVerificationError(
      'invalid_header',
      `the ${WEBHOOK_HEADERS.timestamp} header is not whole unix seconds`,
    );
  }
  const timestamp = Number(timestampText);
  const now = Math.floor((options.now ?? Date.now()) / 1000);
  // Checked before the signature, so a replayed message costs no HMAC; and in both directions, since
  // a far-future timestamp would otherwise outlive the receiver's de-duplication window.
  if (Math.abs(now - timestamp) > tolerance) {
    throw new WebhookVerificationError(
      'stale_timestamp',
      `the ${WEBHOOK_HEADERS.timestamp} is ${Math.abs(now - timestamp)} s ${timestamp < now ? 'old' : 'in the future'}, beyond the tolerance of ${tolerance} s`,
    );
  }

  // Several header lines are one list, as if joined by spaces.
  const presented = (typeof signatures === 'string' ? [signatures] : signatures)
    .flatMap((line) => line.split(' '))
    .filter((entry) => entry.startsWith('v1,'))
    .map((entry) => Buffer.from(entry.slice(3), 'utf8'));
  for (const key of keys) {
    const expected = Buffer.from(hmac(key, id, timestamp, body).toString('base64'), 'utf8');
    for (const candidate of presented) {
      // timingSafeEqual needs equal lengths; a length says nothing about the key.
      if (candidate.length === expected.length && timingSafeEqual(candidate, expected)) return { id, timestamp };
    }
  }
  throw new WebhookVerificationError(
    'bad_signature',
    presented.length === 0
      ? `the ${WEBHOOK_HEADERS.signature} header holds no "v1," signature`
      : `no ${WEBHOOK_HEADERS.signature} matches the body under the secret${keys.length > 1 ? 's' : ''}`,
  );
}
