import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EngineError } from '../common/errors';
import type { RasterImage } from '../image/types';
import { psnr, ssim } from './psnr-ssim';
import { boxBlurred, chelseaCrop, patterned } from './test-pairs';

const grey = (w: number, h: number, v: (x: number, y: number) => number): RasterImage => {
  const data = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data.fill(v(x, y), (y * w + x) * 3, (y * w + x) * 3 + 3);
  return { width: w, height: h, channels: 3, bitDepth: 8, data };
};

test('hand-derived: a grey offset d shifts Y by d * 219/255, so PSNR = 20 log10(255 / (d * 219/255))', () => {
  const a = grey(32, 32, (x, y) => (x * 5 + y * 3) % 200);
  const b = grey(32, 32, (x, y) => ((x * 5 + y * 3) % 200) + 10);
  assert.ok(Math.abs(psnr(b, a) - 20 * Math.log10(255 / ((10 * 219) / 255))) < 1e-9);
  assert.equal(psnr(a, a), Infinity);
  assert.equal(ssim(a, a), 1);
});

test('hand-derived SSIM: a flat image against a flat one of another level', () => {
  // Variances and covariance are 0, so SSIM = (2 m1 m2 + C1) / (m1^2 + m2^2 + C1) everywhere.
  const m1 = 16 + (100 * 219) / 255;
  const m2 = 16 + (120 * 219) / 255;
  const c1 = (0.01 * 255) ** 2;
  const expected = (2 * m1 * m2 + c1) / (m1 * m1 + m2 * m2 + c1);
  assert.ok(Math.abs(ssim(grey(20, 20, () => 100), grey(20, 20, () => 120)) - expected) < 1e-12);
});

// Reference values computed once with Debian's scikit-image 0.19.3 (python3-skimage) on the very
// same pixels (written out as PNGs by test-pairs.ts), Y = 16 + (65.481 R + 128.553 G + 24.966 B) / 255
// in float64, the border cropped by slicing, then
//   peak_signal_noise_ratio(ref, img, data_range=255)
//   structural_similarity(ref, img, data_range=255, gaussian_weights=True, sigma=1.5, use_sample_covariance=False)
const SKIMAGE = {
  patterned: { 0: [38.200399343019456, 0.9501936539217799], 4: [38.01514454377721, 0.9521524879498742] },
  boxBlurred: { 0: [31.98188877927094, 0.8032353700166355], 4: [32.09721570851316, 0.8010577554874668] },
} as const;

test('PSNR and SSIM match scikit-image on a real-photo crop, with and without the border crop', async () => {
  const ref = await chelseaCrop(200, 100, 64, 48);
  for (const [name, make] of [['patterned', patterned], ['boxBlurred', boxBlurred]] as const) {
    const img = make(ref);
    for (const border of [0, 4] as const) {
      const [p, s] = SKIMAGE[name][border];
      assert.ok(Math.abs(psnr(img, ref, border) - p) < 1e-9, `${name}/${border}: PSNR ${psnr(img, ref, border)} vs ${p}`);
      assert.ok(Math.abs(ssim(img, ref, border) - s) < 1e-9, `${name}/${border}: SSIM ${ssim(img, ref, border)} vs ${s}`);
    }
  }
});

test('size mismatches and too-small crops are refused', () => {
  const a = grey(20, 20, () => 1);
  assert.throws(() => psnr(a, grey(21, 20, () => 1)), (e: unknown) => e instanceof EngineError && e.code === 'INVALID_OPTION');
  assert.throws(() => ssim(a, a, 5), (e: unknown) => e instanceof EngineError && e.code === 'IMAGE_TOO_SMALL');
  assert.throws(() => psnr(a, a, 10), /Cannot crop/);
});
