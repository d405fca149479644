// The GPU-resident KV cache runner against the CPU decoder session on the tiny TEST MODEL decoder
// (seeded random weights; it restores nothing). Needs a WebGPU adapter: on a machine without one
// (no GPU, no Vulkan driver Dawn accepts) it is skipped and says so. On a CPU it runs on Mesa's
// lavapipe (Vulkan on the CPU; scripts/install-lavapipe.sh, which CI runs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PURE_TINY_TEST } from '../config';
import { buildDecoderGraph } from '../decoder/decoder-graph';
import type { DecoderDtype } from '../decoder/decoder-graph';
import { DecoderSession } from '../decoder/decoder-session';
import type { KvCache } from '../decoder/decoder-session';
import { makeTestWeights, weightGetter } from '../decoder/decoder-test-weights';
import { join } from 'node:path';
import { makeTinyPureCheckpoint } from '../fixtures/make-tiny-checkpoint';
import { convertPure } from '../package/convert-pure';
import sharp from 'sharp';
import { photo, tempDir } from '../../../testing/fixtures';
import { webgpuUnavailable } from '../../../testing/webgpu-adapter';
import { OrtGpuCacheRunner } from './ort-gpu-cache-runner';
import { PurePipeline } from './pure-pipeline';

const C = PURE_TINY_TEST.decoder;

const skip = await webgpuUnavailable();

interface Walk {
  worst: number; // max |logit - cpu| over every step
  range: number; // the CPU logits' widest range
  same: number; // steps whose greedy token is the CPU's
  up: number; // bytes up per decode step
  down: number; // bytes down per decode step
}

/**
 * A prompt, then `steps` decode steps on the GPU runner and the CPU decoder session side by side,
 * both fed the CPU's greedy token (one path for both); `eachStep` checks the runner between steps.
 */
async function walk(dtype: DecoderDtype, steps: number, eachStep: (gpu: OrtGpuCacheRunner, seq: number) => void = () => undefined): Promise<Walk> {
  const model = buildDecoderGraph(C, weightGetter(makeTestWeights(C)), { dtype, ...(dtype === 'int4' && { int4: { accuracyLevel: 0 } }) }).model;
  const cpu = await DecoderSession.create(model, C, dtype);
  const gpu = await OrtGpuCacheRunner.create(model, C, dtype);
  try {
    const prompt = [0, 5, 100, 8197, 8820, 8820, 70000, 4, 9];
    const seq = await gpu.openSequence();
    let [logits] = await gpu.forward([{ sequence: seq, tokens: Int32Array.from(prompt), position: 0 }]);
    let ref = await cpu.run({ inputIds: [prompt] });
    let past: KvCache = ref.present;
    const before = gpu.traffic.snapshot();
    const w = { worst: 0, range: 0, same: 0 };
    for (let s = 0; s < steps; s++) {
      let [lo, hi, onGpu, onCpu] = [Infinity, -Infinity, 0, 0];
      for (let v = 0; v < C.vocabSize; v++) {
        w.worst = Math.max(w.worst, Math.abs(logits[v] - ref.logits[v]));
        [lo, hi] = [Math.min(lo, ref.logits[v]), Math.max(hi, ref.logits[v])];
        if (logits[v] > logits[onGpu]) onGpu = v;
        if (ref.logits[v] > ref.logits[onCpu]) onCpu = v;
      }
      w.range = Math.max(w.range, hi - lo);
      if (onGpu === onCpu) w.same++;
      [logits] = await gpu.forward([{ sequence: seq, tokens: Int32Array.of(onCpu), position: prompt.length + s }]);
      ref = await cpu.run({ inputIds: [[onCpu]], past });
      past = ref.present;
      eachStep(gpu, seq);
    }
    await gpu.closeSequence(seq);
    return { ...w, up: (gpu.traffic.bytesUp - before.up) / steps, down: (gpu.traffic.bytesDown - before.down) / steps };
  } finally {
    await Promise.all([cpu.release(), gpu.release()]);
  }
}

