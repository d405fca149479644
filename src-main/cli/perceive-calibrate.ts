// Calibrates the perception thresholds and measures their accuracy on held-out photos.
//   tsx src-main/cli/perceive-calibrate.ts [--write]
// Clean photos (Debian's, TEST-DATA.md; first halved with MATLAB's antialiased bicubic, so that
// their own softness, noise and JPEG artefacts shrink below what is applied) get single-factor
// degradations with known parameters (Gaussian noise sigma, Gaussian blur sigma; seeded); the
// raw estimates on the CALIBRATION photos
// choose the thresholds that best separate the levels, and the HELD_OUT photos (none in common)
// say how often the level is right. Writes docs/quality/perception-accuracy.md; with --write also
// src-main/engine/quality/perception-thresholds.ts.
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { decodeImage } from '../engine/image/decode';
import { degrade, deriveSeed, parseDegradation } from '../engine/quality/degrade';
import { estimateBlur } from '../engine/quality/estimate-blur';
import { estimateNoise } from '../engine/quality/estimate-noise';
import { imresizeMatlabRgb } from '../engine/quality/matlab-imresize';
import { BLUR_LEVEL_BOUNDS, levelOf, NOISE_LEVEL_BOUNDS } from '../engine/quality/perception';
import { toFloatImage, toRaster8 } from '../engine/quality/plane';
import type { FloatImage } from '../engine/quality/plane';
import type { DegradationLevel } from '../protocol/restore';
import { debianPhotos } from './eval-photos';

const ROOT = resolve(import.meta.dirname, '../..');
export const CALIBRATION = ['astronaut.png', 'coffee.png', 'building.jpg', 'leuvenA.jpg', 'chicky_512.png', 'aloeL.jpg', 'fruits.jpg', 'home.jpg'];
export const HELD_OUT = ['chelsea.png', 'rocket.jpg', 'camera.png', 'baboon.jpg', 'messi5.jpg', 'graf1.png', 'apple.jpg', 'orange.jpg'];
const CAL_NOISE = Array.from({ length: 21 }, (_, i) => i * 1.5); // 0 .. 30
const CAL_BLUR = Array.from({ length: 17 }, (_, i) => Number((i * 0.2).toFixed(1))); // 0 .. 3.2
const TEST_NOISE = [0, 2, 4, 6, 10, 13, 16, 20, 25, 30];
const TEST_BLUR = [0, 0.4, 0.7, 1.2, 1.5, 1.8, 2.3, 2.7, 3.0];
const SEED = 2024;

interface Sample {
  image: string;
  applied: number;
  estimate: number;
}

async function measure(name: string, hq: FloatImage, factor: 'noise' | 'blur', value: number): Promise<Sample> {
  const spec = `preset:${factor}=${value}`;
  const lq = toRaster8((await degrade(hq, parseDegradation(spec), { seed: deriveSeed(SEED, `${name}:${spec}`), scale: 1 })).image);
  const noise = estimateNoise(lq);
  if (!noise) throw new Error(`${name}: no noise estimate`);
  const estimate = factor === 'noise' ? noise.sigma : (estimateBlur(lq, noise.sigma)?.sigma ?? NaN);
  return { image: name, applied: value, estimate };
}

/** The photo at half size (antialiased), clipped to [0, 1] as a photo would be stored. */
function clean(photo: FloatImage): FloatImage {
  const half = imresizeMatlabRgb(photo, 0.5);
  return { ...half, data: half.data.map((v) => Math.min(1, Math.max(0, v))) };
}

async function collect(names: string[], noiseGrid: number[], blurGrid: number[]): Promise<{ noise: Sample[]; blur: Sample[] }> {
  const paths = debianPhotos(names);
  const noise: Sample[] = [];
  const blur: Sample[] = [];
  for (const [name, path] of paths) {
    const hq = clean(toFloatImage((await decodeImage(path, { maxPixels: 1e8 })).rgb));
    for (const v of noiseGrid) noise.push(await measure(name, hq, 'noise', v));
    for (const v of blurGrid) blur.push(await measure(name, hq, 'blur', v));
    process.stderr.write(`  ${name}\n`);
  }
  return { noise, blur };
}

/** The threshold on the estimates that best splits applied < bound from applied >= bound. */
function bestThreshold(samples: Sample[], bound: number): number {
  const values = [...new Set(samples.map((s) => s.estimate))].sort((a, b) => a - b);
  const candidates = values.slice(1).map((v, i) => (v + values[i]) / 2);
  let best: number[] = [];
  let fewest = Infinity;
  for (const t of candidates) {
    const errors = samples.filter((s) => s.applied >= bound !== s.estimate >= t).length;
    if (errors < fewest) {
      fewest = errors;
      best = [t];
    } else if (errors === fewest) best.push(t);
  }
  return Number(best[Math.floor(best.length / 2)].toFixed(3)); // the middle of the best range
}

const LEVELS: DegradationLevel[] = ['small', 'medium', 'large'];

