/**
 * Network-cut drill, short form (the long one is test/faults/network-cut.test.ts): the firing
 * instance's sockets go silent (a TCP proxy stops forwarding without closing) at 3 instants of the
 * second; another instance takes over what it held, and it recovers by itself.
 */
import { test } from 'node:test';
import { networkCutDrill } from '../faults/scenarios.ts';

test('the firing instance is cut off at 3 instants of the second: every run handled within 5 s, no attempt twice', async () => {
  const summary = await networkCutDrill({
    jobs: 20,
    cuts: 3,
    cutEverySeconds: 4,
    cutSeconds: 3,
    offsets: [0.1, 0.3, 0.7],
  });
  console.log('network cut drill:', summary);
});
