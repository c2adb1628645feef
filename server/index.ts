/**
 * `pg-cron-scheduler/server`: the HTTP API as a Hono app to mount under any prefix of your own app
 * (`app.route('/scheduler', createApp({ scheduler }))`). The service process is the CLI's `serve`.
 */
export { type AppOptions, createApp } from './app.ts';
export type { ServerConfig } from './config.ts';
export type { AppEnv } from './context.ts';
export { type FieldError, PROBLEM_CONTENT_TYPE, type ProblemBody, problemType } from './errors.ts';
export { createLogger, type Logger } from './logger.ts';
export { VERSION } from './version.ts';
