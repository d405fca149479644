// The float32 sampling graph (sampling-graph-f32.ts) against the host sampler, on onnxruntime's
// CPU provider: wherever its three margins are at least MARGIN_F32 bounds, its token, k and kept
// count must be the host's, and its entropy must always be within the bound it reports; through
// DeviceSampler (which redoes the other steps on the host) every token is the host's. Logits: the
// tiny TEST MODEL decoder (PURE's 73728 vocabulary, seeded random weights: it restores nothing)
// and adversarial ones (ties at the k-th score, u beside CDF boundaries).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TokenSampler } from '../../common/sampling/sampler';
import type { SampleResult, StepLogits } from '../../common/sampling/sampler';
import { cloneRng, createRng, nextFloat } from '../../common/sampling/rng';
import type { StepKind } from '../../common/sampling/step-tracker';
import { PURE_TINY_TEST, PURE_TOKENS } from '../config';
import { buildDecoderGraph } from '../decoder/decoder-graph';
import { DecoderSession } from '../decoder/decoder-session';
import type { KvCache } from '../decoder/decoder-session';
import { makeTestWeights, weightGetter } from '../decoder/decoder-test-weights';
import { makeTinyTokenizer } from '../fixtures/tiny-tokenizer';
import { buildImageCodeMap, vocabularyEntries } from '../tokenizer/code-map';
import { mulberry32 } from '../../../testing/mulberry32';
import { DeviceSampler, MARGIN_F32 } from './device-sampler';
import type { GraphSample } from './device-sampler';
import { rngYielding } from './rng-yielding';
import { shortGenerationSteps } from './step-layout';

const C = PURE_TINY_TEST.decoder;
const V = C.vocabSize;
const codeMap = buildImageCodeMap(vocabularyEntries(makeTinyTokenizer()), 16384, V);
const maskIds = { codeIds: codeMap.codeIds, rowEnd: PURE_TOKENS.rowEnd, imageEnd: PURE_TOKENS.imageEnd };
const CODE: StepKind = { mode: 'image', position: 3, slot: 'code', height: 64, width: 64 };

const sure = (r: GraphSample) => r.marginU >= MARGIN_F32 && r.marginH >= MARGIN_F32 && r.marginK >= MARGIN_F32;

/** The graph may differ from the host only where it said it was unsure; its entropy never by more than its bound. */
function checkRaw(raw: GraphSample, host: SampleResult, what: string): void {
  assert.ok(Math.abs(raw.entropy - host.entropy) <= raw.entropyBound, `${what}: entropy ${raw.entropy} vs ${host.entropy}, bound ${raw.entropyBound}`);
  if (sure(raw)) assert.deepEqual([raw.token, raw.k, raw.kept], [host.token, host.k, host.kept], `${what}: sure (margins ${raw.marginU}, ${raw.marginH}, ${raw.marginK}) but not the host's`);
}

/** Host and device sampler from copies of one RNG state; the graph's raw answer for the same uniform. */
async function compare(device: DeviceSampler, logits: StepLogits, step: StepKind, u: number, what: string): Promise<GraphSample> {
  const hostRng = rngYielding(u);
  const devRng = rngYielding(u);
  const host = new TokenSampler(device.settings, maskIds).sample(logits, step, hostRng);
  const dev = await device.sample(logits, step, devRng);
  assert.deepEqual([dev.token, dev.k, dev.kept], [host.token, host.k, host.kept], `${what}: the device sampler gives the host's token`);
  assert.deepEqual([...devRng.s], [...hostRng.s]);
  const [raw] = await device.runGraph([{ logits, step, u }]);
  checkRaw(raw, host, what);
  return raw;
}

test('tiny TEST MODEL logits: sure steps give the host token, the rest are redone, entropy within its bound', { timeout: 300_000 }, async (t) => {
  const session = await DecoderSession.create(buildDecoderGraph(C, weightGetter(makeTestWeights(C)), { dtype: 'fp32' }).model, C, 'fp32', { intraOpNumThreads: 1 });
  const device = await DeviceSampler.create(V, {}, maskIds, { intraOpNumThreads: 1 }, 'float32');
  const host = new TokenSampler({}, maskIds);
  const [H, W] = [4, 8];
  let steps = 0;
  let sureSteps = 0;
  const unsure: string[] = [];
  try {
    for (const seed of [1, 2]) {
      const rng = createRng(seed);
      let cond = await session.run({ inputIds: [[0, 5, 100, 8197, 8820, 8820, 70000, 4, 9, 3, 8196, 8710 - seed]] });
      let uncondPast: KvCache | undefined;
      let uncondLogits: Float32Array | undefined;
      const grid: number[] = [];
      for (const step of shortGenerationSteps(H, W)) {
        const logits = { cond: cond.logits, ...(uncondLogits && { uncond: uncondLogits }) };
        const deviceRng = cloneRng(rng);
        const u = nextFloat(cloneRng(rng)); // the uniform both samplers are about to draw
        const h = host.sample(logits, step, rng);
        const d = await device.sample(logits, step, deviceRng);
        const what = `seed ${seed}, ${JSON.stringify(step)}`;
        assert.deepEqual([d.token, d.k, d.kept], [h.token, h.k, h.kept], what);
        assert.deepEqual([...deviceRng.s], [...rng.s]);
        const [raw] = await device.runGraph([{ logits, step, u }]);
        checkRaw(raw, h, what);
        assert.equal(d.redone, !sure(raw), 'the device sampler redid exactly the unsure steps');
        if (sure(raw)) sureSteps++;
        else unsure.push(`${step.mode}${step.mode === 'image' ? `/${step.slot}` : ''} (margins u ${raw.marginU.toPrecision(3)}, h ${raw.marginH.toPrecision(3)}, k ${raw.marginK.toPrecision(3)})`);
        steps++;
        const token = step.mode === 'grid' ? 8804 + (step.index === 0 ? H : W) / 4 : h.token;
        if (step.mode === 'grid') grid.push(token);
        cond = await session.run({ inputIds: [[token]], past: cond.present });
        if (step.mode === 'grid' && step.index === 1) {
          const un = await session.run({ inputIds: [[PURE_TOKENS.imageStart, ...grid]] });
          [uncondPast, uncondLogits] = [un.present, un.logits];
        } else if (step.mode === 'image' && uncondPast) {
          const un = await session.run({ inputIds: [[token]], past: uncondPast });
          [uncondPast, uncondLogits] = [un.present, un.logits];
        }
      }
    }
  } finally {
    await Promise.all([session.release(), device.release()]);
  }
  t.diagnostic(`float32 graph sure on ${sureSteps} of ${steps} steps; redone on the host: ${unsure.join(', ') || 'none'}`);
  assert.equal(steps, 2 * shortGenerationSteps(H, W).length);
  assert.ok(sureSteps >= steps / 2, `the float32 graph decides most steps itself: ${sureSteps} of ${steps}`);
});

