// Reads NumPy .npz files (a zip of .npy arrays): enough for NIQE's pristine model. Handles zip
// entries stored or deflated, .npy format versions 1-3, little-endian float/int dtypes, C or
// Fortran order (BasicSR's covariance is stored Fortran-ordered).
import { inflateRawSync } from 'node:zlib';
import { EngineError } from '../common/errors';

export interface NdArray {
  shape: number[];
  /** Row-major (C order) values, widened to float64. */
  data: Float64Array;
}

function bad(what: string, detail: string): EngineError {
  return new EngineError('CORRUPT_IMAGE', `${what} is not a readable NumPy file: ${detail}.`);
}

const DTYPES: Record<string, { bytes: number; read: (v: DataView, at: number) => number }> = {
  '<f8': { bytes: 8, read: (v, at) => v.getFloat64(at, true) },
  '<f4': { bytes: 4, read: (v, at) => v.getFloat32(at, true) },
  '<i8': { bytes: 8, read: (v, at) => Number(v.getBigInt64(at, true)) },
  '<i4': { bytes: 4, read: (v, at) => v.getInt32(at, true) },
  '|u1': { bytes: 1, read: (v, at) => v.getUint8(at) },
};

/** Reorders column-major values (first index fastest) into row-major ones. */
function fortranToC(data: Float64Array, shape: number[]): Float64Array {
  const out = new Float64Array(data.length);
  const index = new Array<number>(shape.length).fill(0);
  for (let f = 0; f < data.length; f++) {
    let c = 0;
    for (let d = 0; d < shape.length; d++) c = c * shape[d] + index[d];
    out[c] = data[f];
    for (let d = 0; d < shape.length && ++index[d] === shape[d]; d++) index[d] = 0; // first index fastest
  }
  return out;
}

/** Parses one .npy file. */
export function parseNpy(bytes: Uint8Array, what = 'array'): NdArray {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
  if (bytes.length < 10 || magic.some((m, i) => bytes[i] !== m)) throw bad(what, 'no .npy magic');
  const major = bytes[6];
  const headerLen = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const headerStart = major === 1 ? 10 : 12;
  const header = new TextDecoder('latin1').decode(bytes.subarray(headerStart, headerStart + headerLen));
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (!descr || !fortran || shapeText === undefined) throw bad(what, `unexpected header ${header.trim()}`);
  const dtype = DTYPES[descr];
  if (!dtype) throw bad(what, `dtype ${descr} is not supported`);
  const shape = shapeText.split(',').map((s) => s.trim()).filter((s) => s !== '').map(Number);
  const count = shape.reduce((a, b) => a * b, 1);
  const start = headerStart + headerLen;
  if (start + count * dtype.bytes > bytes.length) throw bad(what, 'data shorter than its shape');
  const data = new Float64Array(count);
  for (let i = 0; i < count; i++) data[i] = dtype.read(view, start + i * dtype.bytes);
  return { shape, data: fortran === 'True' ? fortranToC(data, shape) : data };
}

/** Reads every array of an .npz (zip) file, by name without the ".npy". */
export function parseNpz(bytes: Uint8Array, what = 'npz file'): Map<string, NdArray> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // The end-of-central-directory record sits in the last 22 + (comment <= 65535) bytes.
  let eocd = -1;
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 22 - 65535); i--) {
    if (view.getUint32(i, true) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw bad(what, 'no zip directory');
  const entries = view.getUint16(eocd + 10, true);
  let at = view.getUint32(eocd + 16, true);
  const out = new Map<string, NdArray>();
  for (let n = 0; n < entries; n++) {
    if (at + 46 > bytes.length || view.getUint32(at, true) !== 0x02014b50) throw bad(what, 'broken zip directory');
    const method = view.getUint16(at + 10, true);
    const compressedSize = view.getUint32(at + 20, true);
    const nameLen = view.getUint16(at + 28, true);
    const extraLen = view.getUint16(at + 30, true);
    const commentLen = view.getUint16(at + 32, true);
    const local = view.getUint32(at + 42, true);
    const name = new TextDecoder().decode(bytes.subarray(at + 46, at + 46 + nameLen));
    at += 46 + nameLen + extraLen + commentLen;
    // The data starts after the local header, whose name and extra lengths may differ.
    if (view.getUint32(local, true) !== 0x04034b50) throw bad(what, `broken local header for ${name}`);
    const dataStart = local + 30 + view.getUint16(local + 26, true) + view.getUint16(local + 28, true);
    const raw = bytes.subarray(dataStart, dataStart + compressedSize);
    let file: Uint8Array;
    if (method === 0) file = raw;
    else if (method === 8) file = inflateRawSync(raw);
    else throw bad(what, `zip method ${method} for ${name} is not supported`);
    out.set(name.replace(/\.npy$/, ''), parseNpy(file, `${what}:${name}`));
  }
  return out;
}
