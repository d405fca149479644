// Cutting x4plus in two at its first upsampling: body then head must compute what the whole
// graph computes, on a crop of a real photo; x4fast (whose tail reads the input itself) does not split.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';
import { locateModel } from '../models/model-store';
import { photo } from '../../testing/fixtures';
import { findUpsampleSplit, splitOnnxModel } from './onnx-split';

const options = { executionProviders: ['cpu'], intraOpNumThreads: 2, graphOptimizationLevel: 'all' } as const;

async function rocketCrop(size: number): Promise<ort.Tensor> {
  const { data } = await sharp(photo('rocket.jpg')).extract({ left: 300, top: 150, width: size, height: size }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const planar = new Float32Array(3 * size * size);
  for (let i = 0; i < size * size; i++) for (let c = 0; c < 3; c++) planar[c * size * size + i] = data[i * 3 + c] / 255;
  return new ort.Tensor('float32', planar, [1, 3, size, size]);
}

test('x4plus split at its first upsampling: body then head equals the whole graph', async () => {
  const bytes = new Uint8Array(await readFile((await locateModel('realesrgan-x4plus')).onnxPath));
  const split = splitOnnxModel(bytes);
  assert.equal(split.tensor, findUpsampleSplit(bytes));
  // The head is the small tail: two upsampling convolutions, conv_hr and conv_last.
  assert.ok(split.head.length < 1e6 && split.body.length > 0.95 * bytes.length, `body ${split.body.length} B, head ${split.head.length} B`);
  const [whole, body, head] = await Promise.all([bytes, split.body, split.head].map((b) => ort.InferenceSession.create(b, options)));
  try {
    const input = await rocketCrop(32);
    const expected = (await whole.run({ [whole.inputNames[0]]: input }))[whole.outputNames[0]];
    const feature = (await body.run({ [body.inputNames[0]]: input }))[body.outputNames[0]];
    assert.deepEqual(feature.dims, [1, 64, 32, 32]); // 64 channels at input resolution
    const out = (await head.run({ [head.inputNames[0]]: feature }))[head.outputNames[0]];
    assert.deepEqual(out.dims, expected.dims);
    const a = expected.data as Float32Array;
    const b = out.data as Float32Array;
    let worst = 0;
    for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
    assert.ok(worst < 1e-5, `largest difference ${worst}`);
  } finally {
    await Promise.all([whole, body, head].map((s) => s.release()));
  }
});

test('x4fast does not split: its tail adds an upsampled copy of the input', async () => {
  const bytes = new Uint8Array(await readFile((await locateModel('realesrgan-x4fast')).onnxPath));
  assert.equal(findUpsampleSplit(bytes), undefined);
  assert.throws(() => splitOnnxModel(bytes), /no body\/head split/);
});
