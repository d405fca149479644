// CFG batched as batch 2 (OrtBatchedRunner) against one call per branch (OrtDecoderRunner) on the
// PURE_TINY_TEST decoder (a TEST MODEL: real architecture and vocabulary, seeded random weights):
// the same logits step by step, through every way a sequence enters and leaves a pair, and the
// same tokens for a whole seeded generation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as ort from 'onnxruntime-node';
import { PURE_TINY_TEST, PURE_TOKENS } from '../config';
import { buildDecoderGraph } from '../decoder/decoder-graph';
import type { DecoderDtype } from '../decoder/decoder-graph';
import { DecoderSession } from '../decoder/decoder-session';
import { makeTestWeights, weightGetter } from '../decoder/decoder-test-weights';
import { makeTinyTokenizer } from '../fixtures/tiny-tokenizer';
import { generatePure } from '../generation/generate';
import type { DecoderRunner } from '../generation/runner';
import { maxDiff, RunnerTwin } from './runner-twin';
import { buildImageCodeMap, vocabularyEntries } from '../tokenizer/code-map';
import { OrtBatchedRunner } from './ort-batched-runner';
import { OrtDecoderRunner } from './ort-decoder-runner';
import { createDecoderRunner, DEFAULT_CFG_BATCHING } from './decoder-runner-choice';
import { mulberry32 } from '../../../testing/mulberry32';

const C = PURE_TINY_TEST.decoder;
const V = C.vocabSize;
const TOL = 1e-4;
const weights = weightGetter(makeTestWeights(C, { seed: 11 }));

function session(dtype: DecoderDtype): Promise<DecoderSession> {
  return DecoderSession.create(buildDecoderGraph(C, weights, { dtype }).model, C, dtype);
}

async function stepByStep(dtype: DecoderDtype, tol: number): Promise<void> {
  const s = await session(dtype);
  try {
    const twin = new RunnerTwin(new OrtDecoderRunner(s), new OrtBatchedRunner(s), tol, 'batched vs one-by-one');
    const rand = mulberry32(5);
    const code = () => 4 + Math.floor(rand() * 8000); // image code ids live at 4..8195
    const prompt = [0, ...Array.from({ length: 36 }, code), 8196, 9100, 9101, PURE_TOKENS.imageStart];
    await twin.open('cond');
    await twin.forward([['cond', prompt, 0]]);
    let cond = prompt.length;
    for (const t of [8804 + 4, 8804 + 4]) await twin.forward([['cond', [t], cond++]]);
    // CFG: the unconditional branch starts as [image start, h, w], 40 slots shorter.
    await twin.open('uncond');
    await twin.forward([['uncond', [PURE_TOKENS.imageStart, 8808, 8808], 0]]);
    let uncond = 3;
    for (let i = 0; i < 24; i++) {
      const t = i % 9 === 8 ? PURE_TOKENS.rowEnd : code();
      // Every 5th call lists the branches the other way round: step order is not row order.
      const [c, u] = i % 5 === 4
        ? (await twin.forward([['uncond', [t], uncond], ['cond', [t], cond]])).reverse()
        : await twin.forward([['cond', [t], cond], ['uncond', [t], uncond]]);
      cond++;
      uncond++;
      // The rows really are different sequences: a swap or a shared row would fail the twin check.
      assert.ok(maxDiff(c, u) > 100 * tol, 'the two branches give different logits');
    }
    assert.equal(twin.runner.merges, 1, 'the pair is formed once and kept');
    assert.equal(twin.runner.padSlotSteps, 24 * (prompt.length + 2 - 3), 'the unconditional row carries the prompt as padding');
    // The image ends: the unconditional branch is dropped, the conditional one goes on alone.
    await twin.close('uncond');
    for (let i = 0; i < 3; i++) await twin.forward([['cond', [code()], cond++]]);
    assert.equal(twin.runner.splits, 1, 'the conditional row is taken out of the pair once');
    // A second image: a new pair from the conditional cache and a fresh unconditional one.
    await twin.open('uncond');
    await twin.forward([['uncond', [PURE_TOKENS.imageStart, 8808, 8808], 0]]);
    uncond = 3;
    for (let i = 0; i < 4; i++) await twin.forward([['cond', [code()], cond++], ['uncond', [code()], uncond++]]);
    assert.equal(twin.runner.merges, 2);
    // A step at the wrong position is refused, not silently mis-placed.
    await assert.rejects(twin.runner.forward([{ sequence: 1, tokens: Int32Array.of(5), position: cond + 1 }, { sequence: 3, tokens: Int32Array.of(5), position: uncond }]), /is at/);
    console.log(`${dtype}: max |batched - one-by-one| over ${twin.diffs.length} logits rows: ${Math.max(...twin.diffs).toExponential(2)}`);
  } finally {
    await s.release();
  }
}

