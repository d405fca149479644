// The fp16 graphs for the graphics card: float16 weights and compute with float32 edges, kept
// beside the model and made again when it changes; on a real photo both Real-ESRGAN engines stay
// >= 45 dB PSNR (16-bit outputs, all channels) from the CPU's fp32 result, on WebGPU (lavapipe
// here: it has shader-f16) and on the CPU provider (which computes fp16 graphs through inserted
// casts: the weight and bias rounding alone). The WebGPU test skips where there is no adapter.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { locateModel } from '../models/model-store';
import { attr, encodeModel, float32Tensor, GraphBuilder } from '../onnx/onnx-builder';
import { fp16Model, fp16Refusal } from '../onnx/onnx-fp16';
import { readFields } from '../onnx/onnx-split';
import { fp16Graph } from '../runtime/fp16-graph-cache';
import { tempDir } from '../../testing/fixtures';
import { chelseaCrop, upscaleOn } from '../../testing/upscale-on-provider';
import { webgpuUnavailable } from '../../testing/webgpu-adapter';

const skipGpu = await webgpuUnavailable();
const BOUND_DB = 45;

/** Conv (weights `w`) -> LeakyRelu -> nearest x2 Resize -> 0.2 * that + itself: the ops of the Real-ESRGAN graphs. */
function tinyModel(w: number): Uint8Array {
  const g = new GraphBuilder('tiny');
  g.addInput({ name: 'input', elementType: 'float32', shape: [1, 3, 'h', 'w'] });
  const weight = g.addInitializer(float32Tensor('w', [3, 3, 3, 3], Array.from({ length: 81 }, (_, i) => w * Math.sin(i))));
  const bias = g.addInitializer(float32Tensor('b', [3], [0.1, -0.2, 0.3]));
  const scales = g.addInitializer(float32Tensor('scales', [4], [1, 1, 2, 2]));
  const coeff = g.addInitializer(float32Tensor('coeff', [], [0.2]));
  g.addNode({ opType: 'Conv', inputs: ['input', weight, bias], outputs: ['c'], attributes: { kernel_shape: attr.ints([3, 3]), pads: attr.ints([1, 1, 1, 1]) } });
  g.addNode({ opType: 'LeakyRelu', inputs: ['c'], outputs: ['a'], attributes: { alpha: attr.float(0.2) } });
  g.addNode({ opType: 'Resize', inputs: ['a', '', scales], outputs: ['r'], attributes: { mode: attr.string('nearest') } });
  g.addNode({ opType: 'Mul', inputs: ['r', coeff], outputs: ['m'] });
  g.addNode({ opType: 'Add', inputs: ['m', 'r'], outputs: ['output'] });
  g.addOutput({ name: 'output', elementType: 'float32', shape: [1, 3, 'H', 'W'] });
  return encodeModel({ graph: g });
}

const tinyInput = new ort.Tensor('float32', Float32Array.from({ length: 3 * 8 * 8 }, (_, i) => ((i * 37) % 101) / 100), [1, 3, 8, 8]);

async function runCpu(model: string | Uint8Array, input = tinyInput): Promise<ort.Tensor> {
  const s = typeof model === 'string' ? await ort.InferenceSession.create(model, { executionProviders: ['cpu'] }) : await ort.InferenceSession.create(model, { executionProviders: ['cpu'] });
  try {
    return (await s.run({ [s.inputNames[0]]: input }))[s.outputNames[0]];
  } finally {
    await s.release();
  }
}

/** data_type of each initializer, by name. */
function initializerTypes(model: Uint8Array): Map<string, number> {
  const graph = readFields(readFields(model).find((f) => f.field === 7)!.value!);
  const types = new Map<string, number>();
  for (const f of graph.filter((g) => g.field === 5)) {
    const t = readFields(f.value!);
    types.set(new TextDecoder().decode(t.find((g) => g.field === 8)!.value), t.find((g) => g.field === 2)!.varint!);
  }
  return types;
}

test('fp16Model: float16 weights, float32 input and output, Resize scales left float32; same result within fp16 rounding', async () => {
  const model = tinyModel(0.3);
  const half = fp16Model(model);
  assert.deepEqual(Object.fromEntries(initializerTypes(half)), { w: 10, b: 10, scales: 1, coeff: 10 });
  const a = await runCpu(model);
  const b = await runCpu(half);
  assert.equal(b.type, 'float32');
  assert.deepEqual(b.dims, a.dims);
  const max = (a.data as Float32Array).reduce((m, v, i) => Math.max(m, Math.abs(v - (b.data as Float32Array)[i])), 0);
  assert.ok(max > 0 && max < 5e-3, `fp16 differs by ${max}`);
});

