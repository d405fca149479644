import assert from 'node:assert/strict';
import { test } from 'node:test';
import { imresizeMatlab, matlabCubicTaps } from './matlab-imresize';

test('halving: output size, 14 taps of weights summing to 1, mirrored borders', () => {
  const taps = matlabCubicTaps(8, 4, 0.5);
  assert.equal(taps.taps, 4 / 0.5 + 2);
  for (let x = 0; x < 4; x++) {
    let sum = 0;
    for (let j = 0; j < taps.taps; j++) sum += taps.weight[x * taps.taps + j];
    assert.ok(Math.abs(sum - 1) < 1e-12);
  }
  // Output 1 samples u = 1/0.5 + 0.5 * (1 - 2) = 1.5 (1-based): taps from floor(1.5 - 4) = -3,
  // which the symmetric padding maps 0-based as -4 -> 3, -3 -> 2, ... -1 -> 0, 0 -> 0.
  assert.deepEqual([...taps.index.subarray(0, 6)], [3, 2, 1, 0, 0, 1]);
});

test('a constant stays constant; a ramp is sampled at u (hand-derived)', () => {
  const flat = imresizeMatlab({ width: 10, height: 6, data: new Float64Array(60).fill(7.5) }, 0.5);
  assert.equal(flat.width, 5);
  assert.equal(flat.height, 3);
  for (const v of flat.data) assert.ok(Math.abs(v - 7.5) < 1e-12);
  // Along a ramp f(i) = i (1-based), a symmetric normalised kernel returns f(u) where all its
  // taps are inside: output x samples u = 2x - 0.5, so x = 3..5 of 8 give 5.5, 7.5, 9.5.
  const w = 16;
  const ramp = imresizeMatlab({ width: w, height: 1, data: Float64Array.from({ length: w }, (_, i) => i + 1) }, 0.5);
  assert.ok(Math.abs(ramp.data[2] - 5.5) < 1e-12 && Math.abs(ramp.data[3] - 7.5) < 1e-12 && Math.abs(ramp.data[4] - 9.5) < 1e-12, String(ramp.data));
});

test('enlarging uses the plain cubic (no antialiasing): integer positions of x2 are interpolations', () => {
  const up = imresizeMatlab({ width: 4, height: 1, data: Float64Array.from([0, 0, 1, 1]) }, 2);
  assert.equal(up.width, 8);
  // u = x/2 + 0.25: x = 4 -> 2.25: weights cubic(1.25), cubic(0.25), cubic(0.75), cubic(1.75) on 1, 2, 3, 4.
  const c = (t: number): number => (t <= 1 ? 1.5 * t ** 3 - 2.5 * t ** 2 + 1 : -0.5 * t ** 3 + 2.5 * t ** 2 - 4 * t + 2);
  const expected = (c(0.75) + c(1.75)) / (c(1.25) + c(0.25) + c(0.75) + c(1.75));
  assert.ok(Math.abs(up.data[3] - expected) < 1e-12);
});
