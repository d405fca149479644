// Converts small synthetic ncnn models, runs them on ONNX Runtime and compares with the plain
// reference interpreter (ncnn-reference.ts), which shares no code with the ONNX path.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as ort from 'onnxruntime-node';
import { EngineError } from '../common/errors';
import { parseNcnnParam } from './ncnn-param';
import { readNcnnWeights } from './ncnn-weights';
import { runNcnnReference, tensor3 } from './ncnn-reference';
import type { Tensor3 } from './ncnn-reference';
import { convertNcnnToOnnx } from './ncnn-to-onnx';
import { NcnnBinWriter, randomArray, seededRandom } from './ncnn-test-fixtures';

/** Adds the magic and the counts to layer lines. */
function paramText(lines: string[]): string {
  const blobs = new Set(lines.flatMap((l) => {
    const t = l.trim().split(/\s+/);
    const nIn = Number(t[2]);
    return t.slice(4 + nIn, 4 + nIn + Number(t[3]));
  }));
  return `7767517\n${lines.length} ${blobs.size}\n${lines.join('\n')}\n`;
}

async function runOnnx(onnx: Uint8Array, x: Tensor3): Promise<Tensor3> {
  const session = await ort.InferenceSession.create(onnx, { intraOpNumThreads: 2 });
  try {
    const result = await session.run({ input: new ort.Tensor('float32', x.data, [1, x.c, x.h, x.w]) });
    const [n, c, h, w] = result.output.dims;
    assert.equal(n, 1);
    return tensor3(c, h, w, result.output.data as Float32Array);
  } finally {
    await session.release();
  }
}

/** Converts, runs both ways, and checks shapes and the largest difference. */
async function compare(param: string, bin: Uint8Array, x: Tensor3, tolerance = 1e-4) {
  const converted = convertNcnnToOnnx(param, bin, { modelName: 'synthetic' });
  const model = parseNcnnParam(param);
  const expected = runNcnnReference(model, readNcnnWeights(model, bin), x);
  const actual = await runOnnx(converted.onnx, x);
  assert.deepEqual([actual.c, actual.h, actual.w], [expected.c, expected.h, expected.w]);
  let maxDiff = 0;
  for (let i = 0; i < actual.data.length; i++) maxDiff = Math.max(maxDiff, Math.abs(actual.data[i] - expected.data[i]));
  assert.ok(maxDiff < tolerance, `max abs diff ${maxDiff}`);
  assert.ok(expected.data.some((v) => Math.abs(v) > 0.05), 'the output should not be trivially small');
  return { converted, maxDiff };
}

function randomImage(seed: number, h: number, w: number, low = 0, high = 1): Tensor3 {
  const random = seededRandom(seed);
  return tensor3(3, h, w, Float32Array.from({ length: 3 * h * w }, () => low + random() * (high - low)));
}

// Every supported layer and most of their options, on a 10x12 input, x2 output.
const NETWORK = paramText([
  'Input        in0     0 1 data',
  'Split        sp0     1 2 data d_a d_b',
  'Convolution  conv0   1 1 d_a c0 0=8 1=3 4=1 5=1 6=216 9=2 -23310=1,1.000000e-01', // leaky
  'Split        sp1     1 3 c0 c0_a c0_b c0_c',
  'Convolution  conv1   1 1 c0_a c1 0=8 1=3 11=1 4=1 14=0 5=1 6=192 9=1', // kw 3, kh 1, relu
  'Concat       cat0    2 1 c0_b c1 cat 0=0', // 16 channels
  'Convolution  conv2   1 1 cat c2 0=8 1=3 2=2 4=2 5=0 6=1152', // dilation 2, no bias, fp32 weights
  'Eltwise      elt0    2 1 c2 c0_c e0 0=1 -23301=2,2.000000e-01,1.000000e+00', // 0.2*a + b
  'PReLU        prelu0  1 1 e0 p0 0=8',
  'Split        sp2     1 3 p0 p0_a p0_b p0_c',
  'Convolution  conv3   1 1 p0_a c3 0=8 1=3 3=2 4=1 5=1 6=576', // stride 2: 5x6
  'Interp       up0     1 1 c3 u0 0=1 1=2.000000e+00 2=2.000000e+00', // nearest, back to 10x12
  'Eltwise      elt1    2 1 u0 p0_b e1 0=0', // product
  'Eltwise      elt2    2 1 e1 p0_c e2 0=2', // max
  'BinaryOp     bin0    1 1 e2 b0 0=2 1=1 2=5.000000e-01', // times scalar 0.5
  'PReLU        prelu1  1 1 b0 p1 0=1', // one shared slope
  'Convolution  conv4   1 1 p1 c4 0=12 1=3 4=1 5=1 6=864',
  'PixelShuffle ps0     1 1 c4 s0 0=2', // 3 channels, 20x24
  'Interp       up1     1 1 d_b u1 0=2 1=2.000000e+00 2=2.000000e+00', // bilinear skip of the input
  'BinaryOp     bin1    2 1 s0 u1 out', // add (no params)
]);

