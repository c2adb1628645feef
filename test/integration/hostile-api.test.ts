/**
 * Hostile input against every route of the OpenAPI document, small enough for CI (seconds). The
 * long form is test/faults/hostile-api.test.ts; HOSTILE_SEED=<n> replays a failure.
 */
import { SHORT, sizeFromEnv } from '../faults/hostile.ts';
import { hostileApiSuite } from '../faults/hostile-suite.ts';

hostileApiSuite(sizeFromEnv(SHORT));