function noise(seed: number, scale = 3): Float32Array {
  const r = mulberry32(seed);
  return Float32Array.from({ length: V }, () => scale * (r() + r() + r() - 1.5));
}

const quantize = (u: number) => Math.floor(u * 2 ** 53) / 2 ** 53;

test("ties at the k-th score: a tie of identical inputs is sure, and sure answers keep the host's ties", async () => {
  const device = await DeviceSampler.create(V, {}, maskIds, { intraOpNumThreads: 1 }, 'float32');
  try {
    const r = mulberry32(3);
    let sureTied = 0;
    for (let i = 0; i < 4; i++) {
      // 9 x 3 levels: thousands of identical (cond, uncond) pairs, so the k-th score is an exact tie.
      const cond = Float32Array.from({ length: V }, () => Math.floor(r() * 9) * 0.5);
      const uncond = Float32Array.from({ length: V }, () => Math.floor(r() * 3) * 0.25);
      for (const step of [{ mode: 'grid', index: 0 } as StepKind, CODE]) {
        const raw = await compare(device, { cond, uncond }, step, quantize(r()), `ties #${i}`);
        assert.ok(raw.kept > raw.k, 'the k-th score is tied');
        if (sure(raw)) sureTied++;
      }
    }
    assert.ok(sureTied > 0, 'exact ties do not force a redo');
  } finally {
    await device.release();
  }
});

test('u beside the CDF boundaries of real-valued weights: unsure there, and the host decides', async () => {
  const device = await DeviceSampler.create(V, {}, maskIds, { intraOpNumThreads: 1 }, 'float32');
  const logits = { cond: noise(7, 4), uncond: noise(8) };
  const host = new TokenSampler({}, maskIds);
  const tokenAt = (m: number) => host.sample(logits, CODE, rngYielding(m / 2 ** 53)).token;
  const r = mulberry32(4);
  let unsure = 0;
  let far = 0;
  try {
    for (let i = 0; i < 4; i++) {
      // Bisect on the 2^53 grid for the exact u where the host's token changes.
      let lo = Math.floor(r() * 2 ** 52);
      let hi = lo + 2 ** 44;
      const t0 = tokenAt(lo);
      if (tokenAt(hi) === t0) continue;
      while (hi - lo > 1) {
        const mid = Math.floor((lo + hi) / 2);
        if (tokenAt(mid) === t0) lo = mid;
        else hi = mid;
      }
      for (const m of [lo, hi]) if (!sure(await compare(device, logits, CODE, m / 2 ** 53, `boundary ${i}, m = ${m}`))) unsure++;
      // Far from any boundary in u (half an interval away) the graph is sure.
      if (sure(await compare(device, logits, CODE, (lo - 2 ** 42) / 2 ** 53, `inside ${i}`))) far++;
    }
  } finally {
    await device.release();
  }
  assert.ok(unsure > 0, 'the margins flag u on a boundary');
  assert.ok(far > 0, 'and not u well inside an interval');
});

test('every step kind on noisy logits with CFG, another temperature and k range', async () => {
  const settings = { temperature: 0.7, kMin: 3, kMax: 300, entropyMu: 9 };
  const device = await DeviceSampler.create(V, settings, maskIds, { intraOpNumThreads: 1 }, 'float32');
  const r = mulberry32(2);
  try {
    for (let i = 0; i < 4; i++) {
      const logits = { cond: noise(70 + i, 1 + i), uncond: noise(90 + i) };
      const steps: StepKind[] = [{ mode: 'text' }, { mode: 'grid', index: 1 }, CODE, { ...CODE, slot: 'rowEnd' }, { ...CODE, slot: 'imageEnd' }];
      for (const step of steps) await compare(device, logits, step, quantize(r()), `#${i} ${JSON.stringify(step)}`);
    }
  } finally {
    await device.release();
  }
});
