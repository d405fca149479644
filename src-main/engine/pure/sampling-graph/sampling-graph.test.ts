// The sampling graph against the host sampler (common/sampling/sampler.ts) on adversarial logits:
// ties at the k-th score, uniforms on and beside CDF boundaries, entropies beside a step of k.
// "Raw" is the graph's own answer; the DeviceSampler adds the host redo for small margins and must
// always give the host's token, entropy within 1e-12, k, kept count and RNG state.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TokenSampler } from '../../common/sampling/sampler';
import type { StepLogits } from '../../common/sampling/sampler';
import { nextFloat } from '../../common/sampling/rng';
import type { StepKind } from '../../common/sampling/step-tracker';
import type { SamplingSettings } from '../../common/sampling/settings';
import { buildImageCodeMap, vocabularyEntries } from '../tokenizer/code-map';
import { makeTinyTokenizer } from '../fixtures/tiny-tokenizer';
import { PURE_TOKENS } from '../config';
import { mulberry32 } from '../../../testing/mulberry32';
import { DeviceSampler, MARGIN_H, MARGIN_U } from './device-sampler';
import { rngYielding } from './rng-yielding';

const V = 73728;
const codeMap = buildImageCodeMap(vocabularyEntries(makeTinyTokenizer()), 16384, V);
const maskIds = { codeIds: codeMap.codeIds, rowEnd: PURE_TOKENS.rowEnd, imageEnd: PURE_TOKENS.imageEnd };
const GRID: StepKind = { mode: 'grid', index: 0 };
const TEXT: StepKind = { mode: 'text' };
const CODE: StepKind = { mode: 'image', position: 3, slot: 'code', height: 64, width: 64 };
const ROW_END: StepKind = { mode: 'image', position: 64, slot: 'rowEnd', height: 64, width: 64 };
const IMAGE_END: StepKind = { mode: 'image', position: 64 * 65, slot: 'imageEnd', height: 64, width: 64 };

const samplers = new Map<string, Promise<DeviceSampler>>();
function device(settings: Partial<SamplingSettings> = {}): Promise<DeviceSampler> {
  const key = JSON.stringify(settings);
  if (!samplers.has(key)) samplers.set(key, DeviceSampler.create(V, settings, maskIds, { intraOpNumThreads: 2 }));
  return samplers.get(key)!;
}
test.after(async () => {
  for (const s of samplers.values()) await (await s).release();
});

/** u = m / 2^53, the grid nextFloat draws from. */
const quantize = (u: number) => Math.floor(u * 2 ** 53) / 2 ** 53;

/** The host's answer for a given uniform, and the device sampler's, from identical RNG states. */
async function both(logits: StepLogits, step: StepKind, u: number, settings: Partial<SamplingSettings> = {}) {
  const hostRng = rngYielding(u);
  const devRng = rngYielding(u);
  const host = new TokenSampler(settings, maskIds).sample(logits, step, hostRng);
  const dev = await (await device(settings)).sample(logits, step, devRng);
  const [raw] = await (await device(settings)).runGraph([{ logits, step, u }]);
  assert.deepEqual([...devRng.s], [...hostRng.s], 'the device sampler advanced the RNG as the host');
  return { host, dev, raw };
}

function assertSame(r: Awaited<ReturnType<typeof both>>, what: string): void {
  const { host, dev, raw } = r;
  assert.equal(dev.token, host.token, `${what}: token`);
  assert.equal(dev.k, host.k, `${what}: k`);
  assert.equal(dev.kept, host.kept, `${what}: kept`);
  assert.ok(Math.abs(dev.entropy - host.entropy) <= 1e-12, `${what}: entropy ${dev.entropy} vs ${host.entropy}`);
  // The graph alone may differ only where it said it could not be sure.
  if (raw.token !== host.token) assert.ok(raw.marginU < MARGIN_U, `${what}: raw token ${raw.token} != ${host.token} with margin ${raw.marginU}`);
  if (raw.k !== host.k) assert.ok(raw.marginH < MARGIN_H, `${what}: raw k ${raw.k} != ${host.k} with margin ${raw.marginH}`);
}

function noise(seed: number, scale = 3): Float32Array {
  const r = mulberry32(seed);
  return Float32Array.from({ length: V }, () => scale * (r() + r() + r() - 1.5));
}

test('rngYielding makes nextFloat return exactly the chosen u', () => {
  for (const u of [0, 0.5, quantize(Math.PI / 4), 1 - 2 ** -53, 2 ** -53]) assert.equal(nextFloat(rngYielding(u)), u);
});

test('every step kind on noisy logits: text, grid, image code with CFG, row end, image end', async () => {
  const r = mulberry32(1);
  for (let i = 0; i < 12; i++) {
    const logits = { cond: noise(10 + i, 1 + i), uncond: noise(50 + i) };
    for (const step of [TEXT, GRID, CODE, ROW_END, IMAGE_END]) {
      const res = await both(logits, step, quantize(r()));
      assertSame(res, `${step.mode} #${i}`);
      assert.equal(res.raw.token, res.host.token, 'no boundary case here: the graph alone agrees');
    }
  }
});

test('CFG off (g = 1) and another temperature and k range', async () => {
  const settings = { guidanceScale: 1, temperature: 0.7, kMin: 3, kMax: 300, entropyMu: 4 };
  const r = mulberry32(2);
  for (let i = 0; i < 6; i++) assertSame(await both({ cond: noise(70 + i, 2 + i), uncond: noise(90 + i) }, CODE, quantize(r()), settings), `g = 1 #${i}`);
});

