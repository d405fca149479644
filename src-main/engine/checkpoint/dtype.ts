// Element types of checkpoint tensors (safetensors' names, which torch storages map onto) and the
// conversions the engine needs: any float type -> fp32, and -> fp16 bits (what ONNX Runtime's
// Node API takes for float16 tensors). All data is little-endian, as in both file formats.
// Pure TypeScript: no Node built-ins.

import { EngineError } from '../common/errors';

export const DTYPE_SIZE = {
  BOOL: 1,
  U8: 1,
  I8: 1,
  I16: 2,
  U16: 2,
  F16: 2,
  BF16: 2,
  I32: 4,
  U32: 4,
  F32: 4,
  F64: 8,
  I64: 8,
  U64: 8,
} as const;

export type DType = keyof typeof DTYPE_SIZE;

export function isDType(value: unknown): value is DType {
  return typeof value === 'string' && Object.hasOwn(DTYPE_SIZE, value);
}

// Typed-array views below reinterpret bytes in host order; every supported platform is LE.
if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) {
  throw new EngineError('INTERNAL', 'Checkpoint reading assumes a little-endian machine.');
}

/** A view of `bytes` as `T`, copying only when the bytes are not aligned for T. */
function view<T>(bytes: Uint8Array, size: number, make: (b: ArrayBufferLike, offset: number, length: number) => T): T {
  if (bytes.byteLength % size !== 0) {
    throw new EngineError('MODEL_FORMAT', `A tensor has ${bytes.byteLength} bytes, not a multiple of its element size ${size}.`);
  }
  const aligned = bytes.byteOffset % size === 0 ? bytes : bytes.slice();
  return make(aligned.buffer, aligned.byteOffset, aligned.byteLength / size);
}

const asU16 = (b: Uint8Array) => view(b, 2, (buf, o, n) => new Uint16Array(buf, o, n));
const asU32 = (b: Uint8Array) => view(b, 4, (buf, o, n) => new Uint32Array(buf, o, n));
const asF32 = (b: Uint8Array) => view(b, 4, (buf, o, n) => new Float32Array(buf, o, n));
const asF64 = (b: Uint8Array) => view(b, 8, (buf, o, n) => new Float64Array(buf, o, n));
const asI64 = (b: Uint8Array) => view(b, 8, (buf, o, n) => new BigInt64Array(buf, o, n));

let f16Table: Float32Array | undefined;

/** fp16 bits -> fp32 (exact: every fp16 value is an fp32 value). A 256 KiB table built once. */
export function float16BitsToFloat32(src: Uint16Array): Float32Array {
  if (!f16Table) {
    f16Table = new Float32Array(65536);
    for (let h = 0; h < 65536; h++) {
      const sign = h & 0x8000 ? -1 : 1;
      const exp = (h >> 10) & 0x1f;
      const mant = h & 0x3ff;
      if (exp === 0) f16Table[h] = sign * mant * 2 ** -24; // zero and subnormals
      else if (exp === 0x1f) f16Table[h] = mant ? NaN : sign * Infinity;
      else f16Table[h] = sign * (1 + mant / 1024) * 2 ** (exp - 15);
    }
  }
  const out = new Float32Array(src.length);
  for (let i = 0; i < src.length; i++) out[i] = f16Table[src[i]];
  return out;
}

/** bf16 bits -> fp32: bf16 is the top half of an fp32, so this is a 16-bit shift. */
export function bf16BitsToFloat32(src: Uint16Array): Float32Array {
  const out = new Uint32Array(src.length);
  for (let i = 0; i < src.length; i++) out[i] = src[i] << 16;
  return new Float32Array(out.buffer);
}

/**
 * fp32 -> fp16 bits, round to nearest even (what torch's .half() and numpy do). Values beyond
 * fp16's range (|x| >= 65520) become +-Infinity; NaN stays a (quiet) NaN.
 */
