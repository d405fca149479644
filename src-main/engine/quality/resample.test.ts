import assert from 'node:assert/strict';
import { test } from 'node:test';
import { gaussianKernel, identityKernel } from './kernels';
import type { FloatImage } from './plane';
import { filter2D, RESIZE_MODES, resizeFloat } from './resample';

function image(w: number, h: number, f: (x: number, y: number, c: number) => number): FloatImage {
  const data = new Float64Array(w * h * 3);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let c = 0; c < 3; c++) data[(y * w + x) * 3 + c] = f(x, y, c);
  return { width: w, height: h, data };
}

test('filter2D: identity keeps the image, a blur keeps a constant and the mean', () => {
  const img = image(16, 12, (x, y, c) => ((x * 3 + y * 5 + c) % 7) / 7);
  assert.deepEqual(filter2D(img, identityKernel(5)).data, img.data);
  const flat = filter2D(image(9, 9, () => 0.25), gaussianKernel(21, 3)); // kernel larger than the image
  for (const v of flat.data) assert.ok(Math.abs(v - 0.25) < 1e-12);
  // An impulse in the middle spreads into the kernel itself (correlation of a symmetric kernel).
  const k = gaussianKernel(5, 1);
  const out = filter2D(image(11, 11, (x, y) => (x === 5 && y === 5 ? 1 : 0)), k);
  assert.ok(Math.abs(out.data[(4 * 11 + 6) * 3] - k.data[1 * 5 + 3]) < 1e-15);
});

test('area halving averages 2x2 blocks; all modes keep a constant', () => {
  const img = image(4, 2, (x, y) => x + 10 * y);
  const half = resizeFloat(img, 2, 1, 'area');
  assert.deepEqual([...half.data.filter((_, i) => i % 3 === 0)], [5.5, 7.5]);
  for (const mode of RESIZE_MODES) {
    for (const [w, h] of [[7, 5], [20, 13]]) {
      for (const v of resizeFloat(image(10, 8, () => 0.4), w, h, mode).data) assert.ok(Math.abs(v - 0.4) < 1e-12, mode);
    }
  }
});

test('bilinear and bicubic follow align_corners=False (hand-derived)', () => {
  // Doubling [0, 1]: outputs sample 0.5 * (o + 0.5) - 0.5 = -0.25 (clamped to 0), 0.25, 0.75, 1.25.
  const row = image(2, 1, (x) => x);
  const bl = resizeFloat(row, 4, 1, 'bilinear').data.filter((_, i) => i % 3 === 0);
  assert.deepEqual([...bl], [0, 0.25, 0.75, 1]);
  // Bicubic, A = -0.75: output 20 of 40 samples 9.75, so t = 0.75 and the taps on 8, 9, 10, 11
  // weigh far(1.75), near(0.75), near(0.25), far(1.25) = -0.03515625, 0.26171875, 0.87890625,
  // -0.10546875 (worked out by hand from Keys' polynomials). A = -0.75 does not reproduce lines:
  // the ramp value 9.75 comes out as 9.703125.
  const ramp = image(20, 1, (x) => x);
  const bc = resizeFloat(ramp, 40, 1, 'bicubic').data.filter((_, i) => i % 3 === 0);
  assert.ok(Math.abs(bc[20] - 9.703125) < 1e-12, String(bc[20]));
});
