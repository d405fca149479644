// The 4-bit block quantiser: hand-computed blocks (codes, packing, scales, zero points), the
// nibble packing round trip, and the rounding error bound on random weights.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { seededNormal } from '../../../testing/seeded-normal';
import { mulberry32 } from '../../../testing/mulberry32';
import { checkBlockSize, dequantizeInt4, int4Bytes, int4Code, int4ZeroPoint, packNibbles, quantizeInt4, unpackNibbles } from './int4-blockwise';

/** One 32-value block: the listed values, then zeros. */
function block(head: number[], size = 32): Float32Array {
  const w = new Float32Array(size);
  w.set(head);
  return w;
}

test('asymmetric block by hand: range [-0.75, 3] -> scale 0.25, zero point 3, codes packed low nibble first', () => {
  // scale = (3 - (-0.75)) / 15 = 0.25; zp = round(0.75 / 0.25) = 3; code = round(w / 0.25) + 3
  // -0.75 -> 0, 3 -> 15, 0 -> 3, 0.25 -> 4, 0.3 -> round(1.2) + 3 = 4, 0.38 -> round(1.52) + 3 = 5
  const q = quantizeInt4(block([-0.75, 3, 0, 0.25, 0.3, 0.38]), 1, 32, { blockSize: 32, scheme: 'asymmetric', scaleType: 'float32' });
  assert.deepEqual([q.kBlocks, q.packed.length], [1, 16]);
  assert.deepEqual(Array.from(q.scales), [0.25]);
  assert.deepEqual(Array.from(q.zeroPoints ?? []), [0x03]);
  // bytes: (0 | 15 << 4), (3 | 4 << 4), (4 | 5 << 4), then zeros (code 3) in both nibbles
  assert.deepEqual(Array.from(q.packed), [0xf0, 0x43, 0x54, ...new Array<number>(13).fill(0x33)]);
  const dq = dequantizeInt4(q);
  assert.deepEqual(Array.from(dq.subarray(0, 7)), [-0.75, 3, 0, 0.25, 0.25, 0.5, 0]);
});

test('symmetric block by hand: zero point 8, scale = (value of largest magnitude) / -8, no zero_points tensor', () => {
  // extreme = -2 -> scale 0.25: -2 -> 0, 1 -> 12, 0.5 -> 10, 0 -> 8
  const neg = quantizeInt4(block([-2, 1, 0.5]), 1, 32, { blockSize: 32, scheme: 'symmetric', scaleType: 'float32' });
  assert.equal(neg.zeroPoints, undefined);
  assert.deepEqual(Array.from(neg.scales), [0.25]);
  assert.deepEqual(Array.from(neg.packed.subarray(0, 3)), [0xc0, 0x8a, 0x88]);
  // extreme = +2 -> scale -0.25 (negative, as ONNX Runtime's own quantiser makes): 2 -> 0, -1 -> 12
  const pos = quantizeInt4(block([2, -1]), 1, 32, { blockSize: 32, scheme: 'symmetric', scaleType: 'float32' });
  assert.deepEqual(Array.from(pos.scales), [-0.25]);
  assert.deepEqual([int4Code(pos, 0, 0), int4Code(pos, 0, 1), int4Code(pos, 0, 2)], [0, 12, 8]);
  assert.deepEqual(Array.from(dequantizeInt4(pos).subarray(0, 3), (x) => x + 0), [2, -1, 0]); // + 0: -0.25 * 0 is -0
});

