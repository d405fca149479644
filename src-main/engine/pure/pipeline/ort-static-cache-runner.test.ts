// The static-cache runner (static decoder graph, JS-owned KV buffers read in place) against one
// call per branch over the concat graph (OrtDecoderRunner), on the PURE_TINY_TEST decoder (a TEST
// MODEL: real architecture and vocabulary, seeded random weights): the same logits step by step
// through chunked prefill, capacity growth, CFG rows at different lengths, a closed and reopened
// row; a constant number of bytes out of every decode step; the same tokens for a seeded generation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PURE_TINY_TEST, PURE_TOKENS } from '../config';
import { buildDecoderGraph } from '../decoder/decoder-graph';
import type { DecoderCacheKind, DecoderDtype } from '../decoder/decoder-graph';
import { DecoderSession } from '../decoder/decoder-session';
import { makeTestWeights, weightGetter } from '../decoder/decoder-test-weights';
import { makeTinyTokenizer } from '../fixtures/tiny-tokenizer';
import { generatePure } from '../generation/generate';
import type { DecoderRunner } from '../generation/runner';
import { maxDiff, RunnerTwin } from './runner-twin';
import { buildImageCodeMap, vocabularyEntries } from '../tokenizer/code-map';
import { OrtDecoderRunner } from './ort-decoder-runner';
import { OrtStaticCacheRunner } from './ort-static-cache-runner';
import type { StaticCacheRunnerOptions } from './ort-static-cache-runner';
import { mulberry32 } from '../../../testing/mulberry32';
import { EngineError } from '../../common/errors';

const C = PURE_TINY_TEST.decoder;
const V = C.vocabSize;
const TOL = 1e-4;
const weights = weightGetter(makeTestWeights(C, { seed: 11 }));

function session(dtype: DecoderDtype, cache: DecoderCacheKind): Promise<DecoderSession> {
  return DecoderSession.create(buildDecoderGraph(C, weights, { dtype, cache }).model, C, dtype);
}

async function stepByStep(dtype: DecoderDtype, options: StaticCacheRunnerOptions, tol = TOL): Promise<void> {
  const concat = await session(dtype, 'concat');
  const fixed = await session(dtype, 'static');
  try {
    // Chunks of 16 and growth by 8 slots: a 40-token prompt takes 3 calls and the buffer grows often.
    const twin = new RunnerTwin(new OrtDecoderRunner(concat), new OrtStaticCacheRunner(fixed, { prefillChunk: 16, growBy: 8, ...options }), tol, 'static vs concat');
    const rand = mulberry32(5);
    const code = () => 4 + Math.floor(rand() * 8000); // image code ids live at 4..8195
    const prompt = [0, ...Array.from({ length: 36 }, code), 8196, 9100, 9101, PURE_TOKENS.imageStart];
    await twin.open('cond');
    await twin.forward([['cond', prompt, 0]]);
    assert.equal(twin.runner.traffic.calls, 3, 'the prompt went in 3 chunks');
    let cond = prompt.length;
    for (const t of [8804 + 4, 8804 + 4]) await twin.forward([['cond', [t], cond++]]);
    await twin.open('uncond');
    await twin.forward([['uncond', [PURE_TOKENS.imageStart, 8808, 8808], 0]]);
    let uncond = 3;
    const callsBefore = twin.runner.traffic.calls;
    const outBytes = new Set<number>();
    for (let i = 0; i < 24; i++) {
      const t = i % 9 === 8 ? PURE_TOKENS.rowEnd : code();
      // Every 5th call lists the branches the other way round: step order is not row order.
      const [c, u] = i % 5 === 4
        ? (await twin.forward([['uncond', [t], uncond], ['cond', [t], cond]])).reverse()
        : await twin.forward([['cond', [t], cond], ['uncond', [t], uncond]]);
      cond++;
      uncond++;
      outBytes.add(twin.runner.traffic.lastDown);
      assert.ok(maxDiff(c, u) > 100 * TOL, 'the two branches give different logits');
    }
    const batch = twin.runner.maxBatch;
    assert.equal(twin.runner.traffic.calls - callsBefore, 24 * (3 - batch), batch === 2 ? 'one call per CFG step' : 'one call per branch');
    // What leaves a decode call is the logits and one slot of K/V per layer, at every context length.
    const element = dtype === 'fp32' ? 4 : 2;
    const perRow = V * 4 + 2 * C.numLayers * C.numKvHeads * C.headDim * element;
    assert.deepEqual([...outBytes], [perRow * batch], 'bytes out of a decode call do not grow with the cache');
    // What goes in is the whole cache the call reads: on a GPU provider it would cross every step.
    if (batch === 2) assert.ok(twin.runner.traffic.lastUp >= twin.runner.cacheBytes, 'a batch-2 call feeds the whole buffer');
    // The image ends: the unconditional row is closed, the conditional one goes on alone.
    await twin.close('uncond');
    for (let i = 0; i < 3; i++) await twin.forward([['cond', [code()], cond++]]);
    // A second image reuses the freed row: its old slots must be forgotten.
    await twin.open('uncond');
    await twin.forward([['uncond', [PURE_TOKENS.imageStart, 8808, 8808], 0]]);
    uncond = 3;
    for (let i = 0; i < 4; i++) await twin.forward([['cond', [code()], cond++], ['uncond', [code()], uncond++]]);
    assert.ok(twin.runner.grownBytes > 0, 'the buffer grew while holding values');
    await assert.rejects(twin.runner.forward([{ sequence: twin.id('cond'), tokens: Int32Array.of(5), position: cond + 1 }]), /is at/);
    const within = twin.diffs.filter((d) => d < TOL).length;
    console.log(`${dtype} maxBatch ${batch}: max |static - concat| over ${twin.diffs.length} logits rows: ${Math.max(...twin.diffs).toExponential(2)}; ${within} rows within ${TOL}`);
  } finally {
    await concat.release();
    await fixed.release();
  }
}

