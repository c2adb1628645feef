import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resolveConfig } from '../../lib/config.ts';
import { wakeNeeded } from '../../lib/engine/ticker.ts';

const now = new Date('2026-01-01T10:00:00.000Z');
const later = (ms: number) => new Date(now.getTime() + ms);

describe('wakeNeeded', () => {
  const config = resolveConfig({ connectionString: 'postgres://x', pollIntervalSeconds: 10 });

  it('wakes the tickers for a tick closer than their next look plus the longest lookahead', () => {
    assert.equal(wakeNeeded(config, later(0), now), true);
    assert.equal(wakeNeeded(config, later(1000), now), true);
    // 10 s poll interval + 5 s longest lookahead + 1 s margin.
    assert.equal(wakeNeeded(config, later(16_000), now), true);
  });

  it('leaves a later tick to the next look, and a paused schedule alone', () => {
    assert.equal(wakeNeeded(config, later(16_001), now), false);
    assert.equal(wakeNeeded(config, later(3_600_000), now), false);
    assert.equal(wakeNeeded(config, null, now), false);
  });

  it('follows the poll interval', () => {
    const slow = resolveConfig({ connectionString: 'postgres://x', pollIntervalSeconds: 60 });
    assert.equal(wakeNeeded(slow, later(60_000), now), true);
    assert.equal(wakeNeeded(slow, later(66_001), now), false);
  });
});
