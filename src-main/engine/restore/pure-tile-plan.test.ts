// PURE's tile grid: full-size tiles spread evenly, ramps centred in the overlaps, weights that sum
// to 1, and per-tile seeds. Expected spans are worked out by hand in the comments.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spanWeights } from '../common/tiling';
import { planPureSpans, planPureTiles, pureFactor, pureTileGeometry, tileSeed } from './pure-tile-plan';

test('x4 reads 128 px tiles and x2 256 px tiles of a 512 px model, overlapping by an eighth', () => {
  assert.deepEqual(pureTileGeometry(512, 4), { factor: 4, tile: 128, overlap: 16 });
  assert.deepEqual(pureTileGeometry(512, 2), { factor: 2, tile: 256, overlap: 32 });
  assert.throws(() => pureTileGeometry(510, 4), RangeError); // 127.5 px is no tile
});

test('the factor follows the scale, or the width asked for', () => {
  assert.equal(pureFactor({ scale: 4 }, 200), 4);
  assert.equal(pureFactor({ scale: 2 }, 200), 2);
  assert.equal(pureFactor({ scale: 1 }, 200), 2);
  assert.equal(pureFactor({ scale: 4, width: 401 }, 200), 4);
  assert.equal(pureFactor({ scale: 4, width: 400 }, 200), 2);
});

test('a side up to one tile is one span, read whole (the model stretches it as before tiling)', () => {
  assert.deepEqual(planPureSpans(100, 128, 16), [{ start: 0, end: 100, readStart: 0, readEnd: 100 }]);
  assert.deepEqual(planPureSpans(128, 128, 16), [{ start: 0, end: 128, readStart: 0, readEnd: 128 }]);
});

test('hand-worked spans: full tiles, the last ending at the edge, a 16 px ramp mid-overlap', () => {
  // 200: n = ceil((200-16)/112) = 2, reads at 0 and 72; overlap [72,128), ramp from (72+128-16)/2 = 92 to 108.
  assert.deepEqual(planPureSpans(200, 128, 16), [
    { start: 0, end: 108, readStart: 0, readEnd: 128 },
    { start: 92, end: 200, readStart: 72, readEnd: 200 },
  ]);
  // 150: 2 tiles, reads 0 and 22; overlap [22,128), ramp from floor((22+128-16)/2) = 67 to 83.
  assert.deepEqual(planPureSpans(150, 128, 16), [
    { start: 0, end: 83, readStart: 0, readEnd: 128 },
    { start: 67, end: 150, readStart: 22, readEnd: 150 },
  ]);
  // 400: n = ceil(384/112) = 4, reads round(i*272/3) = 0, 91, 181, 272; ramps 101-117, 192-208, 282-298.
  assert.deepEqual(planPureSpans(400, 128, 16), [
    { start: 0, end: 117, readStart: 0, readEnd: 128 },
    { start: 101, end: 208, readStart: 91, readEnd: 219 },
    { start: 192, end: 298, readStart: 181, readEnd: 309 },
    { start: 282, end: 400, readStart: 272, readEnd: 400 },
  ]);
});

test('where three tiles are read over one pixel, at most two are blended there', () => {
  // 250: n = ceil(234/112) = 3, reads 0, 61, 122: pixels 122..127 lie in all three tiles.
  const spans = planPureSpans(250, 128, 16);
  assert.deepEqual(spans.map((s) => s.readStart), [0, 61, 122]);
  assert.deepEqual(spans.map((s) => [s.start, s.end]), [[0, 102], [86, 163], [147, 250]]);
});

test('for many lengths: every tile full size, cores inside reads, coverage, weights summing to 1', () => {
  for (const [tile, overlap] of [[128, 16], [256, 32]]) {
    for (let length = 1; length <= 1100; length += 7) {
      const spans = planPureSpans(length, tile, overlap);
      const scale = 4;
      const sum = new Float64Array(length * scale);
      const cores = new Uint8Array(length);
      spans.forEach((s, i) => {
        assert.ok(s.readStart <= s.start && s.end <= s.readEnd, `core inside read, length ${length}`);
        if (length > tile) assert.equal(s.readEnd - s.readStart, tile, `full tile, length ${length}`);
        for (let x = s.start; x < s.end; x++) cores[x]++;
        spanWeights(spans, i, scale).forEach((w, k) => (sum[s.start * scale + k] += w));
        if (i > 0) assert.ok(spans[i - 1].readEnd - s.readStart >= overlap, `overlap >= ${overlap}, length ${length}`);
      });
      assert.equal(spans[0].readStart, 0);
      assert.equal(spans[spans.length - 1].readEnd, length);
      assert.ok(cores.every((c) => c === 1 || c === 2), `each pixel in one or two cores, length ${length}`);
      for (const v of sum) assert.ok(Math.abs(v - 1) < 1e-6, `weights sum ${v} at length ${length}`);
    }
  }
});

test('the 2-D plan counts tiles across and down', () => {
  const plan = planPureTiles(200, 150, pureTileGeometry(512, 4));
  assert.deepEqual([plan.xs.length, plan.ys.length, plan.count], [2, 2, 4]);
  assert.equal(planPureTiles(96, 64, pureTileGeometry(512, 4)).count, 1);
  assert.equal(planPureTiles(1000, 600, pureTileGeometry(512, 2)).count, 5 * 3); // ceil(968/224) = 5, ceil(568/224) = 3
});

test('tile seeds: the user seed first, then splitmix64 of (seed, index), top 53 bits', () => {
  assert.equal(tileSeed(42, 0), 42);
  // splitmix64's first output from state 0 is 0xe220a8397b1dcdaf (its reference value); >> 11 = 7956156453446585.
  assert.equal(tileSeed(0, 1), 7956156453446585);
  assert.equal(tileSeed(7, 3), tileSeed(7, 3));
  const seeds = new Set([0, 1, 2, 3, 4, 5].map((i) => tileSeed(7, i)));
  assert.equal(seeds.size, 6);
  assert.notEqual(tileSeed(7, 1), tileSeed(8, 1));
  for (let i = 1; i < 50; i++) assert.ok(Number.isSafeInteger(tileSeed(2 ** 53 - 1, i)) && tileSeed(2 ** 53 - 1, i) >= 0);
});