function report(title: string, unit: string, samples: Sample[], bounds: readonly [number, number], thresholds: [number, number]): { md: string; accuracy: Record<DegradationLevel, number> } {
  const confusion = LEVELS.map(() => LEVELS.map(() => 0));
  for (const s of samples) confusion[LEVELS.indexOf(levelOf(s.applied, bounds))][LEVELS.indexOf(levelOf(s.estimate, thresholds))]++;
  const accuracy = Object.fromEntries(LEVELS.map((l, i) => [l, confusion[i][i] / confusion[i].reduce((a, b) => a + b, 0)])) as Record<DegradationLevel, number>;
  const total = confusion.reduce((a, r, i) => a + r[i], 0) / samples.length;
  const applied = [...new Set(samples.map((s) => s.applied))];
  const images = [...new Set(samples.map((s) => s.image))];
  const lines = [
    `### ${title}`,
    '',
    `Level boundaries on the applied ${unit}: small < ${bounds[0]} <= medium < ${bounds[1]} <= large. Thresholds on the raw estimate: ${thresholds[0]} and ${thresholds[1]}.`,
    '',
    '| true level | samples | correct | accuracy | predicted small / medium / large |',
    '|---|---|---|---|---|',
    ...LEVELS.map((l, i) => `| ${l} | ${confusion[i].reduce((a, b) => a + b, 0)} | ${confusion[i][i]} | ${(accuracy[l] * 100).toFixed(1)}% | ${confusion[i].join(' / ')} |`),
    `| **all** | ${samples.length} | ${confusion.reduce((a, r, i) => a + r[i], 0)} | **${(total * 100).toFixed(1)}%** | |`,
    '',
    `Raw estimates per photo (columns: applied ${unit}):`,
    '',
    `| photo | ${applied.join(' | ')} |`,
    `|---|${applied.map(() => '---').join('|')}|`,
    ...images.map((img) => `| ${img} | ${applied.map((a) => samples.find((s) => s.image === img && s.applied === a)!.estimate.toFixed(2)).join(' | ')} |`),
    '',
  ];
  return { md: lines.join('\n'), accuracy };
}

async function main(): Promise<void> {
  const t0 = performance.now();
  process.stderr.write('calibration set\n');
  const cal = await collect(CALIBRATION, CAL_NOISE, CAL_BLUR);
  const noiseT: [number, number] = [bestThreshold(cal.noise, NOISE_LEVEL_BOUNDS[0]), bestThreshold(cal.noise, NOISE_LEVEL_BOUNDS[1])];
  const blurT: [number, number] = [bestThreshold(cal.blur, BLUR_LEVEL_BOUNDS[0]), bestThreshold(cal.blur, BLUR_LEVEL_BOUNDS[1])];
  process.stderr.write(`thresholds: noise ${noiseT.join(', ')}; blur ${blurT.join(', ')}\nheld-out set\n`);
  const test = await collect(HELD_OUT, TEST_NOISE, TEST_BLUR);
  const calN = report('Noise, calibration set', 'noise sigma (0..255)', cal.noise, NOISE_LEVEL_BOUNDS, noiseT);
  const calB = report('Blur, calibration set', 'blur sigma (px)', cal.blur, BLUR_LEVEL_BOUNDS, blurT);
  const testN = report('Noise, held-out set', 'noise sigma (0..255)', test.noise, NOISE_LEVEL_BOUNDS, noiseT);
  const testB = report('Blur, held-out set', 'blur sigma (px)', test.blur, BLUR_LEVEL_BOUNDS, blurT);
  const doc = [
    '# Perception accuracy (generated)',
    '',
    'Generated by `tsx src-main/cli/perceive-calibrate.ts --write` (Debian photos, see shared/docs/TEST-DATA.md); see',
    '[perception.md](perception.md) for the method. Each photo is first halved (MATLAB bicubic with antialiasing) so that its',
    'own softness, noise and JPEG artefacts fall well below what is applied; then single-factor degradations:',
    '`preset:noise=<sigma>` (Gaussian, independent per channel) and `preset:blur=<sigma>` (isotropic Gaussian), seed',
    `${SEED} mixed with the photo and the preset.`,
    '',
    `- Calibration photos: ${CALIBRATION.join(', ')}; noise sigma ${CAL_NOISE[0]}..${CAL_NOISE.at(-1)} step 1.5, blur sigma 0..3.2 step 0.2.`,
    `- Held-out photos (no photo in common): ${HELD_OUT.join(', ')}; noise sigma ${TEST_NOISE.join(', ')}; blur sigma ${TEST_BLUR.join(', ')}.`,
    '',
    '## Held-out accuracy (the figure that counts)',
    '',
    testN.md,
    testB.md,
    '## Calibration set (the thresholds were fitted here)',
    '',
    calN.md,
    calB.md,
  ].join('\n');
  writeFileSync(resolve(ROOT, 'docs/quality/perception-accuracy.md'), doc);
  if (process.argv.includes('--write')) {
    const file = resolve(ROOT, 'src-main/engine/quality/perception-thresholds.ts');
    writeFileSync(
      file,
      [
        '// GENERATED by `tsx src-main/cli/perceive-calibrate.ts --write` from the calibration set in',
        '// docs/quality/perception-accuracy.md; do not edit by hand. Boundaries on the raw estimates',
        '// (estimate-noise.ts, estimate-blur.ts) between small|medium and medium|large.',
        `export const NOISE_THRESHOLDS: readonly [number, number] = [${noiseT.join(', ')}];`,
        `export const BLUR_THRESHOLDS: readonly [number, number] = [${blurT.join(', ')}];`,
        '',
      ].join('\n'),
    );
  }
  const pct = (r: Record<DegradationLevel, number>): string => LEVELS.map((l) => `${l} ${(r[l] * 100).toFixed(1)}%`).join(', ');
  process.stderr.write(`held-out noise: ${pct(testN.accuracy)}\nheld-out blur: ${pct(testB.accuracy)}\n(${((performance.now() - t0) / 1000).toFixed(0)} s)\n`);
}

await main();
