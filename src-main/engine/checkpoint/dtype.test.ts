import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bf16BitsToFloat32, float16BitsToFloat32, float32ToBf16Bits, float32ToFloat16Bits, toFloat16, toFloat32 } from './dtype';

const f16 = (x: number) => float32ToFloat16Bits(Float32Array.of(x))[0];
const bf16 = (x: number) => float32ToBf16Bits(Float32Array.of(x))[0];

test('fp32 -> fp16 on known values: normals, subnormals, overflow, signed zero, NaN', () => {
  assert.equal(f16(1), 0x3c00);
  assert.equal(f16(-2), 0xc000);
  assert.equal(f16(65504), 0x7bff); // largest fp16
  assert.equal(f16(65519), 0x7bff); // below the midpoint to 2^16: rounds down
  assert.equal(f16(65520), 0x7c00); // the midpoint ties to even = infinity
  assert.equal(f16(1e9), 0x7c00);
  assert.equal(f16(-Infinity), 0xfc00);
  assert.equal(f16(2 ** -14), 0x0400); // smallest normal
  assert.equal(f16(2 ** -24), 0x0001); // smallest subnormal
  assert.equal(f16(2 ** -25), 0x0000); // half of it ties to even: zero
  assert.equal(f16(1.5 * 2 ** -25), 0x0001);
  assert.equal(f16(-0), 0x8000);
  assert.equal(f16(1 + 2 ** -11), 0x3c00); // tie -> even
  assert.equal(f16(1 + 3 * 2 ** -11), 0x3c02); // tie -> even (up)
  assert.equal(f16(1 + 2 ** -11 + 2 ** -20), 0x3c01); // above the tie
  assert.ok(Number.isNaN(float16BitsToFloat32(Uint16Array.of(f16(NaN)))[0]));
});

test('every fp16 value survives fp16 -> fp32 -> fp16, and midpoints round to the even neighbour', () => {
  const all = Uint16Array.from({ length: 65536 }, (_, i) => i);
  const back = float32ToFloat16Bits(float16BitsToFloat32(all));
  for (let h = 0; h < 65536; h++) {
    const isNaN = (h & 0x7c00) === 0x7c00 && (h & 0x3ff) !== 0;
    if (!isNaN) assert.equal(back[h], h, `0x${h.toString(16)}`);
  }
  // Between consecutive positive finite fp16 values a and a+1, the midpoint goes to the even one.
  const values = float16BitsToFloat32(all);
  for (let h = 0; h < 0x7bff; h += 7) {
    const mid = Float32Array.of((values[h] + values[h + 1]) / 2);
    assert.equal(float32ToFloat16Bits(mid)[0], h % 2 === 0 ? h : h + 1, `mid after 0x${h.toString(16)}`);
  }
});

test('bf16 <-> fp32: a 16-bit shift one way, round to nearest even the other', () => {
  assert.deepEqual([...bf16BitsToFloat32(Uint16Array.of(0x3f80, 0xc040, 0x0000, 0x7f80))], [1, -3, 0, Infinity]);
  assert.equal(bf16(1), 0x3f80);
  assert.equal(bf16(1 + 2 ** -8), 0x3f80); // tie -> even
  assert.equal(bf16(1 + 3 * 2 ** -8), 0x3f82); // tie -> even (up)
  assert.equal(bf16(1 + 2 ** -8 + 2 ** -20), 0x3f81);
  assert.equal(bf16(3.4028234663852886e38), 0x7f80); // rounds past the largest bf16: infinity, like torch
  assert.ok(Number.isNaN(bf16BitsToFloat32(Uint16Array.of(bf16(NaN)))[0]));
});

test('toFloat32 and toFloat16 read raw little-endian bytes of every float type, aligned or not', () => {
  const values = Float32Array.of(1.5, -2.25, 0.1);
  const asBytes = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  assert.deepEqual(toFloat32(asBytes(values), 'F32'), values);
  assert.deepEqual(toFloat32(asBytes(Float64Array.of(1.5, -2.25)), 'F64'), Float32Array.of(1.5, -2.25));
  assert.deepEqual(toFloat32(asBytes(Uint16Array.of(0x3e00, 0xc080)), 'F16'), Float32Array.of(1.5, -2.25));
  assert.deepEqual(toFloat32(asBytes(Uint16Array.of(0x3fc0, 0xc010)), 'BF16'), Float32Array.of(1.5, -2.25));
  assert.deepEqual(toFloat32(asBytes(BigInt64Array.of(-3n, 7n)), 'I64'), Float32Array.of(-3, 7));
  // One byte in: the views must copy rather than fail on alignment.
  const shifted = new Uint8Array(13);
  shifted.set(asBytes(values), 1);
  assert.deepEqual(toFloat32(shifted.subarray(1), 'F32'), values);
  assert.deepEqual(toFloat16(asBytes(values), 'F32'), float32ToFloat16Bits(values));
  assert.deepEqual(toFloat16(asBytes(Uint16Array.of(0x3fc0)), 'BF16'), Uint16Array.of(0x3e00));
  assert.throws(() => toFloat16(asBytes(BigInt64Array.of(1n)), 'I64'), { code: 'MODEL_FORMAT' });
  assert.throws(() => toFloat32(new Uint8Array(3), 'F32'), { code: 'MODEL_FORMAT' });
});
