// The entropy -> k table reproduces the host's dynamicTopK exactly, at and beside every step.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dynamicTopK } from '../../common/sampling/entropy';
import { PURE_SAMPLING } from '../../common/sampling/settings';
import { mulberry32 } from '../../../testing/mulberry32';
import { topKTable } from './top-k-table';
import type { TopKSettings } from './top-k-table';

const kFromTable = (t: { base: number; thresholds: Float64Array }, h: number) => t.base + t.thresholds.filter((x) => x <= h).length;

function nextDown(x: number): number {
  const v = new DataView(new ArrayBuffer(8));
  v.setFloat64(0, x);
  v.setBigUint64(0, v.getBigUint64(0) - 1n);
  return v.getFloat64(0);
}

for (const [name, s] of [
  ['PURE', PURE_SAMPLING],
  ['narrow', { kMin: 5, kMax: 40, entropyMu: 2.5, entropyMax: 4 }],
] as [string, TopKSettings][]) {
  test(`${name}: k from the table equals dynamicTopK on each side of every step`, () => {
    const t = topKTable(s);
    assert.equal(t.base, dynamicTopK(0, s));
    assert.equal(t.base + t.thresholds.length, dynamicTopK(s.entropyMax, s));
    for (let j = 0; j < t.thresholds.length; j++) {
      const h = t.thresholds[j];
      assert.equal(dynamicTopK(h, s), t.base + j + 1, `at step ${j}`);
      assert.equal(dynamicTopK(nextDown(h), s), t.base + j, `one ulp below step ${j}`);
      if (j > 0) assert.ok(h > t.thresholds[j - 1], 'ascending');
    }
    const random = mulberry32(9);
    for (let i = 0; i < 2000; i++) {
      const h = random() * (s.entropyMax + 2) - 1;
      assert.equal(kFromTable(t, h), dynamicTopK(h, s));
    }
  });
}

test('the ties-to-even step at H = 5 (1000.5 -> 1000) sits exactly where the host puts it', () => {
  const t = topKTable(PURE_SAMPLING);
  assert.equal(dynamicTopK(5, PURE_SAMPLING), 1000);
  assert.equal(kFromTable(t, 5), 1000);
  const step = t.thresholds[1001 - t.base - 1]; // first H with k >= 1001
  assert.ok(step > 5);
  assert.equal(kFromTable(t, step), 1001);
  assert.equal(kFromTable(t, nextDown(step)), 1000);
});
