// External data is checked by its real consumer: ONNX Runtime loads the model by file path and
// reads the weights from the side file at the offsets the TensorProtos name.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { ExternalDataWriter, EXTERNAL_ALIGNMENT } from './external-data';
import { GraphBuilder, encodeModel, encodeTensor, externalTensor, float32Tensor } from './onnx-builder';

test('weights streamed to an external data file load and compute in ONNX Runtime', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ext-data-'));
  try {
    const writer = new ExternalDataWriter(join(dir, 'model.onnx.data'));
    const g = new GraphBuilder('external');
    g.addInput({ name: 'x', elementType: 'float32', shape: [1, 3] });
    // (3, 2) fp32 and (2,) fp16, both external; a small inline bias next to them
    const w = g.addInitializer(writer.append('w', [3, 2], { type: 'float32', data: new Float32Array([1, 2, 3, 4, 5, 6]) }));
    const h = g.addInitializer(writer.append('h', [2], { type: 'float16', data: new Uint16Array([0x3c00, 0x4000]) })); // 1, 2
    const b = g.addInitializer(float32Tensor('b', [2], [0.5, -0.5]));
    g.addNode({ opType: 'MatMul', inputs: ['x', w], outputs: ['xw'] });
    g.addNode({ opType: 'Cast', inputs: [h], outputs: ['h32'], attributes: { to: { type: 'int', value: 1 } } });
    g.addNode({ opType: 'Mul', inputs: ['xw', 'h32'], outputs: ['xwh'] });
    g.addNode({ opType: 'Add', inputs: ['xwh', b], outputs: ['y'] });
    g.addOutput({ name: 'y', elementType: 'float32', shape: [1, 2] });
    const summary = writer.close();
    assert.equal(summary.tensorCount, 2);
    assert.equal(summary.location, 'model.onnx.data');
    // the second tensor starts on the alignment boundary
    assert.equal(summary.byteLength, EXTERNAL_ALIGNMENT + 4);
    assert.equal(statSync(summary.path).size, summary.byteLength);

    const modelPath = join(dir, 'model.onnx');
    const bytes = encodeModel({ graph: g });
    assert.ok(bytes.length < 1024, 'the .onnx file holds no weight bytes');
    writeFileSync(modelPath, bytes);
    const session = await ort.InferenceSession.create(modelPath);
    try {
      const out = await session.run({ x: new ort.Tensor('float32', new Float32Array([1, 1, 1]), [1, 3]) });
      // x.w = [9, 12]; * [1, 2] = [9, 24]; + b
      assert.deepEqual(Array.from(out.y.data as Float32Array), [9.5, 23.5]);
    } finally {
      await session.release();
    }
    assert.ok(readFileSync(summary.path).length > 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('external tensors: lengths are checked, and a closed writer refuses more data', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ext-data-'));
  try {
    const writer = new ExternalDataWriter(join(dir, 'd.bin'));
    assert.throws(() => writer.append('bad', [2, 2], { type: 'float32', data: new Float32Array(3) }), /need 4 values/);
    writer.close();
    assert.throws(() => writer.append('late', [1], { type: 'float32', data: new Float32Array(1) }), /closed/);
    const wrong = externalTensor('t', [4], 'float16', { location: 'd.bin', offset: 0, length: 4 });
    assert.throws(() => encodeTensor(wrong), /need 8 external bytes, got 4/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
