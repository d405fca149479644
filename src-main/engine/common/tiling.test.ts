import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planSpans, planTiles, spanWeights } from './tiling';

test('a short axis is one span with no context', () => {
  assert.deepEqual(planSpans(100, { tile: 256, overlap: 16, pad: 24 }), [{ start: 0, end: 100, readStart: 0, readEnd: 100 }]);
});

test('spans step by tile - overlap, the last is clipped, context is clipped to the image', () => {
  const spans = planSpans(500, { tile: 256, overlap: 16, pad: 24 });
  assert.deepEqual(spans, [
    { start: 0, end: 256, readStart: 0, readEnd: 280 },
    { start: 240, end: 496, readStart: 216, readEnd: 500 },
    { start: 480, end: 500, readStart: 456, readEnd: 500 },
  ]);
});

test('spans cover every pixel and no pixel lies in three spans', () => {
  for (const length of [1, 7, 64, 65, 255, 256, 257, 1000, 1999]) {
    for (const overlap of [0, 8, 16, 200]) {
      const spans = planSpans(length, { tile: 64, overlap, pad: 8 });
      const cover = new Uint8Array(length);
      for (const s of spans) for (let x = s.start; x < s.end; x++) cover[x]++;
      assert.ok(cover.every((c) => c >= 1 && c <= 2), `length ${length} overlap ${overlap}`);
    }
  }
});

test('blend weights sum to exactly one at every output pixel', () => {
  for (const scale of [1, 4]) {
    const spans = planSpans(300, { tile: 100, overlap: 20, pad: 10 });
    const sum = new Float64Array(300 * scale);
    spans.forEach((s, i) => {
      const w = spanWeights(spans, i, scale);
      assert.equal(w.length, (s.end - s.start) * scale);
      w.forEach((v, k) => (sum[s.start * scale + k] += v));
    });
    for (const v of sum) assert.ok(Math.abs(v - 1) < 1e-6, `sum ${v}`);
  }
});

test('weights ramp linearly at pixel centres across an overlap', () => {
  const spans = planSpans(12, { tile: 8, overlap: 2, pad: 0 }); // [0,8) and [6,12)
  assert.deepEqual(Array.from(spanWeights(spans, 0, 1)), [1, 1, 1, 1, 1, 1, 0.75, 0.25]);
  assert.deepEqual(Array.from(spanWeights(spans, 1, 1)), [0.25, 0.75, 1, 1, 1, 1]);
});

test('a plan counts tiles in both axes', () => {
  assert.equal(planTiles(500, 300, { tile: 256, overlap: 16, pad: 0 }).count, 3 * 2);
});
