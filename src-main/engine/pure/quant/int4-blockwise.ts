// Block-wise 4-bit round-to-nearest quantisation of a Linear weight, in exactly the layout ONNX
// Runtime's com.microsoft MatMulNBits takes (bits 4; docs/ContribOperators.md):
//   B            uint8 (N, k_blocks, block_size / 2)  codes along K, low nibble first
//   scales       T1    (N, k_blocks)
//   zero_points  uint8 (N, ceil(k_blocks / 2))        4-bit codes packed the same way;
//                                                     absent = 8 for every block
//   dequantised  w[n, k] = (code[n, k] - zero_point[n, block(k)]) * scale[n, block(k)]
// A torch Linear weight is (out, in) = (N, K) row-major, i.e. already K-major per output row, so
// no transpose is needed. K that is not a multiple of block_size is padded with zeros (code =
// zero point), which MatMulNBits ignores past K.
// Pure TypeScript: no Node built-ins.

import { float16BitsToFloat32, float32ToFloat16Bits } from '../../checkpoint/dtype';

/** How a block's 16 levels are placed. */
export type Int4Scheme =
  /**
   * scale and zero point per block over [min(block, 0), max(block, 0)]: 15 steps cover the
   * block's own range. Needs the zero_points input (half a byte per block).
   */
  | 'asymmetric'
  /**
   * zero point 8 (the op's default, no zero_points input): scale = m / -8 with m the block's
   * value of largest magnitude, so m is exact and the grid is max|w| / 8 fine (the opposite
   * extreme may clip by up to one step). Coarser than asymmetric for skewed blocks.
   */
  | 'symmetric';

export interface Int4Options {
  /** Power of two >= 16 (the op's rule); 32 is the common choice for LLM weights. */
  blockSize: number;
  scheme: Int4Scheme;
  /** The element type the scales are stored in (= the graph's compute type, T1). */
  scaleType: 'float32' | 'float16';
  /** MatMulNBits' accuracy_level (the node's, not the quantiser's): 0 or absent = A as given. */
  accuracyLevel?: 0 | 4;
}

export interface Int4Weight {
  n: number;
  k: number;
  blockSize: number;
  kBlocks: number;
  /** (N, k_blocks, block_size / 2) */
  packed: Uint8Array;
  /** (N, k_blocks), already rounded to scaleType, stored as f32 */
  scales: Float32Array;
  /** (N, ceil(k_blocks / 2)) packed 4-bit, or undefined for the default zero point 8 */
  zeroPoints?: Uint8Array;
}

export const INT4_DEFAULT_ZERO_POINT = 8;

export function checkBlockSize(blockSize: number): void {
  if (!Number.isInteger(blockSize) || blockSize < 16 || (blockSize & (blockSize - 1)) !== 0) {
    throw new Error(`int4 block size must be a power of two >= 16, got ${blockSize}`);
  }
}

/**
 * Rounds scales in place to what the graph will store, away from zero: codes are then chosen
 * against the real scales, and a block's range still fits in 15 steps (a scale rounded down
 * would clip the block's extreme values by more than half a step).
 */
function roundScales(scales: Float32Array, type: Int4Options['scaleType']): void {
  if (type === 'float32') return; // the Float32Array already holds f32 values
  const bits = float32ToFloat16Bits(scales);
  const nearest = float16BitsToFloat32(bits);
  // fp16 is sign-magnitude: the next bit pattern up has the next larger magnitude.
  for (let i = 0; i < scales.length; i++) if (Math.abs(nearest[i]) < Math.abs(scales[i])) bits[i]++;
  scales.set(float16BitsToFloat32(bits));
}

/**
 * 4-bit codes (0..15) -> bytes, two per byte, the first in the low nibble (MatMulNBits' order
 * for B and for packed zero points). An odd count leaves the last high nibble 0.
 */
export function packNibbles(codes: Uint8Array, out = new Uint8Array(Math.ceil(codes.length / 2))): Uint8Array {
  out.fill(0);
  for (let i = 0; i < codes.length; i++) out[i >> 1] |= (codes[i] & 0x0f) << ((i & 1) * 4);
  return out;
}

/** The inverse of packNibbles: the first `count` codes. */
export function unpackNibbles(packed: Uint8Array, count: number): Uint8Array {
  if (count > packed.length * 2) throw new Error(`unpackNibbles: ${packed.length} bytes hold at most ${packed.length * 2} codes, asked for ${count}`);
  const out = new Uint8Array(count);
  for (let i = 0; i < count; i++) out[i] = (packed[i >> 1] >> ((i & 1) * 4)) & 0x0f;
  return out;
}

