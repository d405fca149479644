import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EngineError } from '../common/errors';
import { parseNcnnParam } from './ncnn-param';
import { countParameters, float16ToFloat32, readNcnnWeights } from './ncnn-weights';
import { NcnnBinWriter, float32ToFloat16Bits, randomArray, roundToFloat16, seededRandom } from './ncnn-test-fixtures';

function expectCode(code: string, pattern?: RegExp) {
  return (error: unknown) => {
    assert.ok(error instanceof EngineError, `expected an EngineError, got ${String(error)}`);
    assert.equal(error.code, code);
    if (pattern) assert.match(error.message, pattern);
    return true;
  };
}

// conv0: fp16 with bias; conv1: fp32 (tag 0) without bias, 3 weights (fp16 would need padding);
// prelu: 4 slopes; conv2: fp16 with an odd count (15 = 30 bytes), so padded to 32 bytes.
const PARAM = `7767517
6 6
Input        in     0 1 data
Convolution  conv0  1 1 data a 0=4 1=3 11=2 4=1 5=1 6=72
PReLU        prelu  1 1 a b 0=4
Convolution  conv1  1 1 b c 0=1 1=1 5=0 6=4
Concat       cat    2 1 b c d
Convolution  conv2  1 1 d e 0=3 1=1 5=1 6=15
`;

function makeBin(random: () => number) {
  const conv0 = { weight: randomArray(random, 72, 1), bias: randomArray(random, 4, 1) }; // (4, 3, 2, 3)
  const slope = randomArray(random, 4, 1);
  const conv1 = randomArray(random, 4, 1); // (1, 4, 1, 1)
  const conv2 = { weight: randomArray(random, 15, 1), bias: randomArray(random, 3, 1) }; // (3, 5, 1, 1)
  const bin = new NcnnBinWriter()
    .fp16(conv0.weight)
    .fp32(conv0.bias)
    .fp32(slope)
    .fp32Tagged(conv1)
    .fp16(conv2.weight)
    .fp32(conv2.bias)
    .finish();
  return { bin, conv0, slope, conv1, conv2 };
}

test('fp16 decoding, including subnormals, infinities and NaN', () => {
  const cases: [number, number][] = [
    [0x0000, 0],
    [0x3c00, 1],
    [0xc000, -2],
    [0x3555, 0.333251953125],
    [0x7bff, 65504], // largest finite half
    [0x0400, 2 ** -14], // smallest normal
    [0x0001, 2 ** -24], // smallest subnormal
    [0x03ff, 1023 * 2 ** -24],
    [0x7c00, Infinity],
    [0xfc00, -Infinity],
  ];
  for (const [bits, value] of cases) assert.equal(float16ToFloat32(bits), value, `0x${bits.toString(16)}`);
  assert.ok(Object.is(float16ToFloat32(0x8000), -0));
  assert.ok(Number.isNaN(float16ToFloat32(0x7e00)));
  // the test encoder agrees on every finite half
  for (let bits = 0; bits < 0x7c00; bits += 7) assert.equal(float32ToFloat16Bits(float16ToFloat32(bits)), bits);
});

test('reads each layer in .param order: fp16 + bias, PReLU slopes, tag-0 fp32, padded fp16', () => {
  const { bin, conv0, slope, conv1, conv2 } = makeBin(seededRandom(7));
  // the layout, byte by byte: tag + 72 halves, 4 biases, 4 slopes, tag + 4 floats, tag + 15 halves + 2 pad, 3 biases
  assert.equal(bin.length, 4 + 144 + 16 + 16 + 4 + 16 + 4 + 32 + 12);
  const weights = readNcnnWeights(parseNcnnParam(PARAM), bin);
  assert.deepEqual(
    weights.map((w) => w?.type ?? null),
    [null, 'Convolution', 'PReLU', 'Convolution', null, 'Convolution'],
  );
  const [, w0, p, w1, , w2] = weights;
  assert.ok(w0?.type === 'Convolution' && p?.type === 'PReLU' && w1?.type === 'Convolution' && w2?.type === 'Convolution');
  assert.deepEqual(w0.weight, roundToFloat16(conv0.weight)); // fp16 in the file
  assert.deepEqual(w0.bias, conv0.bias); // biases stay fp32
  assert.deepEqual(p.slope, slope);
  assert.deepEqual(w1.weight, conv1); // fp32 weights are exact
  assert.equal(w1.bias, null);
  assert.deepEqual(w2.weight, roundToFloat16(conv2.weight));
  assert.deepEqual(w2.bias, conv2.bias);
  assert.equal(countParameters(weights), 72 + 4 + 4 + 4 + 15 + 3);
});

test('the file must be used up exactly: one byte more or less is refused', () => {
  const { bin } = makeBin(seededRandom(8));
  const model = parseNcnnParam(PARAM);
  const longer = new Uint8Array(bin.length + 1);
  longer.set(bin);
  assert.throws(() => readNcnnWeights(model, longer), expectCode('MODEL_FORMAT', /1 bytes left over/));
  assert.throws(
    () => readNcnnWeights(model, bin.subarray(0, bin.length - 1)),
    expectCode('MODEL_FORMAT', /too short: layer conv2 \(line 8\) needs 12 bytes at offset 236, but only 11 are left/),
  );
  assert.throws(() => readNcnnWeights(model, new Uint8Array(0)), expectCode('MODEL_FORMAT', /too short: layer conv0/));
});

test('works on a view into a larger buffer (byteOffset honoured)', () => {
  const { bin, conv1 } = makeBin(seededRandom(9));
  const padded = new Uint8Array(bin.length + 3);
  padded.set(bin, 3);
  const weights = readNcnnWeights(parseNcnnParam(PARAM), padded.subarray(3));
  assert.deepEqual(weights[3]?.type === 'Convolution' && weights[3].weight, conv1);
});

test('unknown storage tags are refused', () => {
  const { bin } = makeBin(seededRandom(10));
  const bad = bin.slice();
  new DataView(bad.buffer).setUint32(0, 0x000d4b38, true); // ncnn's int8 tag
  assert.throws(() => readNcnnWeights(parseNcnnParam(PARAM), bad), expectCode('MODEL_FORMAT', /tag 0x000d4b38 is not supported/));
});

test('unknown layer types are refused before reading, naming them all', () => {
  const text = `7767517
4 4
Input          in  0 1 data
Deconvolution  up  1 1 data a 0=3
Softmax        s   1 1 a b
PReLU          p   1 1 b c 0=1
`;
  assert.throws(
    () => readNcnnWeights(parseNcnnParam(text), new Uint8Array(4)),
    expectCode('UNSUPPORTED_LAYER', /does not support: Deconvolution, Softmax$/),
  );
});

test('inconsistent convolution sizes are refused', () => {
  const text = PARAM.replace('6=72', '6=70');
  assert.throws(() => readNcnnWeights(parseNcnnParam(text), makeBin(seededRandom(11)).bin), expectCode('MODEL_FORMAT', /weight_data_size 70/));
});
