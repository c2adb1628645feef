/**
 * What every request carries through the middleware chain.
 */
import type { Logger } from './logger.ts';

/** Hono environment of the app and its sub-apps. */
export interface AppEnv {
  Variables: {
    /** The request id: the client's `X-Request-Id` when short and safe, else a new UUID. */
    requestId: string;
    /** The logger of this request: every line carries `request_id`. */
    log: Logger;
  };
}

/** The OpenAPI security requirement of routes behind the bearer token. */
export const BEARER_SECURITY = [{ bearerAuth: [] }];
