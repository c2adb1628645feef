/**
 * The hostile-input suites as node:test tests, sized by the caller: test/integration/hostile-*.test.ts
 * run them small in CI, test/faults/hostile-*.test.ts run them large.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  authEverywhere,
  everyOperation,
  type Harness,
  type HostileSize,
  logFilesStayInLogDir,
  refusedNames,
  sqlStoredVerbatim,
  startHarness,
} from './hostile.ts';

/** Every route of the document with generated input; refused names; SQL stored verbatim; auth. */
export function hostileApiSuite(size: HostileSize): void {
  describe(`hostile input (${size.requestsPerOperation} requests per operation)`, () => {
    let h: Harness;
    before(async () => {
      h = await startHarness();
    });
    after(async () => {
      await h?.close();
    });

    test('every operation: never a 5xx, errors are problems naming their field, no half-created job', async (t) => {
      const statuses = await everyOperation(h, size);
      assert.ok(h.operations.length >= 14, 'every operation of the document was exercised');
      for (const [op, seen] of Object.entries(statuses)) t.diagnostic(`${op}: ${JSON.stringify(seen)}`);
    });

    test('names with "/", "..", NUL, control or non-ASCII characters are refused on create and rename', async () => {
      await refusedNames(h, size);
    });

    test('SQL-looking strings are stored and matched verbatim', async () => {
      await sqlStoredVerbatim(h, size);
    });

    test('behind a token, every secured operation answers 401 to every wrong Authorization and does nothing', async (t) => {
      const checked = await authEverywhere(h, size);
      t.diagnostic(`${checked} unauthorized requests`);
    });
  });
}

/** The bundled log-file worker writes nowhere but LOG_DIR/<name>.log. */
export function hostileLogDirSuite(size: HostileSize): void {
  describe(`log files under hostile names and fields (${size.logJobs} jobs)`, () => {
    let h: Harness;
    before(async () => {
      h = await startHarness();
    });
    after(async () => {
      await h?.close();
    });

    test('no file is ever written outside LOG_DIR', async (t) => {
      const { files, runs } = await logFilesStayInLogDir(h, size);
      assert.ok(files > 0);
      t.diagnostic(`${files} log files, ${runs} runs`);
    });
  });
}
