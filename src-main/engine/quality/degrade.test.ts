import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { EngineError } from '../common/errors';
import { degrade, deriveSeed, parseDegradation } from './degrade';
import { addPoissonNoise } from './noise';
import { toFloatImage, toRaster8 } from './plane';
import type { FloatImage } from './plane';
import { Rng } from './rng';
import { chelseaCrop } from './test-pairs';

const flat = (w: number, h: number, v: number): FloatImage => ({ width: w, height: h, data: new Float64Array(w * h * 3).fill(v) });
const sha = (img: FloatImage): string => createHash('sha256').update(toRaster8(img).data).digest('hex');

function channelStats(img: FloatImage, c: number): { mean: number; std: number } {
  const v = img.data.filter((_, i) => i % 3 === c).map((x) => x * 255);
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  return { mean, std: Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / (v.length - 1)) };
}

test('parses degradation specs and refuses bad ones', () => {
  assert.deepEqual(parseDegradation('realesrgan'), { kind: 'realesrgan' });
  assert.deepEqual(parseDegradation('preset:noise=10,grey'), { kind: 'preset', preset: { noise: 10, grey: true } });
  assert.deepEqual(parseDegradation('preset:blur=1.5,jpeg=30'), { kind: 'preset', preset: { blur: 1.5, jpeg: 30 } });
  for (const bad of ['bicubic', 'preset:', 'preset:noise', 'preset:jpeg=0', 'preset:jpeg=50.5', 'preset:blur=-1', 'preset:sharpen=2']) {
    assert.throws(() => parseDegradation(bad), (e: unknown) => e instanceof EngineError && e.code === 'INVALID_OPTION', bad);
  }
});

test('the Real-ESRGAN pipeline is reproducible bit for bit for a seed, and ends at 1/4 size', async () => {
  const hq = toFloatImage(await chelseaCrop(100, 60, 128, 96));
  const a = await degrade(hq, { kind: 'realesrgan' }, { seed: 11, scale: 4 });
  const b = await degrade(hq, { kind: 'realesrgan' }, { seed: 11, scale: 4 });
  assert.equal(sha(a.image), sha(b.image));
  assert.deepEqual(a.steps, b.steps);
  assert.equal(a.image.width, 32);
  assert.equal(a.image.height, 24);
  const others = await Promise.all([12, 13, 14].map((seed) => degrade(hq, { kind: 'realesrgan' }, { seed, scale: 4 })));
  for (const o of others) assert.notEqual(sha(o.image), sha(a.image));
  // Both orders of the model: two noise steps, two JPEG steps, resizes ending at 32x24.
  for (const d of [a, ...others]) {
    assert.equal(d.steps.filter((s) => s.op === 'noise').length, 2);
    assert.equal(d.steps.filter((s) => s.op === 'jpeg').length, 2);
    const last = d.steps.filter((s) => s.op === 'resize').at(-1);
    assert.deepEqual(last && [last.width, last.height], [32, 24]);
    for (const s of d.steps) if (s.op === 'jpeg') assert.ok(s.quality >= 30 && s.quality <= 95);
  }
});

test('preset noise: a flat patch measures the sigma asked for; colour noise is per channel, grey is shared', async () => {
  const colour = await degrade(flat(128, 128, 0.5), parseDegradation('preset:noise=10'), { seed: 1, scale: 1 });
  for (const c of [0, 1, 2]) {
    const { mean, std } = channelStats(colour.image, c);
    assert.ok(Math.abs(std - 10) < 0.3 && Math.abs(mean - 127.5) < 0.3, `channel ${c}: ${std}`);
  }
  const d = colour.image.data;
  let corr = 0;
  for (let p = 0; p < d.length; p += 3) corr += (d[p] - 0.5) * (d[p + 1] - 0.5);
  assert.ok(Math.abs(corr / (d.length / 3) / (10 / 255) ** 2) < 0.05); // R and G independent
  const grey = await degrade(flat(64, 64, 0.5), parseDegradation('preset:noise=20,grey'), { seed: 1, scale: 1 });
  for (let p = 0; p < grey.image.data.length; p += 3) assert.ok(grey.image.data[p] === grey.image.data[p + 1] && grey.image.data[p] === grey.image.data[p + 2]);
  assert.ok(Math.abs(channelStats(grey.image, 0).std - 20) < 1);
  assert.equal(sha(colour.image), sha((await degrade(flat(128, 128, 0.5), parseDegradation('preset:noise=10'), { seed: 1, scale: 1 })).image));
});

