// The batch ETA by input megapixels: which rate it takes (this run's, one measured earlier, the
// running photo's own, the estimate), and photos of unknown size counted as the mean of the known.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BatchEta } from './batch-eta';

test("this run's seconds per megapixel, with unknown sizes counted as the mean of the known", () => {
  const eta = new BatchEta({ measured: 99, estimated: 999 });
  eta.photoDone(30, 3); // 10 s per MP
  assert.equal(eta.secondsPerMegapixel, 10);
  // 3 + 12 + (7.5, the mean) MP waiting: 225 s.
  assert.equal(eta.secondsLeftBySize([3, 12, undefined]), 225);
  // With a 6 MP photo running, half done: the unknown one is the mean of 3, 12 and 6 (7 MP), and
  // the running one adds 3 MP: (3 + 12 + 7 + 3) x 10 s.
  assert.equal(eta.secondsLeftBySize([3, 12, undefined], { megapixels: 6, fraction: 0.5, seconds: 20 }), 250);
});

test('before a photo finished: the rate measured earlier, else the running photo, else the estimate', () => {
  const measured = new BatchEta({ measured: 20, estimated: 100 });
  assert.equal(measured.secondsLeftBySize([2, 3], { megapixels: 1, fraction: 0, seconds: 0 }), 120);

  const estimated = new BatchEta({ estimated: 100 });
  // The running 2 MP photo did a quarter in 10 s: 20 s per MP; 4 MP waiting + 1.5 MP of it left.
  assert.equal(estimated.secondsLeftBySize([4], { megapixels: 2, fraction: 0.25, seconds: 10 }), 110);
  // Too little done to trust its own rate: the estimate (100 s per MP).
  assert.equal(estimated.secondsLeftBySize([4], { megapixels: 2, fraction: 0.01, seconds: 1 }), 598);
  // Nothing at all: no ETA rather than a made-up one.
  assert.equal(new BatchEta().secondsLeftBySize([4], { megapixels: 2, fraction: 0.01, seconds: 1 }), undefined);
});

test('no size known: the per-photo arithmetic, as the CLI batch uses it', () => {
  const eta = new BatchEta({ measured: 20 });
  eta.photoDone(8);
  assert.equal(eta.secondsPerMegapixel, undefined);
  assert.equal(eta.secondsLeftBySize([undefined, undefined], { fraction: 0.5, seconds: 4 }), 20);
  assert.equal(eta.secondsLeft(3, 0.5), 20);
});
