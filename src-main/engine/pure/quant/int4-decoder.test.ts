// The 'int4' decoder graph on PURE_TINY_TEST (a TEST MODEL: real architecture and vocabulary,
// seeded random weights). Two separate claims:
//  1. the graph computes exactly the model whose Linears are the dequantised int4 weights (the
//     independent plain-TypeScript forward pass, within fp16 rounding): every bit of error below
//     is the quantiser's rounding, which int4-blockwise.test.ts bounds per weight;
//  2. that error, end to end against the fp32 graph, stays within a stated bound.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PURE_TINY_TEST } from '../config';
import { buildDecoderGraph, INT4_DEFAULTS } from '../decoder/decoder-graph';
import type { DecoderDtype, Int4GraphOptions } from '../decoder/decoder-graph';
import { referenceForward } from '../decoder/decoder-reference';
import { DecoderSession } from '../decoder/decoder-session';
import { makeTestWeights, weightGetter } from '../decoder/decoder-test-weights';
import { decoderNames } from '../decoder/decoder-weight-names';
import { dequantizeInt4, quantizeInt4 } from './int4-blockwise';
import { compareLogits } from './logit-error';

const C = PURE_TINY_TEST.decoder;
const V = C.vocabSize;
// 20 real ids: BOS, text, image start, grid tokens, image codes (both ranges), row end, image end
const PROMPT = [0, 5, 100, 8197, 8820, 8820, 70000, 4, 9, 65536, 3, 8803, 17, 300, 5000, 8196, 12, 77, 8000, 66000];
const ALL = PROMPT.map((_, i) => i);
const weights = makeTestWeights(C);
const getWeight = weightGetter(weights);
/** fp16 rounding of activations, KV cache and embeddings: the fp16 graph's own bound in decoder-graph.test.ts. */
const HALF_TOL = 2e-2;

async function logits(dtype: DecoderDtype, int4?: Partial<Int4GraphOptions>): Promise<Float32Array> {
  const s = await DecoderSession.create(buildDecoderGraph(C, getWeight, { dtype, ...(int4 ? { int4 } : {}) }).model, C, dtype);
  try {
    return (await s.run({ inputIds: [PROMPT], logitsPositions: [ALL] })).logits;
  } finally {
    await s.release();
  }
}

/** The test weights with every Linear (and the LM head when asked) replaced by its dequantised int4 form. */
function dequantisedWeights(options: Int4GraphOptions): Map<string, Float32Array> {
  const out = new Map(weights);
  const q = (name: string, n: number, k: number) => out.set(name, dequantizeInt4(quantizeInt4(weights.get(name)!, n, k, { blockSize: options.blockSize, scheme: options.scheme, scaleType: 'float16' })));
  const H = C.hiddenSize;
  const qDim = C.numHeads * C.headDim;
  const kvDim = C.numKvHeads * C.headDim;
  for (let i = 0; i < C.numLayers; i++) {
    const n = decoderNames.layer(i);
    q(n.q, qDim, H);
    q(n.k, kvDim, H);
    q(n.v, kvDim, H);
    q(n.o, H, qDim);
    q(n.gate, C.intermediateSize, H);
    q(n.up, C.intermediateSize, H);
    q(n.down, H, C.intermediateSize);
  }
  if (options.lmHead) q(decoderNames.lmHead, V, H);
  return out;
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

for (const lmHead of [true, false]) {
  test(`int4 graph = the model with dequantised int4 Linears (LM head ${lmHead ? 'int4' : 'fp16'}), within fp16 rounding`, async () => {
    // Accuracy level 0: the activations as given, so the only difference is the weights' (level 4's
    // int8 activations are held to the error bounds of the test below instead).
    const options = { ...INT4_DEFAULTS, lmHead, accuracyLevel: 0 as const };
    const got = await logits('int4', { lmHead, accuracyLevel: 0 });
    const want = referenceForward(C, weightGetter(dequantisedWeights(options)), PROMPT);
    const diff = maxDiff(got, want);
    assert.ok(diff < HALF_TOL, `int4 graph vs dequantised reference: ${diff}`);
    // teeth: the same reference with the other LM head choice is far off
    const other = referenceForward(C, weightGetter(dequantisedWeights({ ...options, lmHead: !lmHead })), PROMPT);
    assert.ok(maxDiff(got, other) > 5 * HALF_TOL, 'the LM head option must change the graph');
  });
}

test('int4 (block 32, asymmetric, LM head int4) vs fp32: mean |d| <= 2% and max |d| <= 15% of the logit range, KL <= 0.03 nats, top-1 >= 60%', async () => {
  const fp32 = await logits('fp32');
  const e = compareLogits(fp32, await logits('int4'), V);
  const fp16 = compareLogits(fp32, await logits('fp16'), V);
  console.log(`TEST MODEL int4 vs fp32: max ${e.maxAbs.toFixed(3)}, mean ${e.meanAbs.toFixed(4)}, range ${e.meanRange.toFixed(2)}, KL ${e.meanKl.toFixed(4)}, top-1 ${e.top1Agree}/${e.positions}; fp16 vs fp32: max ${fp16.maxAbs.toFixed(4)}`);
  assert.ok(e.meanAbs <= 0.02 * e.meanRange, `mean |d| ${e.meanAbs} vs range ${e.meanRange}`);
  assert.ok(e.maxAbs <= 0.15 * e.meanRange, `max |d| ${e.maxAbs} vs range ${e.meanRange}`);
  assert.ok(e.meanKl <= 0.03, `KL(fp32 || int4) ${e.meanKl} nats`);
  assert.ok(e.top1Agree >= 0.6 * e.positions, `top-1 agreement ${e.top1Agree}/${e.positions}`);
  // int4 costs far more than fp16 does: the comparison measures the quantiser, not noise
  assert.ok(e.meanAbs > 20 * fp16.meanAbs);
});

test('int4 graph with the KV cache: prefill 8 then 12 single steps equals the full sequence', async () => {
  const s = await DecoderSession.create(buildDecoderGraph(C, getWeight, { dtype: 'int4' }).model, C, 'int4');
  try {
    const full = await s.run({ inputIds: [PROMPT], logitsPositions: [ALL] });
    assert.equal(full.present.keys[0].type, 'float16');
    let r = await s.run({ inputIds: [PROMPT.slice(0, 8)] });
    for (let t = 8; t < PROMPT.length; t++) {
      r = await s.run({ inputIds: [[PROMPT[t]]], past: r.present });
      const diff = maxDiff(r.logits, full.logits.subarray(t * V, (t + 1) * V));
      assert.ok(diff < HALF_TOL, `step ${t}: ${diff}`);
    }
  } finally {
    await s.release();
  }
});

test('int4 options are refused for other dtypes', () => {
  assert.throws(() => buildDecoderGraph(C, getWeight, { dtype: 'fp16', int4: { blockSize: 32 } }), /int4 options/);
});