test('fp32: static-cache logits equal the concat graph within 1e-4 (chunked prefill, growth, CFG rows, reused row)', async () => {
  await stepByStep('fp32', {});
});

// fp16: the static graph does onnxruntime's own f32 attention math over the same fp16 values
// (a prefill is bit-equal), but its context is two f32 partial sums added, where the concat graph
// accumulates one; the last-bit difference flips an fp16 rounding now and then, which moves a
// logit by up to ~5e-4. Both graphs are 1.8e-3 away from fp32 on this model, so the bound is the
// fp16 rounding floor, not 1e-4; most rows are still within 1e-4 (printed).
test('fp16: the same with the fp16 cache, within fp16 rounding', async () => {
  await stepByStep('fp16', {}, 1e-3);
});

test('maxBatch 1: each branch over its own row view gives the same logits', async () => {
  await stepByStep('fp32', { maxBatch: 1 });
});

test('a seeded generation writes the same tokens as the concat runner', { timeout: 300_000 }, async () => {
  const concat = await session('fp32', 'concat');
  const fixed = await session('fp32', 'static');
  try {
    const codeMap = buildImageCodeMap(vocabularyEntries(makeTinyTokenizer()), 16384, V);
    const side = 16; // a 16x16 latent image: 16 x 17 + 4 = 276 image tokens with CFG
    const lq = Int32Array.from({ length: side * side }, (_, i) => (i * 37) % 16384);
    const prompt = Int32Array.from([0, 9100, 9101, 9102, ...Array.from(lq.subarray(0, 32), (c) => codeMap.codeToId[c]), 8710]);
    const run = (runner: DecoderRunner, seed: number) =>
      generatePure(runner, { prompt, lqCodes: lq, forcedText: [9200, 9201, 9202] }, { tokens: PURE_TOKENS, codeMap, side, latentPerGrid: 4, seed });
    const a = await run(new OrtDecoderRunner(concat), 21);
    const runner = new OrtStaticCacheRunner(fixed);
    const b = await run(runner, 21);
    assert.equal(a.imageComplete, true);
    assert.deepEqual(b.tokens, a.tokens);
    let worst = 0;
    for (let i = 0; i < a.entropy.length; i++) worst = Math.max(worst, Math.abs(a.entropy[i] - b.entropy[i]));
    assert.ok(worst < 1e-4, `entropy differs by ${worst}`);
    const c = await run(new OrtStaticCacheRunner(fixed), 22);
    assert.notDeepEqual(c.tokens, a.tokens, 'another seed writes other tokens');
  } finally {
    await concat.release();
    await fixed.release();
  }
});

test('a concat graph is refused with an actionable error', async () => {
  const concat = await session('fp32', 'concat');
  try {
    assert.throws(() => new OrtStaticCacheRunner(concat), (e: unknown) => e instanceof EngineError && e.code === 'MODEL_FORMAT');
  } finally {
    await concat.release();
  }
});

test('the runner choice follows the graph: a static graph gets the static runner, batched by default', async () => {
  const { createDecoderRunner, DEFAULT_STATIC_CFG_BATCHING } = await import('./decoder-runner-choice');
  const fixed = await session('fp32', 'static');
  const concat = await session('fp32', 'concat');
  try {
    assert.equal(fixed.cacheKind, 'static');
    assert.equal(concat.cacheKind, 'concat');
    const chosen = createDecoderRunner(fixed);
    assert.ok(chosen instanceof OrtStaticCacheRunner);
    assert.equal(chosen.maxBatch, DEFAULT_STATIC_CFG_BATCHING === 'batched' ? 2 : 1);
    assert.equal(createDecoderRunner(fixed, 'one-by-one').maxBatch, 1);
    assert.ok(!(createDecoderRunner(concat) instanceof OrtStaticCacheRunner), 'a concat graph keeps the concat runners');
  } finally {
    await fixed.release();
    await concat.release();
  }
});
