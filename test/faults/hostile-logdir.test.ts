/**
 * The bundled log-file worker under hostile names and fields, hundreds of jobs. `npm run test:faults`;
 * the short form runs in CI from test/integration/.
 */
import { LONG, sizeFromEnv } from './hostile.ts';
import { hostileLogDirSuite } from './hostile-suite.ts';

hostileLogDirSuite(sizeFromEnv(LONG));
