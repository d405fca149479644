// The float32 sampling graph on onnxruntime's WebGPU provider against the same graph on the CPU
// provider and the host sampler. Needs a WebGPU adapter: without one (no GPU, no Vulkan driver
// Dawn accepts) it is skipped and says so; on a CPU it runs on Mesa's lavapipe. The bounds the
// graph reports assume only WGSL's accuracy, so they must hold here as on the CPU.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TokenSampler } from '../../common/sampling/sampler';
import type { StepKind } from '../../common/sampling/step-tracker';
import { PURE_TOKENS } from '../config';
import { makeTinyTokenizer } from '../fixtures/tiny-tokenizer';
import { buildImageCodeMap, vocabularyEntries } from '../tokenizer/code-map';
import { mulberry32 } from '../../../testing/mulberry32';
import { webgpuUnavailable } from '../../../testing/webgpu-adapter';
import { DeviceSampler, MARGIN_F32 } from './device-sampler';
import type { GraphSample } from './device-sampler';
import { rngYielding } from './rng-yielding';

const V = 73728;
const codeMap = buildImageCodeMap(vocabularyEntries(makeTinyTokenizer()), 16384, V);
const maskIds = { codeIds: codeMap.codeIds, rowEnd: PURE_TOKENS.rowEnd, imageEnd: PURE_TOKENS.imageEnd };

const skip = await webgpuUnavailable();
const sure = (r: GraphSample) => r.marginU >= MARGIN_F32 && r.marginH >= MARGIN_F32 && r.marginK >= MARGIN_F32;

test("on WebGPU the float32 graph gives the CPU graph's and the host's answers wherever it is sure", { skip, timeout: 300_000 }, async (t) => {
  const gpu = await DeviceSampler.create(V, {}, maskIds, { executionProviders: ['webgpu'], logSeverityLevel: 3 }, 'float32');
  const cpu = await DeviceSampler.create(V, {}, maskIds, { intraOpNumThreads: 1 }, 'float32');
  const host = new TokenSampler({}, maskIds);
  const r = mulberry32(11);
  const noise = (scale: number) => Float32Array.from({ length: V }, () => scale * (r() + r() + r() - 1.5));
  const steps: StepKind[] = [{ mode: 'text' }, { mode: 'grid', index: 0 }, { mode: 'image', position: 3, slot: 'code', height: 8, width: 8 }, { mode: 'image', position: 8, slot: 'rowEnd', height: 8, width: 8 }];
  let sureBoth = 0;
  let rows = 0;
  try {
    for (let i = 0; i < 4; i++) {
      const logits = { cond: noise(1 + i), uncond: noise(2) };
      for (const step of steps) {
        const u = Math.floor(r() * 2 ** 53) / 2 ** 53;
        const h = host.sample(logits, step, rngYielding(u));
        const [g] = await gpu.runGraph([{ logits, step, u }]);
        const [c] = await cpu.runGraph([{ logits, step, u }]);
        const what = `#${i} ${JSON.stringify(step)}`;
        assert.ok(Math.abs(g.entropy - h.entropy) <= g.entropyBound, `${what}: webgpu entropy within its bound`);
        assert.ok(Math.abs(g.entropy - c.entropy) <= g.entropyBound + c.entropyBound, `${what}: webgpu and cpu entropies within their bounds`);
        if (sure(g)) assert.deepEqual([g.token, g.k, g.kept], [h.token, h.k, h.kept], `${what}: webgpu sure, so the host's`);
        if (sure(g) && sure(c)) {
          assert.deepEqual([g.token, g.k, g.kept], [c.token, c.k, c.kept], `${what}: webgpu and cpu`);
          sureBoth++;
        }
        rows++;
        const d = await gpu.sample(logits, step, rngYielding(u));
        assert.equal(d.token, h.token, `${what}: the device sampler on webgpu gives the host's token`);
      }
    }
  } finally {
    await Promise.all([gpu.release(), cpu.release()]);
  }
  t.diagnostic(`sure on both providers: ${sureBoth} of ${rows} rows`);
  assert.ok(sureBoth >= rows / 2);
});