test('ties at the k-th score are all kept, as the host keeps them', async () => {
  // Scores on 9 levels: thousands of exact ties, so the k-th largest is tied many times over.
  const r = mulberry32(3);
  for (let i = 0; i < 8; i++) {
    const cond = Float32Array.from({ length: V }, () => Math.floor(r() * 9) * 0.5);
    const uncond = Float32Array.from({ length: V }, () => Math.floor(r() * 3) * 0.25);
    for (const step of [GRID, CODE]) {
      const res = await both({ cond, uncond }, step, quantize(r()));
      assertSame(res, `ties #${i}`);
      assert.ok(res.host.kept > res.host.k, 'the k-th score is tied');
      assert.equal(res.raw.kept, res.host.kept);
    }
  }
});

test('u exactly on a CDF boundary and one grid step either side: equal weights make every sum exact', async () => {
  // 2048 equal top scores (the rest far below and cut by top-k): weights exp(0) = 1, cumulative
  // sums 1, 2, ... 2048, so u = j / 2048 puts u * total exactly on a boundary.
  const cond = new Float32Array(V).fill(-40);
  for (let i = 0; i < 2048; i++) cond[i * 30] = 7;
  const logits = { cond };
  const ids = Array.from({ length: 2048 }, (_, i) => i * 30);
  for (const j of [0, 1, 777, 1024, 2047]) {
    for (const u of [j / 2048, j / 2048 - 2 ** -53, j / 2048 + 2 ** -53].filter((x) => x >= 0 && x < 1)) {
      const res = await both(logits, TEXT, u, { textTopK: 2048 });
      assertSame(res, `j = ${j}, u = ${u}`);
      assert.equal(res.raw.token, res.host.token, 'exact arithmetic: the graph alone agrees even on the boundary');
      assert.equal(res.host.token, ids[u * 2048 < j ? j - 1 : j]);
    }
  }
});

test('u beside the boundaries of real-valued weights: where the graph is unsure, the host decides', async () => {
  const cond = noise(7, 4);
  const logits = { cond, uncond: noise(8) };
  const host = new TokenSampler({}, maskIds);
  const tokenAt = (u: number) => host.sample(logits, CODE, rngYielding(u)).token;
  const r = mulberry32(4);
  let unsure = 0;
  for (let i = 0; i < 6; i++) {
    // Bisect on the 2^53 grid for the exact u where the host's token changes.
    let lo = Math.floor(r() * 2 ** 52);
    let hi = lo + 2 ** 40;
    const t0 = tokenAt(lo / 2 ** 53);
    if (tokenAt(hi / 2 ** 53) === t0) continue;
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (tokenAt(mid / 2 ** 53) === t0) lo = mid;
      else hi = mid;
    }
    for (const m of [lo - 1000, lo, hi, hi + 1000]) {
      const res = await both(logits, CODE, m / 2 ** 53);
      assertSame(res, `boundary ${i}, m = ${m}`);
      if (res.raw.marginU < MARGIN_U) unsure++;
    }
  }
  assert.ok(unsure > 0, 'the margins flag the boundary cases');
});

test('entropy beside a step of k: one f32 ulp of a logit either side gives the host k on both sides', async () => {
  // One peaked token over flat logits on the image codes: H falls as the peak grows. Bisect the
  // peak over f32 values for two neighbours on either side of a step of k.
  const base = new Float32Array(V);
  const host = new TokenSampler({}, maskIds);
  const peakId = codeMap.codeIds[100];
  const at = (x: number) => {
    const cond = base.slice();
    cond[peakId] = x;
    return { cond };
  };
  const kAt = (x: number) => host.sample(at(x), GRID, rngYielding(0.5)).k;
  const f = new Float32Array(1);
  const bits = new Uint32Array(f.buffer);
  const fromBits = (b: number) => ((bits[0] = b), f[0]);
  f[0] = 8;
  let lo = bits[0];
  f[0] = 14;
  let hi = bits[0];
  assert.ok(kAt(fromBits(lo)) > kAt(fromBits(hi)));
  while (hi - lo > 1) {
    const mid = (lo + hi) >>> 1;
    if (kAt(fromBits(mid)) === kAt(fromBits(lo))) lo = mid;
    else hi = mid;
  }
  const sides = [fromBits(lo), fromBits(hi)];
  const ks = sides.map(kAt);
  assert.notEqual(ks[0], ks[1], 'a step of k between two neighbouring f32 values');
  for (const x of sides) {
    const res = await both(at(x), GRID, 0.25);
    assertSame(res, `peak ${x}`);
    assert.equal(res.raw.k, res.host.k);
  }
});

test('a batch of rows in different modes gives each row its own answer', async () => {
  const dev = await device();
  const r = mulberry32(6);
  const rows = [TEXT, CODE, ROW_END, GRID].map((step, i) => ({ logits: { cond: noise(200 + i, 2), uncond: noise(300 + i) }, step, u: quantize(r()) }));
  const batch = await dev.runGraph(rows);
  for (let i = 0; i < rows.length; i++) {
    const [alone] = await dev.runGraph([rows[i]]);
    assert.deepEqual([batch[i].token, batch[i].k, batch[i].kept], [alone.token, alone.k, alone.kept], `row ${i}`);
    // onnxruntime's vectorised exp/log may round a value 1 ulp apart at another offset in the batch.
    assert.ok(Math.abs(batch[i].entropy - alone.entropy) <= 1e-12, `row ${i} entropy`);
  }
});