/** Quantises w (N, K) row-major (a torch Linear weight) block by block along K. */
export function quantizeInt4(w: Float32Array, n: number, k: number, options: Int4Options): Int4Weight {
  const { blockSize, scheme } = options;
  checkBlockSize(blockSize);
  if (w.length !== n * k) throw new Error(`quantizeInt4: ${w.length} values is not ${n} x ${k}`);
  const kBlocks = Math.ceil(k / blockSize);
  const rowBytes = (kBlocks * blockSize) / 2; // (k_blocks, block_size / 2) per output row
  const packed = new Uint8Array(n * rowBytes);
  const scales = new Float32Array(n * kBlocks); // f32 rounding happens on assignment
  const zpBytes = Math.ceil(kBlocks / 2);
  const zeroPoints = scheme === 'asymmetric' ? new Uint8Array(n * zpBytes) : undefined;
  const lows = new Float32Array(kBlocks);
  const rowZps = new Uint8Array(kBlocks);
  const rowCodes = new Uint8Array(kBlocks * blockSize); // K padded to whole blocks

  for (let row = 0; row < n; row++) {
    const rowBase = row * k;
    const rowScales = scales.subarray(row * kBlocks, (row + 1) * kBlocks);
    // Pass 1: every block's scale, then round them all at once to the stored type.
    for (let b = 0; b < kBlocks; b++) {
      const k0 = rowBase + b * blockSize;
      const k1 = rowBase + Math.min(k, (b + 1) * blockSize);
      let lo = 0; // the range always holds 0, so that the zero point is a valid code (0..15)
      let hi = 0;
      let extreme = 0; // the value of largest magnitude, sign kept
      for (let i = k0; i < k1; i++) {
        const v = w[i];
        if (v < lo) lo = v;
        if (v > hi) hi = v;
        if (Math.abs(v) > Math.abs(extreme)) extreme = v;
      }
      lows[b] = lo;
      rowScales[b] = scheme === 'asymmetric' ? (hi - lo) / 15 : extreme / -8;
    }
    roundScales(rowScales, options.scaleType);
    // Pass 2: zero points and codes against the stored scales; padding gets the zero point.
    for (let b = 0; b < kBlocks; b++) {
      const scale = rowScales[b];
      const zp = scheme === 'symmetric' || scale === 0 ? INT4_DEFAULT_ZERO_POINT : clamp(Math.round(-lows[b] / scale), 0, 15);
      rowZps[b] = zp;
      const inv = scale === 0 ? 0 : 1 / scale;
      const k0 = b * blockSize;
      for (let j = 0; j < blockSize; j++) {
        const kk = k0 + j;
        rowCodes[kk] = kk < k ? clamp(Math.round(w[rowBase + kk] * inv) + zp, 0, 15) : zp;
      }
    }
    packNibbles(rowCodes, packed.subarray(row * rowBytes, (row + 1) * rowBytes));
    if (zeroPoints) packNibbles(rowZps, zeroPoints.subarray(row * zpBytes, (row + 1) * zpBytes));
  }
  return zeroPoints ? { n, k, blockSize, kBlocks, packed, scales, zeroPoints } : { n, k, blockSize, kBlocks, packed, scales };
}

/** The 4-bit code of weight (row, kk): (N, K) index space. */
export function int4Code(q: Int4Weight, row: number, kk: number): number {
  const b = Math.floor(kk / q.blockSize);
  const j = kk % q.blockSize;
  const byte = q.packed[(row * q.kBlocks + b) * (q.blockSize / 2) + (j >> 1)];
  return (byte >> ((j & 1) * 4)) & 0x0f;
}

export function int4ZeroPoint(q: Int4Weight, row: number, block: number): number {
  if (!q.zeroPoints) return INT4_DEFAULT_ZERO_POINT;
  const byte = q.zeroPoints[row * Math.ceil(q.kBlocks / 2) + (block >> 1)];
  return (byte >> ((block & 1) * 4)) & 0x0f;
}

/** (N, K) f32: what MatMulNBits multiplies by, for tests and error measurements. */
export function dequantizeInt4(q: Int4Weight): Float32Array {
  const out = new Float32Array(q.n * q.k);
  for (let row = 0; row < q.n; row++) {
    for (let kk = 0; kk < q.k; kk++) {
      const b = Math.floor(kk / q.blockSize);
      out[row * q.k + kk] = (int4Code(q, row, kk) - int4ZeroPoint(q, row, b)) * q.scales[row * q.kBlocks + b];
    }
  }
  return out;
}

/** Bytes the three tensors take on disk / in memory (scales in their stored type). */
export function int4Bytes(q: Int4Weight, scaleType: Int4Options['scaleType']): number {
  return q.packed.length + q.scales.length * (scaleType === 'float16' ? 2 : 4) + (q.zeroPoints?.length ?? 0);
}

const clamp = (v: number, lo: number, hi: number): number => (v < lo ? lo : v > hi ? hi : v);