function networkBin(seed: number): Uint8Array {
  const r = seededRandom(seed);
  const conv = (n: number, out: number, bias = true) => {
    writer.fp16(randomArray(r, n, 0.3));
    if (bias) writer.fp32(randomArray(r, out, 0.2));
  };
  const writer = new NcnnBinWriter();
  conv(216, 8);
  conv(192, 8);
  writer.fp32Tagged(randomArray(r, 1152, 0.1)); // conv2: tag-0 fp32 weights, no bias
  writer.fp32(randomArray(r, 8, 0.5)); // prelu0 slopes
  conv(576, 8);
  writer.fp32([0.25]); // prelu1
  conv(864, 12);
  return writer.finish();
}

test('every supported layer: ONNX Runtime matches the reference interpreter', async (t) => {
  const bin = networkBin(42);
  const { converted, maxDiff } = await compare(NETWORK, bin, randomImage(1, 10, 12));
  t.diagnostic(`max abs diff ${maxDiff.toExponential(2)}`);
  assert.equal(converted.inputName, 'input');
  assert.equal(converted.outputName, 'output');
  assert.equal(converted.scale, 2);
  assert.equal(converted.parameterCount, 216 + 8 + 192 + 8 + 1152 + 8 + 576 + 8 + 1 + 864 + 12);
  // other sizes too (the graph has dynamic height and width)
  await compare(NETWORK, bin, randomImage(2, 6, 4));
});

// A concatenation read only by convolutions is never made: each reads the parts with its slice of
// the weights. Read by anything else (here an Eltwise), the Concat node is made, once.
const CONCATS = paramText([
  'Input        in0     0 1 data',
  'Convolution  conv0   1 1 data c0 0=4 1=3 4=1 5=1 6=108 9=2 -23310=1,2.000000e-01',
  'Split        sp0     1 3 c0 c0_a c0_b c0_c',
  'Convolution  conv1   1 1 c0_a c1 0=4 1=3 4=1 5=1 6=144',
  'Concat       cat0    2 1 c0_b c1 cat 0=0', // 8 channels
  'Split        sp1     1 2 cat cat_a cat_b',
  'Convolution  conv2   1 1 c0_c c2 0=4 1=3 4=1 5=1 6=144',
  'Concat       cat1    2 1 cat_a c2 cat2 0=0', // a concat of a concat: 12 channels, 3 parts
  'Split        sp2     1 2 cat2 cat2_a cat2_b',
  'Convolution  conv3   1 1 cat2_a c3 0=12 1=3 4=1 5=1 6=1296 9=2 -23310=1,2.000000e-01',
  'Eltwise      elt0    2 1 c3 cat2_b e0 0=1', // reads the 12-channel concat itself
  'Convolution  conv4   1 1 e0 out 0=3 1=3 4=1 5=1 6=324',
]);

function concatsBin(seed: number): Uint8Array {
  const r = seededRandom(seed);
  const writer = new NcnnBinWriter();
  for (const [n, out] of [[108, 4], [144, 4], [144, 4], [1296, 12], [324, 3]]) {
    writer.fp16(randomArray(r, n, 0.3));
    writer.fp32(randomArray(r, out, 0.2));
  }
  return writer.finish();
}

test('a convolution over a concatenation reads its parts; the Concat is made only for other readers', async (t) => {
  const { converted, maxDiff } = await compare(CONCATS, concatsBin(5), randomImage(3, 9, 11));
  t.diagnostic(`max abs diff ${maxDiff.toExponential(2)}`);
  const text = new TextDecoder('latin1').decode(converted.onnx);
  const concats = text.match(/\/Concat/g) ?? [];
  assert.equal(concats.length, 1, 'one Concat node, for the Eltwise');
  assert.match(text, /conv3\.weight\.part2/, 'conv3 reads three parts');
  assert.doesNotMatch(text, /conv3\.weight\.part3/);
});

