import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dynamicTopK, softmaxEntropy } from './entropy';
import { createRng, nextFloat } from './rng';
import { PURE_SAMPLING } from './settings';

test('dynamic k for H = 0, 3, 5, 7.5, 10 (hand-computed)', () => {
  // k = round(1 + 1999 * sigmoid(H - 5)), Python round:
  // H=0:   e^5 = 148.413159,   sigmoid(-5) = 1/149.413159 = 0.00669285 -> 1 + 13.3790 = 14.379  -> 14
  // H=3:   e^2 = 7.389056,     sigmoid(-2) = 1/8.389056   = 0.11920292 -> 1 + 238.2866 = 239.287 -> 239
  // H=5:   sigmoid(0) = 0.5                                          -> 1 + 999.5 = 1000.5 -> 1000 (ties to even; Math.round says 1001)
  // H=7.5: e^-2.5 = 0.082085,  sigmoid(2.5) = 1/1.082085 = 0.92414182 -> 1 + 1847.3595 = 1848.36 -> 1848
  // H=10:  e^-5 = 0.00673795,  sigmoid(5)   = 1/1.00673795 = 0.99330715 -> 1 + 1985.621 = 1986.62 -> 1987
  const k = (h: number) => dynamicTopK(h, PURE_SAMPLING);
  assert.deepEqual([0, 3, 5, 7.5, 10].map(k), [14, 239, 1000, 1848, 1987]);
  // H is clamped to [0, 10] first.
  assert.equal(k(-1e-10), 14);
  assert.equal(k(25), 1987);
});

test('dynamic k follows its settings and stays inside [kMin, kMax]', () => {
  const s = { ...PURE_SAMPLING, kMin: 50, kMax: 60 };
  assert.equal(dynamicTopK(0, s), 50); // 50 + 10 * 0.0067 = 50.07
  assert.equal(dynamicTopK(10, s), 60); // 50 + 10 * 0.9933 = 59.93
});

test('entropy in nats: uniform, one-hot, masked entries and NaN', () => {
  const scratch = new Float64Array(16);
  // Uniform over 4: -4 * 0.25 * ln(0.25 + 1e-10) = ln 4 - 4e-10.
  assert.ok(Math.abs(softmaxEntropy(new Float32Array([3, 3, 3, 3]), 4, scratch) - Math.log(4)) < 1e-9);
  // -Infinity entries are masked out: the same as uniform over the two finite ones.
  const masked = new Float32Array([1, -Infinity, 1, -Infinity]);
  assert.ok(Math.abs(softmaxEntropy(masked, 4, scratch) - Math.log(2)) < 1e-9);
  // p = (e^0, e^-1) / (1 + e^-1) = (0.731059, 0.268941): H = 0.731059*0.313262 + 0.268941*1.313262 = 0.582203
  assert.ok(Math.abs(softmaxEntropy(new Float32Array([0, -1]), 2, scratch) - 0.582203) < 1e-6);
  // One candidate: ~0 (the 1e-10 makes it -1e-10, which dynamicTopK clamps).
  assert.ok(Math.abs(softmaxEntropy(new Float32Array([5]), 1, scratch)) < 1e-9);
  assert.throws(() => softmaxEntropy(new Float32Array([0, NaN]), 2, scratch), /NaN/);
  assert.throws(() => softmaxEntropy(new Float32Array([-Infinity]), 1, scratch), /-Infinity/);
});

test('the fast entropy matches the literal -sum p ln(p + 1e-10) to 1e-8 nats', () => {
  const rng = createRng(77);
  for (let trial = 0; trial < 200; trial++) {
    const n = 1 + Math.floor(nextFloat(rng) * 5000);
    const spread = [0.1, 3, 30, 80][trial % 4]; // from near-uniform to very peaked (p down to e^-80)
    const scores = Float32Array.from({ length: n }, () => (nextFloat(rng) < 0.02 ? -Infinity : spread * nextFloat(rng)));
    scores[0] = 0; // at least one finite score
    let max = -Infinity;
    for (const v of scores) max = Math.max(max, v);
    let z = 0;
    for (const v of scores) z += Math.exp(v - max);
    let literal = 0;
    for (const v of scores) {
      const p = Math.exp(v - max) / z;
      literal -= p * Math.log(p + 1e-10);
    }
    const fast = softmaxEntropy(scores, n, new Float64Array(n));
    assert.ok(Math.abs(fast - literal) < 1e-8, `trial ${trial}: ${fast} vs ${literal}`);
  }
});
