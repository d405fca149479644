import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EtaEstimator, formatDuration } from './eta';

test('ETA is unknown at first, then follows the measured rate from the first report', () => {
  let clock = 0;
  const eta = new EtaEstimator(() => clock);
  clock = 5000; // a slow warm-up before the first report must not skew the rate
  assert.equal(eta.update(0.1), undefined);
  clock = 7000; // 0.2 of the work in 2 s -> 10 s per whole, 0.7 left -> 7 s
  assert.equal(eta.update(0.3), 7);
  clock = 9000;
  assert.equal(eta.update(0.5), 5);
});

test('durations read naturally', () => {
  assert.equal(formatDuration(12.4), '12 s');
  assert.equal(formatDuration(185), '3 min 05 s');
  assert.equal(formatDuration(3720), '1 h 02 min');
});
