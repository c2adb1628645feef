/**
 * The CLI's only reader of the environment, for the commands that talk to a running server. (`serve`
 * and `migrate` take the server's own configuration, read by server/config.ts.)
 */

/** Where the API commands send their requests, and with which token. */
export interface ApiTarget {
  /** `--url`, else `PG_CRON_SCHEDULER_URL`, else `http://127.0.0.1:8000`. */
  url: string;
  /** `--token`, else `SCHEDULER_API_TOKEN` (the same variable the server reads), else none. */
  token: string | undefined;
}

export const DEFAULT_URL = 'http://127.0.0.1:8000';

/** Resolves the target from the options given on the command line and the environment. */
export function apiTarget(
  options: { url?: string | undefined; token?: string | undefined },
  env: Record<string, string | undefined> = process.env,
): ApiTarget {
  const fromEnv = (name: string) => {
    const value = env[name]?.trim();
    return value ? value : undefined;
  };
  return {
    url: options.url ?? fromEnv('PG_CRON_SCHEDULER_URL') ?? DEFAULT_URL,
    token: options.token ?? fromEnv('SCHEDULER_API_TOKEN'),
  };
}
