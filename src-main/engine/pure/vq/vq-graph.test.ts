// The VQ ONNX graphs against the independent plain-TypeScript reference, on the TEST MODEL shape
// (PURE_TINY_TEST.vq) with seeded random weights, and the layout on the real VQ-8 shape.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';
import { PURE_7B, PURE_TINY_TEST } from '../config';
import { photo } from '../../../testing/fixtures';
import { buildVqDecoderGraph } from './vq-decoder-graph';
import { buildVqEncoderGraph } from './vq-encoder-graph';
import type { VqAblation } from './vq-graph-ops';
import { vqOutputToRgb8 } from './vq-postprocess';
import { rgb8ToVqInput } from './vq-preprocess';
import { vqReferenceDecode, vqReferenceEncode } from './vq-reference';
import type { VqReferenceEncoding } from './vq-reference';
import { randomVqWeights } from './vq-test-weights';
import { vqWeightSpecs } from './vq-weight-names';

const CONFIG = PURE_TINY_TEST.vq;
const CROP = 32; // pixels -> a 4x4 code grid
const weights = randomVqWeights(CONFIG, 20_240_611);

/** A width x height (default square) piece of a real photo, as the encoder's planar [-1, 1] input. */
async function photoCrop(left: number, top: number, width: number, height = width): Promise<Float32Array> {
  const { data, info } = await sharp(photo('chelsea.png')).removeAlpha().extract({ left, top, width, height }).raw().toBuffer({ resolveWithObject: true });
  assert.equal(info.channels, 3);
  return rgb8ToVqInput(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), height, width);
}

async function runEncoder(model: Uint8Array, image: Float32Array, size: number): Promise<{ codes: number[]; latent?: Float32Array; dims: readonly number[] }> {
  const session = await ort.InferenceSession.create(model, { intraOpNumThreads: 2 });
  try {
    const out = await session.run({ image: new ort.Tensor('float32', image, [1, 3, size, size]) });
    const codes = Array.from(out.codes.data as BigInt64Array, Number);
    return { codes, latent: out.latent?.data as Float32Array | undefined, dims: out.codes.dims };
  } finally {
    await session.release();
  }
}

async function runDecoder(model: Uint8Array, codes: readonly number[], h: number, w: number): Promise<{ image: Float32Array; dims: readonly number[] }> {
  const session = await ort.InferenceSession.create(model, { intraOpNumThreads: 2 });
  try {
    const out = await session.run({ codes: new ort.Tensor('int64', BigInt64Array.from(codes, (c) => BigInt(c)), [1, h, w]) });
    return { image: out.image.data as Float32Array, dims: out.image.dims };
  } finally {
    await session.release();
  }
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
  return max;
}

// The reference encoding of the photo crop, computed once (it is the slow part).
let cropCache: Promise<{ image: Float32Array; ref: VqReferenceEncoding }> | undefined;
function crop(): Promise<{ image: Float32Array; ref: VqReferenceEncoding }> {
  cropCache ??= photoCrop(200, 60, CROP).then((image) => ({ image, ref: vqReferenceEncode(CONFIG, weights.getWeight, image, CROP, CROP) }));
  return cropCache;
}

const DECODE_CODES = [0, 16383, 5, 9001, 77, 4242, 12345, 3, 16000, 8191, 8192, 1, 2048, 640, 15000, 7];