test('Poisson noise: variance v * L / L^2 in a flat area (L = the image levels, a power of two)', () => {
  // 256 distinct levels elsewhere make L = 256; the flat half at 0.5 then has sigma sqrt(128) / 256.
  const img = flat(128, 128, 0.5);
  for (let p = 0; p < 64 * 128; p++) img.data.fill((p % 256) / 255, p * 3, p * 3 + 3);
  const noisy = addPoissonNoise(img, 1, false, new Rng(2));
  const half: FloatImage = { width: 128, height: 64, data: noisy.data.subarray(64 * 128 * 3) };
  const expected = (Math.sqrt(128) / 256) * 255;
  for (const c of [0, 1, 2]) assert.ok(Math.abs(channelStats(half, c).std - expected) / expected < 0.05, `${channelStats(half, c).std} vs ${expected}`);
});

test('preset blur: a step edge takes the Gaussian profile of the sigma asked for', async () => {
  const step = flat(64, 16, 0.2);
  for (let p = 0; p < 64 * 16; p++) if (p % 64 >= 32) step.data.fill(0.8, p * 3, p * 3 + 3);
  const out = (await degrade(step, parseDegradation('preset:blur=2'), { seed: 1, scale: 1 })).image;
  const phi = (z: number): number => 0.5 * (1 + erf(z / Math.SQRT2));
  for (const x of [28, 30, 31, 32, 33, 35]) {
    const expected = 0.2 + 0.6 * phi((x - 31.5) / 2);
    assert.ok(Math.abs(out.data[(8 * 64 + x) * 3] - expected) < 0.004, `x=${x}: ${out.data[(8 * 64 + x) * 3]} vs ${expected}`);
  }
});

/** Abramowitz & Stegun 7.1.26, |error| < 1.5e-7. */
function erf(x: number): number {
  const t = 1 / (1 + 0.3275911 * Math.abs(x));
  const y = 1 - t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))) * Math.exp(-x * x);
  return x < 0 ? -y : y;
}

test('preset JPEG: lower quality loses more; presets at x4 downscale first', async () => {
  const hq = toFloatImage(await chelseaCrop(100, 60, 128, 96));
  const err = (img: FloatImage): number => img.data.reduce((a, v, i) => a + (v - hq.data[i]) ** 2, 0);
  const q10 = await degrade(hq, parseDegradation('preset:jpeg=10'), { seed: 1, scale: 1 });
  const q50 = await degrade(hq, parseDegradation('preset:jpeg=50'), { seed: 1, scale: 1 });
  const q95 = await degrade(hq, parseDegradation('preset:jpeg=95'), { seed: 1, scale: 1 });
  assert.ok(err(q10.image) > err(q50.image) && err(q50.image) > err(q95.image) && err(q95.image) > 0);
  const x4 = await degrade(hq, parseDegradation('preset:noise=5'), { seed: 1, scale: 4 });
  assert.deepEqual([x4.image.width, x4.image.height], [32, 24]);
  assert.deepEqual(x4.steps.map((s) => s.op), ['resize', 'noise']);
  await assert.rejects(degrade(flat(30, 30, 0.5), { kind: 'realesrgan' }, { seed: 1, scale: 4 }), /multiples of 4/);
});

test('per-image seeds are stable and differ between names', () => {
  assert.equal(deriveSeed(1, 'a.png'), deriveSeed(1, 'a.png'));
  assert.notEqual(deriveSeed(1, 'a.png'), deriveSeed(1, 'b.png'));
  assert.notEqual(deriveSeed(1, 'a.png'), deriveSeed(2, 'a.png'));
  assert.ok(Number.isSafeInteger(deriveSeed(2 ** 50, 'x')));
});
