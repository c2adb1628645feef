/**
 * The bundled log-file worker under hostile names and fields, small enough for CI. The long form is
 * test/faults/hostile-logdir.test.ts.
 */
import { SHORT, sizeFromEnv } from '../faults/hostile.ts';
import { hostileLogDirSuite } from '../faults/hostile-suite.ts';

hostileLogDirSuite(sizeFromEnv(SHORT));