test('layout (N, k_blocks, block/2): rows, blocks, K padding and packed zero points for an odd block count', () => {
  // N = 2 rows, K = 70 -> 3 blocks of 32 (the last has 6 real values + 26 padding)
  const n = 2;
  const k = 70;
  const w = new Float32Array(n * k);
  // row r, block b holds the constant ramp such that its zero point differs per (r, b)
  for (let r = 0; r < n; r++) for (let kk = 0; kk < k; kk++) w[r * k + kk] = kk % 32 === 0 ? -(1 + r + Math.floor(kk / 32)) : 1;
  const q = quantizeInt4(w, n, k, { blockSize: 32, scheme: 'asymmetric', scaleType: 'float32' });
  assert.deepEqual([q.kBlocks, q.packed.length, q.scales.length, q.zeroPoints?.length], [3, 2 * 3 * 16, 6, 2 * 2]);
  for (let r = 0; r < n; r++) {
    for (let b = 0; b < 3; b++) {
      const lo = -(1 + r + b);
      const scale = Math.fround((1 - lo) / 15);
      assert.equal(q.scales[r * 3 + b], scale, `scale r${r} b${b}`);
      assert.equal(int4ZeroPoint(q, r, b), Math.round(-lo / scale), `zero point r${r} b${b}`);
    }
    // padding after K carries the zero point, so it dequantises to exactly 0
    assert.equal(int4Code(q, r, 70), int4ZeroPoint(q, r, 2));
  }
  // zero points: row 0 = [zp(0,0) | zp(0,1) << 4, zp(0,2)], row 1 likewise
  const zp = (r: number, b: number) => int4ZeroPoint(q, r, b);
  assert.deepEqual(Array.from(q.zeroPoints ?? []), [zp(0, 0) | (zp(0, 1) << 4), zp(0, 2), zp(1, 0) | (zp(1, 1) << 4), zp(1, 2)]);
  // the byte of row 1, block 2, values 0 and 1 sits at ((1 * 3) + 2) * 16
  assert.equal(q.packed[5 * 16], int4Code(q, 1, 64) | (int4Code(q, 1, 65) << 4));
});

test('packNibbles / unpackNibbles round trip, odd counts included', () => {
  const rand = mulberry32(5);
  for (const count of [1, 2, 7, 32, 33, 1000]) {
    const codes = Uint8Array.from({ length: count }, () => Math.floor(rand() * 16));
    const packed = packNibbles(codes);
    assert.equal(packed.length, Math.ceil(count / 2));
    assert.deepEqual(unpackNibbles(packed, count), codes);
  }
  assert.deepEqual(Array.from(packNibbles(Uint8Array.from([0x1, 0xf, 0x7]))), [0xf1, 0x07]);
  assert.throws(() => unpackNibbles(new Uint8Array(2), 5), /at most 4/);
});

test('round-to-nearest error: asymmetric <= scale/2, symmetric <= one step; fp16 scales are what is stored', () => {
  const normal = seededNormal(42);
  const n = 64;
  const k = 200; // not a multiple of any block size
  const w = Float32Array.from({ length: n * k }, () => normal() * 0.05);
  for (const blockSize of [16, 32, 128]) {
    for (const scheme of ['asymmetric', 'symmetric'] as const) {
      for (const scaleType of ['float32', 'float16'] as const) {
        const q = quantizeInt4(w, n, k, { blockSize, scheme, scaleType });
        const dq = dequantizeInt4(q);
        let worst = 0; // error in units of the block's step
        for (let r = 0; r < n; r++) {
          for (let kk = 0; kk < k; kk++) {
            const step = Math.abs(q.scales[r * q.kBlocks + Math.floor(kk / blockSize)]);
            worst = Math.max(worst, Math.abs(w[r * k + kk] - dq[r * k + kk]) / step);
          }
        }
        const bound = scheme === 'asymmetric' ? 0.5 : 1;
        assert.ok(worst <= bound + 1e-5, `${blockSize} ${scheme} ${scaleType}: worst error ${worst} steps`);
        assert.ok(worst > 0.4, `${blockSize} ${scheme} ${scaleType}: rounding must show (${worst})`);
        if (scaleType === 'float16') assert.ok(q.scales.every(isNormalHalf), 'every scale must be an fp16 value');
      }
    }
  }
  // size: block 32 asymmetric with fp16 scales = 16 + 2 + 0.5 bytes per 32 weights
  const q = quantizeInt4(new Float32Array(4096 * 4096), 4096, 4096, { blockSize: 32, scheme: 'asymmetric', scaleType: 'float16' });
  assert.equal(int4Bytes(q, 'float16'), (4096 * 4096 * 18.5) / 32);
});

test('block sizes must be powers of two >= 16 (the op rule)', () => {
  for (const ok of [16, 32, 64, 128, 256]) checkBlockSize(ok);
  for (const bad of [8, 24, 48, 0, 33.5]) assert.throws(() => checkBlockSize(bad), /power of two/);
});

/** s is a normal fp16 value: its f32 bits have exponent in fp16's range and 13 low mantissa bits 0. */
function isNormalHalf(s: number): boolean {
  const bits = new Uint32Array(new Float32Array([s]).buffer)[0];
  const exp = ((bits >>> 23) & 0xff) - 127;
  return (bits & 0x1fff) === 0 && exp >= -14 && exp <= 15;
}
