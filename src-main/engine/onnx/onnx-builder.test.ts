// The builder's output is checked by the real consumer: ONNX Runtime loads and runs it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as ort from 'onnxruntime-node';
import { GraphBuilder, attr, encodeModel, float32Tensor, int64Tensor } from './onnx-builder';

test('a graph with every tensor and attribute kind loads and computes in ONNX Runtime', async () => {
  const g = new GraphBuilder('builder-test');
  g.addInput({ name: 'x', elementType: 'float32', shape: [2, 'n'] });
  const flatShape = g.addInitializer(int64Tensor('shape', [1], [-1])); // int64 raw_data, negative
  const half = g.addInitializer({ name: 'half', dims: [2], values: { type: 'float16', data: new Uint16Array([0x3c00, 0xc000]) } }); // 1, -2
  const ints = g.addInitializer({ name: 'ints', dims: [2], values: { type: 'int32', data: new Int32Array([3, -4]) } });
  const scalar = g.addInitializer(float32Tensor('scalar', [], [0.5]));

  g.addNode({ opType: 'Reshape', inputs: ['x', flatShape], outputs: ['flat'] });
  g.addNode({ opType: 'Cast', inputs: [half], outputs: ['half32'], attributes: { to: attr.int(1) } });
  g.addNode({ opType: 'Cast', inputs: [ints], outputs: ['ints32'], attributes: { to: attr.int(1) } });
  g.addNode({ opType: 'Constant', inputs: [], outputs: ['floats'], attributes: { value_floats: attr.floats([10, 20]) } });
  g.addNode({ opType: 'Constant', inputs: [], outputs: ['tensor'], attributes: { value: attr.tensor(float32Tensor('t', [1], [100])) } });
  // [1, -2, 3, -4, 10, 20, 100]; axis -1 is a negative INT attribute
  g.addNode({ opType: 'Concat', inputs: ['half32', 'ints32', 'floats', 'tensor'], outputs: ['consts'], attributes: { axis: attr.int(-1) } });
  g.addNode({ opType: 'LeakyRelu', inputs: ['consts'], outputs: ['leaky'], attributes: { alpha: attr.float(0.25) } });
  g.addNode({ opType: 'Mul', inputs: ['flat', scalar], outputs: ['halfx'], name: 'scale' });
  g.addNode({ opType: 'Concat', inputs: ['leaky', 'halfx'], outputs: ['y'], attributes: { axis: attr.int(0) } });
  g.addNode({ opType: 'Reshape', inputs: ['x', g.addInitializer(int64Tensor('shape4', [4], [1, 2, 1, -1]))], outputs: ['x4d'] });
  g.addNode({ opType: 'DepthToSpace', inputs: ['x4d'], outputs: ['d2s'], attributes: { blocksize: attr.int(1), mode: attr.string('CRD') } });
  g.addOutput({ name: 'y', elementType: 'float32', shape: ['m'] });
  g.addOutput({ name: 'd2s', elementType: 'float32', shape: [1, 2, 1, 'n'] });

  const bytes = encodeModel({ graph: g, producerName: 'test', metadata: { purpose: 'unit test' } });
  const session = await ort.InferenceSession.create(bytes);
  try {
    assert.deepEqual(session.inputNames, ['x']);
    assert.deepEqual(session.outputNames, ['y', 'd2s']);
    const x = new Float32Array([2, 4, 6, 8, 10, 12]);
    const out = await session.run({ x: new ort.Tensor('float32', x, [2, 3]) });
    assert.deepEqual(Array.from(out.y.data as Float32Array), [1, -0.5, 3, -1, 10, 20, 100, 1, 2, 3, 4, 5, 6]);
    assert.deepEqual(out.d2s.dims, [1, 2, 1, 3]);
  } finally {
    await session.release();
  }
});

test('names: inputs are claimed exactly, initializers made unique', () => {
  const g = new GraphBuilder('names');
  g.addInput({ name: 'input', elementType: 'float32', shape: [1] });
  assert.throws(() => g.claim('input'), /duplicate/);
  assert.equal(g.addInitializer(float32Tensor('input', [1], [1])), 'input_1');
  assert.equal(g.uniqueName('input'), 'input_2');
  assert.throws(() => encodeModel({ graph: withBadTensor() }), /need 4 values, got 3/);
});

function withBadTensor(): GraphBuilder {
  const g = new GraphBuilder('bad');
  g.addInitializer(float32Tensor('w', [2, 2], [1, 2, 3]));
  return g;
}
