import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeImage } from '../image/decode';
import type { RasterImage } from '../image/types';
import { photo } from '../../testing/fixtures';
import { degrade, parseDegradation } from './degrade';
import { imresizeMatlabRgb } from './matlab-imresize';
import { levelOf, perceive, perceiveDetailed, withEngineLevels } from './perception';
import { toFloatImage, toRaster8 } from './plane';
import type { FloatImage } from './plane';

/** A committed photo, halved like the calibration's clean references (perceive-calibrate.ts). */
async function clean(name: 'chelsea.png' | 'rocket.jpg' | 'camera.png'): Promise<FloatImage> {
  const half = imresizeMatlabRgb(toFloatImage((await decodeImage(photo(name), { maxPixels: 1e7 })).rgb), 0.5);
  return { ...half, data: half.data.map((v) => Math.min(1, Math.max(0, v))) };
}

async function degraded(hq: FloatImage, spec: string): Promise<RasterImage> {
  return toRaster8((await degrade(hq, parseDegradation(spec), { seed: 5, scale: 1 })).image);
}

test('levels follow known single-factor degradations of committed photos', async () => {
  for (const name of ['chelsea.png', 'rocket.jpg', 'camera.png'] as const) {
    const hq = await clean(name);
    const cases: [string, 'noise' | 'blur', string][] = [
      ['preset:noise=0', 'noise', 'small'],
      ['preset:noise=13', 'noise', 'medium'],
      ['preset:noise=26,grey', 'noise', 'large'],
      ['preset:blur=0', 'blur', 'small'],
      ['preset:blur=1.5', 'blur', 'medium'],
      ['preset:blur=2.8', 'blur', 'large'],
    ];
    for (const [spec, factor, level] of cases) {
      const p = perceive(await degraded(hq, spec));
      assert.equal(p?.[factor], level, `${name} ${spec}: ${JSON.stringify(p)}`);
      assert.equal(p?.source, 'estimated');
    }
  }
});

test('the noise estimate tracks sigma and ignores blur; the blur estimate grows with sigma', async () => {
  const hq = await clean('chelsea.png');
  const n10 = perceiveDetailed(await degraded(hq, 'preset:noise=10'))!.noise.sigma;
  const n20 = perceiveDetailed(await degraded(hq, 'preset:noise=20'))!.noise.sigma;
  assert.ok(n20 > 1.8 * n10 && n20 < 2.2 * n10, `${n10} ${n20}`);
  const blurred = perceiveDetailed(await degraded(hq, 'preset:blur=2'))!;
  assert.ok(blurred.noise.sigma < 2, `noise of a blurred clean photo: ${blurred.noise.sigma}`);
  const b = await Promise.all([0.5, 1.2, 2, 3].map(async (s) => perceiveDetailed(await degraded(hq, `preset:blur=${s}`))!.blur.sigma));
  for (let i = 1; i < b.length; i++) assert.ok(b[i] > b[i - 1], String(b));
});

test('too small or flat to measure: no perception rather than a guess', () => {
  const tiny: RasterImage = { width: 8, height: 8, channels: 3, bitDepth: 8, data: new Uint8Array(192).fill(90) };
  assert.equal(perceive(tiny), undefined);
  const flat: RasterImage = { width: 64, height: 64, channels: 3, bitDepth: 8, data: new Uint8Array(64 * 64 * 3).fill(90) };
  assert.equal(perceive(flat), undefined); // no edges: blur cannot be told
});

test('16-bit input gives the same levels as 8-bit', async () => {
  const eight = await degraded(await clean('camera.png'), 'preset:noise=12');
  const sixteen: RasterImage = { ...eight, bitDepth: 16, data: Uint16Array.from(eight.data, (v) => v * 257) };
  assert.deepEqual(perceive(sixteen), perceive(eight));
});

test('an engine\'s own levels take precedence; the measurements stay', () => {
  const est = { noise: 'small', blur: 'large', estimates: { noiseSigma: 1, blurSigma: 3 }, source: 'estimated' } as const;
  assert.deepEqual(withEngineLevels(est, { noise: 'medium' }), { ...est, noise: 'medium', source: 'model' });
  assert.equal(withEngineLevels(est, undefined), est);
  assert.equal(withEngineLevels(est, {}), est);
  assert.equal(levelOf(7.99, [8, 18]), 'small');
  assert.equal(levelOf(8, [8, 18]), 'medium');
  assert.equal(levelOf(18, [8, 18]), 'large');
});

test('perception of a 12-megapixel photo stays far below the cost of restoring it', () => {
  // The worst case: noise everywhere (every pixel an edge candidate, pre-smoothing, the fallback
  // threshold). A photo takes a fraction of this; restoring 12 MP takes minutes.
  const w = 4000;
  const h = 3000;
  const data = new Uint8Array(w * h * 3);
  for (let i = 0; i < data.length; i++) data[i] = (i * 2654435761) % 97 < 48 ? 60 : 190;
  const t0 = performance.now();
  perceive({ width: w, height: h, channels: 3, bitDepth: 8, data });
  assert.ok(performance.now() - t0 < 3000, `${performance.now() - t0} ms`);
});