test('layout: the real VQ-8 has LlamaGen\'s tensors; graphs and reference read exactly the listed ones', async () => {
  const specs = new Map(vqWeightSpecs(PURE_7B.vq).map((s) => [s.name, s.shape]));
  let params = 0;
  for (const shape of specs.values()) params += shape.reduce((a, b) => a * b, 1);
  assert.equal(params, 70_109_835); // "~70M" (spec 1)
  assert.deepEqual(specs.get('encoder.conv_in.weight'), [128, 3, 3, 3]);
  assert.deepEqual(specs.get('encoder.conv_blocks.1.res.0.nin_shortcut.weight'), [256, 128, 1, 1]);
  assert.equal(specs.has('encoder.conv_blocks.2.res.0.nin_shortcut.weight'), false); // 256 -> 256
  assert.deepEqual(specs.get('encoder.conv_blocks.3.attn.1.q.weight'), [512, 512, 1, 1]);
  assert.equal(specs.has('encoder.conv_blocks.2.attn.0.q.weight'), false); // attention only on the last level
  assert.equal(specs.has('encoder.conv_blocks.3.downsample.conv.weight'), false);
  assert.deepEqual(specs.get('encoder.conv_blocks.2.downsample.conv.weight'), [256, 256, 3, 3]);
  assert.deepEqual(specs.get('encoder.conv_out.weight'), [256, 512, 3, 3]);
  assert.deepEqual(specs.get('quant_conv.weight'), [8, 256, 1, 1]);
  assert.deepEqual(specs.get('quantize.embedding.weight'), [16384, 8]);
  assert.deepEqual(specs.get('post_quant_conv.weight'), [256, 8, 1, 1]);
  assert.deepEqual(specs.get('decoder.conv_in.weight'), [512, 256, 3, 3]);
  assert.deepEqual(specs.get('decoder.conv_blocks.0.attn.2.proj_out.weight'), [512, 512, 1, 1]); // lowest resolution first
  assert.deepEqual(specs.get('decoder.conv_blocks.1.res.0.nin_shortcut.weight'), [256, 512, 1, 1]);
  assert.deepEqual(specs.get('decoder.conv_blocks.3.res.2.conv2.weight'), [128, 128, 3, 3]);
  assert.equal(specs.has('decoder.conv_blocks.1.attn.0.q.weight'), false);
  assert.deepEqual(specs.get('decoder.conv_blocks.2.upsample.conv.weight'), [256, 256, 3, 3]);
  assert.equal(specs.has('decoder.conv_blocks.3.upsample.conv.weight'), false);
  assert.deepEqual(specs.get('decoder.conv_out.weight'), [3, 128, 3, 3]);

  // The reference spells every name itself and the graphs walk vq-weight-names' plans: each pair
  // (encode + decode) must read exactly the checkpoint list of tensor-names.ts.
  const expected = vqWeightSpecs(CONFIG).map((s) => s.name).sort();
  const forReference = randomVqWeights(CONFIG, 5);
  vqReferenceEncode(CONFIG, forReference.getWeight, new Float32Array(3 * 16 * 16), 16, 16);
  vqReferenceDecode(CONFIG, forReference.getWeight, [1, 2, 3, 4], 2, 2);
  assert.deepEqual([...forReference.requested].sort(), expected);
  const forGraphs = randomVqWeights(CONFIG, 5);
  buildVqEncoderGraph(CONFIG, forGraphs.getWeight);
  buildVqDecoderGraph(CONFIG, forGraphs.getWeight);
  assert.deepEqual([...forGraphs.requested].sort(), expected);
});

test('(a) encoder graph: codes equal the reference on a 32x32 photo crop, latent within 1e-4', async (t) => {
  const { image, ref } = await crop();
  const { codes, latent, dims } = await runEncoder(buildVqEncoderGraph(CONFIG, weights.getWeight, { exposeLatent: true }), image, CROP);
  assert.deepEqual(dims, [1, (CROP / 8) ** 2]);
  assert.ok(new Set(ref.codes).size > 4, 'the crop should map to several different codes');
  assert.deepEqual(codes, Array.from(ref.codes));
  const diff = maxAbsDiff(latent!, ref.latent);
  t.diagnostic(`codes ${codes.join(' ')}; latent max |diff| ${diff.toExponential(2)}`);
  assert.ok(diff <= 1e-4, `latent differs by ${diff}`);
});

