/**
 * The package's version, for the OpenAPI document and `--version`. The package resolves its own
 * package.json by name (it is in `exports`), from the sources and from dist/ alike.
 */
import { createRequire } from 'node:module';

export const VERSION: string = (createRequire(import.meta.url)('pg-cron-scheduler/package.json') as { version: string })
  .version;
