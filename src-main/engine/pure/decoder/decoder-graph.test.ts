// The decoder graph against the independent plain-TypeScript forward pass, on PURE_TINY_TEST
// (a TEST MODEL: real architecture and vocabulary, seeded random weights).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PURE_TINY_TEST } from '../config';
import type { DecoderConfig } from '../config';
import { buildDecoderGraph } from './decoder-graph';
import type { DecoderDtype } from './decoder-graph';
import { referenceForward } from './decoder-reference';
import { DecoderSession } from './decoder-session';
import type { KvCache } from './decoder-session';
import { makeTestWeights, weightGetter } from './decoder-test-weights';
import type { TestWeightOptions } from './decoder-test-weights';
import { decoderNames } from './decoder-weight-names';

const C = PURE_TINY_TEST.decoder;
const V = C.vocabSize;
const TOL = 1e-4;
// 12 tokens with real ids: BOS, text, image start, grid tokens, image codes (both ranges), row end
const PROMPT = [0, 5, 100, 8197, 8820, 8820, 70000, 4, 9, 65536, 3, 8803];
const ALL = PROMPT.map((_, i) => i);

const weights = makeTestWeights(C);
const getWeight = weightGetter(weights);
const reference = referenceForward(C, getWeight, PROMPT); // (12, vocab)

async function session(dtype: DecoderDtype = 'fp32', config: DecoderConfig = C, opts?: TestWeightOptions): Promise<DecoderSession> {
  const get = opts ? weightGetter(makeTestWeights(config, opts)) : getWeight;
  return DecoderSession.create(buildDecoderGraph(config, get, { dtype }).model, config, dtype);
}

/** max |a - b| over row `row` of a (rows, vocab) array vs a (vocab) array or same-size array. */
function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>, aOffset = 0, bOffset = 0, n = Math.min(a.length, b.length)): number {
  let m = 0;
  for (let i = 0; i < n; i++) m = Math.max(m, Math.abs(a[aOffset + i] - b[bOffset + i]));
  return m;
}

test('(a) logits at every position match the reference forward pass', async () => {
  const s = await session();
  try {
    const r = await s.run({ inputIds: [PROMPT], logitsPositions: [ALL] });
    assert.deepEqual(r.dims, [1, 12, V]);
    const diff = maxDiff(r.logits, reference);
    assert.ok(diff < TOL, `max |graph - reference| = ${diff}`);
    // the comparison has teeth: the other RoPE convention (Meta's interleaved pairs) fails it.
    // (A constant position offset would not: RoPE scores depend on position differences only.)
    const interleaved = referenceForward(C, getWeight, PROMPT, { rope: 'interleaved' });
    assert.ok(maxDiff(r.logits, interleaved) > 100 * TOL, 'interleaved RoPE must not match');
  } finally {
    await s.release();
  }
});

test('(b) prefill 8 then 4 single-token steps with the KV cache equals the full sequence', async () => {
  const s = await session();
  try {
    let r = await s.run({ inputIds: [PROMPT.slice(0, 8)], logitsPositions: [[0, 1, 2, 3, 4, 5, 6, 7]] });
    assert.ok(maxDiff(r.logits, reference, 0, 0, 8 * V) < TOL);
    for (let t = 8; t < 12; t++) {
      assert.deepEqual(r.present.keys[0].dims, [1, C.numKvHeads, t, C.headDim]);
      r = await s.run({ inputIds: [[PROMPT[t]]], past: r.present });
      assert.deepEqual(r.dims, [1, 1, V]);
      const diff = maxDiff(r.logits, reference, 0, t * V, V);
      assert.ok(diff < TOL, `step ${t}: max diff ${diff}`);
    }
    assert.equal(r.present.length, 12);
    assert.deepEqual(r.present.values[C.numLayers - 1].dims, [1, C.numKvHeads, 12, C.headDim]);
  } finally {
    await s.release();
  }
});

test('chunked prefill (5 + 4 + 3 tokens over the cache) equals the full sequence', async () => {
  // How a 4000-token prompt should be fed: chunks bound the (heads, chunk, total) score tensor.
  const s = await session();
  try {
    let past: KvCache | undefined;
    for (const [from, to] of [[0, 5], [5, 9], [9, 12]]) {
      const r = await s.run({ inputIds: [PROMPT.slice(from, to)], logitsPositions: [ALL.slice(0, to - from)], past });
      const diff = maxDiff(r.logits, reference, 0, from * V, (to - from) * V);
      assert.ok(diff < TOL, `chunk ${from}..${to}: max diff ${diff}`);
      past = r.present;
    }
  } finally {
    await s.release();
  }
});