test('fp32: batched CFG logits equal one call per branch within 1e-4, through merge, split and re-merge', async () => {
  await stepByStep('fp32', TOL);
});

test('fp16: the padded fp16 cache gives the one-by-one logits too', async () => {
  await stepByStep('fp16', TOL);
});

test('a seeded generation writes the same tokens batched and one by one', { timeout: 300_000 }, async () => {
  const s = await session('fp32');
  try {
    const codeMap = buildImageCodeMap(vocabularyEntries(makeTinyTokenizer()), 16384, V);
    const side = 16; // a 16x16 latent image: 16 x 17 + 4 = 276 image tokens with CFG
    const lq = Int32Array.from({ length: side * side }, (_, i) => (i * 37) % 16384);
    const prompt = Int32Array.from([0, 9100, 9101, 9102, ...Array.from(lq.subarray(0, 32), (c) => codeMap.codeToId[c]), 8710]);
    const run = (runner: DecoderRunner) =>
      generatePure(runner, { prompt, lqCodes: lq, forcedText: [9200, 9201, 9202] }, { tokens: PURE_TOKENS, codeMap, side, latentPerGrid: 4, seed: 21 });
    const batched = new OrtBatchedRunner(s);
    const a = await run(new OrtDecoderRunner(s));
    const b = await run(batched);
    assert.equal(a.imageComplete, true);
    assert.equal(batched.merges, 1, 'the image ran batched');
    assert.deepEqual(b.tokens, a.tokens);
    // Entropies come from the CFG-combined logits: a close but not bit-equal decoder shows here.
    let worst = 0;
    for (let i = 0; i < a.entropy.length; i++) worst = Math.max(worst, Math.abs(a.entropy[i] - b.entropy[i]));
    assert.ok(worst < 1e-4, `entropy differs by ${worst}`);
    // And the comparison can fail: another seed writes other tokens.
    const c = await generatePure(new OrtBatchedRunner(s), { prompt, lqCodes: lq, forcedText: [9200, 9201, 9202] }, { tokens: PURE_TOKENS, codeMap, side, latentPerGrid: 4, seed: 22 });
    assert.notDeepEqual(c.tokens, a.tokens);
  } finally {
    await s.release();
  }
});

test('kv rows: stacking left-pads with zeros, taking a row back returns the original exactly', async () => {
  const { stackLeftPadded, takeRow } = await import('./kv-rows');
  const layer = (len: number, base: number) => new ort.Tensor('float32', Float32Array.from({ length: 2 * len * 3 }, (_, i) => base + i), [1, 2, len, 3]);
  const short = { length: 2, keys: [layer(2, 100)], values: [layer(2, 200)] };
  const long = { length: 4, keys: [layer(4, 300)], values: [layer(4, 400)] };
  const padded = stackLeftPadded([long, short]);
  assert.deepEqual(padded.pads, [0, 2]);
  assert.deepEqual(padded.cache.keys[0].dims, [2, 2, 4, 3]);
  // row 1, head 0: 2 pad slots of zeros, then the short cache's head-0 slots
  assert.deepEqual(Array.from((padded.cache.keys[0].data as Float32Array).subarray(24, 36)), [0, 0, 0, 0, 0, 0, 100, 101, 102, 103, 104, 105]);
  for (const [row, original] of [[0, long], [1, short]] as const) {
    const back = takeRow(padded, row);
    assert.equal(back.length, original.length);
    assert.deepEqual(back.keys[0].dims, original.keys[0].dims);
    assert.deepEqual(back.keys[0].data, original.keys[0].data);
    assert.deepEqual(back.values[0].data, original.values[0].data);
  }
  const f16 = (len: number) => new ort.Tensor('float16', Uint16Array.from({ length: 2 * len * 3 }, (_, i) => 15360 + i), [1, 2, len, 3]);
  const half = stackLeftPadded([{ length: 1, keys: [f16(1)], values: [f16(1)] }, { length: 3, keys: [f16(3)], values: [f16(3)] }]);
  assert.ok(half.cache.keys[0].data instanceof Uint16Array, 'fp16 bits stay fp16 bits');
  assert.deepEqual(takeRow(half, 0).keys[0].data, f16(1).data);
  assert.throws(() => stackLeftPadded([{ length: 1, keys: [f16(1)], values: [f16(1)] }, long]), /types differ/);
});

test('the runner choice: batched gives batch 2, one-by-one batch 1, the default one of them', async () => {
  const s = await session('fp32');
  try {
    assert.equal(createDecoderRunner(s, 'batched').maxBatch, 2);
    assert.equal(createDecoderRunner(s, 'one-by-one').maxBatch, 1);
    assert.equal(createDecoderRunner(s).maxBatch, DEFAULT_CFG_BATCHING === 'batched' ? 2 : 1);
  } finally {
    await s.release();
  }
});