test('the cache stays on the device, only tokens and logits cross, and the logits match the CPU runner', { skip, timeout: 300_000 }, async () => {
  const steps = 12;
  const r = await walk('fp32', steps, (gpu, seq) => assert.deepEqual(new Set(gpu.cacheLocations(seq)), new Set(['gpu-buffer']), 'every present.* stayed on the device'));
  console.log(`webgpu KV runner, tiny TEST MODEL: max |logit - cpu| ${r.worst.toExponential(2)}; per decode step ${r.up.toFixed(0)} B up, ${r.down.toFixed(0)} B down`);
  assert.ok(r.worst < 1e-3, `logits within 1e-3 of the CPU's (got ${r.worst})`);
  assert.equal(r.down, C.vocabSize * 4, 'only the logits come down');
  assert.ok(r.up < 8 * (9 + steps + 3) + 64, 'only ids, positions and the mask go up');
});

test('fp16 and int4 graphs on webgpu follow the CPU: logits within 1% of their range, the same greedy path', { skip, timeout: 300_000 }, async () => {
  // Measured on lavapipe: fp16 1.7e-2 and int4 8.8e-3 of a range of about 9.9 (fp16 accumulates
  // differently on each provider); 8 of 8 greedy tokens equal. A provider bug is far larger.
  for (const dtype of ['fp16', 'int4'] as const) {
    const r = await walk(dtype, 8);
    console.log(`${dtype} on webgpu: max |logit - cpu| ${r.worst.toExponential(2)} of a range of ${r.range.toFixed(2)}; greedy ${r.same}/8 equal`);
    assert.ok(r.worst < 0.01 * r.range, `${dtype}: within 1% of the range (got ${r.worst})`);
    assert.ok(r.same >= 7, `${dtype}: the greedy path is the CPU's (${r.same}/8)`);
  }
});

test('PurePipeline on webgpu loads the package\'s concat graph with the cache on the device; the same greedy token as on the CPU', { skip, timeout: 600_000 }, async () => {
  const dir = tempDir();
  const made = await makeTinyPureCheckpoint(join(dir, 'checkpoint'), { seed: 9 });
  const model = join(dir, 'pure-tiny');
  await convertPure({ checkpoint: join(dir, 'checkpoint'), vq: made.vqFile, out: model, dtype: 'fp32' });
  const gpu = await PurePipeline.load(model, 1, ['webgpu']);
  const cpu = await PurePipeline.load(model, 1, ['cpu']);
  try {
    assert.equal(gpu.provider, 'webgpu');
    assert.equal(gpu.kvCache, 'device');
    assert.equal(cpu.kvCache, 'host-static');
    assert.deepEqual(await gpu.selfTest(), await cpu.selfTest());
  } finally {
    await Promise.all([gpu.close(), cpu.close()]);
  }
});

test('PurePipeline with sampleOnDevice samples on webgpu and writes the tokens the host sampler writes', { skip, timeout: 600_000 }, async () => {
  const dir = tempDir();
  const made = await makeTinyPureCheckpoint(join(dir, 'checkpoint'), { seed: 4 });
  const model = join(dir, 'pure-tiny');
  await convertPure({ checkpoint: join(dir, 'checkpoint'), vq: made.vqFile, out: model, dtype: 'fp32' });
  const { data, info } = await sharp(photo('chelsea.png')).extract({ left: 120, top: 40, width: 96, height: 96 }).raw().toBuffer({ resolveWithObject: true });
  const image = { width: info.width, height: info.height, channels: 3 as const, bitDepth: 8 as const, data: new Uint8Array(data) };
  const settings = { seed: 2, previewEveryRows: 0, text: 'noise: small, blur: small. A cat.', maxNewTokens: 12 };
  const run = async (sampleOnDevice: boolean) => {
    const pipeline = await PurePipeline.load(model, 1, ['webgpu'], { sampleOnDevice });
    try {
      assert.equal(pipeline.kvCache, 'device');
      return (await pipeline.restore(image, settings)).generation;
    } finally {
      await pipeline.close();
    }
  };
  const [onHost, onDevice] = [await run(false), await run(true)];
  assert.deepEqual([...onDevice.tokens], [...onHost.tokens]);
  assert.deepEqual([...onDevice.codes], [...onHost.codes]);
});
