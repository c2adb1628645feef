/**
 * Failover drill: 2 scheduler processes, 50 every-second schedules, a primary with a streaming
 * standby named in one multi-host connection string (target_session_attrs=read-write). The primary
 * is stopped hard at a chosen instant after a tick and the standby promoted; the processes carry on
 * on the new primary by themselves. Twice per run (the second time back to a rebuilt standby), with
 * asynchronous and with synchronous replication. FAILOVER_KILL_OFFSETS_MS (comma-separated, ms after
 * a tick; default 10,60) sets the kill instants, FAILOVER_LAG_MS the replication latency (default 50).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeTicks, type FailoverSummary, failoverDrill } from './failover.ts';
import { postgresBinDir } from './replica.ts';

const bin = postgresBinDir();
const killOffsetsMs = (process.env.FAILOVER_KILL_OFFSETS_MS ?? '10,60').split(',').map(Number);
/** Replication latency each way: with none (localhost), an asynchronous standby is hardly ever behind at the kill. */
const lagMs = Number(process.env.FAILOVER_LAG_MS ?? '50');
/**
 * From the promotion to the first tick after it handled on time. Measured 0.05-1.8 s (the next tick,
 * or the one after when the outage's claim was retried); the bound leaves room for a loaded machine.
 */
const RESUME_BOUND_MS = 5000;

function print(summary: FailoverSummary): void {
  console.log(
    `failover drill (${summary.mode}): ${JSON.stringify({ lagMs: summary.lagMs, commitMs: summary.commitMs, failovers: summary.failovers, ticks: summary.ticks, totals: summary.totals, errorLines: summary.errorLines })}\n${describeTicks(summary.disturbed)}`,
  );
}

const options = {
  bin: bin ?? '',
  instances: 2,
  schedules: 50,
  steadySeconds: 10,
  killOffsetsMs,
  afterSeconds: 10,
  lagMs,
};

for (const synchronous of [false, true]) {
  test(`${synchronous ? 'synchronous' : 'asynchronous'} replication: the primary dies, the standby is promoted, firing carries on`, {
    timeout: 180_000,
    skip: bin ? false : 'no PostgreSQL binaries (pg_config --bindir)',
  }, async () => {
    const summary = await failoverDrill({ ...options, synchronous });
    print(summary);
    for (const failover of summary.failovers) {
      assert.ok(
        failover.resumedAfterMs <= RESUME_BOUND_MS,
        `on time again within ${RESUME_BOUND_MS} ms: ${JSON.stringify(failover)}`,
      );
    }
    assert.equal(summary.totals.lost, 0, 'every tick of the window is handled (catch-up all)');
    if (synchronous) assert.equal(summary.totals.duplicated, 0, 'no tick handled twice at attempt 1');
  });
}
