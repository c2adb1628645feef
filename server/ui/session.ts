/**
 * The dashboard's login: which token a pasted value is, and the session cookie that stands for it.
 * The cookie holds no token: `<role>.<expires>.<HMAC-SHA256(token, "ui-session|role|expires")>`, so
 * it proves its holder once knew the token, stops working when the token changes or the time is up,
 * and a stolen cookie does not give the token for the API. Nothing is stored on the server.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** What a session may do: `full` everything, `read` look only (from the read-only token). */
export const ROLES = ['full', 'read'] as const;
export type Role = (typeof ROLES)[number];

/** The tokens the dashboard accepts: the API's (`apiToken`, `apiReadToken`). Both null: the dashboard is open. */
export interface UiTokens {
  full: string | null;
  read: string | null;
}

/** Name of the session cookie. */
export const SESSION_COOKIE = 'pg_cron_ui';

/** How long a login lasts, in seconds (12 hours): the cookie's Max-Age and the expiry signed into it. */
export const SESSION_SECONDS = 12 * 60 * 60;

/** Whether the dashboard needs a login at all (as the API: only when a token is configured). */
export const needsLogin = (tokens: UiTokens): boolean => tokens.full !== null || tokens.read !== null;

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest();

/**
 * The role of a pasted token, or null. As `bearerAuth`: both sides hashed first so each comparison is
 * constant-time whatever the lengths, and both comparisons always run.
 */
export function roleOfToken(tokens: UiTokens, given: string): Role | null {
  const hash = sha256(given);
  const isFull = tokens.full !== null && timingSafeEqual(hash, sha256(tokens.full));
  const isRead = tokens.read !== null && timingSafeEqual(hash, sha256(tokens.read));
  return isFull ? 'full' : isRead ? 'read' : null;
}

const macOf = (token: string, role: Role, expires: number) =>
  createHmac('sha256', token).update(`ui-session|${role}|${expires}`, 'utf8').digest();

/** A session value for `role`, valid until `now` + SESSION_SECONDS. The role's token must be configured. */
export function issueSession(tokens: UiTokens, role: Role, now: Date): string {
  const token = tokens[role];
  if (token === null) throw new Error(`no ${role} token is configured`);
  const expires = Math.floor(now.getTime() / 1000) + SESSION_SECONDS;
  return `${role}.${expires}.${macOf(token, role, expires).toString('base64url')}`;
}

/** The role a session value grants at `now`, or null (malformed, expired, or signed by another token). */
export function verifySession(tokens: UiTokens, value: string | undefined, now: Date): Role | null {
  const match = /^(full|read)\.(\d{1,12})\.([A-Za-z0-9_-]{43})$/.exec(value ?? '');
  if (!match) return null;
  const role = match[1] as Role;
  const expires = Number(match[2]);
  const token = tokens[role];
  if (token === null || expires * 1000 <= now.getTime()) return null;
  // Both are 32-byte digests (43 base64url characters decode to 32 bytes), as timingSafeEqual needs.
  return timingSafeEqual(Buffer.from(match[3]!, 'base64url'), macOf(token, role, expires)) ? role : null;
}
