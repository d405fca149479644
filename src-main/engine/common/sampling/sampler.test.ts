import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TokenSampler, sampleToken } from './sampler';
import type { MaskIds } from './processors';
import { createRng, nextFloat } from './rng';
import type { StepKind } from './step-tracker';

const VOCAB = 300;
// A small vocabulary with a made-up image-code set, so no id range is assumed anywhere.
const MASK: MaskIds = { codeIds: Int32Array.from({ length: 100 }, (_, i) => 150 + i), rowEnd: 20, imageEnd: 21 };
const TEXT: StepKind = { mode: 'text' };
const GRID: StepKind = { mode: 'grid', index: 0 };
const image = (slot: 'code' | 'rowEnd' | 'imageEnd'): StepKind => ({ mode: 'image', position: 0, slot, height: 2, width: 2 });

function logits(fill: number, peaks: Record<number, number> = {}): Float32Array {
  const a = new Float32Array(VOCAB).fill(fill);
  for (const [id, v] of Object.entries(peaks)) a[Number(id)] = v;
  return a;
}

test('text is greedy: k = 1 and the arg-max wins whatever the seed', () => {
  const cond = logits(0, { 7: 3.0, 8: 2.9 });
  for (let seed = 0; seed < 20; seed++) {
    const r = sampleToken({ cond }, TEXT, createRng(seed), {}, MASK);
    assert.equal(r.token, 7);
    assert.equal(r.k, 1);
    assert.equal(r.kept, 1);
  }
});

test('the mask forces the row end and the image end, and keeps image steps on image codes', () => {
  const cond = logits(0, { 5: 50, 20: -50, 21: -50 }); // the model "wants" a text token
  assert.equal(sampleToken({ cond }, image('rowEnd'), createRng(1), {}, MASK).token, MASK.rowEnd);
  assert.equal(sampleToken({ cond }, image('imageEnd'), createRng(1), {}, MASK).token, MASK.imageEnd);
  for (let seed = 0; seed < 50; seed++) {
    const { token } = sampleToken({ cond }, image('code'), createRng(seed), {}, MASK);
    assert.ok(token >= 150 && token < 250, `token ${token} is not an image code`);
  }
  // No mask for text or grid tokens.
  assert.equal(sampleToken({ cond }, TEXT, createRng(1), {}, MASK).token, 5);
  assert.equal(sampleToken({ cond }, GRID, createRng(1), {}, MASK).token, 5);
});

test('CFG (g = 0.8) changes the image token, not grid or text tokens, and g = 1 skips it', () => {
  // cond prefers 160 (100 vs 90); uncond strongly prefers 170 (0 vs 90).
  // combined = 0.8 * (cond - uncond) + uncond: 160 -> 0.8*100 + 0.2*0 = 80; 170 -> 0.8*90 + 0.2*90 = 90.
  const cond = logits(-1000, { 160: 100, 170: 90 });
  const uncond = logits(-1000, { 160: 0, 170: 90 });
  // After temperature 0.9 the gap is 10/0.9 = 11.1 nats: p(160) = 1.5e-5, so every seed below gives 170.
  for (let seed = 0; seed < 20; seed++) {
    assert.equal(sampleToken({ cond, uncond }, image('code'), createRng(seed), {}, MASK).token, 170);
    assert.equal(sampleToken({ cond, uncond }, GRID, createRng(seed), {}, MASK).token, 160);
    assert.equal(sampleToken({ cond, uncond }, TEXT, createRng(seed), {}, MASK).token, 160);
    assert.equal(sampleToken({ cond, uncond }, image('code'), createRng(seed), { guidanceScale: 1 }, MASK).token, 160);
  }
});

