// The converter on the real Real-ESRGAN ncnn models: ONNX Runtime against the plain reference
// interpreter, on a crop of a real photograph.
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';
import { parseNcnnParam } from './ncnn-param';
import { readNcnnWeights } from './ncnn-weights';
import { runNcnnReference, tensor3 } from './ncnn-reference';
import type { Tensor3 } from './ncnn-reference';
import { convertNcnnToOnnx } from './ncnn-to-onnx';
import { ncnnSource, photo } from '../../testing/fixtures';

const MIN_PSNR_DB = 50;

/** A size x size RGB crop of a real photo in [0, 1], (3, H, W). */
async function testImage(left: number, top: number, size: number): Promise<{ image: Tensor3; source: string }> {
  const { data, info } = await sharp(photo('rocket.jpg'))
    .removeAlpha()
    .extract({ left, top, width: size, height: size })
    .raw()
    .toBuffer({ resolveWithObject: true });
  assert.equal(info.channels, 3);
  const image = tensor3(3, size, size);
  // interleaved RGB -> planar
  for (let i = 0; i < size * size; i++) for (let c = 0; c < 3; c++) image.data[c * size * size + i] = data[i * 3 + c] / 255;
  return { image, source: `rocket photo crop at (${left}, ${top})` };
}

/** PSNR in dB over values clamped to [0, 1], as the app quantizes them. */
function psnr(a: Float32Array, b: Float32Array): number {
  const clamp = (v: number) => Math.min(1, Math.max(0, v));
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += (clamp(a[i]) - clamp(b[i])) ** 2;
  const mse = sum / a.length;
  return mse === 0 ? Infinity : 10 * Math.log10(1 / mse);
}

async function checkModel(t: TestContext, name: string, crop: { left: number; top: number; size: number }, parameterCount: number) {
  // The original ncnn files, out of the npm tarball that `npm install` cached.
  const { param: paramText, bin } = await ncnnSource(name);
  const converted = convertNcnnToOnnx(paramText, bin, { modelName: name });
  assert.equal(converted.scale, 4);
  assert.equal(converted.parameterCount, parameterCount);

  const { image, source } = await testImage(crop.left, crop.top, crop.size);
  const session = await ort.InferenceSession.create(converted.onnx, { intraOpNumThreads: 2 });
  let actual: Float32Array;
  try {
    const result = await session.run({ input: new ort.Tensor('float32', image.data, [1, 3, crop.size, crop.size]) });
    assert.deepEqual(result.output.dims, [1, 3, crop.size * 4, crop.size * 4]);
    actual = result.output.data as Float32Array;
  } finally {
    await session.release();
  }

  const started = performance.now();
  const model = parseNcnnParam(paramText);
  const expected = runNcnnReference(model, readNcnnWeights(model, bin), image);
  const referenceSeconds = (performance.now() - started) / 1000;
  assert.deepEqual([expected.c, expected.h, expected.w], [3, crop.size * 4, crop.size * 4]);

  let maxDiff = 0;
  for (let i = 0; i < actual.length; i++) maxDiff = Math.max(maxDiff, Math.abs(actual[i] - expected.data[i]));
  const db = psnr(actual, expected.data);
  t.diagnostic(
    `${name} on a ${crop.size}x${crop.size} ${source}: PSNR ${db.toFixed(1)} dB, max abs diff ${maxDiff.toExponential(2)}, reference ${referenceSeconds.toFixed(1)} s`,
  );
  assert.ok(db >= MIN_PSNR_DB, `PSNR ${db.toFixed(2)} dB is below ${MIN_PSNR_DB} dB`);
}

test('realesrgan-x4fast: ONNX Runtime matches the reference on a 48x48 photo crop', { timeout: 120_000 }, async (t) => {
  await checkModel(t, 'realesrgan-x4fast', { left: 280, top: 150, size: 48 }, 1_213_296);
});

// RRDBNet is ~16.5 M multiply-adds per input pixel: the plain reference needs ~10 s for 16x16.
test('realesrgan-x4plus: ONNX Runtime matches the reference on a 16x16 photo crop', { timeout: 300_000 }, async (t) => {
  await checkModel(t, 'realesrgan-x4plus', { left: 300, top: 170, size: 16 }, 16_697_987);
});
