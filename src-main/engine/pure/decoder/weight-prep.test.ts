import { test } from 'node:test';
import assert from 'node:assert/strict';
import { float32ToFloat16Bits } from '../../ncnn/ncnn-test-fixtures';
import { expandPerHead, toFloat16Bits, transpose } from './weight-prep';

test('transpose: torch (out, in) -> MatMul (in, out), also across tile edges', () => {
  assert.deepEqual(Array.from(transpose(Float32Array.from([1, 2, 3, 4, 5, 6]), 2, 3)), [1, 4, 2, 5, 3, 6]);
  const rows = 70;
  const cols = 131; // not multiples of the 64 tile
  const src = Float32Array.from({ length: rows * cols }, (_, i) => i);
  const t = transpose(src, rows, cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) assert.equal(t[c * rows + r], src[r * cols + c]);
  assert.throws(() => transpose(src, 7, 7), /not 7 x 7/);
});

test('toFloat16Bits: rounding to nearest even, subnormals, overflow, NaN', () => {
  const cases: [number, number][] = [
    [1, 0x3c00],
    [-2, 0xc000],
    [65504, 0x7bff], // largest finite half
    [65520, 0x7c00], // halfway to 65536: ties to even -> inf
    [1 + 2 ** -11, 0x3c00], // halfway between 1 and 1 + 2^-10: ties to even (down)
    [1 + 3 * 2 ** -11, 0x3c02], // halfway, odd below: up
    [2 ** -24, 0x0001], // smallest subnormal
    [2 ** -26, 0x0000], // below half of it: zero
    [-0, 0x8000],
    [Infinity, 0x7c00],
  ];
  const bits = toFloat16Bits(Float32Array.from(cases.map(([v]) => v)));
  cases.forEach(([v, expected], i) => assert.equal(bits[i], expected, `${v}`));
  assert.equal(toFloat16Bits(Float32Array.from([NaN]))[0] & 0x7e00, 0x7e00);
  // agrees with the ncnn test fixture's scalar encoder over many magnitudes
  const values = Float32Array.from({ length: 20000 }, (_, i) => Math.sin(i * 12.9898) * 2 ** ((i % 50) - 30));
  const ours = toFloat16Bits(values);
  values.forEach((v, i) => assert.equal(ours[i], float32ToFloat16Bits(v), `${v}`));
});

test('expandPerHead: (rows, hd) rows repeat-interleaved over the heads', () => {
  const two = Float32Array.from([1, 2, 3, 4]); // 2 rows of head_dim 2
  assert.deepEqual(Array.from(expandPerHead('w', two, 4, 2)), [1, 2, 1, 2, 3, 4, 3, 4]);
  assert.deepEqual(Array.from(expandPerHead('w', Float32Array.from([5, 6]), 3, 2)), [5, 6, 5, 6, 5, 6]);
  assert.throws(() => expandPerHead('q_norm', new Float32Array(6), 4, 2), /q_norm.*rows dividing 4 heads/);
});