test('image tokens get the entropy-driven k, and ties at the k-th score are all kept', () => {
  // All 100 codes equal: H = ln 100 = 4.605 -> k = round(1 + 1999 * sigmoid(-0.395)) = round(1 + 1999 * 0.40251) = 806
  // clamped by the 100 candidates; every code ties with the k-th, so all 100 are kept.
  const r = sampleToken({ cond: logits(0) }, image('code'), createRng(3), {}, MASK);
  assert.ok(Math.abs(r.entropy - Math.log(100)) < 1e-6);
  assert.equal(r.k, 806);
  assert.equal(r.kept, 100);
  // One code at 8, the other 99 at 0: Z = e^8 + 99 = 3079.958, p1 = 0.967857, p0 = 1/Z = 3.2468e-4;
  // H = 0.967857 * 0.032672 + 99 * 3.2468e-4 * 8.032672 = 0.031622 + 0.258196 = 0.28982 nats;
  // k = round(1 + 1999 / (1 + e^(5 - 0.28982))) = round(1 + 1999 / 112.072) = round(18.837) = 19.
  // The 19th largest score is 0, tied by all 99 others: 100 candidates survive, not 19.
  const peaked = sampleToken({ cond: logits(0, { 200: 8 }) }, image('code'), createRng(3), {}, MASK);
  assert.ok(Math.abs(peaked.entropy - 0.28982) < 1e-4);
  assert.equal(peaked.k, 19);
  assert.equal(peaked.kept, 100);
  // 20 codes at 1 and 79 at 0: Z = e^8 + 20e + 79 = 3114.32, H = 0.36890 nats,
  // k = round(1 + 1999 / (1 + e^4.63110)) = round(20.29) = 20. The 20th largest is 1 (the peak, then
  // 19 of the twenty 1s), the twentieth 1 ties with it: 21 kept, and none of the zeros.
  const tiered = logits(0, { 200: 8 });
  for (let id = 150; id < 170; id++) tiered[id] = 1;
  const t = sampleToken({ cond: tiered }, image('code'), createRng(3), {}, MASK);
  assert.equal(t.k, 20);
  assert.equal(t.kept, 21);
});

test('sampled frequencies follow softmax(scores / T)', () => {
  // textTopK 3, T = 1: p = (0.5, 0.3, 0.2) by construction.
  const cond = logits(-1e9, { 1: Math.log(0.5), 2: Math.log(0.3), 3: Math.log(0.2) });
  const sampler = new TokenSampler({ textTopK: 3, temperature: 1 }, MASK);
  const rng = createRng(99);
  const counts = new Map<number, number>();
  const draws = 20000;
  for (let i = 0; i < draws; i++) {
    const t = sampler.sample({ cond }, TEXT, rng).token;
    counts.set(t, (counts.get(t) ?? 0) + 1);
  }
  // Three standard deviations of a binomial(20000, p) is at most 3 * sqrt(20000 * 0.25) = 212.
  for (const [id, p] of [[1, 0.5], [2, 0.3], [3, 0.2]] as const) assert.ok(Math.abs((counts.get(id) ?? 0) - p * draws) < 212, `token ${id}: ${counts.get(id)}`);
});

test('the same seed gives the same token sequence, another seed a different one', () => {
  const steps = 200;
  // Smooth random logits over the codes, the same for every run.
  const gen = createRng(2024);
  const table = Array.from({ length: 8 }, () => Float32Array.from({ length: VOCAB }, () => 3 * nextFloat(gen)));
  const run = (seed: number) => {
    const sampler = new TokenSampler({}, MASK);
    const rng = createRng(seed);
    return Array.from({ length: steps }, (_, i) => sampler.sample({ cond: table[i % 8], uncond: table[(i + 3) % 8] }, image('code'), rng).token);
  };
  assert.deepEqual(run(11), run(11));
  assert.notDeepEqual(run(11), run(12));
});

test('bad logits and settings fail loudly', () => {
  const cond = logits(0);
  cond[160] = NaN;
  assert.throws(() => sampleToken({ cond }, image('code'), createRng(1), {}, MASK), /NaN/);
  assert.throws(() => new TokenSampler({ temperature: 0 }, MASK), /temperature/);
  assert.throws(() => new TokenSampler({ kMin: 5, kMax: 2 }, MASK), /kMin/);
});
