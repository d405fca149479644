// The optimized graph cached beside a model is used only while the model is the one it was made
// from: replacing the model (as a download or a repair does, by rename) or rewriting it in place
// makes the next load optimize afresh, and the session then computes the new model's output.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, rename, utimes, writeFile, readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { locateModel } from '../models/model-store';
import { tempDir } from '../../testing/fixtures';
import { createCachedSession, optimizedGraphPath } from './optimized-graph-cache';

const options = { graphOptimizationLevel: 'all', intraOpNumThreads: 1 } as const;
const input = new ort.Tensor('float32', Float32Array.from({ length: 3 * 12 * 12 }, (_, i) => ((i * 37) % 101) / 100), [1, 3, 12, 12]);

async function runOnce(session: ort.InferenceSession): Promise<Float32Array> {
  const out = await session.run({ [session.inputNames[0]]: input });
  const data = out[session.outputNames[0]].data as Float32Array;
  await session.release();
  return data;
}

async function plain(path: string): Promise<Float32Array> {
  return runOnce(await ort.InferenceSession.create(path, { ...options, executionProviders: ['cpu'] }));
}

const maxDiff = (a: Float32Array, b: Float32Array): number => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);

test('the cached optimized graph is written, then used, and gives the model\'s own result', async () => {
  const dir = tempDir();
  const model = join(dir, 'model.onnx');
  await copyFile((await locateModel('realesrgan-x4fast')).onnxPath, model);
  const first = await createCachedSession(model, 'cpu', options);
  assert.equal(first.cache, 'written');
  assert.ok(existsSync(optimizedGraphPath(model, 'cpu')));
  const second = await createCachedSession(model, 'cpu', options);
  assert.equal(second.cache, 'hit');
  const [a, b, reference] = [await runOnce(first.session), await runOnce(second.session), await plain(model)];
  assert.ok(maxDiff(a, reference) < 1e-5 && maxDiff(b, reference) < 1e-5, `cached graph differs by ${maxDiff(b, reference)}`);
});

test('a model replaced by another is loaded afresh: the cache of the old one is not used', async () => {
  const dir = tempDir();
  const model = join(dir, 'model.onnx');
  await copyFile((await locateModel('realesrgan-x4fast')).onnxPath, model);
  await runOnce((await createCachedSession(model, 'cpu', options)).session);
  // A new model arrives the way downloads and conversions deliver one: written aside, renamed in.
  await copyFile((await locateModel('realesrgan-x4plus')).onnxPath, join(dir, 'next.onnx'));
  await rename(join(dir, 'next.onnx'), model);
  const after = await createCachedSession(model, 'cpu', options);
  assert.equal(after.cache, 'written');
  const out = await runOnce(after.session);
  assert.ok(maxDiff(out, await plain(model)) < 1e-4, 'the session must compute the new model');
});

test('a model rewritten in place (same size, same inode) is not served from the cache', async () => {
  const dir = tempDir();
  const model = join(dir, 'model.onnx');
  await copyFile((await locateModel('realesrgan-x4fast')).onnxPath, model);
  await runOnce((await createCachedSession(model, 'cpu', options)).session);
  await writeFile(model, await readFile(model)); // same bytes, new modification time
  await utimes(model, new Date(), new Date(Date.now() + 5000));
  const after = await createCachedSession(model, 'cpu', options);
  assert.equal(after.cache, 'written');
  await after.session.release();
});
