/**
 * The API's paths and schemas as TypeScript types, generated from its OpenAPI document by
 * scripts/client-types.ts (`npm run generate:client`). Do not edit by hand.
 */
export interface paths {
    "/cron/preview": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Describe a cron expression and list its next instants */
        post: operations["previewCron"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/doc": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Swagger UI */
        get: operations["getSwaggerUi"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/doc/swagger-ui-bundle.js": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Swagger UI script */
        get: operations["getSwaggerUiScript"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/doc/swagger-ui.css": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Swagger UI stylesheet */
        get: operations["getSwaggerUiStylesheet"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/docs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Redirects to /doc */
        get: operations["redirectToSwaggerUi"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/health/ready": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Readiness: the database answers */
        get: operations["checkReadiness"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/health/schedules": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Stale jobs: no successful run for their alert_after_seconds (503 when any)
         * @description For uptime checkers: 200 when no job with `alert_after_seconds` has gone that long without a successful run, 503 with the list otherwise (missed, failing, paused or stuck alike). Needs the API token when one is set.
         */
        get: operations["checkSchedules"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/healthcheck": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Liveness: the process answers */
        get: operations["checkLiveness"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/jobs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List jobs, oldest first */
        get: operations["listJobs"];
        put?: never;
        /** Create a job */
        post: operations["createJob"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/jobs/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Get a job with its next five run instants */
        get: operations["getJob"];
        /**
         * Create or replace a job by name (idempotent upsert)
         * @description Creates the job (201) or replaces its whole definition (200; omitted fields take their defaults). Sending what is stored changes nothing, not even the version. `If-None-Match: *` creates only; `If-Match` replaces only that version. Safe to call from many instances at once.
         */
        put: operations["putJob"];
        post?: never;
        /** Delete a job, its run history and its queued runs */
        delete: operations["deleteJob"];
        options?: never;
        head?: never;
        /** Change any of a job’s fields */
        patch: operations["updateJob"];
        trace?: never;
    };
    "/jobs/{id}/backfill": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Fire a job’s ticks of a past range (idempotent)
         * @description One run per tick in [from, to], each with its own scheduled instant and trigger `backfill`, paced behind fresh ticks. Ticks that already have a run are not fired again, so repeating a backfill fires nothing new. At most 10,000 ticks; `to` may not be in the future. A paused job’s backfill waits for its resume.
         */
        post: operations["backfillJob"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/jobs/{id}/pause": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Pause a job (idempotent), with an optional note saying why */
        post: operations["pauseJob"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/jobs/{id}/resume": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Resume a job from now (idempotent; ticks passed while paused are not caught up) */
        post: operations["resumeJob"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/jobs/{id}/run": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Queue a manual run now, whatever the cron says (also when paused) */
        post: operations["runJob"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/jobs/{id}/runs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List a job’s runs, newest first */
        get: operations["listJobRuns"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/openapi.json": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** This OpenAPI 3.1 document */
        get: operations["getOpenApiDocument"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/redoc": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** ReDoc */
        get: operations["getRedoc"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/redoc/redoc.standalone.js": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** ReDoc script */
        get: operations["getRedocScript"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        /**
         * @example {
         *       "job_id": "0f9b7a52-3c1e-4b8e-9d59-2f4d1c7e6a10",
         *       "from": "2025-01-01T00:00:00.000Z",
         *       "to": "2025-01-31T23:59:59.000Z",
         *       "ticks": 23
         *     }
         */
        Backfill: {
            /**
             * Format: date-time
             * @description ISO 8601, UTC.
             * @example 2025-01-01T09:00:00.000Z
             */
            from: string;
            /**
             * Format: uuid
             * @example 0f9b7a52-3c1e-4b8e-9d59-2f4d1c7e6a10
             */
            job_id: string;
            /**
             * @description The job’s ticks in the range.
             * @example 23
             */
            ticks: number;
            /**
             * Format: date-time
             * @description ISO 8601, UTC.
             * @example 2025-01-01T09:00:00.000Z
             */
            to: string;
        };
        /**
         * @example {
         *       "from": "2025-01-01T00:00:00.000Z",
         *       "to": "2025-01-31T23:59:59.000Z"
         *     }
         */
        BackfillRequest: {
            /**
             * Format: date-time
             * @description The first instant of the range (inclusive).
             * @example 2025-01-01T09:00:00.000Z
             */
            from: string;
            /**
             * @description `allow` fires the range’s runs side by side (paced); `skip` and `buffer_one` fire them one at a time, each once the previous has ended (none is dropped). Default: the job’s own overlap.
             * @enum {string}
             */
            overlap?: "allow" | "skip" | "buffer_one";
            /**
             * Format: date-time
             * @description The last instant of the range (inclusive), not in the future.
             * @example 2025-01-01T09:00:00.000Z
             */
            to: string;
        };
        /**
         * @description A job: `name`, exactly one of `cron`, `every` and `at`, and any of the other fields.
         * @example {
         *       "name": "nightly-report",
         *       "cron": "0 9 * * 1-5",
         *       "timezone": "Europe/Paris",
         *       "job_fields": {
         *         "report": "sales"
         *       }
         *     }
         */
        CreateJob: {
            /**
             * @description Mark the job stale (here, in the metrics, and in GET /health/schedules) when no run of it succeeded for this many seconds. Default null.
             * @example 93600
             */
            alert_after_seconds?: number | null;
            /**
             * Format: date-time
             * @description For `every`: the instant its phase is counted from (ticks are anchor_at + k × every). Default: the Unix epoch, so `15m` fires at :00, :15, :30, :45 UTC.
             * @example 2025-01-01T00:05:00.000Z
             */
            anchor_at?: string | null;
            /**
             * Format: date-time
             * @description A one-off instant. One in the past makes a job that is `completed` at once, without firing.
             * @example 2025-01-06T08:00:00.000Z
             */
            at?: string | null;
            /**
             * @description Ticks missed while no instance could fire them: `skip` records them as missed, `latest` fires the most recent one, `all` fires each. Default `latest`.
             * @example latest
             * @enum {string}
             */
            catch_up?: "skip" | "latest" | "all";
            /**
             * @description Missed ticks older than this many seconds are only recorded, never fired. Null: no bound. Default null.
             * @example 3600
             */
            catch_up_window_seconds?: number | null;
            /**
             * @description A cron expression: 5 fields, 6 with leading seconds, or a macro such as `@daily`. A job has exactly one of `cron`, `every` and `at`.
             * @example 0 9 * * 1-5
             */
            cron?: string;
            /**
             * Format: date-time
             * @description It fires nothing after this instant, and is `completed` once it has passed. Default null.
             * @example 2025-01-01T09:00:00.000Z
             */
            end_at?: string | null;
            /**
             * @description An interval: `90s`, `15m`, `6h`, `1d`, `1h30m` (or a number of seconds), from 1 s to 366 days. Elapsed time: daylight-saving changes do not move it.
             * @example 15m
             */
            every?: string | number;
            /**
             * @description Each tick is delayed by 0 to jitter_seconds - 1 seconds, the same on every instance (derived from the name and the tick), shown in next_run_at. At most the shortest time between two ticks. Default 0.
             * @example 30
             */
            jitter_seconds?: number;
            /**
             * @description Any JSON object, passed to every run; at most 65536 bytes serialized. Default `{}`.
             * @example {
             *       "report": "sales",
             *       "recipients": [
             *         "ops@example.com"
             *       ]
             *     }
             */
            job_fields?: {
                [key: string]: unknown;
            };
            /**
             * @description It is `completed` after firing this many runs for its ticks (manual runs and backfills do not count). Default null: no limit.
             * @example 10
             */
            max_runs?: number | null;
            /**
             * @description Unique name: 1-128 characters of letters, digits, ".", "_" or "-", starting with a letter or digit, without "..".
             * @example nightly-report
             */
            name: string;
            /**
             * @description A tick while the previous run is still queued or running: `allow` fires it, `skip` records it as skipped. Default `allow`.
             * @example allow
             * @enum {string}
             */
            overlap?: "allow" | "skip" | "buffer_one";
            /**
             * @description Pause the job after this many consecutive failed runs (with a note saying why); resume starts the count again. Default null: never.
             * @example 3
             */
            pause_after_failures?: number | null;
            /**
             * @description Why it is paused.
             * @example Upstream API down
             */
            pause_note?: string | null;
            /** @description Paused: it fires nothing. Default false. */
            paused?: boolean;
            run_options?: components["schemas"]["RunOptions"];
            /**
             * Format: date-time
             * @description It fires nothing before this instant. Default null.
             * @example 2025-01-01T09:00:00.000Z
             */
            start_at?: string | null;
            target?: components["schemas"]["TargetInput"];
            /**
             * @description IANA time zone the expression is evaluated in. Default `UTC`.
             * @example Europe/Paris
             */
            timezone?: string;
        };
        /**
         * @example {
         *       "cron": "*\/15 9-17 * * 1-5",
         *       "every": null,
         *       "at": null,
         *       "timezone": "America/New_York",
         *       "description": "Every 15 minutes, between 09:00 and 17:59, Monday through Friday",
         *       "next": [
         *         "2025-01-06T14:00:00.000Z",
         *         "2025-01-06T14:15:00.000Z",
         *         "2025-01-06T14:30:00.000Z"
         *       ]
         *     }
         */
        CronPreview: {
            /**
             * Format: date-time
             * @description ISO 8601, UTC.
             * @example 2025-01-01T09:00:00.000Z
             */
            at: string | null;
            /**
             * @description A cron expression: 5 fields, 6 with leading seconds, or a macro such as `@daily`. A job has exactly one of `cron`, `every` and `at`.
             * @example 0 9 * * 1-5
             */
            cron: string | null;
            /** @example Every 15 minutes, between 09:00 and 17:59, Monday through Friday */
            description: string;
            every: string | null;
            next: string[];
            /**
             * @description IANA time zone the expression is evaluated in. Default `UTC`.
             * @example Europe/Paris
             */
            timezone: string;
        };
        /**
         * @example {
         *       "cron": "*\/15 9-17 * * 1-5",
         *       "timezone": "America/New_York",
         *       "count": 3
         *     }
         */
        CronPreviewRequest: {
            /**
             * Format: date-time
             * @description For `every`: the instant its phase is counted from (ticks are anchor_at + k × every). Default: the Unix epoch, so `15m` fires at :00, :15, :30, :45 UTC.
             * @example 2025-01-01T00:05:00.000Z
             */
            anchor_at?: string | null;
            /**
             * Format: date-time
             * @description A one-off instant. One in the past makes a job that is `completed` at once, without firing.
             * @example 2025-01-06T08:00:00.000Z
             */
            at?: string | null;
            /** @description How many instants, 1-100. Default 5. */
            count?: number;
            /**
             * @description A cron expression: 5 fields, 6 with leading seconds, or a macro such as `@daily`. A job has exactly one of `cron`, `every` and `at`.
             * @example 0 9 * * 1-5
             */
            cron?: string;
            /**
             * Format: date-time
             * @description It fires nothing after this instant, and is `completed` once it has passed. Default null.
             * @example 2025-01-01T09:00:00.000Z
             */
            end_at?: string | null;
            /**
             * @description An interval: `90s`, `15m`, `6h`, `1d`, `1h30m` (or a number of seconds), from 1 s to 366 days. Elapsed time: daylight-saving changes do not move it.
             * @example 15m
             */
            every?: string | number;
            /**
             * @description Each tick is delayed by 0 to jitter_seconds - 1 seconds, the same on every instance (derived from the name and the tick), shown in next_run_at. At most the shortest time between two ticks. Default 0.
             * @example 30
             */
            jitter_seconds?: number;
            /**
             * @description The job’s name: its jitter is derived from it.
             * @example nightly-report
             */
            name?: string;
            /**
             * Format: date-time
             * @description It fires nothing before this instant. Default null.
             * @example 2025-01-01T09:00:00.000Z
             */
            start_at?: string | null;
            /**
             * @description IANA time zone the expression is evaluated in. Default `UTC`.
             * @example Europe/Paris
             */
            timezone?: string;
        };
        /**
         * @description A webhook attempt: what it got back.
         * @example {
         *       "status": 503,
         *       "latency_ms": 84,
         *       "body": "upstream unavailable",
         *       "error": "http: status 503"
         *     }
         */
        Delivery: {
            /** @description The first 1 KiB of the answer. */
            body: string;
            error: string | null;
            latency_ms: number;
            status: number | null;
        } | null;
        FailedAttempt: {
            /** @example 1 */
            attempt: number;
            /** @example connect ECONNREFUSED 10.0.0.7:443 */
            error: string | null;
            /**
             * Format: date-time
             * @description ISO 8601, UTC.
             * @example 2025-01-01T09:00:00.000Z
             */
            finished_at: string;
            /**
             * @description `failed`: the handler threw; `timed_out`: it outlived the run timeout; `released`: its worker stopped first; `lost`: its instance stopped answering before reporting an end (it may or may not have run).
             * @example failed
             * @enum {string}
             */
            outcome: "failed" | "timed_out" | "released" | "lost";
            response: components["schemas"]["Delivery"];
            /**
             * Format: date-time
             * @description ISO 8601, UTC.
             * @example 2025-01-01T09:00:00.000Z
             */
            started_at: string | null;
        };
        Job: {
            /**
             * @description Mark the job stale (here, in the metrics, and in GET /health/schedules) when no run of it succeeded for this many seconds. Default null.
             * @example 93600
             */
            alert_after_seconds: number | null;
            /**
             * Format: date-time
             * @description For `every`: the instant its phase is counted from (ticks are anchor_at + k × every). Default: the Unix epoch, so `15m` fires at :00, :15, :30, :45 UTC.
             * @example 2025-01-01T00:05:00.000Z
             */
            anchor_at: string | null;
            /**
             * Format: date-time
             * @description A one-off instant. One in the past makes a job that is `completed` at once, without firing.
             * @example 2025-01-06T08:00:00.000Z
             */
            at: string | null;
            /**
             * @description Ticks missed while no instance could fire them: `skip` records them as missed, `latest` fires the most recent one, `all` fires each. Default `latest`.
             * @example latest
             * @enum {string}
             */
            catch_up: "skip" | "latest" | "all";
            /**
             * @description Missed ticks older than this many seconds are only recorded, never fired. Null: no bound. Default null.
             * @example 3600
             */
            catch_up_window_seconds: number | null;
            /**
             * Format: date-time
             * @description ISO 8601, UTC.
             * @example 2025-01-01T09:00:00.000Z
             */
            completed_at: string | null;
            /**
             * @description Failed runs since its last success.
             * @example 0
             */
            consecutive_failures: number;
            /**
             * Format: date-time
             * @description ISO 8601, UTC.
             * @example 2025-01-01T09:00:00.000Z
             */
            created_at: string;
            /**
             * @description A cron expression: 5 fields, 6 with leading seconds, or a macro such as `@daily`. A job has exactly one of `cron`, `every` and `at`.
             * @example 0 9 * * 1-5
             */
            cron: string | null;
            /** @example At 09:00, Monday through Friday */
            description: string;
            /**
             * Format: date-time
             * @description It fires nothing after this instant, and is `completed` once it has passed. Default null.
             * @example 2025-01-01T09:00:00.000Z
             */
            end_at: string | null;
            /**
             * @description The interval in canonical form (`1h30m`).
             * @example null
             */
            every: string | null;
            /**
             * @description Runs fired for its ticks so far.
             * @example 42
             */
            fired_count: number;
            /**
             * Format: uuid
             * @example 0f9b7a52-3c1e-4b8e-9d59-2f4d1c7e6a10
             */
            id: string;
            /**
             * @description Each tick is delayed by 0 to jitter_seconds - 1 seconds, the same on every instance (derived from the name and the tick), shown in next_run_at. At most the shortest time between two ticks. Default 0.
             * @example 30
             */
            jitter_seconds: number;
            /**
             * @description Any JSON object, passed to every run; at most 65536 bytes serialized. Default `{}`.
             * @example {
             *       "report": "sales",
             *       "recipients": [
             *         "ops@example.com"
             *       ]
             *     }
             */
            job_fields: {
                [key: string]: unknown;
            };
            /**
             * Format: date-time
             * @description The scheduled instant of its latest run; null before the first.
             * @example 2025-01-01T09:00:00.000Z
             */
            last_run_at: string | null;
            /**
             * Format: date-time
             * @description When a run last succeeded (recorded for jobs with alert_after_seconds).
             * @example 2025-01-01T09:00:00.000Z
             */
            last_success_at: string | null;
            /**
             * @description It is `completed` after firing this many runs for its ticks (manual runs and backfills do not count). Default null: no limit.
             * @example 10
             */
            max_runs: number | null;
            /**
             * @description Unique name: 1-128 characters of letters, digits, ".", "_" or "-", starting with a letter or digit, without "..".
             * @example nightly-report
             */
            name: string;
            /**
             * Format: date-time
             * @description The next instant it fires; null while paused.
             * @example 2025-01-01T09:00:00.000Z
             */
            next_run_at: string | null;
            /**
             * @description A tick while the previous run is still queued or running: `allow` fires it, `skip` records it as skipped. Default `allow`.
             * @example allow
             * @enum {string}
             */
            overlap: "allow" | "skip" | "buffer_one";
            /**
             * @description The owner whose `sync()` manages it (library); null for jobs made one by one.
             * @example null
             */
            owner: string | null;
            /**
             * @description Pause the job after this many consecutive failed runs (with a note saying why); resume starts the count again. Default null: never.
             * @example 3
             */
            pause_after_failures: number | null;
            /**
             * @description Why it is paused.
             * @example Upstream API down
             */
            pause_note: string | null;
            /** @example false */
            paused: boolean;
            run_options: components["schemas"]["RunOptions"];
            /**
             * @description No successful run for alert_after_seconds (never for a completed job).
             * @example false
             */
            stale: boolean;
            /**
             * Format: date-time
             * @description It fires nothing before this instant. Default null.
             * @example 2025-01-01T09:00:00.000Z
             */
            start_at: string | null;
            /**
             * @description `active`, `paused`, or `completed` (it can never fire again: past end_at, max_runs reached, its `at` fired).
             * @example active
             * @enum {string}
             */
            state: "active" | "paused" | "completed";
            target: components["schemas"]["Target"];
            /**
             * @description IANA time zone the expression is evaluated in. Default `UTC`.
             * @example Europe/Paris
             */
            timezone: string;
            /**
             * Format: date-time
             * @description ISO 8601, UTC.
             * @example 2025-01-01T09:00:00.000Z
             */
            updated_at: string;
            /**
             * @description Changes with every change of the job; its ETag is `"<version>"`. Send it in If-Match to update safely.
             * @example 17
             */
            version: number;
        };
        JobDetail: components["schemas"]["Job"] & {
            /**
             * @description Its next five run instants (empty while paused; fewer when they span more than 20 years).
             * @example [
             *       "2025-01-06T08:00:00.000Z",
             *       "2025-01-07T08:00:00.000Z"
             *     ]
             */
            upcoming: string[];
        };
        JobList: components["schemas"]["Job"][];
        /**
         * @example {
         *       "note": "Upstream API down until Monday"
         *     }
         */
        PauseJob: {
            /** @description Why it is paused, kept and shown. */
            note?: string;
        };
        Problem: {
            /** @example schedule "nightly-report" was not found */
            detail: string;
            /** @description For validation problems: each field that was wrong. */
            errors?: {
                message: string;
                path: string;
            }[];
            /** @example 2f1c9a7e-5b7d-4d1a-8c0e-3e4f5a6b7c8d */
            request_id: string;
            /** @example 404 */
            status: number;
            /** @example Not found */
            title: string;
            /** @example urn:pg-cron-scheduler:problem:not_found */
            type: string;
        };
        /**
         * @example {
         *       "status": "ready"
         *     }
         */
        Ready: {
            /** @enum {string} */
            status: "ready";
        };
        /**
         * @description The whole definition of the job named in the path (omitted fields take their defaults). A `name`, if given, must equal the path’s.
         * @example {
         *       "every": "15m",
         *       "jitter_seconds": 60,
         *       "job_fields": {
         *         "source": "crm"
         *       }
         *     }
         */
        ReplaceJob: {
            /**
             * @description Mark the job stale (here, in the metrics, and in GET /health/schedules) when no run of it succeeded for this many seconds. Default null.
             * @example 93600
             */
            alert_after_seconds?: number | null;
            /**
             * Format: date-time
             * @description For `every`: the instant its phase is counted from (ticks are anchor_at + k × every). Default: the Unix epoch, so `15m` fires at :00, :15, :30, :45 UTC.
             * @example 2025-01-01T00:05:00.000Z
             */
            anchor_at?: string | null;
            /**
             * Format: date-time
             * @description A one-off instant. One in the past makes a job that is `completed` at once, without firing.
             * @example 2025-01-06T08:00:00.000Z
             */
            at?: string | null;
            /**
             * @description Ticks missed while no instance could fire them: `skip` records them as missed, `latest` fires the most recent one, `all` fires each. Default `latest`.
             * @example latest
             * @enum {string}
             */
            catch_up?: "skip" | "latest" | "all";
            /**
             * @description Missed ticks older than this many seconds are only recorded, never fired. Null: no bound. Default null.
             * @example 3600
             */
            catch_up_window_seconds?: number | null;
            /**
             * @description A cron expression: 5 fields, 6 with leading seconds, or a macro such as `@daily`. A job has exactly one of `cron`, `every` and `at`.
             * @example 0 9 * * 1-5
             */
            cron?: string;
            /**
             * Format: date-time
             * @description It fires nothing after this instant, and is `completed` once it has passed. Default null.
             * @example 2025-01-01T09:00:00.000Z
             */
            end_at?: string | null;
            /**
             * @description An interval: `90s`, `15m`, `6h`, `1d`, `1h30m` (or a number of seconds), from 1 s to 366 days. Elapsed time: daylight-saving changes do not move it.
             * @example 15m
             */
            every?: string | number;
            /**
             * @description Each tick is delayed by 0 to jitter_seconds - 1 seconds, the same on every instance (derived from the name and the tick), shown in next_run_at. At most the shortest time between two ticks. Default 0.
             * @example 30
             */
            jitter_seconds?: number;
            /**
             * @description Any JSON object, passed to every run; at most 65536 bytes serialized. Default `{}`.
             * @example {
             *       "report": "sales",
             *       "recipients": [
             *         "ops@example.com"
             *       ]
             *     }
             */
            job_fields?: {
                [key: string]: unknown;
            };
            /**
             * @description It is `completed` after firing this many runs for its ticks (manual runs and backfills do not count). Default null: no limit.
             * @example 10
             */
            max_runs?: number | null;
            /**
             * @description Unique name: 1-128 characters of letters, digits, ".", "_" or "-", starting with a letter or digit, without "..".
             * @example nightly-report
             */
            name?: string;
            /**
             * @description A tick while the previous run is still queued or running: `allow` fires it, `skip` records it as skipped. Default `allow`.
             * @example allow
             * @enum {string}
             */
            overlap?: "allow" | "skip" | "buffer_one";
            /**
             * @description Pause the job after this many consecutive failed runs (with a note saying why); resume starts the count again. Default null: never.
             * @example 3
             */
            pause_after_failures?: number | null;
            /**
             * @description Why it is paused.
             * @example Upstream API down
             */
            pause_note?: string | null;
            /** @description Paused: it fires nothing. Default false. */
            paused?: boolean;
            run_options?: components["schemas"]["RunOptions"];
            /**
             * Format: date-time
             * @description It fires nothing before this instant. Default null.
             * @example 2025-01-01T09:00:00.000Z
             */
            start_at?: string | null;
            target?: components["schemas"]["TargetInput"];
            /**
             * @description IANA time zone the expression is evaluated in. Default `UTC`.
             * @example Europe/Paris
             */
            timezone?: string;
        };
        Run: {
            /**
             * @description Attempts that started, or may have started (one lost with its instance).
             * @example 1
             */
            attempts: number;
            /**
             * Format: date-time
             * @description ISO 8601, UTC.
             * @example 2025-01-01T09:00:00.000Z
             */
            enqueued_at: string | null;
            /**
             * @description The latest attempt’s error while the run waits for a retry or after it failed for good.
             * @example null
             */
            error: string | null;
            /**
             * @description Every attempt that did not succeed, oldest first.
             * @example []
             */
            failed_attempts: components["schemas"]["FailedAttempt"][];
            /**
             * Format: date-time
             * @description ISO 8601, UTC.
             * @example 2025-01-01T09:00:00.000Z
             */
            finished_at: string | null;
            /**
             * Format: uuid
             * @description Stable across retries: usable as an idempotency key.
             * @example 6a1c2d3e-4f50-4617-8293-a4b5c6d7e8f9
             */
            id: string;
            /**
             * Format: uuid
             * @example 0f9b7a52-3c1e-4b8e-9d59-2f4d1c7e6a10
             */
            job_id: string;
            /**
             * Format: date-time
             * @description The last tick a `missed` record stands for; equal to scheduled_for otherwise.
             * @example 2025-01-01T09:00:00.000Z
             */
            last_scheduled_for: string;
            options: components["schemas"]["RunOptionsInForce"];
            response: components["schemas"]["Delivery"] & unknown;
            /**
             * Format: date-time
             * @description The tick the run stands for (trigger time of a manual run; the first missed tick of a `missed` record).
             * @example 2025-01-01T09:00:00.000Z
             */
            scheduled_for: string;
            /**
             * Format: date-time
             * @description ISO 8601, UTC.
             * @example 2025-01-01T09:00:00.000Z
             */
            started_at: string | null;
            /**
             * @example succeeded
             * @enum {string}
             */
            status: "queued" | "running" | "succeeded" | "failed" | "cancelled" | "skipped" | "missed";
            /**
             * @description How many ticks a `missed` record stands for; 1 otherwise.
             * @example 1
             */
            tick_count: number;
            /**
             * @example schedule
             * @enum {string}
             */
            trigger: "schedule" | "catch_up" | "manual" | "backfill";
        };
        RunList: components["schemas"]["Run"][];
        /**
         * @description The job’s own run settings; absent or null: the server’s (SCHEDULER_RETRY_LIMIT and the like). Retries of a failed run, seconds before a retry (doubling with backoff), the seconds an attempt may run, and its priority among runs waiting for a worker (higher first).
         * @example {
         *       "retry_limit": 5,
         *       "retry_delay_seconds": 30,
         *       "retry_backoff": true,
         *       "run_timeout_seconds": 120
         *     }
         */
        RunOptions: {
            /** @example 10 */
            priority?: number | null;
            /** @example true */
            retry_backoff?: boolean | null;
            /** @example 30 */
            retry_delay_seconds?: number | null;
            /** @example 5 */
            retry_limit?: number | null;
            /** @example 120 */
            run_timeout_seconds?: number | null;
        };
        /**
         * @description The run settings in force when the run fired.
         * @example {
         *       "retry_limit": 2,
         *       "retry_delay_seconds": 1,
         *       "retry_backoff": false,
         *       "run_timeout_seconds": 900,
         *       "priority": 0
         *     }
         */
        RunOptionsInForce: {
            priority: number;
            retry_backoff: boolean;
            retry_delay_seconds: number;
            retry_limit: number;
            run_timeout_seconds: number;
        } | null;
        /**
         * @example {
         *       "status": "ok",
         *       "stale": []
         *     }
         */
        SchedulesHealth: {
            stale: components["schemas"]["StaleJob"][];
            /** @enum {string} */
            status: "ok";
        };
        StaleJob: {
            alert_after_seconds: number;
            /** Format: uuid */
            job_id: string;
            /** Format: date-time */
            last_success_at: string | null;
            name: string;
            /** Format: date-time */
            stale_since: string;
        };
        StaleJobsProblem: components["schemas"]["Problem"] & {
            stale: components["schemas"]["StaleJob"][];
        };
        /**
         * @description The job’s target as the API shows it: secrets and secret header values are replaced by fingerprints.
         * @example {
         *       "type": "webhook",
         *       "url": "https://hooks.example.com/reports",
         *       "method": "POST",
         *       "headers": {
         *         "authorization": "<redacted sha256:9b71d224bd62>"
         *       },
         *       "secret_headers": [
         *         "authorization"
         *       ],
         *       "timeout_seconds": 10,
         *       "secret_fingerprint": "sha256:3f2a9c0d1e7b"
         *     }
         */
        Target: {
            headers?: {
                [key: string]: string;
            };
            method?: string;
            queue?: string;
            /** @example sha256:3f2a9c0d1e7b */
            secret_fingerprint?: string;
            secret_headers?: string[];
            timeout_seconds?: number;
            /** @enum {string} */
            type: "log" | "queue" | "webhook";
            url?: string;
        };
        /**
         * @description Where the job’s runs go. `log`: a line in `<LOG_DIR>/<name>.log` (the bundled worker). `queue`: a pg-boss job in that queue for your own consumers (its data: runId, scheduleId, scheduleName, scheduledFor, firedAt, trigger, fields, attemptsBefore, options). `webhook`: a signed HTTP request per run, delivered by the engine. Replaced whole by PATCH (send the secret again to keep it).
         * @example {
         *       "type": "webhook",
         *       "url": "https://hooks.example.com/reports",
         *       "headers": {
         *         "authorization": "Bearer s3cr3t"
         *       },
         *       "secret_headers": [
         *         "authorization"
         *       ]
         *     }
         */
        TargetInput: {
            /**
             * @description Extra request headers (at most 20, 8 KiB).
             * @example {
             *       "authorization": "Bearer s3cr3t"
             *     }
             */
            headers?: {
                [key: string]: string;
            };
            /**
             * @description Default POST.
             * @enum {string}
             */
            method?: "POST" | "PUT" | "PATCH";
            /** @description For `queue`: the pg-boss queue its runs go to. */
            queue?: string;
            /**
             * @description Standard Webhooks signing secret (`whsec_` + base64 of 24-64 bytes); write-only. Default: SCHEDULER_WEBHOOK_SECRET.
             * @example whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw
             */
            secret?: string;
            /**
             * @description Headers whose values are write-only: never returned, shown as a fingerprint.
             * @example [
             *       "authorization"
             *     ]
             */
            secret_headers?: string[];
            /** @description Per attempt, 1-300. Default 10. */
            timeout_seconds?: number;
            /**
             * @description `log` (default), `queue` or `webhook`.
             * @example webhook
             * @enum {string}
             */
            type: "log" | "queue" | "webhook";
            /**
             * @description For `webhook`: http(s) URL. Loopback, private, link-local and cloud-metadata destinations are refused (at create and after resolving, at each delivery) unless SCHEDULER_WEBHOOK_ALLOW lists them.
             * @example https://hooks.example.com/reports
             */
            url?: string;
        } & {
            [key: string]: unknown;
        };
        /**
         * @description Any subset of the job’s fields. Giving one of `cron`, `every` and `at` switches it to that kind; a change of when it fires recomputes `next_run_at` from now.
         * @example {
         *       "cron": "*\/15 * * * *",
         *       "job_fields": {
         *         "report": "inventory"
         *       }
         *     }
         */
        UpdateJob: {
            /**
             * @description Mark the job stale (here, in the metrics, and in GET /health/schedules) when no run of it succeeded for this many seconds. Default null.
             * @example 93600
             */
            alert_after_seconds?: number | null;
            /**
             * Format: date-time
             * @description For `every`: the instant its phase is counted from (ticks are anchor_at + k × every). Default: the Unix epoch, so `15m` fires at :00, :15, :30, :45 UTC.
             * @example 2025-01-01T00:05:00.000Z
             */
            anchor_at?: string | null;
            /**
             * Format: date-time
             * @description A one-off instant. One in the past makes a job that is `completed` at once, without firing.
             * @example 2025-01-06T08:00:00.000Z
             */
            at?: string | null;
            /**
             * @description Ticks missed while no instance could fire them: `skip` records them as missed, `latest` fires the most recent one, `all` fires each. Default `latest`.
             * @example latest
             * @enum {string}
             */
            catch_up?: "skip" | "latest" | "all";
            /**
             * @description Missed ticks older than this many seconds are only recorded, never fired. Null: no bound. Default null.
             * @example 3600
             */
            catch_up_window_seconds?: number | null;
            /**
             * @description A cron expression: 5 fields, 6 with leading seconds, or a macro such as `@daily`. A job has exactly one of `cron`, `every` and `at`.
             * @example 0 9 * * 1-5
             */
            cron?: string;
            /**
             * Format: date-time
             * @description It fires nothing after this instant, and is `completed` once it has passed. Default null.
             * @example 2025-01-01T09:00:00.000Z
             */
            end_at?: string | null;
            /**
             * @description An interval: `90s`, `15m`, `6h`, `1d`, `1h30m` (or a number of seconds), from 1 s to 366 days. Elapsed time: daylight-saving changes do not move it.
             * @example 15m
             */
            every?: string | number;
            /**
             * @description Each tick is delayed by 0 to jitter_seconds - 1 seconds, the same on every instance (derived from the name and the tick), shown in next_run_at. At most the shortest time between two ticks. Default 0.
             * @example 30
             */
            jitter_seconds?: number;
            /**
             * @description Any JSON object, passed to every run; at most 65536 bytes serialized. Default `{}`.
             * @example {
             *       "report": "sales",
             *       "recipients": [
             *         "ops@example.com"
             *       ]
             *     }
             */
            job_fields?: {
                [key: string]: unknown;
            };
            /**
             * @description It is `completed` after firing this many runs for its ticks (manual runs and backfills do not count). Default null: no limit.
             * @example 10
             */
            max_runs?: number | null;
            /**
             * @description Unique name: 1-128 characters of letters, digits, ".", "_" or "-", starting with a letter or digit, without "..".
             * @example nightly-report
             */
            name?: string;
            /**
             * @description A tick while the previous run is still queued or running: `allow` fires it, `skip` records it as skipped. Default `allow`.
             * @example allow
             * @enum {string}
             */
            overlap?: "allow" | "skip" | "buffer_one";
            /**
             * @description Pause the job after this many consecutive failed runs (with a note saying why); resume starts the count again. Default null: never.
             * @example 3
             */
            pause_after_failures?: number | null;
            /**
             * @description Why it is paused.
             * @example Upstream API down
             */
            pause_note?: string | null;
            /** @description Paused: it fires nothing. Default false. */
            paused?: boolean;
            run_options?: components["schemas"]["RunOptions"];
            /**
             * Format: date-time
             * @description It fires nothing before this instant. Default null.
             * @example 2025-01-01T09:00:00.000Z
             */
            start_at?: string | null;
            target?: components["schemas"]["TargetInput"];
            /**
             * @description IANA time zone the expression is evaluated in. Default `UTC`.
             * @example Europe/Paris
             */
            timezone?: string;
        };
    };
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    previewCron: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** @description The expression, its zone (default UTC) and how many instants (default 5). */
        requestBody: {
            content: {
                "application/json": components["schemas"]["CronPreviewRequest"];
            };
        };
        responses: {
            /** @description Its description and next instants. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CronPreview"];
                };
            };
            /** @description The body is not valid JSON. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:pg-cron-scheduler:problem:malformed_json",
                     *       "title": "Malformed JSON",
                     *       "status": 400,
                     *       "detail": "The request body is not valid JSON.",
                     *       "request_id": "2f1c9a7e-5b7d-4d1a-8c0e-3e4f5a6b7c8d"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Missing or wrong bearer token (only when SCHEDULER_API_TOKEN is set). */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:pg-cron-scheduler:problem:unauthorized",
                     *       "title": "Unauthorized",
                     *       "status": 401,
                     *       "detail": "Send Authorization: Bearer <token>.",
                     *       "request_id": "2f1c9a7e-5b7d-4d1a-8c0e-3e4f5a6b7c8d"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Sent by a web page on another origin (`cross_site`), or with the read-only token (`forbidden`). */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:pg-cron-scheduler:problem:cross_site",
                     *       "title": "Cross-site request refused",
                     *       "status": 403,
                     *       "detail": "POST from a web page on another origin is refused (Sec-Fetch-Site: cross-site). Changes must come from this service's own pages or from a client that is not a browser.",
                     *       "request_id": "2f1c9a7e-5b7d-4d1a-8c0e-3e4f5a6b7c8d"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The body is over the size limit, or `job_fields` is over 64 KiB. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:pg-cron-scheduler:problem:payload_too_large",
                     *       "title": "Payload too large",
                     *       "status": 413,
                     *       "detail": "The request body is larger than the server accepts.",
                     *       "request_id": "2f1c9a7e-5b7d-4d1a-8c0e-3e4f5a6b7c8d"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The body is not sent as application/json. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:pg-cron-scheduler:problem:unsupported_media_type",
                     *       "title": "Unsupported media type",
                     *       "status": 415,
                     *       "detail": "Send the request body as application/json.",
                     *       "request_id": "2f1c9a7e-5b7d-4d1a-8c0e-3e4f5a6b7c8d"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description A field has the wrong type or an invalid value; `errors` names each. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:pg-cron-scheduler:problem:validation",
                     *       "title": "Validation failed",
                     *       "status": 422,
                     *       "detail": "The request has invalid values.",
                     *       "request_id": "2f1c9a7e-5b7d-4d1a-8c0e-3e4f5a6b7c8d",
                     *       "errors": [
                     *         {
                     *           "path": "cron",
                     *           "message": "expected a 5- or 6-field cron expression (got \"61 * * * *\")"
                     *         }
                     *       ]
                     *     }
                     */
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description An unexpected error; the response carries the request id that appears in the log. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:pg-cron-scheduler:problem:internal",
                     *       "title": "Internal server error",
                     *       "status": 500,
                     *       "detail": "An unexpected error occurred. Quote request id 2f1c9a7e when reporting it.",
                     *       "request_id": "2f1c9a7e-5b7d-4d1a-8c0e-3e4f5a6b7c8d"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    getSwaggerUi: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The Swagger UI page. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/html": string;
                };
            };
            /** @description The body is over the size limit, or `job_fields` is over 64 KiB. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:pg-cron-scheduler:problem:payload_too_large",
                     *       "title": "Payload too large",
                     *       "status": 413,
                     *       "detail": "The request body is larger than the server accepts.",
                     *       "request_id": "2f1c9a7e-5b7d-4d1a-8c0e-3e4f5a6b7c8d"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description An unexpected error; the response carries the request id that appears in the log. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:pg-cron-scheduler:problem:internal",
                     *       "title": "Internal server error",
                     *       "status": 500,
                     *       "detail": "An unexpected error occurred. Quote request id 2f1c9a7e when reporting it.",
                     *       "request_id": "2f1c9a7e-5b7d-4d1a-8c0e-3e4f5a6b7c8d"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    getSwaggerUiScript: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The file, cacheable for an hour. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/javascript": string;
                };
            };
            /** @description The body is over the size limit, or `job_fields` is over 64 KiB. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:pg-cron-scheduler:problem:payload_too_large",
                     *       "title": "Payload too large",
                     *       "status": 413,
                     *       "detail": "The request body is larger than the server accepts.",
                     *       "request_id": "2f1c9a7e-5b7d-4d1a-8c0e-3e4f5a6b7c8d"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description An unexpected error; the response carries the request id that appears in the log. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:pg-cron-scheduler:problem:internal",
                     *       "title": "Internal server error",
                     *       "status": 500,
                     *       "detail": "An unexpected error occurred. Quote request id 2f1c9a7e when reporting it.",
                     *       "request_id": "2f1c9a7e-5b7d-4d1a-8c0e-3e4f5a6b7c8d"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    getSwaggerUiStylesheet: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The file, cacheable for an hour. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/css": string;
                };
            };
            /** @description The body is over the size limit, or `job_fields` is over 64 KiB. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:pg-cron-scheduler:problem:payload_too_large",
                     *       "title": "Payload too large",
                     *       "status": 413,
                     *       "detail": "The request body is larger than the server accepts.",
                     *       "request_id": "2f1c9a7e-5b7d-4d1a-8c0e-3e4f5a6b7c8d"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description An unexpected error; the response carries the request id that appears in the log. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:pg-cron-scheduler:problem:internal",
                     *       "title": "Internal server error",
                     *       "status": 500,
                     *       "detail": "An unexpected error occurred. Quote request id 2f1c9a7e when reporting it.",
                     *       "request_id": "2f1c9a7e-5b7d-4d1a-8c0e-3e4f5a6b7c8d"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    redirectToSwaggerUi: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description To the Swagger UI. */
            302: {
                headers: {
                    /** @description Always `doc`. */
                    Location?: string;
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description The body is over the size limit, or `job_fields` is over 64 KiB. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:pg-cron-scheduler:problem:payload_too_large",
                     *       "title": "Payload too large",
                     *       "status": 413,
                     *       "detail": "The request body is larger than the server accepts.",
                     *       "request_id": "2f1c9a7e-5b7d-4d1a-8c0e-3e4f5a6b7c8d"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description An unexpected error; the response carries the request id that appears in the log. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:pg-cron-scheduler:problem:internal",
                     *       "title": "Internal server error",
                     *       "status": 500,
                     *       "detail": "An unexpected error occurred. Quote request id 2f1c9a7e when reporting it.",
                     *       "request_id": "2f1c9a7e-5b7d-4d1a-8c0e-3e4f5a6b7c8d"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    checkReadiness: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The database answers. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Ready"];
                };
            };
            /** @description The body is over the size limit, or `job_fields` is over 64 KiB. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:pg-cron-scheduler:problem:payload_too_large",
                     *       "title": "Payload too large",
                     *       "status": 413,
                     *       "detail": "The request body is larger than the server accepts.",
                     *       "request_id": "2f1c9a7e-5b7d-4d1a-8c0e-3e4f5a6b7c8d"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description An unexpected error; the response carries the request id that appears in the log. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:pg-cron-scheduler:problem:internal",
                     *       "title": "Internal server error",
                     *       "status": 500,
                     *       "detail": "An unexpected error occurred. Quote request id 2f1c9a7e when reporting it.",
                     *       "request_id": "2f1c9a7e-5b7d-4d1a-8c0e-3e4f5a6b7c8d"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The database did not answer in time. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:pg-cron-scheduler:problem:not_ready",
                     *       "title": "Not ready",
                     *       "status": 503,
                     *       "detail": "The database did not answer.",
                     *       "request_id": "2f1c9a7e-5b7d-4d1a-8c0e-3e4f5a6b7c8d"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    checkSchedules: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description No job is stale. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "status": "ok",
                     *       "stale": []
                     *     }
                     */
                    "application/json": components["schemas"]["SchedulesHealth"];
                };
            };
            /** @description Missing or wrong bearer token (only when SCHEDULER_API_TOKEN is set). */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:pg-cron-scheduler:problem:unauthorized",
                     *       "title": "Unauthorized",
                     *       "status": 401,
                     *       "detail": "Send Authorization: Bearer <token>.",
                     *       "request_id": "2f1c9a7e-5b7d-4d1a-8c0e-3e4f5a6b7c8d"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description An unexpected error; the response carries the request id that appears in the log. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:pg-cron-scheduler:problem:internal",
                     *       "title": "Internal server error",
                     *       "status": 500,
                     *       "detail": "An unexpected error occurred. Quote request id 2f1c9a7e when reporting it.",
                     *       "request_id": "2f1c9a7e-5b7d-4d1a-8c0e-3e4f5a6b7c8d"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Some jobs are stale: a problem (`stale_jobs`) whose `stale` member lists them (at most 1,000); or the database did not answer. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:pg-cron-scheduler:problem:stale_jobs",
                     *       "title": "Stale jobs",
                     *       "status": 503,
                     *       "detail": "1 job has had no successful run for its alert_after_seconds.",
                     *       "request_id": "2f1c9a7e-5b7d-4d1a-8c0e-3e4f5a6b7c8d",
                     *       "stale": [
                     *         {
                     *           "job_id": "0f9b7a52-3c1e-4b8e-9d59-2f4d1c7e6a10",
                     *           "name": "nightly-backup",
                     *           "alert_after_seconds": 93600,
                     *           "last_success_at": "2025-01-02T01:00:04.000Z",
                     *           "stale_since": "2025-01-03T03:00:04.000Z"
                     *         }
                     *       ]
                     *     }
                     */
                    "application/problem+json": components["schemas"]["StaleJobsProblem"];
                };
            };
        };
    };
    checkLiveness: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Always "ok" while the process serves requests. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": "ok";
                };
            };
            /** @description The body is over the size limit, or `job_fields` is over 64 KiB. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:pg-cron-scheduler:problem:payload_too_large",
                     *       "title": "Payload too large",
                     *       "status": 413,
                     *       "detail": "The request body is larger than the server accepts.",
                     *       "request_id": "2f1c9a7e-5b7d-4d1a-8c0e-3e4f5a6b7c8d"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description An unexpected error; the response carries the request id that appears in the log. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:pg-cron-scheduler:problem:internal",
                     *       "title": "Internal server error",
                     *       "status": 500,
                     *       "detail": "An unexpected error occurred. Quote request id 2f1c9a7e when reporting it.",
                     *       "request_id": "2f1c9a7e-5b7d-4d1a-8c0e-3e4f5a6b7c8d"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    listJobs: {
        parameters: {
            query?: {
                /** @description The cursor of the next page, from the previous page’s `Link: <…>; rel="next"` header. */
                cursor?: string;
                /** @description Page size, 1-1000. Default 100. */
                limit?: number;
                /** @description Only paused (`true`) or active (`false`) jobs. */
                paused?: "true" | "false";
                /** @description Only jobs whose name contains this, case-insensitive. */
                search?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of jobs. */
            200: {
                headers: {
                    /** @description The next page, when there is one: `<…>; rel="next"`. */
                    Link?: string;
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example [
                     *       {
                     *         "id": "0f9b7a52-3c1e-4b8e-9d59-2f4d1c7e6a10",
                     *         "name": "nightly-report",
                     *         "cron": "0 9 * * 1-5",
                     *         "every": null,
                     *         "anchor_at": null,
                     *         "at": null,
                     *         "timezone": "Europe/Paris",
                     *         "description": "At 09:00, Monday through Friday",
                     *         "job_fields": {
                     *           "report": "sales"
                     *         },
                     *         "paused": false,
                     *         "pause_note": null,
                     *         "state": "active",
                     *         "start_at": null,
                     *         "end_at": null,
                     *         "max_runs": null,
                     *         "fired_count": 42,
                     *         "jitter_seconds": 0,
                     *         "completed_at": null,
                     *         "owner": null,
                     *         "target": {
                     *           "type": "log"
                     *         },
                     *         "alert_after_seconds": null,
                     *         "last_success_at": null,
                     *         "stale": false,
                     *         "run_options": {
                     *           "retry_limit": null,
                     *           "retry_delay_seconds": null,
                     *           "retry_backoff": null,
                     *           "run_timeout_seconds": null,
                     *           "priority": null
                     *         },
                     *         "pause_after_failures": null,
                     *         "consecutive_failures": 0,
                     *         "version": 17,
                     *         "catch_up": "latest",
                     *         "catch_up_window_seconds": null,
                     *         "overlap": "allow",
                     *         "next_run_at": "2025-01-06T08:00:00.000Z",
                     *         "last_run_at": "2025-01-03T08:00:00.000Z",
                     *         "created_at": "2025-01-01T12:00:00.000Z",
                     *         "updated_at": "2025-01-01T12:00:00.000Z"
                     *       }
                     *     ]
                     */
                    "application/json": components["schemas"]["JobList"];
                };
            };
            /** @description Missing or wrong bearer token (only when SCHEDULER_API_TOKEN is set). */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:pg-cron-scheduler:problem:unauthorized",
                     *       "title": "Unauthorized",
                     *       "status": 401,
                     *       "detail": "Send Authorization: Bearer <token>.",
                     *       "request_id": "2f1c9a7e-5b7d-4d1a-8c0e-3e4f5a6b7c8d"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description A field has the wrong type or an invalid value; `errors` names each. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:pg-cron-scheduler:problem:validation",
                     *       "title": "Validation failed",
                     *       "status": 422,
                     *       "detail": "The request has invalid values.",
                     *       "request_id": "2f1c9a7e-5b7d-4d1a-8c0e-3e4f5a6b7c8d",
                     *       "errors": [
                     *         {
                     *           "path": "cron",
                     *           "message": "expected a 5- or 6-field cron expression (got \"61 * * * *\")"
                     *         }
                     *       ]
                     *     }
                     */
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description An unexpected error; the response carries the request id that appears in the log. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:pg-cron-scheduler:problem:internal",
                     *       "title": "Internal server error",
                     *       "status": 500,
                     *       "detail": "An unexpected error occurred. Quote request id 2f1c9a7e when reporting it.",
                     *       "request_id": "2f1c9a7e-5b7d-4d1a-8c0e-3e4f5a6b7c8d"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The database or the engine is unavailable. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:pg-cron-scheduler:problem:database",
                     *       "title": "Database unavailable",
                     *       "status": 503,
                     *       "detail": "The database did not answer; try again later.",
                     *       "request_id": "2f1c9a7e-5b7d-4d1a-8c0e-3e4f5a6b7c8d"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    createJob: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** @description The job to create. */
        requestBody: {
            content: {
                "application/json": components["schemas"]["CreateJob"];
            };
        };
        responses: {
            /** @description The job was created. */
            201: {
                headers: {
                    /** @description The job’s version, for If-Match. */
                    ETag?: string;
                    /** @description The job’s URL. */
                    Location?: string;
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "id": "0f9b7a52-3c1e-4b8e-9d59-2f4d1c7e6a10",
                     *       "name": "nightly-report",
                     *       "cron": "0 9 * * 1-5",
                     *       "every": null,
                     *       "anchor_at": null,
                     *       "at": null,
                     *       "timezone": "Europe/Paris",
                     *       "description": "At 09:00, Monday through Friday",
                     *       "job_fields": {
                     *         "report": "sales"
                     *       },
                     *       "paused": false,
                     *       "pause_note": null,
                     *       "state": "active",
                     *       "start_at": null,
                     *       "end_at": null,
                     *       "max_runs": null,
                     *       "fired_count": 42,
                     *       "jitter_seconds": 0,
                     *       "completed_at": null,
                     *       "owner": null,
                     *       "target": {
                     *         "type": "log"
                     *       },
                     *       "alert_after_seconds": null,
                     *       "last_success_at": null,
                     *       "stale": false,
                     *       "run_options": {
                     *         "retry_limit": null,
                     *         "retry_delay_seconds": null,
                     *         "retry_backoff": null,
                     *         "run_timeout_seconds": null,
                     *         "priority": null
                     *       },
                     *       "pause_after_failures": null,
                     *       "consecutive_failures": 0,
                     *       "version": 17,
                     *       "catch_up": "latest",
                     *       "catch_up_window_seconds": null,
                     *       "overlap": "allow",
                     *       "next_run_at": "2025-01-06T08:00:00.000Z",
                     *       "last_run_at": "2025-01-03T08:00:00.000Z",
                     *       "created_at": "2025-01-01T12:00:00.000Z",
                     *       "updated_at": "2025-01-01T12:00:00.000Z"
                     *     }
                     */
                    "application/json": components["schemas"]["Job"];
                };
            };
            /** @description The body is not valid JSON. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:pg-cron-scheduler:problem:malformed_json",
                     *       "title": "Malformed JSON",
                     *       "status": 400,
                     *       "detail": "The request body is not valid JSON.",
                     *       "request_id": "2f1c9a7e-5b7d-4d1a-8c0e-3e4f5a6b7c8d"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Missing or wrong bearer token (only when SCHEDULER_API_TOKEN is set). */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:pg-cron-scheduler:problem:unauthorized",
                     *       "title": "Unauthorized",
                     *       "status": 401,
                     *       "detail": "Send Authorization: Bearer <token>.",
                     *       "request_id": "2f1c9a7e-5b7d-4d1a-8c0e-3e4f5a6b7c8d"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Sent by a web page on another origin (`cross_site`), or with the read-only token (`forbidden`). */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:pg-cron-scheduler:problem:cross_site",
                     *       "title": "Cross-site request refused",
                     *       "status": 403,
                     *       "detail": "POST from a web page on another origin is refused (Sec-Fetch-Site: cross-site). Changes must come from this service's own pages or from a client that is not a browser.",
                     *       "request_id": "2f1c9a7e-5b7d-4d1a-8c0e-3e4f5a6b7c8d"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description A job with that name already exists. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:pg-cron-scheduler:problem:conflict",
                     *       "title": "Conflict",
                     *       "status": 409,
                     *       "detail": "a schedule with name \"nightly-report\" already exists",
                     *       "request_id": "2f1c9a7e-5b7d-4d1a-8c0e-3e4f5a6b7c8d"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The body is over the size limit, or `job_fields` is over 64 KiB. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:pg-cron-scheduler:problem:payload_too_large",
                     *       "title": "Payload too large",
                     *       "status": 413,
                     *       "detail": "The request body is larger than the server accepts.",
                     *       "request_id": "2f1c9a7e-5b7d-4d1a-8c0e-3e4f5a6b7c8d"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The body is not sent as application/json. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:pg-cron-scheduler:problem:unsupported_media_type",
                     *       "title": "Unsupported media type",
                     *       "status": 415,
                     *       "detail": "Send the request body as application/json.",
                     *       "request_id": "2f1c9a7e-5b7d-4d1a-8c0e-3e4f5a6b7c8d"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description A field has the wrong type or an invalid value; `errors` names each. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:pg-cron-scheduler:problem:validation",
                     *       "title": "Validation failed",
                     *       "status": 422,
                     *       "detail": "The request has invalid values.",
                     *       "request_id": "2f1c9a7e-5b7d-4d1a-8c0e-3e4f5a6b7c8d",
                     *       "errors": [
                     *         {
                     *           "path": "cron",
                     *           "message": "expected a 5- or 6-field cron expression (got \"61 * * * *\")"
                     *         }
                     *       ]
                     *     }
                     */
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description An unexpected error; the response carries the request id that appears in the log. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:pg-cron-scheduler:problem:internal",
                     *       "title": "Internal server error",
                     *       "status": 500,
                     *       "detail": "An unexpected error occurred. Quote request id 2f1c9a7e when reporting it.",
                     *       "request_id": "2f1c9a7e-5b7d-4d1a-8c0e-3e4f5a6b7c8d"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The database or the engine is unavailable. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:pg-cron-scheduler:problem:database",
                     *       "title": "Database unavailable",
                     *       "status": 503,
                     *       "detail": "The database did not answer; try again later.",
                     *       "request_id": "2f1c9a7e-5b7d-4d1a-8c0e-3e4f5a6b7c8d"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    getJob: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The job’s id or its name. */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The job. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "id": "0f9b7a52-3c1e-4b8e-9d59-2f4d1c7e6a10",
                     *       "name": "nightly-report",
                     *       "cron": "0 9 * * 1-5",
                     *       "every": null,
                     *       "anchor_at": null,
                     *       "at": null,
                     *       "timezone": "Europe/Paris",
                     *       "description": "At 09:00, Monday through Friday",
                     *       "job_fields": {
                     *         "report": "sales"
                     *       },
                     *       "paused": false,
                     *       "pause_note": null,
                     *       "state": "active",
                     *       "start_at": null,
                     *       "end_at": null,
                     *       "max_runs": null,
                     *       "fired_count": 42,
                     *       "jitter_seconds": 0,
                     *       "completed_at": null,
                     *       "owner": null,
                     *       "target": {
                     *         "type": "log"
                     *       },
                     *       "alert_after_seconds": null,
                     *       "last_success_at": null,
                     *       "stale": false,
                     *       "run_options": {
                     *         "retry_limit": null,
                     *         "retry_delay_seconds": null,
                     *         "retry_backoff": null,
                     *         "run_timeout_seconds": null,
                     *         "priority": null
                     *       },
                     *       "pause_after_failures": null,
                     *       "consecutive_failures": 0,
                     *       "version": 17,
                     *       "catch_up": "latest",
                     *       "catch_up_window_seconds": null,
                     *       "overlap": "allow",
                     *       "next_run_at": "2025-01-06T08:00:00.000Z",
                     *       "last_run_at": "2025-01-03T08:00:00.000Z",
                     *       "created_at": "2025-01-01T12:00:00.000Z",
                     *       "updated_at": "2025-01-01T12:00:00.000Z",
                     *       "upcoming": [
                     *         "2025-01-06T08:00:00.000Z",
                     *         "2025-01-07T08:00:00.000Z"
                     *       ]
                     *     }
                     */
                    "application/json": components["schemas"]["JobDetail"];
                };
            };
            /** @description Missing or wrong bearer token (only when SCHEDULER_API_TOKEN is set). */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:pg-cron-scheduler:problem:unauthorized",
                     *       "title": "Unauthorized",
                     *       "status": 401,
                     *       "detail": "Send Authorization: Bearer <token>.",
                     *       "request_id": "2f1c9a7e-5b7d-4d1a-8c0e-3e4f5a6b7c8d"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No job with that id or name. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:pg-cron-scheduler:problem:not_found",
                     *       "title": "Not found",
                     *       "status": 404,
                     *       "detail": "schedule \"nightly-report\" was not found",
                     *       "request_id": "2f1c9a7e-5b7d-4d1a-8c0e-3e4f5a6b7c8d"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description A field has the wrong type or an invalid value; `errors` names each. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:pg-cron-scheduler:problem:validation",
                     *       "title": "Validation failed",
                     *       "status": 422,
                     *       "detail": "The request has invalid values.",
                     *       "request_id": "2f1c9a7e-5b7d-4d1a-8c0e-3e4f5a6b7c8d",
                     *       "errors": [
                     *         {
                     *           "path": "cron",
                     *           "message": "expected a 5- or 6-field cron expression (got \"61 * * * *\")"
                     *         }
                     *       ]
                     *     }
                     */
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description An unexpected error; the response carries the request id that appears in the log. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:pg-cron-scheduler:problem:internal",
                     *       "title": "Internal server error",
                     *       "status": 500,
                     *       "detail": "An unexpected error occurred. Quote request id 2f1c9a7e when reporting it.",
                     *       "request_id": "2f1c9a7e-5b7d-4d1a-8c0e-3e4f5a6b7c8d"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The database or the engine is unavailable. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:pg-cron-scheduler:problem:database",
                     *       "title": "Database unavailable",
                     *       "status": 503,
                     *       "detail": "The database did not answer; try again later.",
                     *       "request_id": "2f1c9a7e-5b7d-4d1a-8c0e-3e4f5a6b7c8d"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    putJob: {
        parameters: {
            query?: never;
            header?: {
                /** @description Only if the job is at this version (its ETag), or exists at all (`*`); 412 otherwise. */
                "if-match"?: string;
                /** @description `*`: only create; 412 when the job exists. */
                "if-none-match"?: string;
            };
            path: {
                /** @description The job’s name (PUT creates or replaces by name). */
                id: string;
            };
            cookie?: never;
        };
        /** @description The job’s whole definition. */
        requestBody: {
            content: {
                "application/json": components["schemas"]["ReplaceJob"];
            };
        };
        responses: {
            /** @description The job was replaced, or was already exactly this. */
            200: {
                headers: {
                    /** @description The job’s version, for If-Match. */
                    ETag?: string;
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "id": "0f9b7a52-3c1e-4b8e-9d59-2f4d1c7e6a10",
                     *       "name": "nightly-report",
                     *       "cron": "0 9 * * 1-5",
                     *       "every": null,
                     *       "anchor_at": null,
                     *       "at": null,
                     *       "timezone": "Europe/Paris",
                     *       "description": "At 09:00, Monday through Friday",
                     *       "job_fields": {
                     *         "report": "sales"
                     *       },
                     *       "paused": false,
                     *       "pause_note": null,
                     *       "state": "active",
                     *       "start_at": null,
                     *       "end_at": null,
                     *       "max_runs": null,
                     *       "fired_count": 42,
                     *       "jitter_seconds": 0,
                     *       "completed_at": null,
                     *       "owner": null,
                     *       "target": {
                     *         "type": "log"
                     *       },
                     *       "alert_after_seconds": null,
                     *       "last_success_at": null,
                     *       "stale": false,
                     *       "run_options": {
                     *         "retry_limit": null,
                     *         "retry_delay_seconds": null,
                     *         "retry_backoff": null,
                     *         "run_timeout_seconds": null,
                     *         "priority": null
                     *       },
                     *       "pause_after_failures": null,
                     *       "consecutive_failures": 0,
                     *       "version": 17,
                     *       "catch_up": "latest",
                     *       "catch_up_window_seconds": null,
                     *       "overlap": "allow",
                     *       "next_run_at": "2025-01-06T08:00:00.000Z",
                     *       "last_run_at": "2025-01-03T08:00:00.000Z",
                     *       "created_at": "2025-01-01T12:00:00.000Z",
                     *       "updated_at": "2025-01-01T12:00:00.000Z"
                     *     }
                     */
                    "application/json": components["schemas"]["Job"];
                };
            };
            /** @description The job was created. */
            201: {
                headers: {
                    /** @description The job’s version, for If-Match. */
                    ETag?: string;
                    /** @description The job’s URL. */
                    Location?: string;
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "id": "0f9b7a52-3c1e-4b8e-9d59-2f4d1c7e6a10",
                     *       "name": "nightly-report",
                     *       "cron": "0 9 * * 1-5",
                     *       "every": null,
                     *       "anchor_at": null,
                     *       "at": null,
                     *       "timezone": "Europe/Paris",
                     *       "description": "At 09:00, Monday through Friday",
                     *       "job_fields": {
                     *         "report": "sales"
                     *       },
                     *       "paused": false,
                     *       "pause_note": null,
                     *       "state": "active",
                     *       "start_at": null,
                     *       "end_at": null,
                     *       "max_runs": null,
                     *       "fired_count": 42,
                     *       "jitter_seconds": 0,
                     *       "completed_at": null,
                     *       "owner": null,
                     *       "target": {
                     *         "type": "log"
                     *       },
                     *       "alert_after_seconds": null,
                     *       "last_success_at": null,
                     *       "stale": false,
                     *       "run_options": {
                     *         "retry_limit": null,
                     *         "retry_delay_seconds": null,
                     *         "retry_backoff": null,
                     *         "run_timeout_seconds": null,
                     *         "priority": null
                     *       },
                     *       "pause_after_failures": null,
                     *       "consecutive_failures": 0,
                     *       "version": 17,
                     *       "catch_up": "latest",
                     *       "catch_up_window_seconds": null,
                     *       "overlap": "allow",
                     *       "next_run_at": "2025-01-06T08:00:00.000Z",
                     *       "last_run_at": "2025-01-03T08:00:00.000Z",
                     *       "created_at": "2025-01-01T12:00:00.000Z",
                     *       "updated_at": "2025-01-01T12:00:00.000Z"
                     *     }
                     */
                    "application/json": components["schemas"]["Job"];
                };
            };
            /** @description The body is not valid JSON. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:pg-cron-scheduler:problem:malformed_json",
                     *       "title": "Malformed JSON",
                     *       "status": 400,
                     *       "detail": "The request body is not valid JSON.",
                     *       "request_id": "2f1c9a7e-5b7d-4d1a-8c0e-3e4f5a6b7c8d"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Missing or wrong bearer token (only when SCHEDULER_API_TOKEN is set). */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:pg-cron-scheduler:problem:unauthorized",
                     *       "title": "Unauthorized",
                     *       "status": 401,
                     *       "detail": "Send Authorization: Bearer <token>.",
                     *       "request_id": "2f1c9a7e-5b7d-4d1a-8c0e-3e4f5a6b7c8d"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Sent by a web page on another origin (`cross_site`), or with the read-only token (`forbidden`). */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:pg-cron-scheduler:problem:cross_site",
                     *       "title": "Cross-site request refused",
                     *       "status": 403,
                     *       "detail": "POST from a web page on another origin is refused (Sec-Fetch-Site: cross-site). Changes must come from this service's own pages or from a client that is not a browser.",
                     *       "request_id": "2f1c9a7e-5b7d-4d1a-8c0e-3e4f5a6b7c8d"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description If-Match named another version of the job (it changed since it was read), or If-None-Match: * found it. */
            412: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:pg-cron-scheduler:problem:precondition_failed",
                     *       "title": "Precondition failed",
                     *       "status": 412,
                     *       "detail": "schedule \"nightly-report\" is at version 18, not 17: it changed since it was read",
                     *       "request_id": "2f1c9a7e-5b7d-4d1a-8c0e-3e4f5a6b7c8d"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The body is over the size limit, or `job_fields` is over 64 KiB. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:pg-cron-scheduler:problem:payload_too_large",
                     *       "title": "Payload too large",
                     *       "status": 413,
                     *       "detail": "The request body is larger than the server accepts.",
                     *       "request_id": "2f1c9a7e-5b7d-4d1a-8c0e-3e4f5a6b7c8d"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The body is not sent as application/json. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:pg-cron-scheduler:problem:unsupported_media_type",
                     *       "title": "Unsupported media type",
                     *       "status": 415,
                     *       "detail": "Send the request body as application/json.",
                     *       "request_id": "2f1c9a7e-5b7d-4d1a-8c0e-3e4f5a6b7c8d"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description A field has the wrong type or an invalid value; `errors` names each. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:pg-cron-scheduler:problem:validation",
                     *       "title": "Validation failed",
                     *       "status": 422,
                     *       "detail": "The request has invalid values.",
                     *       "request_id": "2f1c9a7e-5b7d-4d1a-8c0e-3e4f5a6b7c8d",
                     *       "errors": [
                     *         {
                     *           "path": "cron",
                     *           "message": "expected a 5- or 6-field cron expression (got \"61 * * * *\")"
                     *         }
                     *       ]
                     *     }
                     */
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description An unexpected error; the response carries the request id that appears in the log. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:pg-cron-scheduler:problem:internal",
                     *       "title": "Internal server error",
                     *       "status": 500,
                     *       "detail": "An unexpected error occurred. Quote request id 2f1c9a7e when reporting it.",
                     *       "request_id": "2f1c9a7e-5b7d-4d1a-8c0e-3e4f5a6b7c8d"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The database or the engine is unavailable. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:pg-cron-scheduler:problem:database",
                     *       "title": "Database unavailable",
                     *       "status": 503,
                     *       "detail": "The database did not answer; try again later.",
                     *       "request_id": "2f1c9a7e-5b7d-4d1a-8c0e-3e4f5a6b7c8d"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    deleteJob: {
        parameters: {
            query?: never;
            header?: {
                /** @description Only if the job is at this version (its ETag), or exists at all (`*`); 412 otherwise. */
                "if-match"?: string;
            };
            path: {
                /** @description The job’s id or its name. */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Deleted. */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Missing or wrong bearer token (only when SCHEDULER_API_TOKEN is set). */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:pg-cron-scheduler:problem:unauthorized",
                     *       "title": "Unauthorized",
                     *       "status": 401,
                     *       "detail": "Send Authorization: Bearer <token>.",
                     *       "request_id": "2f1c9a7e-5b7d-4d1a-8c0e-3e4f5a6b7c8d"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Sent by a web page on another origin (`cross_site`), or with the read-only token (`forbidden`). */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:pg-cron-scheduler:problem:cross_site",
                     *       "title": "Cross-site request refused",
                     *       "status": 403,
                     *       "detail": "POST from a web page on another origin is refused (Sec-Fetch-Site: cross-site). Changes must come from this service's own pages or from a client that is not a browser.",
                     *       "request_id": "2f1c9a7e-5b7d-4d1a-8c0e-3e4f5a6b7c8d"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No job with that id or name. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:pg-cron-scheduler:problem:not_found",
                     *       "title": "Not found",
                     *       "status": 404,
                     *       "detail": "schedule \"nightly-report\" was not found",
                     *       "request_id": "2f1c9a7e-5b7d-4d1a-8c0e-3e4f5a6b7c8d"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description If-Match named another version of the job (it changed since it was read), or If-None-Match: * found it. */
            412: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:pg-cron-scheduler:problem:precondition_failed",
                     *       "title": "Precondition failed",
                     *       "status": 412,
                     *       "detail": "schedule \"nightly-report\" is at version 18, not 17: it changed since it was read",
                     *       "request_id": "2f1c9a7e-5b7d-4d1a-8c0e-3e4f5a6b7c8d"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description A field has the wrong type or an invalid value; `errors` names each. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:pg-cron-scheduler:problem:validation",
                     *       "title": "Validation failed",
                     *       "status": 422,
                     *       "detail": "The request has invalid values.",
                     *       "request_id": "2f1c9a7e-5b7d-4d1a-8c0e-3e4f5a6b7c8d",
                     *       "errors": [
                     *         {
                     *           "path": "cron",
                     *           "message": "expected a 5- or 6-field cron expression (got \"61 * * * *\")"
                     *         }
                     *       ]
                     *     }
                     */
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description An unexpected error; the response carries the request id that appears in the log. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:pg-cron-scheduler:problem:internal",
                     *       "title": "Internal server error",
                     *       "status": 500,
                     *       "detail": "An unexpected error occurred. Quote request id 2f1c9a7e when reporting it.",
                     *       "request_id": "2f1c9a7e-5b7d-4d1a-8c0e-3e4f5a6b7c8d"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The database or the engine is unavailable. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:pg-cron-scheduler:problem:database",
                     *       "title": "Database unavailable",
                     *       "status": 503,
                     *       "detail": "The database did not answer; try again later.",
                     *       "request_id": "2f1c9a7e-5b7d-4d1a-8c0e-3e4f5a6b7c8d"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    updateJob: {
        parameters: {
            query?: never;
            header?: {
                /** @description Only if the job is at this version (its ETag), or exists at all (`*`); 412 otherwise. */
                "if-match"?: string;
            };
            path: {
                /** @description The job’s id or its name. */
                id: string;
            };
            cookie?: never;
        };
        /** @description The fields to change. */
        requestBody: {
            content: {
                "application/json": components["schemas"]["UpdateJob"];
            };
        };
        responses: {
            /** @description The updated job. */
            200: {
                headers: {
                    /** @description The job’s version, for If-Match. */
                    ETag?: string;
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "id": "0f9b7a52-3c1e-4b8e-9d59-2f4d1c7e6a10",
                     *       "name": "nightly-report",
                     *       "cron": "0 9 * * 1-5",
                     *       "every": null,
                     *       "anchor_at": null,
                     *       "at": null,
                     *       "timezone": "Europe/Paris",
                     *       "description": "At 09:00, Monday through Friday",
                     *       "job_fields": {
                     *         "report": "sales"
                     *       },
                     *       "paused": false,
                     *       "pause_note": null,
                     *       "state": "active",
                     *       "start_at": null,
                     *       "end_at": null,
                     *       "max_runs": null,
                     *       "fired_count": 42,
                     *       "jitter_seconds": 0,
                     *       "completed_at": null,
                     *       "owner": null,
                     *       "target": {
                     *         "type": "log"
                     *       },
                     *       "alert_after_seconds": null,
                     *       "last_success_at": null,
                     *       "stale": false,
                     *       "run_options": {
                     *         "retry_limit": null,
                     *         "retry_delay_seconds": null,
                     *         "retry_backoff": null,
                     *         "run_timeout_seconds": null,
                     *         "priority": null
                     *       },
                     *       "pause_after_failures": null,
                     *       "consecutive_failures": 0,
                     *       "version": 17,
                     *       "catch_up": "latest",
                     *       "catch_up_window_seconds": null,
                     *       "overlap": "allow",
                     *       "next_run_at": "2025-01-06T08:00:00.000Z",
                     *       "last_run_at": "2025-01-03T08:00:00.000Z",
                     *       "created_at": "2025-01-01T12:00:00.000Z",
                     *       "updated_at": "2025-01-01T12:00:00.000Z"
                     *     }
                     */
                    "application/json": components["schemas"]["Job"];
                };
            };
            /** @description The body is not valid JSON. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:pg-cron-scheduler:problem:malformed_json",
                     *       "title": "Malformed JSON",
                     *       "status": 400,
                     *       "detail": "The request body is not valid JSON.",
                     *       "request_id": "2f1c9a7e-5b7d-4d1a-8c0e-3e4f5a6b7c8d"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Missing or wrong bearer token (only when SCHEDULER_API_TOKEN is set). */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:pg-cron-scheduler:problem:unauthorized",
                     *       "title": "Unauthorized",
                     *       "status": 401,
                     *       "detail": "Send Authorization: Bearer <token>.",
                     *       "request_id": "2f1c9a7e-5b7d-4d1a-8c0e-3e4f5a6b7c8d"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Sent by a web page on another origin (`cross_site`), or with the read-only token (`forbidden`). */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:pg-cron-scheduler:problem:cross_site",
                     *       "title": "Cross-site request refused",
                     *       "status": 403,
                     *       "detail": "POST from a web page on another origin is refused (Sec-Fetch-Site: cross-site). Changes must come from this service's own pages or from a client that is not a browser.",
                     *       "request_id": "2f1c9a7e-5b7d-4d1a-8c0e-3e4f5a6b7c8d"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No job with that id or name. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:pg-cron-scheduler:problem:not_found",
                     *       "title": "Not found",
                     *       "status": 404,
                     *       "detail": "schedule \"nightly-report\" was not found",
                     *       "request_id": "2f1c9a7e-5b7d-4d1a-8c0e-3e4f5a6b7c8d"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description A job with that name already exists. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:pg-cron-scheduler:problem:conflict",
                     *       "title": "Conflict",
                     *       "status": 409,
                     *       "detail": "a schedule with name \"nightly-report\" already exists",
                     *       "request_id": "2f1c9a7e-5b7d-4d1a-8c0e-3e4f5a6b7c8d"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description If-Match named another version of the job (it changed since it was read), or If-None-Match: * found it. */
            412: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:pg-cron-scheduler:problem:precondition_failed",
                     *       "title": "Precondition failed",
                     *       "status": 412,
                     *       "detail": "schedule \"nightly-report\" is at version 18, not 17: it changed since it was read",
                     *       "request_id": "2f1c9a7e-5b7d-4d1a-8c0e-3e4f5a6b7c8d"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The body is over the size limit, or `job_fields` is over 64 KiB. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:pg-cron-scheduler:problem:payload_too_large",
                     *       "title": "Payload too large",
                     *       "status": 413,
                     *       "detail": "The request body is larger than the server accepts.",
                     *       "request_id": "2f1c9a7e-5b7d-4d1a-8c0e-3e4f5a6b7c8d"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The body is not sent as application/json. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:pg-cron-scheduler:problem:unsupported_media_type",
                     *       "title": "Unsupported media type",
                     *       "status": 415,
                     *       "detail": "Send the request body as application/json.",
                     *       "request_id": "2f1c9a7e-5b7d-4d1a-8c0e-3e4f5a6b7c8d"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description A field has the wrong type or an invalid value; `errors` names each. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:pg-cron-scheduler:problem:validation",
                     *       "title": "Validation failed",
                     *       "status": 422,
                     *       "detail": "The request has invalid values.",
                     *       "request_id": "2f1c9a7e-5b7d-4d1a-8c0e-3e4f5a6b7c8d",
                     *       "errors": [
                     *         {
                     *           "path": "cron",
                     *           "message": "expected a 5- or 6-field cron expression (got \"61 * * * *\")"
                     *         }
                     *       ]
                     *     }
                     */
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description An unexpected error; the response carries the request id that appears in the log. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:pg-cron-scheduler:problem:internal",
                     *       "title": "Internal server error",
                     *       "status": 500,
                     *       "detail": "An unexpected error occurred. Quote request id 2f1c9a7e when reporting it.",
                     *       "request_id": "2f1c9a7e-5b7d-4d1a-8c0e-3e4f5a6b7c8d"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The database or the engine is unavailable. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:pg-cron-scheduler:problem:database",
                     *       "title": "Database unavailable",
                     *       "status": 503,
                     *       "detail": "The database did not answer; try again later.",
                     *       "request_id": "2f1c9a7e-5b7d-4d1a-8c0e-3e4f5a6b7c8d"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    backfillJob: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The job’s id or its name. */
                id: string;
            };
            cookie?: never;
        };
        /** @description The range, inclusive at both ends. */
        requestBody: {
            content: {
                "application/json": components["schemas"]["BackfillRequest"];
            };
        };
        responses: {
            /** @description The backfill is queued; `ticks` says how many ticks the range holds. */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Backfill"];
                };
            };
            /** @description The body is not valid JSON. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:pg-cron-scheduler:problem:malformed_json",
                     *       "title": "Malformed JSON",
                     *       "status": 400,
                     *       "detail": "The request body is not valid JSON.",
                     *       "request_id": "2f1c9a7e-5b7d-4d1a-8c0e-3e4f5a6b7c8d"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Missing or wrong bearer token (only when SCHEDULER_API_TOKEN is set). */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:pg-cron-scheduler:problem:unauthorized",
                     *       "title": "Unauthorized",
                     *       "status": 401,
                     *       "detail": "Send Authorization: Bearer <token>.",
                     *       "request_id": "2f1c9a7e-5b7d-4d1a-8c0e-3e4f5a6b7c8d"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Sent by a web page on another origin (`cross_site`), or with the read-only token (`forbidden`). */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:pg-cron-scheduler:problem:cross_site",
                     *       "title": "Cross-site request refused",
                     *       "status": 403,
                     *       "detail": "POST from a web page on another origin is refused (Sec-Fetch-Site: cross-site). Changes must come from this service's own pages or from a client that is not a browser.",
                     *       "request_id": "2f1c9a7e-5b7d-4d1a-8c0e-3e4f5a6b7c8d"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No job with that id or name. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:pg-cron-scheduler:problem:not_found",
                     *       "title": "Not found",
                     *       "status": 404,
                     *       "detail": "schedule \"nightly-report\" was not found",
                     *       "request_id": "2f1c9a7e-5b7d-4d1a-8c0e-3e4f5a6b7c8d"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The body is over the size limit, or `job_fields` is over 64 KiB. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:pg-cron-scheduler:problem:payload_too_large",
                     *       "title": "Payload too large",
                     *       "status": 413,
                     *       "detail": "The request body is larger than the server accepts.",
                     *       "request_id": "2f1c9a7e-5b7d-4d1a-8c0e-3e4f5a6b7c8d"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The body is not sent as application/json. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:pg-cron-scheduler:problem:unsupported_media_type",
                     *       "title": "Unsupported media type",
                     *       "status": 415,
                     *       "detail": "Send the request body as application/json.",
                     *       "request_id": "2f1c9a7e-5b7d-4d1a-8c0e-3e4f5a6b7c8d"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description A field has the wrong type or an invalid value; `errors` names each. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:pg-cron-scheduler:problem:validation",
                     *       "title": "Validation failed",
                     *       "status": 422,
                     *       "detail": "The request has invalid values.",
                     *       "request_id": "2f1c9a7e-5b7d-4d1a-8c0e-3e4f5a6b7c8d",
                     *       "errors": [
                     *         {
                     *           "path": "cron",
                     *           "message": "expected a 5- or 6-field cron expression (got \"61 * * * *\")"
                     *         }
                     *       ]
                     *     }
                     */
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description An unexpected error; the response carries the request id that appears in the log. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:pg-cron-scheduler:problem:internal",
                     *       "title": "Internal server error",
                     *       "status": 500,
                     *       "detail": "An unexpected error occurred. Quote request id 2f1c9a7e when reporting it.",
                     *       "request_id": "2f1c9a7e-5b7d-4d1a-8c0e-3e4f5a6b7c8d"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The database or the engine is unavailable. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:pg-cron-scheduler:problem:database",
                     *       "title": "Database unavailable",
                     *       "status": 503,
                     *       "detail": "The database did not answer; try again later.",
                     *       "request_id": "2f1c9a7e-5b7d-4d1a-8c0e-3e4f5a6b7c8d"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    pauseJob: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The job’s id or its name. */
                id: string;
            };
            cookie?: never;
        };
        /** @description Optional: `{"note": "…"}`, kept and shown as `pause_note`. */
        requestBody?: {
            content: {
                "application/json": components["schemas"]["PauseJob"];
            };
        };
        responses: {
            /** @description The paused job; `next_run_at` is null. */
            200: {
                headers: {
                    /** @description The job’s version, for If-Match. */
                    ETag?: string;
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "id": "0f9b7a52-3c1e-4b8e-9d59-2f4d1c7e6a10",
                     *       "name": "nightly-report",
                     *       "cron": "0 9 * * 1-5",
                     *       "every": null,
                     *       "anchor_at": null,
                     *       "at": null,
                     *       "timezone": "Europe/Paris",
                     *       "description": "At 09:00, Monday through Friday",
                     *       "job_fields": {
                     *         "report": "sales"
                     *       },
                     *       "paused": false,
                     *       "pause_note": null,
                     *       "state": "active",
                     *       "start_at": null,
                     *       "end_at": null,
                     *       "max_runs": null,
                     *       "fired_count": 42,
                     *       "jitter_seconds": 0,
                     *       "completed_at": null,
                     *       "owner": null,
                     *       "target": {
                     *         "type": "log"
                     *       },
                     *       "alert_after_seconds": null,
                     *       "last_success_at": null,
                     *       "stale": false,
                     *       "run_options": {
                     *         "retry_limit": null,
                     *         "retry_delay_seconds": null,
                     *         "retry_backoff": null,
                     *         "run_timeout_seconds": null,
                     *         "priority": null
                     *       },
                     *       "pause_after_failures": null,
                     *       "consecutive_failures": 0,
                     *       "version": 17,
                     *       "catch_up": "latest",
                     *       "catch_up_window_seconds": null,
                     *       "overlap": "allow",
                     *       "next_run_at": "2025-01-06T08:00:00.000Z",
                     *       "last_run_at": "2025-01-03T08:00:00.000Z",
                     *       "created_at": "2025-01-01T12:00:00.000Z",
                     *       "updated_at": "2025-01-01T12:00:00.000Z"
                     *     }
                     */
                    "application/json": components["schemas"]["Job"];
                };
            };
            /** @description The body is not valid JSON. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:pg-cron-scheduler:problem:malformed_json",
                     *       "title": "Malformed JSON",
                     *       "status": 400,
                     *       "detail": "The request body is not valid JSON.",
                     *       "request_id": "2f1c9a7e-5b7d-4d1a-8c0e-3e4f5a6b7c8d"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Missing or wrong bearer token (only when SCHEDULER_API_TOKEN is set). */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:pg-cron-scheduler:problem:unauthorized",
                     *       "title": "Unauthorized",
                     *       "status": 401,
                     *       "detail": "Send Authorization: Bearer <token>.",
                     *       "request_id": "2f1c9a7e-5b7d-4d1a-8c0e-3e4f5a6b7c8d"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Sent by a web page on another origin (`cross_site`), or with the read-only token (`forbidden`). */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:pg-cron-scheduler:problem:cross_site",
                     *       "title": "Cross-site request refused",
                     *       "status": 403,
                     *       "detail": "POST from a web page on another origin is refused (Sec-Fetch-Site: cross-site). Changes must come from this service's own pages or from a client that is not a browser.",
                     *       "request_id": "2f1c9a7e-5b7d-4d1a-8c0e-3e4f5a6b7c8d"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No job with that id or name. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:pg-cron-scheduler:problem:not_found",
                     *       "title": "Not found",
                     *       "status": 404,
                     *       "detail": "schedule \"nightly-report\" was not found",
                     *       "request_id": "2f1c9a7e-5b7d-4d1a-8c0e-3e4f5a6b7c8d"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The body is over the size limit, or `job_fields` is over 64 KiB. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:pg-cron-scheduler:problem:payload_too_large",
                     *       "title": "Payload too large",
                     *       "status": 413,
                     *       "detail": "The request body is larger than the server accepts.",
                     *       "request_id": "2f1c9a7e-5b7d-4d1a-8c0e-3e4f5a6b7c8d"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The body is not sent as application/json. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:pg-cron-scheduler:problem:unsupported_media_type",
                     *       "title": "Unsupported media type",
                     *       "status": 415,
                     *       "detail": "Send the request body as application/json.",
                     *       "request_id": "2f1c9a7e-5b7d-4d1a-8c0e-3e4f5a6b7c8d"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description A field has the wrong type or an invalid value; `errors` names each. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:pg-cron-scheduler:problem:validation",
                     *       "title": "Validation failed",
                     *       "status": 422,
                     *       "detail": "The request has invalid values.",
                     *       "request_id": "2f1c9a7e-5b7d-4d1a-8c0e-3e4f5a6b7c8d",
                     *       "errors": [
                     *         {
                     *           "path": "cron",
                     *           "message": "expected a 5- or 6-field cron expression (got \"61 * * * *\")"
                     *         }
                     *       ]
                     *     }
                     */
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description An unexpected error; the response carries the request id that appears in the log. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:pg-cron-scheduler:problem:internal",
                     *       "title": "Internal server error",
                     *       "status": 500,
                     *       "detail": "An unexpected error occurred. Quote request id 2f1c9a7e when reporting it.",
                     *       "request_id": "2f1c9a7e-5b7d-4d1a-8c0e-3e4f5a6b7c8d"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The database or the engine is unavailable. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:pg-cron-scheduler:problem:database",
                     *       "title": "Database unavailable",
                     *       "status": 503,
                     *       "detail": "The database did not answer; try again later.",
                     *       "request_id": "2f1c9a7e-5b7d-4d1a-8c0e-3e4f5a6b7c8d"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    resumeJob: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The job’s id or its name. */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The resumed job. */
            200: {
                headers: {
                    /** @description The job’s version, for If-Match. */
                    ETag?: string;
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "id": "0f9b7a52-3c1e-4b8e-9d59-2f4d1c7e6a10",
                     *       "name": "nightly-report",
                     *       "cron": "0 9 * * 1-5",
                     *       "every": null,
                     *       "anchor_at": null,
                     *       "at": null,
                     *       "timezone": "Europe/Paris",
                     *       "description": "At 09:00, Monday through Friday",
                     *       "job_fields": {
                     *         "report": "sales"
                     *       },
                     *       "paused": false,
                     *       "pause_note": null,
                     *       "state": "active",
                     *       "start_at": null,
                     *       "end_at": null,
                     *       "max_runs": null,
                     *       "fired_count": 42,
                     *       "jitter_seconds": 0,
                     *       "completed_at": null,
                     *       "owner": null,
                     *       "target": {
                     *         "type": "log"
                     *       },
                     *       "alert_after_seconds": null,
                     *       "last_success_at": null,
                     *       "stale": false,
                     *       "run_options": {
                     *         "retry_limit": null,
                     *         "retry_delay_seconds": null,
                     *         "retry_backoff": null,
                     *         "run_timeout_seconds": null,
                     *         "priority": null
                     *       },
                     *       "pause_after_failures": null,
                     *       "consecutive_failures": 0,
                     *       "version": 17,
                     *       "catch_up": "latest",
                     *       "catch_up_window_seconds": null,
                     *       "overlap": "allow",
                     *       "next_run_at": "2025-01-06T08:00:00.000Z",
                     *       "last_run_at": "2025-01-03T08:00:00.000Z",
                     *       "created_at": "2025-01-01T12:00:00.000Z",
                     *       "updated_at": "2025-01-01T12:00:00.000Z"
                     *     }
                     */
                    "application/json": components["schemas"]["Job"];
                };
            };
            /** @description Missing or wrong bearer token (only when SCHEDULER_API_TOKEN is set). */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:pg-cron-scheduler:problem:unauthorized",
                     *       "title": "Unauthorized",
                     *       "status": 401,
                     *       "detail": "Send Authorization: Bearer <token>.",
                     *       "request_id": "2f1c9a7e-5b7d-4d1a-8c0e-3e4f5a6b7c8d"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Sent by a web page on another origin (`cross_site`), or with the read-only token (`forbidden`). */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:pg-cron-scheduler:problem:cross_site",
                     *       "title": "Cross-site request refused",
                     *       "status": 403,
                     *       "detail": "POST from a web page on another origin is refused (Sec-Fetch-Site: cross-site). Changes must come from this service's own pages or from a client that is not a browser.",
                     *       "request_id": "2f1c9a7e-5b7d-4d1a-8c0e-3e4f5a6b7c8d"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No job with that id or name. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:pg-cron-scheduler:problem:not_found",
                     *       "title": "Not found",
                     *       "status": 404,
                     *       "detail": "schedule \"nightly-report\" was not found",
                     *       "request_id": "2f1c9a7e-5b7d-4d1a-8c0e-3e4f5a6b7c8d"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description A field has the wrong type or an invalid value; `errors` names each. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:pg-cron-scheduler:problem:validation",
                     *       "title": "Validation failed",
                     *       "status": 422,
                     *       "detail": "The request has invalid values.",
                     *       "request_id": "2f1c9a7e-5b7d-4d1a-8c0e-3e4f5a6b7c8d",
                     *       "errors": [
                     *         {
                     *           "path": "cron",
                     *           "message": "expected a 5- or 6-field cron expression (got \"61 * * * *\")"
                     *         }
                     *       ]
                     *     }
                     */
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description An unexpected error; the response carries the request id that appears in the log. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:pg-cron-scheduler:problem:internal",
                     *       "title": "Internal server error",
                     *       "status": 500,
                     *       "detail": "An unexpected error occurred. Quote request id 2f1c9a7e when reporting it.",
                     *       "request_id": "2f1c9a7e-5b7d-4d1a-8c0e-3e4f5a6b7c8d"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The database or the engine is unavailable. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:pg-cron-scheduler:problem:database",
                     *       "title": "Database unavailable",
                     *       "status": 503,
                     *       "detail": "The database did not answer; try again later.",
                     *       "request_id": "2f1c9a7e-5b7d-4d1a-8c0e-3e4f5a6b7c8d"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    runJob: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The job’s id or its name. */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The run it queued. */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "id": "6a1c2d3e-4f50-4617-8293-a4b5c6d7e8f9",
                     *       "job_id": "0f9b7a52-3c1e-4b8e-9d59-2f4d1c7e6a10",
                     *       "scheduled_for": "2025-01-03T08:00:00.000Z",
                     *       "last_scheduled_for": "2025-01-03T08:00:00.000Z",
                     *       "tick_count": 1,
                     *       "trigger": "manual",
                     *       "status": "queued",
                     *       "enqueued_at": "2025-01-03T08:00:00.012Z",
                     *       "started_at": null,
                     *       "finished_at": null,
                     *       "attempts": 0,
                     *       "error": null,
                     *       "failed_attempts": [],
                     *       "options": {
                     *         "retry_limit": 2,
                     *         "retry_delay_seconds": 1,
                     *         "retry_backoff": false,
                     *         "run_timeout_seconds": 900,
                     *         "priority": 0
                     *       },
                     *       "response": null
                     *     }
                     */
                    "application/json": components["schemas"]["Run"];
                };
            };
            /** @description Missing or wrong bearer token (only when SCHEDULER_API_TOKEN is set). */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:pg-cron-scheduler:problem:unauthorized",
                     *       "title": "Unauthorized",
                     *       "status": 401,
                     *       "detail": "Send Authorization: Bearer <token>.",
                     *       "request_id": "2f1c9a7e-5b7d-4d1a-8c0e-3e4f5a6b7c8d"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Sent by a web page on another origin (`cross_site`), or with the read-only token (`forbidden`). */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:pg-cron-scheduler:problem:cross_site",
                     *       "title": "Cross-site request refused",
                     *       "status": 403,
                     *       "detail": "POST from a web page on another origin is refused (Sec-Fetch-Site: cross-site). Changes must come from this service's own pages or from a client that is not a browser.",
                     *       "request_id": "2f1c9a7e-5b7d-4d1a-8c0e-3e4f5a6b7c8d"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No job with that id or name. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:pg-cron-scheduler:problem:not_found",
                     *       "title": "Not found",
                     *       "status": 404,
                     *       "detail": "schedule \"nightly-report\" was not found",
                     *       "request_id": "2f1c9a7e-5b7d-4d1a-8c0e-3e4f5a6b7c8d"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description A field has the wrong type or an invalid value; `errors` names each. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:pg-cron-scheduler:problem:validation",
                     *       "title": "Validation failed",
                     *       "status": 422,
                     *       "detail": "The request has invalid values.",
                     *       "request_id": "2f1c9a7e-5b7d-4d1a-8c0e-3e4f5a6b7c8d",
                     *       "errors": [
                     *         {
                     *           "path": "cron",
                     *           "message": "expected a 5- or 6-field cron expression (got \"61 * * * *\")"
                     *         }
                     *       ]
                     *     }
                     */
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description An unexpected error; the response carries the request id that appears in the log. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:pg-cron-scheduler:problem:internal",
                     *       "title": "Internal server error",
                     *       "status": 500,
                     *       "detail": "An unexpected error occurred. Quote request id 2f1c9a7e when reporting it.",
                     *       "request_id": "2f1c9a7e-5b7d-4d1a-8c0e-3e4f5a6b7c8d"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The database or the engine is unavailable. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:pg-cron-scheduler:problem:database",
                     *       "title": "Database unavailable",
                     *       "status": 503,
                     *       "detail": "The database did not answer; try again later.",
                     *       "request_id": "2f1c9a7e-5b7d-4d1a-8c0e-3e4f5a6b7c8d"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    listJobRuns: {
        parameters: {
            query?: {
                /** @description The cursor of the next page, from the previous page’s `Link: <…>; rel="next"` header. */
                cursor?: string;
                /** @description Page size, 1-1000. Default 100. */
                limit?: number;
                /** @description Only runs in this status. */
                status?: "queued" | "running" | "succeeded" | "failed" | "cancelled" | "skipped" | "missed";
            };
            header?: never;
            path: {
                /** @description The job’s id or its name. */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of runs. */
            200: {
                headers: {
                    /** @description The next page, when there is one: `<…>; rel="next"`. */
                    Link?: string;
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example [
                     *       {
                     *         "id": "6a1c2d3e-4f50-4617-8293-a4b5c6d7e8f9",
                     *         "job_id": "0f9b7a52-3c1e-4b8e-9d59-2f4d1c7e6a10",
                     *         "scheduled_for": "2025-01-03T08:00:00.000Z",
                     *         "last_scheduled_for": "2025-01-03T08:00:00.000Z",
                     *         "tick_count": 1,
                     *         "trigger": "schedule",
                     *         "status": "succeeded",
                     *         "enqueued_at": "2025-01-03T08:00:00.012Z",
                     *         "started_at": "2025-01-03T08:00:00.040Z",
                     *         "finished_at": "2025-01-03T08:00:00.051Z",
                     *         "attempts": 1,
                     *         "error": null,
                     *         "failed_attempts": [],
                     *         "options": {
                     *           "retry_limit": 2,
                     *           "retry_delay_seconds": 1,
                     *           "retry_backoff": false,
                     *           "run_timeout_seconds": 900,
                     *           "priority": 0
                     *         },
                     *         "response": null
                     *       }
                     *     ]
                     */
                    "application/json": components["schemas"]["RunList"];
                };
            };
            /** @description Missing or wrong bearer token (only when SCHEDULER_API_TOKEN is set). */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:pg-cron-scheduler:problem:unauthorized",
                     *       "title": "Unauthorized",
                     *       "status": 401,
                     *       "detail": "Send Authorization: Bearer <token>.",
                     *       "request_id": "2f1c9a7e-5b7d-4d1a-8c0e-3e4f5a6b7c8d"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No job with that id or name. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:pg-cron-scheduler:problem:not_found",
                     *       "title": "Not found",
                     *       "status": 404,
                     *       "detail": "schedule \"nightly-report\" was not found",
                     *       "request_id": "2f1c9a7e-5b7d-4d1a-8c0e-3e4f5a6b7c8d"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description A field has the wrong type or an invalid value; `errors` names each. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:pg-cron-scheduler:problem:validation",
                     *       "title": "Validation failed",
                     *       "status": 422,
                     *       "detail": "The request has invalid values.",
                     *       "request_id": "2f1c9a7e-5b7d-4d1a-8c0e-3e4f5a6b7c8d",
                     *       "errors": [
                     *         {
                     *           "path": "cron",
                     *           "message": "expected a 5- or 6-field cron expression (got \"61 * * * *\")"
                     *         }
                     *       ]
                     *     }
                     */
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description An unexpected error; the response carries the request id that appears in the log. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:pg-cron-scheduler:problem:internal",
                     *       "title": "Internal server error",
                     *       "status": 500,
                     *       "detail": "An unexpected error occurred. Quote request id 2f1c9a7e when reporting it.",
                     *       "request_id": "2f1c9a7e-5b7d-4d1a-8c0e-3e4f5a6b7c8d"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The database or the engine is unavailable. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:pg-cron-scheduler:problem:database",
                     *       "title": "Database unavailable",
                     *       "status": 503,
                     *       "detail": "The database did not answer; try again later.",
                     *       "request_id": "2f1c9a7e-5b7d-4d1a-8c0e-3e4f5a6b7c8d"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    getOpenApiDocument: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The document; its `servers` entry is the path prefix the API is served under. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description The body is over the size limit, or `job_fields` is over 64 KiB. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:pg-cron-scheduler:problem:payload_too_large",
                     *       "title": "Payload too large",
                     *       "status": 413,
                     *       "detail": "The request body is larger than the server accepts.",
                     *       "request_id": "2f1c9a7e-5b7d-4d1a-8c0e-3e4f5a6b7c8d"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description An unexpected error; the response carries the request id that appears in the log. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:pg-cron-scheduler:problem:internal",
                     *       "title": "Internal server error",
                     *       "status": 500,
                     *       "detail": "An unexpected error occurred. Quote request id 2f1c9a7e when reporting it.",
                     *       "request_id": "2f1c9a7e-5b7d-4d1a-8c0e-3e4f5a6b7c8d"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    getRedoc: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The ReDoc page. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/html": string;
                };
            };
            /** @description The body is over the size limit, or `job_fields` is over 64 KiB. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:pg-cron-scheduler:problem:payload_too_large",
                     *       "title": "Payload too large",
                     *       "status": 413,
                     *       "detail": "The request body is larger than the server accepts.",
                     *       "request_id": "2f1c9a7e-5b7d-4d1a-8c0e-3e4f5a6b7c8d"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description An unexpected error; the response carries the request id that appears in the log. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:pg-cron-scheduler:problem:internal",
                     *       "title": "Internal server error",
                     *       "status": 500,
                     *       "detail": "An unexpected error occurred. Quote request id 2f1c9a7e when reporting it.",
                     *       "request_id": "2f1c9a7e-5b7d-4d1a-8c0e-3e4f5a6b7c8d"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    getRedocScript: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The file, cacheable for an hour. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/javascript": string;
                };
            };
            /** @description The body is over the size limit, or `job_fields` is over 64 KiB. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:pg-cron-scheduler:problem:payload_too_large",
                     *       "title": "Payload too large",
                     *       "status": 413,
                     *       "detail": "The request body is larger than the server accepts.",
                     *       "request_id": "2f1c9a7e-5b7d-4d1a-8c0e-3e4f5a6b7c8d"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description An unexpected error; the response carries the request id that appears in the log. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "type": "urn:pg-cron-scheduler:problem:internal",
                     *       "title": "Internal server error",
                     *       "status": 500,
                     *       "detail": "An unexpected error occurred. Quote request id 2f1c9a7e when reporting it.",
                     *       "request_id": "2f1c9a7e-5b7d-4d1a-8c0e-3e4f5a6b7c8d"
                     *     }
                     */
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
}
