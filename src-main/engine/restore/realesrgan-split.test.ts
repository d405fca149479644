// The body and head graphs cut from a model, and onnxruntime's optimized graphs of each, are
// used only while the model is the one they were cut from: a model replaced (renamed into place,
// as downloads and conversions deliver one) or rewritten in place is cut again, and the halves
// then compute the new model. Tiny models of the x4plus shape (conv, nearest x2, conv) stand in.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile, rename, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { attr, encodeModel, float32Tensor, GraphBuilder } from '../onnx/onnx-builder';
import { createCachedSession } from '../runtime/optimized-graph-cache';
import { tempDir } from '../../testing/fixtures';
import { splitGraphPaths, splitGraphs } from './realesrgan-split';

const conv = (g: GraphBuilder, name: string, input: string, cin: number, cout: number, seed: number): string => {
  const w = g.addInitializer(float32Tensor(`${name}.w`, [cout, cin, 3, 3], Array.from({ length: cout * cin * 9 }, (_, i) => Math.sin(seed + i) / 9)));
  const b = g.addInitializer(float32Tensor(`${name}.b`, [cout], Array.from({ length: cout }, (_, i) => 0.01 * (i + seed))));
  g.addNode({ opType: 'Conv', inputs: [input, w, b], outputs: [name], attributes: { kernel_shape: attr.ints([3, 3]), pads: attr.ints([1, 1, 1, 1]) } });
  return name;
};

/** input -> conv -> nearest x2 -> conv -> output; `seed` picks the weights. `skip` adds the upsampled input (x4fast-like: no split). */
function tinyUpscaler(seed: number, skip = false): Uint8Array {
  const g = new GraphBuilder('tiny');
  g.addInput({ name: 'input', elementType: 'float32', shape: [1, 3, 'h', 'w'] });
  const upInput = skip ? 'input' : conv(g, 'feat', 'input', 3, 4, seed);
  const scales = g.addInitializer(float32Tensor('scales', [4], [1, 1, 2, 2]));
  g.addNode({ opType: 'Resize', inputs: [upInput, '', scales], outputs: ['up'], attributes: { mode: attr.string('nearest'), coordinate_transformation_mode: attr.string('asymmetric'), nearest_mode: attr.string('floor') } });
  conv(g, 'output', 'up', skip ? 3 : 4, 3, seed + 1);
  g.addOutput({ name: 'output', elementType: 'float32', shape: [1, 3, 'H', 'W'] });
  return encodeModel({ graph: g });
}

ort.env.logLevel = 'error'; // onnxruntime warns that an optimized graph is for this machine: it is, the cache records it
const options = { graphOptimizationLevel: 'all', intraOpNumThreads: 1 } as const;
const input = new ort.Tensor('float32', Float32Array.from({ length: 3 * 10 * 10 }, (_, i) => ((i * 37) % 101) / 100), [1, 3, 10, 10]);

async function runSession(session: ort.InferenceSession, feed: ort.Tensor): Promise<ort.Tensor> {
  const out = (await session.run({ [session.inputNames[0]]: feed }))[session.outputNames[0]];
  await session.release();
  return out;
}

/** The model's output, and the output of body then head as the app loads them (through the optimized-graph cache). */
async function wholeAndSplit(model: string): Promise<{ whole: Float32Array; split: Float32Array; cache: string[] }> {
  const whole = (await runSession(await ort.InferenceSession.create(model, options), input)).data as Float32Array;
  const halves = (await splitGraphs(model))!;
  const body = await createCachedSession(halves.body, 'cpu', options);
  const head = await createCachedSession(halves.head, 'cpu', options);
  const split = (await runSession(head.session, await runSession(body.session, input))).data as Float32Array;
  return { whole, split, cache: [body.cache, head.cache] };
}

const maxDiff = (a: Float32Array, b: Float32Array): number => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);

test('the halves are cut once, then reused, and give the model\'s result', async () => {
  const dir = tempDir();
  const model = join(dir, 'model.onnx');
  await writeFile(model, tinyUpscaler(1));
  const first = await wholeAndSplit(model);
  assert.ok(maxDiff(first.whole, first.split) < 1e-6);
  assert.deepEqual(first.cache, ['written', 'written']);
  const paths = splitGraphPaths(model);
  const cut = (await stat(paths.body)).mtimeMs;
  const second = await wholeAndSplit(model);
  assert.deepEqual(second.cache, ['hit', 'hit']);
  assert.equal((await stat(paths.body)).mtimeMs, cut, 'an unchanged model is not cut again');
});

test('a model replaced by another is cut again: the halves and their optimized graphs compute the new one', async () => {
  const dir = tempDir();
  const model = join(dir, 'model.onnx');
  await writeFile(model, tinyUpscaler(1));
  const before = await wholeAndSplit(model);
  await writeFile(join(dir, 'next.onnx'), tinyUpscaler(7));
  await rename(join(dir, 'next.onnx'), model);
  const after = await wholeAndSplit(model);
  assert.ok(maxDiff(after.whole, before.whole) > 1e-3, 'the two models differ');
  assert.ok(maxDiff(after.whole, after.split) < 1e-6, `the halves must compute the new model (off by ${maxDiff(after.whole, after.split)})`);
  assert.deepEqual(after.cache, ['written', 'written']);
});

test('a model rewritten in place (same size, same inode) is cut again', async () => {
  const dir = tempDir();
  const model = join(dir, 'model.onnx');
  await writeFile(model, tinyUpscaler(1));
  await wholeAndSplit(model);
  await writeFile(model, await readFile(model));
  await utimes(model, new Date(), new Date(Date.now() + 5000));
  const again = await wholeAndSplit(model);
  assert.deepEqual(again.cache, ['written', 'written']);
});

test('a model whose tail reads its input does not split, and says so without a cut', async () => {
  const dir = tempDir();
  const model = join(dir, 'model.onnx');
  await writeFile(model, tinyUpscaler(1, true));
  assert.equal(await splitGraphs(model), undefined);
  assert.equal(existsSync(splitGraphPaths(model).body), false);
  assert.equal(await splitGraphs(model), undefined); // from the record
});