test('(b) decoder graph: image within 1e-4 of the reference on a 4x4 code grid', async (t) => {
  const ref = vqReferenceDecode(CONFIG, weights.getWeight, DECODE_CODES, 4, 4);
  const { image, dims } = await runDecoder(buildVqDecoderGraph(CONFIG, weights.getWeight), DECODE_CODES, 4, 4);
  assert.deepEqual(dims, [1, 3, 32, 32]);
  assert.deepEqual([ref.c, ref.h, ref.w], [3, 32, 32]);
  const diff = maxAbsDiff(image, ref.d);
  t.diagnostic(`image max |diff| ${diff.toExponential(2)} (values up to ${maxAbsDiff(ref.d, new Float64Array(ref.d.length)).toFixed(2)})`);
  assert.ok(diff <= 1e-4, `image differs by ${diff}`);
});

test('(d) round trip: encode -> decode on 64x64 gives an 8x8 grid and a 64x64 image', async () => {
  const image = await photoCrop(150, 40, 64);
  const { codes, dims } = await runEncoder(buildVqEncoderGraph(CONFIG, weights.getWeight), image, 64);
  assert.deepEqual(dims, [1, 64]);
  assert.ok(codes.every((c) => Number.isInteger(c) && c >= 0 && c < CONFIG.codebookSize));
  const decoded = await runDecoder(buildVqDecoderGraph(CONFIG, weights.getWeight), codes, 8, 8);
  assert.deepEqual(decoded.dims, [1, 3, 64, 64]);
  assert.ok(decoded.image.every(Number.isFinite));
  assert.equal(vqOutputToRgb8(decoded.image, 64, 64).length, 64 * 64 * 3);

  // Height and width are independent symbolic dims: a 40x64 crop gives a 5x8 grid and back.
  const wideInput = await photoCrop(150, 40, 64, 40);
  const session = await ort.InferenceSession.create(buildVqEncoderGraph(CONFIG, weights.getWeight), { intraOpNumThreads: 2 });
  const wideCodes = (await session.run({ image: new ort.Tensor('float32', wideInput, [1, 3, 40, 64]) })).codes;
  await session.release();
  assert.deepEqual(wideCodes.dims, [1, 40]);
  const wideImage = await runDecoder(buildVqDecoderGraph(CONFIG, weights.getWeight), Array.from(wideCodes.data as BigInt64Array, Number), 5, 8);
  assert.deepEqual(wideImage.dims, [1, 3, 40, 64]);
});

test('(e) the comparisons notice deviations from LlamaGen', async () => {
  const { image, ref } = await crop();
  const encode = (ablation: VqAblation) => runEncoder(buildVqEncoderGraph(CONFIG, weights.getWeight, { exposeLatent: true, ablation }), image, CROP);

  // Nearest entry of the raw codebook instead of the l2-normalised one.
  const raw = await encode({ rawCodebook: true });
  const changed = raw.codes.filter((c, i) => c !== ref.codes[i]).length;
  assert.ok(changed > 0, 'dropping the codebook normalisation must change codes');

  // Symmetric (1, 1) padding instead of F.pad(0, 1, 0, 1): same shapes, shifted features.
  const shifted = await encode({ downsamplePads: [1, 1, 0, 0] });
  assert.ok(maxAbsDiff(shifted.latent!, ref.latent) > 1e-2, 'a shifted downsample pad must change the latent');
  assert.notDeepEqual(shifted.codes, Array.from(ref.codes));

  // No padding at all: each stride-2 conv loses a row and a column, so the grid shrinks.
  const unpadded = await encode({ downsamplePads: [0, 0, 0, 0] });
  assert.notEqual(unpadded.codes.length, ref.codes.length);

  // Decoding from the raw codebook rows.
  const decoded = vqReferenceDecode(CONFIG, weights.getWeight, DECODE_CODES, 4, 4);
  const rawDecode = await runDecoder(buildVqDecoderGraph(CONFIG, weights.getWeight, { ablation: { rawCodebook: true } }), DECODE_CODES, 4, 4);
  assert.ok(maxAbsDiff(rawDecode.image, decoded.d) > 1e-2, 'decoding from the raw codebook must change the image');
});