test('the comparison notices a wrong weight layout', async () => {
  // Same network, but the reference gets kh/kw-transposed 3x3 kernels: it must disagree.
  const bin = networkBin(43);
  const model = parseNcnnParam(NETWORK);
  const weights = readNcnnWeights(model, bin);
  for (const w of weights) {
    if (w?.type !== 'Convolution' || w.weight.length % 9 !== 0) continue;
    for (let k = 0; k < w.weight.length; k += 9) {
      const kernel = w.weight.slice(k, k + 9);
      for (let i = 0; i < 9; i++) w.weight[k + i] = kernel[(i % 3) * 3 + Math.floor(i / 3)];
    }
  }
  const x = randomImage(3, 10, 12);
  const expected = runNcnnReference(model, weights, x);
  const actual = await runOnnx(convertNcnnToOnnx(NETWORK, bin).onnx, x);
  const maxDiff = actual.data.reduce((m, v, i) => Math.max(m, Math.abs(v - expected.data[i])), 0);
  assert.ok(maxDiff > 1e-2, `a transposed kernel should be visible, max diff ${maxDiff}`);
});

test('BinaryOp: each operation, with a blob and with a scalar', async () => {
  // The second operand goes through a clipped 1x1 convolution, into [0.5, 2]: no division by ~0.
  for (let op = 0; op <= 8; op++) {
    for (const scalar of [false, true]) {
      const binary = scalar ? `BinaryOp bo 1 1 c out 0=${op} 1=1 2=1.500000e+00` : `BinaryOp bo 2 1 a c out 0=${op}`;
      const param = paramText([
        'Input in 0 1 data',
        'Split sp 1 2 data a b',
        'Convolution cv 1 1 b c 0=3 1=1 5=1 6=9 9=3 -23310=2,5.000000e-01,2.000000e+00',
        binary,
      ]);
      const r = seededRandom(100 + op);
      const bin = new NcnnBinWriter().fp16(randomArray(r, 9, 1)).fp32(randomArray(r, 3, 1)).finish();
      await compare(param, bin, randomImage(op, 5, 7, 0.5, 1.5));
    }
  }
});

test('Interp: nearest x2 and x3, bilinear half-pixel and align-corners', async () => {
  const variants = ['0=1 1=2.0 2=2.0', '0=1 1=3.0 2=3.0', '0=2 1=2.0 2=2.0', '0=2 1=2.0 2=2.0 6=1', '0=2 1=3.0 2=3.0 6=1'];
  for (const v of variants) {
    const param = paramText(['Input in 0 1 data', `Interp up 1 1 data out ${v}`]);
    const { converted } = await compare(param, new Uint8Array(0), randomImage(5, 4, 6));
    assert.equal(converted.scale, Number(v.split(' ')[1].slice(2)), v);
  }
});

test('PixelShuffle: both channel orders', async () => {
  for (const mode of [0, 1]) {
    const param = paramText(['Input in 0 1 data', 'Convolution cv 1 1 data c 0=27 1=1 5=0 6=81', `PixelShuffle ps 1 1 c out 0=3 1=${mode}`]);
    const bin = new NcnnBinWriter().fp16(randomArray(seededRandom(mode), 81, 1)).finish();
    await compare(param, bin, randomImage(6, 3, 4));
  }
});

test('unknown layer types, and malformed files, are refused with the right code', () => {
  const unknown = paramText(['Input in 0 1 data', 'Deconvolution dc 1 1 data a 0=3', 'Softmax sm 1 1 a out']);
  assert.throws(
    () => convertNcnnToOnnx(unknown, new Uint8Array(0)),
    (e: unknown) =>
      e instanceof EngineError &&
      e.code === 'UNSUPPORTED_LAYER' &&
      e.message === 'The model uses layer types the converter does not support: Deconvolution, Softmax',
  );
  const bin = networkBin(44);
  const isFormat = (e: unknown) => e instanceof EngineError && e.code === 'MODEL_FORMAT';
  assert.throws(() => convertNcnnToOnnx(NETWORK, bin.subarray(0, bin.length - 1)), isFormat);
  assert.throws(() => convertNcnnToOnnx(NETWORK, new Uint8Array([...bin, 0])), isFormat);
  assert.throws(() => convertNcnnToOnnx('hello', bin), isFormat);
  // weights that do not fit the channel count of the blob they are applied to
  const mismatch = paramText(['Input in 0 1 data', 'Convolution cv 1 1 data out 0=3 1=1 5=0 6=12']);
  assert.throws(() => convertNcnnToOnnx(mismatch, new NcnnBinWriter().fp16(new Float32Array(12)).finish()), isFormat);
});
