// The two-level (split) device cache against the concat one, on the tiny TEST MODEL decoder (seeded
// random weights; it restores nothing): the same prompt in chunks and the same greedy tokens, with
// small folds so that every path runs (empty big part, fold mid-prefill, fold after decode steps).
// On the CPU provider always; on WebGPU where an adapter exists (lavapipe on CI).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PURE_TINY_TEST } from '../config';
import { buildDecoderGraph } from '../decoder/decoder-graph';
import type { DecoderDtype } from '../decoder/decoder-graph';
import { makeTestWeights, weightGetter } from '../decoder/decoder-test-weights';
import { webgpuUnavailable } from '../../../testing/webgpu-adapter';
import { OrtGpuCacheRunner } from './ort-gpu-cache-runner';

const C = PURE_TINY_TEST.decoder;
const noWebgpu = await webgpuUnavailable();

async function compare(provider: string, dtype: DecoderDtype): Promise<{ worst: number; folds: number; same: number; steps: number }> {
  const weights = weightGetter(makeTestWeights(C));
  const concat = await OrtGpuCacheRunner.create(buildDecoderGraph(C, weights, { dtype }).model, C, dtype, { provider, prefillChunk: 4 });
  const split = await OrtGpuCacheRunner.create(buildDecoderGraph(C, weights, { dtype, cache: 'split' }).model, C, dtype, { provider, prefillChunk: 4, cache: 'split', foldEvery: 5 });
  try {
    const prompt = Int32Array.of(0, 5, 100, 8197, 8820, 8820, 70000, 4, 9, 3, 8196); // 11 tokens: 3 chunks, a fold after the 2nd
    const [a, b] = [await concat.openSequence(), await split.openSequence()];
    let [ref] = await concat.forward([{ sequence: a, tokens: prompt, position: 0 }]);
    let [got] = await split.forward([{ sequence: b, tokens: prompt, position: 0 }]);
    let worst = 0;
    let same = 0;
    const steps = 16;
    for (let s = 0; s <= steps; s++) {
      let [onRef, onGot] = [0, 0];
      for (let v = 0; v < C.vocabSize; v++) {
        worst = Math.max(worst, Math.abs(got[v] - ref[v]));
        if (ref[v] > ref[onRef]) onRef = v;
        if (got[v] > got[onGot]) onGot = v;
      }
      if (onRef === onGot) same++;
      if (s === steps) break;
      const step = (sequence: number) => ({ sequence, tokens: Int32Array.of(onRef), position: prompt.length + s });
      [ref] = await concat.forward([step(a)]);
      [got] = await split.forward([step(b)]);
    }
    await Promise.all([concat.closeSequence(a), split.closeSequence(b)]);
    return { worst, folds: split.folds, same, steps: steps + 1 };
  } finally {
    await Promise.all([concat.release(), split.release()]);
  }
}

test('the split cache gives the concat cache\'s logits on the CPU, across folds', { timeout: 120_000 }, async () => {
  const r = await compare('cpu', 'fp32');
  console.log(`split vs concat, cpu fp32: max |d| ${r.worst.toExponential(2)}, ${r.folds} folds, greedy ${r.same}/${r.steps}`);
  // Folds once the small part holds 5: after the 2nd prompt chunk (8 tokens), then at 13, 18 and 23
  // of the 27 tokens (11 prompt + 16 steps): 4 folds, the first into an empty big part.
  assert.equal(r.folds, 4);
  assert.ok(r.worst < 1e-4, `logits within 1e-4 (got ${r.worst})`);
  assert.equal(r.same, r.steps);
});

test('the split cache on WebGPU: the concat cache\'s logits, in fp32 and fp16', { skip: noWebgpu, timeout: 300_000 }, async () => {
  for (const dtype of ['fp32', 'fp16'] as const) {
    const r = await compare('webgpu', dtype);
    console.log(`split vs concat, webgpu ${dtype}: max |d| ${r.worst.toExponential(2)}, ${r.folds} folds, greedy ${r.same}/${r.steps}`);
    assert.equal(r.folds, 4);
    assert.ok(r.worst < (dtype === 'fp32' ? 1e-4 : 5e-2), `${dtype}: logits close (got ${r.worst})`);
    assert.ok(r.same >= r.steps - 1, `${dtype}: the greedy path (${r.same}/${r.steps})`);
  }
});
