// Sampling on the device, end to end through the generation loop: the tiny TEST MODEL decoder on
// WebGPU (seeded random weights; it restores nothing) with its logits left on the device and the
// float32 sampling graph choosing each token there, against the same decoder handing its logits
// to the host sampler. The tokens must be the host's (the graph defers every step it cannot be
// sure of), and per token nothing of vocabulary size may cross. Needs a WebGPU adapter (lavapipe
// on CI, scripts/install-lavapipe.sh); skipped without one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PURE_TINY_TEST, PURE_TOKENS } from '../config';
import { buildDecoderGraph } from '../decoder/decoder-graph';
import { makeTestWeights, weightGetter } from '../decoder/decoder-test-weights';
import { makeTinyTokenizer } from '../fixtures/tiny-tokenizer';
import { generatePure } from '../generation/generate';
import type { GenerateOptions } from '../generation/generate';
import { serializeImage } from '../generation/token-layout';
import { DeviceSampler } from '../sampling-graph/device-sampler';
import { deviceLogitsSampler } from '../sampling-graph/device-logits-sampler';
import { buildImageCodeMap, vocabularyEntries } from '../tokenizer/code-map';
import { webgpuUnavailable } from '../../../testing/webgpu-adapter';
import { OrtGpuCacheRunner } from './ort-gpu-cache-runner';

const C = PURE_TINY_TEST.decoder;
const skip = await webgpuUnavailable();

test('tokens sampled on the device are the host sampler\'s, and no logits cross per token', { skip, timeout: 600_000 }, async () => {
  const model = buildDecoderGraph(C, weightGetter(makeTestWeights(C)), { dtype: 'fp32' }).model; // concat cache
  const codeMap = buildImageCodeMap(vocabularyEntries(makeTinyTokenizer()), 16384, C.vocabSize);
  const side = 4; // a 4x4 latent image, one grid unit of 4
  const lq = Int32Array.from({ length: side * side }, (_, i) => (i * 37) % 16384);
  const prompt = Int32Array.from([PURE_TOKENS.bos, 5, 100, ...serializeImage(lq, side, side, codeMap.codeToId, PURE_TOKENS, 4), PURE_TOKENS.endOfTurn]);
  const options = (): GenerateOptions => ({ tokens: PURE_TOKENS, codeMap, side, latentPerGrid: 4, seed: 7, maxTextTokens: 3, maxPositions: C.maxPositions });

  const host = await OrtGpuCacheRunner.create(model, C, 'fp32');
  const device = await OrtGpuCacheRunner.create(model, C, 'fp32', { logitsOnDevice: true });
  const maskIds = { codeIds: codeMap.codeIds, rowEnd: PURE_TOKENS.rowEnd, imageEnd: PURE_TOKENS.imageEnd };
  const sampler = await DeviceSampler.create(C.vocabSize, {}, maskIds, { executionProviders: ['webgpu'] }, 'float32');
  try {
    const expected = await generatePure(host, { prompt, lqCodes: lq }, options());
    const before = { decoder: device.traffic.snapshot(), sampler: sampler.traffic.snapshot(), reads: device.readTraffic!.snapshot() };
    const got = await generatePure(device.deviceLogits(), { prompt, lqCodes: lq }, options(), deviceLogitsSampler(sampler, (t) => device.readLogits(t)));

    assert.equal(expected.imageComplete, true, 'the host run wrote the whole image');
    assert.deepEqual([...got.tokens], [...expected.tokens], 'the same tokens, text, grid and image');
    assert.deepEqual([...got.codes], [...expected.codes]);
    for (let i = 0; i < expected.entropy.length; i++) assert.ok(Math.abs(got.entropy[i] - expected.entropy[i]) < 1e-4, `entropy of code ${i}`);

    const samples = sampler.traffic.calls - before.sampler.calls;
    const down = (sampler.traffic.bytesDown - before.sampler.down) / samples;
    const up = (sampler.traffic.bytesUp - before.sampler.up) / samples;
    const redoBytes = device.readTraffic!.bytesDown - before.reads.down;
    console.log(`device sampling, tiny TEST MODEL on webgpu: ${samples} tokens sampled, ${sampler.redone} redone on the host (${redoBytes} B of logits read for them); per token ${up.toFixed(0)} B up (besides the decoder's ids and mask), ${down.toFixed(0)} B down`);
    assert.equal(device.traffic.bytesDown - before.decoder.down, 0, 'the decoder sent nothing down: cache and logits stayed on the device');
    assert.ok(down < 64 && up < 64, `a few bytes each way per token (got ${up} up, ${down} down)`);
    // A redo reads the step's logits rows (both branches on a CFG step), nothing else is read.
    assert.ok(redoBytes <= sampler.redone * 2 * C.vocabSize * 4 && (sampler.redone === 0) === (redoBytes === 0), `reads only for redos (${redoBytes} B for ${sampler.redone})`);
  } finally {
    await Promise.all([host.release(), device.release(), sampler.release()]);
  }
});
