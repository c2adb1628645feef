/**
 * Structured JSON logs (pino): one object per line, ISO time, the level as a label.
 */
import { type DestinationStream, type Logger, pino } from 'pino';
import type { LogLevel } from './config.ts';

export type { Logger } from 'pino';

/**
 * A logger writing to `destination` (default: stdout, synchronously, so the last lines before exit
 * are not lost). Authorization headers are redacted wherever they appear.
 */
export function createLogger(level: LogLevel, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'pg-cron-scheduler' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: ['headers.authorization', 'req.headers.authorization'],
    },
    destination ?? pino.destination({ dest: 1, sync: true }),
  );
}
