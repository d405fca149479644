// The wavelet colour fix on hand-computed cases.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { waveletBlur, waveletColorFix } from './wavelet-color-fix';

const close = (actual: ArrayLike<number>, expected: readonly number[], tol = 1e-9): void => {
  assert.equal(actual.length, expected.length);
  for (let i = 0; i < expected.length; i++) assert.ok(Math.abs(actual[i] - expected[i]) <= tol, `[${i}] ${actual[i]} != ${expected[i]}`);
};

const constant = (h: number, w: number, v: number): Float32Array => new Float32Array(3 * h * w).fill(v);

test('one level: [[1,2,1],[2,4,2],[1,2,1]]/16 with replicate borders', () => {
  // Impulse in the centre of 3x3, radius 1: the kernel itself.
  const centre = Float64Array.from([0, 0, 0, 0, 1, 0, 0, 0, 0]);
  close(waveletBlur(centre, 3, 3, 1), [1, 2, 1, 2, 4, 2, 1, 2, 1].map((v) => v / 16));
  // Impulse in a corner: replicate padding folds the kernel's outer taps onto the border.
  // (0,0) collects taps (-1,-1),(-1,0),(0,-1),(0,0) = 1+2+2+4; (0,1) collects (-1,-1),(0,-1) = 1+2.
  const corner = Float64Array.from([1, 0, 0, 0, 0, 0, 0, 0, 0]);
  close(waveletBlur(corner, 3, 3, 1), [9, 3, 0, 3, 1, 0, 0, 0, 0].map((v) => v / 16));
  // One row (vertical taps all land on it): 1D [1,2,1]/4 at dilation 1, then dilation 2 on the result.
  const row = Float64Array.from([0, 0, 1, 0, 0]);
  const level1 = waveletBlur(row, 1, 5, 1);
  close(level1, [0, 0.25, 0.5, 0.25, 0]);
  // x=0: (v[0] + 2 v[0] + v[2]) / 4; x=1: (v[0] + 2 v[1] + v[3]) / 4 (index -1 clamps to 0); x=3: (v[1] + 2 v[3] + v[4]) / 4.
  close(waveletBlur(level1, 1, 5, 2), [0.125, 0.1875, 0.25, 0.1875, 0.125]);
});

test('a constant generated image takes the LQ colour; identical inputs come back unchanged', () => {
  close(waveletColorFix(constant(6, 9, 0.3), constant(6, 9, 0.7), 6, 9), new Array(3 * 54).fill(0.7), 1e-6);
  const image = Float32Array.from({ length: 3 * 7 * 5 }, (_, i) => (Math.sin(i * 1.7) + 1) / 2);
  // high(x) + low(x) telescopes to x.
  close(waveletColorFix(image, image, 7, 5), Array.from(image), 1e-6);
});

test('a flat LQ transfers its mean and keeps the generated detail; results are clamped to [0, 1]', () => {
  const size = 64;
  // A checkerboard around 0.5: the first (radius 1) blur removes it exactly away from the borders,
  // and its border residue spreads at most 1+2+4+8+16 = 31 pixels, so the centre pixel is exact.
  const checker = (amplitude: number): Float32Array => {
    const out = new Float32Array(3 * size * size);
    for (let c = 0; c < 3; c++) for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) out[(c * size + y) * size + x] = 0.5 + ((x + y) % 2 ? -amplitude : amplitude);
    return out;
  };
  const centre = (img: Float32Array, c: number, dx = 0): number => img[(c * size + 32) * size + 32 + dx];
  const fixed = waveletColorFix(checker(0.2), constant(size, size, 0.3), size, size);
  for (let c = 0; c < 3; c++) {
    assert.ok(Math.abs(centre(fixed, c) - 0.5) < 1e-6, `centre ${centre(fixed, c)}`); // 0.3 + 0.2
    assert.ok(Math.abs(centre(fixed, c, 1) - 0.1) < 1e-6); // 0.3 - 0.2
  }
  let mean = 0;
  for (const v of fixed) mean += v / fixed.length;
  assert.ok(Math.abs(mean - 0.3) < 0.01, `mean ${mean}`);

  const clamped = waveletColorFix(checker(0.4), constant(size, size, 0.9), size, size);
  assert.equal(centre(clamped, 0), 1); // 0.9 + 0.4 -> 1
  assert.ok(Math.abs(centre(clamped, 0, 1) - 0.5) < 1e-6);
  assert.throws(() => waveletColorFix(new Float32Array(3), new Float32Array(3 * 4), 1, 1), /expected two 3x1x1/);
});
