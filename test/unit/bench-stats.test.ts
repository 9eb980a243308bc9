// The bench's statistics: medians and the paired ratio its table reports.
import assert from 'node:assert/strict';
import { median, pairedRatio } from '../../tools/bench/stats';

describe('bench statistics', () => {
  it('the paired ratio is the median of the per-run ratios, not the ratio of the medians', () => {
    // Run 2 met a load spike that slowed both contenders: pairs keep it out of the ratio.
    const ours = [110, 420, 105];
    const floor = [100, 400, 100];
    assert.equal(pairedRatio(ours, floor), 1.05);
    assert.notEqual(median(ours) / median(floor), pairedRatio(ours, floor));
    assert.equal(median(ours) / median(floor), 1.1);
  });

  it('pairs only as many runs as both have', () => {
    assert.equal(pairedRatio([2, 4, 100], [1, 2]), 2);
  });
});
