// One MatMulNBits node, run by ONNX Runtime, against x times our own dequantised weights: proves
// that the packing, scales and zero points are in exactly the layout the op reads.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as ort from 'onnxruntime-node';
import { GraphBuilder, encodeModel, DEFAULT_OPSET } from '../../onnx/onnx-builder';
import { float16BitsToFloat32 } from '../../checkpoint/dtype';
import { seededNormal } from '../../../testing/seeded-normal';
import { GraphOps } from '../decoder/graph-ops';
import { toFloat16Bits } from '../decoder/weight-prep';
import { WeightSink } from '../decoder/weight-sink';
import { dequantizeInt4, quantizeInt4 } from './int4-blockwise';
import type { Int4Options } from './int4-blockwise';
import { MS_OPSET, matMulNBits } from './matmul-nbits';

async function runNode(w: Float32Array, n: number, k: number, x: Float32Array, rows: number, options: Int4Options): Promise<Float32Array> {
  const g = new GraphBuilder('matmul_nbits_test');
  const elementType = options.scaleType;
  const a = g.addInput({ name: 'x', elementType, shape: [1, rows, k] });
  const y = matMulNBits(new GraphOps(g), new WeightSink(g), a, 'w', w, n, k, options, 'y');
  g.addOutput({ name: y, elementType, shape: [1, rows, n] });
  const session = await ort.InferenceSession.create(encodeModel({ graph: g, opsetImports: [{ domain: '', version: DEFAULT_OPSET }, MS_OPSET] }));
  try {
    const feed = elementType === 'float32' ? new ort.Tensor('float32', x, [1, rows, k]) : new ort.Tensor('float16', toFloat16Bits(x), [1, rows, k]);
    const out = (await session.run({ x: feed }))[y];
    return elementType === 'float32' ? (out.data as Float32Array) : float16BitsToFloat32(out.data as Uint16Array);
  } finally {
    await session.release();
  }
}

/** x (rows, k) times dq^T, dq (n, k), in f64. */
function reference(x: Float32Array, dq: Float32Array, rows: number, n: number, k: number): Float64Array {
  const out = new Float64Array(rows * n);
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < n; j++) {
      let acc = 0;
      for (let i = 0; i < k; i++) acc += x[r * k + i] * dq[j * k + i];
      out[r * n + j] = acc;
    }
  }
  return out;
}

// K = 80 with block 32: 3 blocks (odd, so the zero points' last byte is half used) and 16 padded values.
const CASES: { k: number; options: Int4Options; tol: number }[] = [
  { k: 80, options: { blockSize: 32, scheme: 'asymmetric', scaleType: 'float32' }, tol: 1e-5 },
  { k: 80, options: { blockSize: 32, scheme: 'symmetric', scaleType: 'float32' }, tol: 1e-5 },
  { k: 256, options: { blockSize: 128, scheme: 'asymmetric', scaleType: 'float32' }, tol: 1e-5 },
  { k: 96, options: { blockSize: 16, scheme: 'asymmetric', scaleType: 'float16' }, tol: 5e-3 }, // fp16 output rounding
];

for (const { k, options, tol } of CASES) {
  test(`MatMulNBits equals x times the dequantised weights: K ${k}, block ${options.blockSize}, ${options.scheme}, ${options.scaleType}`, async () => {
    const n = 24;
    const rows = 3;
    const normal = seededNormal(k + options.blockSize);
    const w = Float32Array.from({ length: n * k }, () => normal() / Math.sqrt(k));
    const x = Float32Array.from({ length: rows * k }, () => normal());
    const got = await runNode(w, n, k, x, rows, options);
    const dq = dequantizeInt4(quantizeInt4(w, n, k, options));
    const want = reference(x, dq, rows, n, k);
    let worst = 0;
    for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]));
    assert.ok(worst < tol, `max |ort - dequantised| = ${worst}`);
    // teeth: the unquantised weights give a visibly different product
    const exact = reference(x, w, rows, n, k);
    let moved = 0;
    for (let i = 0; i < exact.length; i++) moved = Math.max(moved, Math.abs(got[i] - exact[i]));
    assert.ok(moved > 20 * tol, `quantisation must show: ${moved}`);
  });
}

test('accuracy level 4: the CPU quantises x to int8 per block, so the product moves by about that rounding, no more', async () => {
  const n = 24;
  const k = 128;
  const rows = 3;
  const normal = seededNormal(404);
  const w = Float32Array.from({ length: n * k }, () => normal() / Math.sqrt(k));
  const x = Float32Array.from({ length: rows * k }, () => normal());
  const base: Int4Options = { blockSize: 32, scheme: 'asymmetric', scaleType: 'float32' };
  const exactA = await runNode(w, n, k, x, rows, base);
  const int8A = await runNode(w, n, k, x, rows, { ...base, accuracyLevel: 4 });
  // x's int8 rounding: at most half a step (max |x| in the block / 127) per element; summed over
  // k terms of |w| ~ 1/sqrt(k) it stays far below the products' size (~1).
  let moved = 0;
  for (let i = 0; i < exactA.length; i++) moved = Math.max(moved, Math.abs(int8A[i] - exactA[i]));
  assert.ok(moved > 0, 'the attribute must reach the op: int8 activations change the product');
  assert.ok(moved < 0.05, `max |level 4 - level 0| = ${moved}`);
});
