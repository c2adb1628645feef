/**
 * Hostile input against every route of the OpenAPI document: thousands of generated requests per
 * operation (minutes). `npm run test:faults`; the short form runs in CI from test/integration/.
 */
import { LONG, sizeFromEnv } from './hostile.ts';
import { hostileApiSuite } from './hostile-suite.ts';

hostileApiSuite(sizeFromEnv(LONG));
