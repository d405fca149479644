import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planTiles } from './tiling';
import { TileAccumulator, tileReadRect } from './tile-accumulator';

// A fake "model" whose output at every output pixel depends only on the global position: a
// correct accumulator must then reproduce the function exactly, whatever the tiling.
const field = (c: number, X: number, Y: number): number => ((X * 7 + Y * 3 + c * 50) % 200) / 255;

function run(width: number, height: number, scale: number, tile: number, overlap: number, pad: number, bitDepth: 8 | 16) {
  const plan = planTiles(width, height, { tile, overlap, pad });
  const acc = new TileAccumulator(plan, scale, width, height, bitDepth);
  for (let row = 0; row < plan.ys.length; row++) {
    for (let col = 0; col < plan.xs.length; col++) {
      const r = tileReadRect(plan, row, col);
      const w = r.width * scale;
      const h = r.height * scale;
      const data = new Float32Array(3 * w * h); // (3, h, w)
      for (let c = 0; c < 3; c++)
        for (let y = 0; y < h; y++)
          for (let x = 0; x < w; x++) data[c * w * h + y * w + x] = field(c, r.x * scale + x, r.y * scale + y);
      acc.add(row, col, { data, width: w, height: h });
    }
  }
  return acc.finish();
}

test('tiles blended back reproduce a position-dependent image exactly (8-bit, x4)', () => {
  const W = 37, H = 29, S = 4;
  const out = run(W, H, S, 12, 3, 5, 8);
  for (let Y = 0; Y < H * S; Y++)
    for (let X = 0; X < W * S; X++)
      for (let c = 0; c < 3; c++) {
        const expected = Math.round(field(c, X, Y) * 255);
        const got = out[(Y * W * S + X) * 3 + c];
        assert.ok(Math.abs(got - expected) <= 0, `(${X},${Y},${c}) ${got} != ${expected}`);
      }
});

test('16-bit output keeps precision and values are clamped to the range', () => {
  const plan = planTiles(8, 8, { tile: 8, overlap: 0, pad: 0 });
  const acc = new TileAccumulator(plan, 1, 8, 8, 16);
  const data = new Float32Array(3 * 64).fill(0.5);
  data[0] = -0.2; // below range
  data[1] = 1.3; // above range
  acc.add(0, 0, { data, width: 8, height: 8 });
  const out = acc.finish();
  assert.equal(out[0], 0);
  assert.equal(out[3], 65535);
  assert.equal(out[6], 32768);
});

test('tile rows out of order are refused', () => {
  const plan = planTiles(40, 40, { tile: 16, overlap: 4, pad: 0 });
  const acc = new TileAccumulator(plan, 1, 40, 40, 8);
  assert.throws(() => acc.add(1, 0, { data: new Float32Array(3 * 16 * 16), width: 16, height: 16 }), /in order/);
});
