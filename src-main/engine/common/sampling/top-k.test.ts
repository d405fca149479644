import { test } from 'node:test';
import assert from 'node:assert/strict';
import { keepTopK, kthLargest } from './top-k';
import { createRng, nextFloat, nextUint32 } from './rng';

function keep(scores: number[], k: number): { ids: number[]; scores: number[] } {
  const n = scores.length;
  const ids = Int32Array.from(scores.keys());
  const outIds = new Int32Array(n);
  const outScores = new Float32Array(n);
  const m = keepTopK(ids, Float32Array.from(scores), n, k, outIds, outScores, new Float32Array(n));
  return { ids: [...outIds.subarray(0, m)], scores: [...outScores.subarray(0, m)] };
}

test('scores tied with the k-th are all kept, in their original order', () => {
  // Sorted: 5, 4, 4, 4, 1 -> the 2nd largest is 4, and all three 4s stay.
  assert.deepEqual(keep([4, 5, 1, 4, 4], 2).ids, [0, 1, 3, 4]);
  // k = 1 keeps every copy of the maximum.
  assert.deepEqual(keep([2, 7, 7, 1], 1).ids, [1, 2]);
  // No tie at the k-th: exactly k.
  assert.deepEqual(keep([0.5, 0.1, 0.9, 0.3], 2).ids, [0, 2]);
  // k >= n keeps everything.
  assert.deepEqual(keep([1, 2, 3], 10).ids, [0, 1, 2]);
  // -Infinity never beats a finite k-th score.
  assert.deepEqual(keep([-Infinity, 1, -Infinity, 2], 2).ids, [1, 3]);
});

test('quickselect agrees with a full sort on random data with many duplicates', () => {
  const rng = createRng(123);
  for (let trial = 0; trial < 300; trial++) {
    const n = 1 + (nextUint32(rng) % 3000);
    const values = new Float32Array(n);
    const levels = 1 + (nextUint32(rng) % 50); // few distinct values -> long runs of ties
    for (let i = 0; i < n; i++) {
      const r = nextFloat(rng);
      values[i] = r < 0.05 ? -Infinity : Math.floor(nextFloat(rng) * levels) - levels / 2;
    }
    const sorted = [...values].sort((a, b) => b - a);
    const k = 1 + (nextUint32(rng) % n);
    const before = values.slice();
    assert.equal(kthLargest(values, n, k, new Float32Array(n)), sorted[k - 1], `trial ${trial}, n=${n}, k=${k}`);
    assert.deepEqual(values, before, 'the input must not be reordered');
  }
});

test('kthLargest reads only the first n values', () => {
  const values = new Float32Array([3, 1, 2, 100, 100]);
  assert.equal(kthLargest(values, 3, 1, new Float32Array(5)), 3);
  assert.equal(kthLargest(values, 3, 2, new Float32Array(5)), 2);
  assert.equal(kthLargest(values, 3, 3, new Float32Array(5)), 1);
});