test('(c) logits_positions selects: only the requested rows, in the requested order', async () => {
  const s = await session();
  try {
    const last = await s.run({ inputIds: [PROMPT] }); // default: the last position only
    assert.deepEqual(last.dims, [1, 1, V]);
    assert.equal(last.logits.length, V);
    assert.ok(maxDiff(last.logits, reference, 0, 11 * V, V) < TOL);
    const two = await s.run({ inputIds: [PROMPT], logitsPositions: [[7, 3]] });
    assert.deepEqual(two.dims, [1, 2, V]);
    assert.ok(maxDiff(two.logits, reference, 0, 7 * V, V) < TOL);
    assert.ok(maxDiff(two.logits, reference, V, 3 * V, V) < TOL);
  } finally {
    await s.release();
  }
});

test('(d) external data: weights streamed to a side file, the model loaded by path', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'decoder-ext-'));
  try {
    const built = buildDecoderGraph(C, getWeight, { dtype: 'fp32', externalDataPath: join(dir, 'decoder.onnx.data') });
    assert.ok(built.externalData, 'summary of the data file');
    assert.ok(built.model.length < 64 * 1024, `the .onnx stays small (${built.model.length} bytes)`);
    assert.equal(statSync(built.externalData.path).size, built.externalData.byteLength);
    assert.ok(built.externalData.byteLength > 2 * V * C.hiddenSize * 4, 'embedding and LM head are in the data file');
    const modelPath = join(dir, 'decoder.onnx');
    writeFileSync(modelPath, built.model);
    const s = await DecoderSession.create(modelPath, C, 'fp32');
    try {
      const r = await s.run({ inputIds: [PROMPT], logitsPositions: [ALL] });
      assert.ok(maxDiff(r.logits, reference) < TOL);
    } finally {
      await s.release();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('(e) fp16 weights, MatMuls and KV cache stay within 2e-2 of fp32, also incrementally', async () => {
  const s = await session('fp16');
  try {
    const full = await s.run({ inputIds: [PROMPT], logitsPositions: [ALL] });
    assert.equal(full.present.keys[0].type, 'float16');
    const diff = maxDiff(full.logits, reference);
    console.log(`fp16 vs fp32 reference: max |diff| ${diff.toExponential(2)}`);
    assert.ok(diff < 2e-2, `fp16 vs fp32 reference: ${diff}`);
    let r = await s.run({ inputIds: [PROMPT.slice(0, 8)] });
    for (let t = 8; t < 12; t++) r = await s.run({ inputIds: [[PROMPT[t]]], past: r.present });
    assert.ok(maxDiff(r.logits, full.logits, 0, 11 * V, V) < 2e-2);
  } finally {
    await s.release();
  }
});

test('(f) QK-norm parameters: (heads, hd), (1, hd) / (hd) and (rows, hd) layouts', async () => {
  const shared = makeTestWeights(C, { qkNormLayout: 'shared' }); // (1, hd): also exactly what a bare (hd) holds
  const repeated = new Map(shared);
  for (let i = 0; i < C.numLayers; i++) {
    const n = decoderNames.layer(i);
    for (const name of [n.qNormWeight, n.qNormBias, n.kNormWeight, n.kNormBias]) {
      const row = shared.get(name)!;
      const heads = name.includes('q_norm') ? C.numHeads : C.numKvHeads;
      repeated.set(name, Float32Array.from({ length: heads * C.headDim }, (_, j) => row[j % C.headDim]));
    }
  }
  const run = async (w: Map<string, Float32Array>) => {
    const s = await DecoderSession.create(buildDecoderGraph(C, weightGetter(w), { dtype: 'fp32' }).model, C, 'fp32');
    try {
      return (await s.run({ inputIds: [PROMPT], logitsPositions: [ALL] })).logits;
    } finally {
      await s.release();
    }
  };
  const a = await run(shared);
  const b = await run(repeated);
  assert.equal(maxDiff(a, b), 0, 'the same values in either layout give identical logits');
  assert.ok(maxDiff(a, referenceForward(C, weightGetter(shared), PROMPT)) < TOL);
  // (2, hd): rows shared by consecutive heads (repeat_interleave), checked against the reference
  const rows2 = makeTestWeights(C, { qkNormLayout: { rows: 2 } });
  assert.ok(maxDiff(await run(rows2), referenceForward(C, weightGetter(rows2), PROMPT)) < TOL);
  // a weight of the wrong size fails loudly, naming the tensor
  const bad = new Map(shared).set(decoderNames.layer(1).kNormBias, new Float32Array(C.headDim * 3));
  assert.throws(() => buildDecoderGraph(C, weightGetter(bad), { dtype: 'fp32' }), /layers\.1\.self_attn\.k_norm\.bias/);
});

test('(g) batch 2 equals two batch-1 runs; left-padded rows of different lengths too', async () => {
  const s = await session();
  try {
    const other = [0, 8197, 8820, 8820, 4, 5, 6, 65537, 8803, 12, 13, 8196];
    const both = await s.run({ inputIds: [PROMPT, other], logitsPositions: [ALL, ALL] });
    const one = await s.run({ inputIds: [PROMPT], logitsPositions: [ALL] });
    const two = await s.run({ inputIds: [other], logitsPositions: [ALL] });
    assert.ok(maxDiff(both.logits, one.logits, 0, 0, 12 * V) < 1e-5);
    assert.ok(maxDiff(both.logits, two.logits, 12 * V, 0, 12 * V) < 1e-5);

    // CFG-style: a 3-token row left-padded to the 12-token row, then one decode step for both
    const short = [8197, 8820, 8820];
    const pad = 12 - short.length;
    const padded = await s.run({
      inputIds: [PROMPT, [...new Array<number>(pad).fill(1), ...short]],
      positionIds: [ALL, [...new Array<number>(pad).fill(0), 0, 1, 2]],
      attentionMask: [new Array<number>(12).fill(1), [...new Array<number>(pad).fill(0), 1, 1, 1]],
      logitsPositions: [[11], [11]],
    });
    const shortRef = referenceForward(C, getWeight, [...short, 4]);
    assert.ok(maxDiff(padded.logits, reference, 0, 11 * V, V) < TOL);
    assert.ok(maxDiff(padded.logits, shortRef, V, 2 * V, V) < TOL);
    const step = await s.run({
      inputIds: [[4], [4]],
      positionIds: [[12], [3]],
      attentionMask: [new Array<number>(13).fill(1), [...new Array<number>(pad).fill(0), 1, 1, 1, 1]],
      past: padded.present,
    });
    assert.ok(maxDiff(step.logits, referenceForward(C, getWeight, [...PROMPT, 4]), 0, 12 * V, V) < TOL);
    assert.ok(maxDiff(step.logits, shortRef, V, 3 * V, V) < TOL);
  } finally {
    await s.release();
  }
});

test('grouped-query attention (kv_heads < heads) matches the reference', async () => {
  const gqa: DecoderConfig = { ...C, numKvHeads: 2, numLayers: 1 };
  const w = makeTestWeights(gqa, { seed: 7 });
  const s = await DecoderSession.create(buildDecoderGraph(gqa, weightGetter(w), { dtype: 'fp32' }).model, gqa, 'fp32');
  try {
    let r = await s.run({ inputIds: [PROMPT.slice(0, 10)], logitsPositions: [ALL.slice(0, 10)] });
    const ref = referenceForward(gqa, weightGetter(w), PROMPT);
    assert.ok(maxDiff(r.logits, ref, 0, 0, 10 * V) < TOL);
    r = await s.run({ inputIds: [[PROMPT[10]]], past: r.present });
    assert.deepEqual(r.present.keys[0].dims, [1, 2, 11, C.headDim]);
    assert.ok(maxDiff(r.logits, ref, 0, 10 * V, V) < TOL);
  } finally {
    await s.release();
  }
});

test('static-cache graph: logits at every position match the reference, and only the new K/V come out', async () => {
  const s = await DecoderSession.create(buildDecoderGraph(C, getWeight, { dtype: 'fp32', cache: 'static' }).model, C, 'fp32');
  try {
    assert.equal(s.cacheKind, 'static');
    const r = await s.run({ inputIds: [PROMPT], logitsPositions: [ALL] });
    const diff = maxDiff(r.logits, reference);
    assert.ok(diff < TOL, `max |static graph - reference| = ${diff}`);
    assert.deepEqual(r.present.keys[0].dims, [1, C.numKvHeads, PROMPT.length, C.headDim]);
    await assert.rejects(s.run({ inputIds: [[5]], past: r.present }), /concat graph/);
  } finally {
    await s.release();
  }
});