export function float32ToFloat16Bits(src: Float32Array): Uint16Array {
  const bits = new Uint32Array(src.buffer, src.byteOffset, src.length);
  const out = new Uint16Array(src.length);
  for (let i = 0; i < bits.length; i++) {
    const x = bits[i];
    const sign = (x >>> 16) & 0x8000;
    const exp = (x >>> 23) & 0xff;
    const mant = x & 0x7fffff;
    if (exp === 0xff) {
      out[i] = sign | 0x7c00 | (mant ? 0x200 | (mant >>> 13) : 0);
      continue;
    }
    const e = exp - 127 + 15; // the fp16 biased exponent
    if (e >= 0x1f) {
      out[i] = sign | 0x7c00;
    } else if (e <= 0) {
      // fp16 subnormal (or zero): shift the 24-bit significand into units of 2^-24.
      if (e < -10) {
        out[i] = sign;
        continue;
      }
      const m = mant | 0x800000;
      const shift = 14 - e;
      let half = m >>> shift;
      const rem = m & ((1 << shift) - 1);
      const halfway = 1 << (shift - 1);
      if (rem > halfway || (rem === halfway && half & 1)) half++;
      out[i] = sign | half; // a carry out of the subnormals lands on the smallest normal, correctly
    } else {
      let half = (e << 10) | (mant >>> 13);
      const rem = mant & 0x1fff;
      if (rem > 0x1000 || (rem === 0x1000 && half & 1)) half++; // a carry may reach 0x7c00 = inf: correct
      out[i] = sign | half;
    }
  }
  return out;
}

/** fp32 -> bf16 bits, round to nearest even (as torch's .bfloat16()). */
export function float32ToBf16Bits(src: Float32Array): Uint16Array {
  const bits = new Uint32Array(src.buffer, src.byteOffset, src.length);
  const out = new Uint16Array(src.length);
  for (let i = 0; i < bits.length; i++) {
    const x = bits[i];
    if ((x & 0x7f800000) === 0x7f800000 && x & 0x7fffff) out[i] = (x >>> 16) | 0x40; // NaN: keep it a NaN
    else out[i] = (x + 0x7fff + ((x >>> 16) & 1)) >>> 16;
  }
  return out;
}

/** A tensor's raw bytes as fp32 values. Integer types are converted by value (I64 must fit 2^53). */
export function toFloat32(bytes: Uint8Array, dtype: DType): Float32Array {
  switch (dtype) {
    case 'F32':
      return asF32(bytes).slice();
    case 'F16':
      return float16BitsToFloat32(asU16(bytes));
    case 'BF16':
      return bf16BitsToFloat32(asU16(bytes));
    case 'F64':
      return Float32Array.from(asF64(bytes));
    case 'I64':
      return Float32Array.from(asI64(bytes), (v) => Number(v));
    case 'I32':
      return Float32Array.from(view(bytes, 4, (b, o, n) => new Int32Array(b, o, n)));
    case 'U32':
      return Float32Array.from(asU32(bytes));
    case 'I16':
      return Float32Array.from(view(bytes, 2, (b, o, n) => new Int16Array(b, o, n)));
    case 'U16':
      return Float32Array.from(asU16(bytes));
    case 'I8':
      return Float32Array.from(new Int8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    case 'U8':
    case 'BOOL':
      return Float32Array.from(bytes);
    default:
      throw new EngineError('MODEL_FORMAT', `Cannot convert a ${dtype} tensor to float32.`);
  }
}

/** A float tensor's raw bytes as fp16 bits (bf16 and fp32 are rounded to nearest even). */
export function toFloat16(bytes: Uint8Array, dtype: DType): Uint16Array {
  if (dtype === 'F16') return asU16(bytes).slice();
  if (dtype === 'F32' || dtype === 'BF16' || dtype === 'F64') return float32ToFloat16Bits(toFloat32(bytes, dtype));
  throw new EngineError('MODEL_FORMAT', `Cannot convert a ${dtype} tensor to float16: it is not a float type.`);
}

/** I64 tensor bytes as bigints (exact). */
export function toBigInt64(bytes: Uint8Array): BigInt64Array {
  return asI64(bytes).slice();
}
