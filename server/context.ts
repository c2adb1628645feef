/**
 * What every request carries through the middleware chain.
 */
import type { Context } from 'hono';
import type { Logger } from './logger.ts';

/** Hono environment of the app and its sub-apps. */
export interface AppEnv {
  Variables: {
    /** The request id: the client's `X-Request-Id` when short and safe, else a new UUID. */
    requestId: string;
    /** The logger of this request: every line carries `request_id`. */
    log: Logger;
    /**
     * The path prefix the app is mounted under in the user's Hono app (`/scheduler` for
     * `parent.route('/scheduler', app)`), or `''` at the root. Links and the document use it.
     */
    mountPath: string;
  };
}

/** The OpenAPI security requirement of routes behind the bearer token. */
export const BEARER_SECURITY = [{ bearerAuth: [] }];

/** The request's path below the prefix the app is mounted under (`/jobs` for `/scheduler/jobs`). */
export function appPath(c: Context<AppEnv>): string {
  return c.req.path.slice(c.get('mountPath').length) || '/';
}
