import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { deflateRawSync } from 'node:zlib';
import { test } from 'node:test';
import { EngineError } from '../common/errors';
import { DEFAULT_NIQE_PARAMS } from './niqe';
import { parseNpy, parseNpz } from './npz';

/** A .npy v1 file built by hand, as numpy.save writes it. */
function npy(descr: string, shape: number[], values: number[], fortran = false): Uint8Array {
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': ${fortran ? 'True' : 'False'}, 'shape': ${shapeText}, }`;
  header += ' '.repeat(63 - ((10 + header.length) % 64)) + '\n'; // pad to a multiple of 64
  const bytes = descr === '<f8' ? 8 : 4;
  const out = new Uint8Array(10 + header.length + values.length * bytes);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  new DataView(out.buffer).setUint16(8, header.length, true);
  out.set(new TextEncoder().encode(header), 10);
  const view = new DataView(out.buffer, 10 + header.length);
  values.forEach((v, i) => (descr === '<f8' ? view.setFloat64(i * 8, v, true) : view.setInt32(i * 4, v, true)));
  return out;
}

/** A zip of named files, each stored (method 0) or deflated (8). */
function zip(files: { name: string; data: Uint8Array; method: 0 | 8 }[]): Uint8Array {
  const parts: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let offset = 0;
  for (const f of files) {
    const body = f.method === 8 ? deflateRawSync(f.data) : f.data;
    const name = new TextEncoder().encode(f.name);
    const local = new Uint8Array(30 + name.length);
    const lv = new DataView(local.buffer);
    lv.setUint32(0, 0x04034b50, true);
    lv.setUint16(8, f.method, true);
    lv.setUint32(18, body.length, true);
    lv.setUint32(22, f.data.length, true);
    lv.setUint16(26, name.length, true);
    local.set(name, 30);
    const dir = new Uint8Array(46 + name.length);
    const dv = new DataView(dir.buffer);
    dv.setUint32(0, 0x02014b50, true);
    dv.setUint16(10, f.method, true);
    dv.setUint32(20, body.length, true);
    dv.setUint32(24, f.data.length, true);
    dv.setUint16(28, name.length, true);
    dv.setUint32(42, offset, true);
    dir.set(name, 46);
    parts.push(local, body);
    central.push(dir);
    offset += local.length + body.length;
  }
  const dirSize = central.reduce((a, c) => a + c.length, 0);
  const end = new Uint8Array(22);
  const ev = new DataView(end.buffer);
  ev.setUint32(0, 0x06054b50, true);
  ev.setUint16(8, files.length, true);
  ev.setUint16(10, files.length, true);
  ev.setUint32(12, dirSize, true);
  ev.setUint32(16, offset, true);
  return Buffer.concat([...parts, ...central, end]);
}

test('reads stored and deflated members, float64 and int32, C and Fortran order', () => {
  const arrays = parseNpz(
    zip([
      { name: 'a.npy', data: npy('<f8', [2, 3], [1, 2, 3, 4, 5, 6]), method: 0 },
      { name: 'b.npy', data: npy('<i4', [3], [-1, 0, 7]), method: 8 },
      // Fortran order: stored column by column, [[1, 2, 3], [4, 5, 6]] is 1 4 2 5 3 6.
      { name: 'f.npy', data: npy('<f8', [2, 3], [1, 4, 2, 5, 3, 6], true), method: 8 },
    ]),
  );
  assert.deepEqual(arrays.get('a')?.shape, [2, 3]);
  assert.deepEqual([...arrays.get('a')!.data], [1, 2, 3, 4, 5, 6]);
  assert.deepEqual([...arrays.get('b')!.data], [-1, 0, 7]);
  assert.deepEqual([...arrays.get('f')!.data], [1, 2, 3, 4, 5, 6]);
});

test('reads the NIQE pristine model: shapes, a symmetric covariance, a normalised window', () => {
  const arrays = parseNpz(readFileSync(DEFAULT_NIQE_PARAMS));
  assert.deepEqual(arrays.get('mu_pris_param')?.shape, [1, 36]);
  assert.deepEqual(arrays.get('cov_pris_param')?.shape, [36, 36]);
  const cov = arrays.get('cov_pris_param')!.data;
  for (let i = 0; i < 36; i++) for (let j = 0; j < 36; j++) assert.equal(cov[i * 36 + j], cov[j * 36 + i]);
  const window = arrays.get('gaussian_window')!.data;
  assert.ok(Math.abs(window.reduce((a, b) => a + b, 0) - 1) < 1e-9);
  assert.ok(Math.abs(arrays.get('mu_pris_param')!.data[0] - 2.6013136801541448) < 1e-15);
});

test('refuses what it cannot read, with a code', () => {
  assert.throws(() => parseNpy(new Uint8Array(20)), (e: unknown) => e instanceof EngineError && /magic/.test(e.message));
  assert.throws(() => parseNpz(new Uint8Array(100)), /no zip directory/);
  const bigEndian = npy('<f8', [1], [1]);
  bigEndian[bigEndian.indexOf(0x3c)] = 0x3e; // the first '<' is the dtype's: make it '>f8'
  assert.throws(() => parseNpy(bigEndian), /dtype >f8 is not supported/);
});
