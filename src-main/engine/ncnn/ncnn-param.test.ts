import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EngineError } from '../common/errors';
import { assertSupportedLayers, paramArray, paramFloat, paramInt, parseNcnnParam } from './ncnn-param';

const SMALL = `7767517
5 6
Input            input.1   0 1 data
Split            split0    1 2 data d0 d1
Convolution      conv0     1 1 d0 c0 0=4 1=3 4=1 5=1 6=108 9=2 -23310=1,2.000000e-01
Eltwise          add0      2 1 c0 d1 e0 0=1 -23301=2,2.000000e-01,1.000000e+00
Interp           up        1 1 e0 out 0=1 1=2.000000e+00 2=2.000000e+00
`;

function expectCode(code: string, pattern?: RegExp) {
  return (error: unknown) => {
    assert.ok(error instanceof EngineError, `expected an EngineError, got ${String(error)}`);
    assert.equal(error.code, code);
    if (pattern) assert.match(error.message, pattern);
    return true;
  };
}

test('parses layers, blobs and typed parameters', () => {
  const model = parseNcnnParam(SMALL);
  assert.equal(model.blobCount, 6);
  assert.deepEqual(
    model.layers.map((l) => [l.type, l.name, l.inputs, l.outputs, l.line]),
    [
      ['Input', 'input.1', [], ['data'], 3],
      ['Split', 'split0', ['data'], ['d0', 'd1'], 4],
      ['Convolution', 'conv0', ['d0'], ['c0'], 5],
      ['Eltwise', 'add0', ['c0', 'd1'], ['e0'], 6],
      ['Interp', 'up', ['e0'], ['out'], 7],
    ],
  );
  const conv = model.layers[2];
  assert.deepEqual(conv.params.get(0), { kind: 'scalar', value: 4, isFloat: false });
  assert.deepEqual(conv.params.get(10), { kind: 'array', values: [0.2], isFloat: true }); // key -23310
  assert.equal(paramInt(conv, 6, 0), 108);
  assert.equal(paramInt(conv, 11, paramInt(conv, 1, 0)), 3); // absent -> fallback
  assert.deepEqual(paramArray(model.layers[3], 1), [0.2, 1]); // key -23301
  assert.equal(paramFloat(model.layers[4], 2, 1), 2);
  assert.equal(paramArray(model.layers[4], 3), undefined);
  assert.equal(model.layers[4].params.get(1)?.kind === 'scalar' && model.layers[4].params.get(1)?.isFloat, true);
});

test('accepts CRLF line ends, blank lines and runs of spaces', () => {
  const model = parseNcnnParam(SMALL.replace(/\n/g, '\r\n\r\n').replace(/ +/g, '\t '));
  assert.equal(model.layers.length, 5);
});

test('typed access refuses the wrong kind of value', () => {
  const conv = parseNcnnParam(SMALL).layers[2];
  assert.throws(() => paramInt(conv, 10, 0), expectCode('MODEL_FORMAT', /parameter 10 must be an integer/));
  assert.throws(() => paramArray(conv, 0), expectCode('MODEL_FORMAT', /must be an array/));
  const interp = parseNcnnParam(SMALL.replace('1=2.000000e+00', '1=2.5')).layers[4];
  assert.throws(() => paramInt(interp, 1, 0), expectCode('MODEL_FORMAT'));
  assert.equal(paramFloat(interp, 1, 0), 2.5);
});

test('rejects malformed files with MODEL_FORMAT', () => {
  const cases: [string, RegExp][] = [
    ['', /first line must be 7767517/],
    [SMALL.replace('7767517', '7767518'), /first line must be 7767517/],
    [SMALL.replace('5 6', '5'), /second line/],
    [SMALL.replace('5 6', '6 6'), /declares 6 layers but has 5/],
    [SMALL.replace('5 6', '5 4'), /declares 4 blobs but uses 6/],
    [SMALL.replace('1 1 d0 c0', '1 1 dX c0'), /blob 'dX' is used before/],
    [SMALL.replace('1 1 e0 out', '1 1 e0 c0'), /blob 'c0' is made twice/],
    [SMALL.replace('-23310=1,2', '-23310=2,2'), /does not hold the count/],
    [SMALL.replace('6=108', '6=abc'), /'abc' is not a number/],
    [SMALL.replace('6=108', '6108'), /'6108' is not key=value/],
    [SMALL.replace('6=108', '6=108 6=1'), /parameter 6 is given twice/],
    [SMALL.replace('Split            split0    1 2', 'Split split0 1 x'), /bad blob counts/],
    [SMALL.replace('2 1 c0 d1 e0', '2 1 c0'), /line 6: expected 2 input and 1 output/],
  ];
  for (const [text, pattern] of cases) assert.throws(() => parseNcnnParam(text), expectCode('MODEL_FORMAT', pattern), String(pattern));
});

test('unknown layer types are refused, naming them all once', () => {
  const text = `7767517
5 5
Input          in    0 1 data
Deconvolution  up    1 1 data a 0=3
Convolution    c     1 1 a b 0=3 1=1 6=9
Softmax        s     1 1 b c
Deconvolution  up2   1 1 c d 0=3
`;
  const model = parseNcnnParam(text); // parsing alone is fine: the types are just names
  assert.throws(
    () => assertSupportedLayers(model),
    expectCode('UNSUPPORTED_LAYER', /^The model uses layer types the converter does not support: Deconvolution, Softmax$/),
  );
  assert.doesNotThrow(() => assertSupportedLayers(parseNcnnParam(SMALL)));
});
