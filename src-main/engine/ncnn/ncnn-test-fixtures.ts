// Test helpers for the ncnn code: a seeded RNG, an fp32 -> fp16 encoder and a writer of .bin
// files, so that tests build small synthetic models byte by byte. Used by *.test.ts only.

import { mulberry32 } from '../../testing/mulberry32';
import { TAG_FP16, TAG_FP32 } from './ncnn-weights';

/** mulberry32: a tiny deterministic PRNG, uniform in [0, 1). */
export const seededRandom = mulberry32;

/** `n` values uniform in [-amplitude, amplitude). */
export function randomArray(random: () => number, n: number, amplitude: number): Float32Array {
  return Float32Array.from({ length: n }, () => (random() * 2 - 1) * amplitude);
}

/** Rounds to fp16 (nearest, ties to even) and returns the 16 bits. */
export function float32ToFloat16Bits(value: number): number {
  const f32 = new DataView(new ArrayBuffer(4));
  f32.setFloat32(0, value);
  const bits = f32.getUint32(0);
  const sign = (bits >>> 16) & 0x8000;
  const exponent = (bits >>> 23) & 0xff;
  const mantissa = bits & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa ? 0x200 : 0); // inf / NaN
  const e = exponent - 127 + 15;
  if (e >= 31) return sign | 0x7c00; // overflow -> inf
  if (e <= 0) {
    if (e < -10) return sign; // underflow -> zero
    // subnormal: shift the full significand (with its hidden bit) into place
    const significand = mantissa | 0x800000;
    const shift = 14 - e;
    return sign | roundShift(significand, shift);
  }
  // A rounding carry out of the mantissa correctly bumps the exponent.
  return sign | ((e << 10) + roundShift(mantissa, 13));
}

function roundShift(value: number, shift: number): number {
  const kept = value >>> shift;
  const rest = value & ((1 << shift) - 1);
  const half = 1 << (shift - 1);
  return rest > half || (rest === half && (kept & 1) === 1) ? kept + 1 : kept;
}

/** Rounds every value to the nearest fp16, so that a test knows what the reader must return. */
export function roundToFloat16(values: Float32Array): Float32Array {
  const view = new DataView(new ArrayBuffer(2));
  return values.map((v) => {
    view.setUint16(0, float32ToFloat16Bits(v));
    return halfBitsToNumber(view.getUint16(0));
  });
}

function halfBitsToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const e = (bits >> 10) & 0x1f;
  const m = bits & 0x3ff;
  if (e === 0) return sign * m * 2 ** -24;
  if (e === 31) return m ? NaN : sign * Infinity;
  return sign * (1 + m / 1024) * 2 ** (e - 15);
}

/** Writes an ncnn .bin the way ncnn lays it out. */
export class NcnnBinWriter {
  private readonly parts: Uint8Array[] = [];

  /** Tagged fp16 weights, zero-padded to a multiple of 4 bytes. */
  fp16(values: ArrayLike<number>): this {
    const bytes = new Uint8Array(4 + ((values.length * 2 + 3) & ~3));
    const view = new DataView(bytes.buffer);
    view.setUint32(0, TAG_FP16, true);
    for (let i = 0; i < values.length; i++) view.setUint16(4 + i * 2, float32ToFloat16Bits(values[i]), true);
    this.parts.push(bytes);
    return this;
  }

  /** Tagged fp32 weights (tag 0). */
  fp32Tagged(values: ArrayLike<number>): this {
    const tag = new Uint8Array(4);
    new DataView(tag.buffer).setUint32(0, TAG_FP32, true);
    this.parts.push(tag);
    return this.fp32(values);
  }

  /** Raw fp32 (biases, PReLU slopes): no tag. */
  fp32(values: ArrayLike<number>): this {
    const bytes = new Uint8Array(values.length * 4);
    const view = new DataView(bytes.buffer);
    for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i], true);
    this.parts.push(bytes);
    return this;
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.parts.reduce((n, p) => n + p.length, 0));
    let offset = 0;
    for (const p of this.parts) {
      out.set(p, offset);
      offset += p.length;
    }
    return out;
  }
}