test('fp16Model refuses an operator it does not know (the float32 graph is kept)', () => {
  const g = new GraphBuilder('shape');
  g.addInput({ name: 'x', elementType: 'float32', shape: [1, 3] });
  g.addNode({ opType: 'Shape', inputs: ['x'], outputs: ['y'] });
  g.addOutput({ name: 'y', elementType: 'int64', shape: [2] });
  assert.match(fp16Refusal(encodeModel({ graph: g })) ?? '', /Shape is not converted/);
  assert.equal(fp16Refusal(tinyModel(0.3)), undefined);
});

test('the fp16 copy is kept beside the model, reused, and made again when the model changes', async () => {
  const dir = tempDir();
  const path = join(dir, 'model.onnx');
  await writeFile(path, tinyModel(0.3));
  const first = await fp16Graph(path);
  assert.equal(first, join(dir, '.model.onnx.fp16.onnx'));
  const made = (await stat(first)).mtimeMs;
  assert.equal(await fp16Graph(path), first);
  assert.equal((await stat(first)).mtimeMs, made, 'reused, not made again');
  // A new model renamed into place (as a download or a repair does).
  await writeFile(`${path}.new`, tinyModel(-0.5));
  await rename(`${path}.new`, path);
  const again = await fp16Graph(path);
  assert.equal(again, first);
  const want = await runCpu(fp16Model(new Uint8Array(await readFile(path))));
  assert.deepEqual([...((await runCpu(again)).data as Float32Array)], [...(want.data as Float32Array)]);
});

/** PSNR in dB over every sample of two same-sized rasters. */
function rgbPsnr(a: ArrayLike<number>, b: ArrayLike<number>, max: number): number {
  let se = 0;
  for (let i = 0; i < a.length; i++) se += ((a[i] - b[i]) / max) ** 2;
  return se === 0 ? Infinity : 10 * Math.log10(a.length / se);
}

for (const engine of ['realesrgan-x4fast', 'realesrgan-x4plus']) {
  test(`${engine}: its fp16 graph on the CPU provider stays >= ${BOUND_DB} dB from fp32`, { timeout: 120_000 }, async () => {
    const rgb = await chelseaCrop();
    const model = (await locateModel(engine)).onnxPath;
    const half = await fp16Graph(model);
    assert.ok(half, `${engine} converts to fp16`);
    const x = new ort.Tensor('float32', Float32Array.from({ length: 3 * rgb.height * rgb.width }, (_, i) => rgb.data[(i % (rgb.height * rgb.width)) * 3 + Math.floor(i / (rgb.height * rgb.width))] / 255), [1, 3, rgb.height, rgb.width]);
    const clamp = (t: ort.Tensor): Float32Array => (t.data as Float32Array).map((v) => Math.round(Math.min(1, Math.max(0, v)) * 65535));
    const db = rgbPsnr(clamp(await runCpu(model, x)), clamp(await runCpu(half, x)), 65535);
    console.log(`${engine}: fp16 graph on cpu vs fp32 ${db.toFixed(1)} dB`);
    assert.ok(db >= BOUND_DB, `${engine}: ${db.toFixed(1)} dB < ${BOUND_DB} dB`);
  });

  test(`${engine} on webgpu runs its fp16 graph and stays >= ${BOUND_DB} dB from the CPU's fp32`, { skip: skipGpu, timeout: 300_000 }, async () => {
    const rgb = await chelseaCrop();
    const cpu = await upscaleOn(engine, 'cpu', rgb);
    const gpu = await upscaleOn(engine, 'webgpu', rgb);
    assert.equal(gpu.provider, 'webgpu');
    const db = rgbPsnr(gpu.out.data, cpu.out.data, 65535);
    console.log(`${engine}: webgpu fp16 vs cpu fp32 ${db.toFixed(1)} dB`);
    assert.ok(db >= BOUND_DB, `${engine}: ${db.toFixed(1)} dB < ${BOUND_DB} dB`);
  });
}
