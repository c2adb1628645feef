/**
 * Load, short form (seconds, in CI): 100 every-second jobs fire while the API takes 100 requests per
 * second of mixed traffic for 5 s. No request fails and no tick is lost or doubled; the lateness is
 * reported, not asserted (timing targets belong to test/faults/load-api.test.ts and the benchmarks).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeReport, runLoad, SHORT_LOAD } from '../faults/load.ts';

test('mixed API traffic while every-second jobs fire: no errors, no 5xx, every tick handled once', async (t) => {
  const report = await runLoad(SHORT_LOAD);
  for (const line of describeReport(report)) t.diagnostic(line);
  assert.equal(report.api.errors, 0, 'connection errors');
  assert.equal(report.api.timeouts, 0, 'timeouts');
  assert.equal(report.api.non2xx, 0, `non-2xx answers: ${JSON.stringify(report.api.statusCodes)}`);
  assert.ok(
    report.api.total >= SHORT_LOAD.rate * SHORT_LOAD.loadSeconds * 0.8,
    `only ${report.api.total} requests sent`,
  );
  assert.equal(report.duplicates, 0, 'ticks handled twice');
  assert.equal(report.missing, 0, 'ticks never handled');
  assert.equal(report.missedTicks, 0, 'ticks recorded as missed');
  assert.deepEqual(report.schedulerErrors, []);
});
