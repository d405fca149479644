// The synthetic degradations that make low-quality inputs with a known ground truth:
//  - 'realesrgan': the second-order model of Real-ESRGAN (Wang et al. 2021) with the parameters of
//    its x4plus training (docs/quality/degradation.md lists them), ending at 1/scale size;
//  - presets ('preset:noise=10', 'preset:blur=1.5', 'preset:jpeg=30', combinable with commas):
//    blur at full size, MATLAB bicubic downscale by `scale`, then noise, then JPEG.
// Everything random comes from one seeded Rng, drawn in a fixed order: a seed reproduces the
// output bit for bit. Every step is logged with its drawn parameters.
import { EngineError } from '../common/errors';
import { gaussianKernel, identityKernel, padKernel, randomMixedKernel, sincKernel } from './kernels';
import type { Kernel, KernelShape, KernelSpec, MixedKernelOptions } from './kernels';
import { jpegRoundTrip } from './jpeg';
import { imresizeMatlabRgb } from './matlab-imresize';
import { addGaussianNoise, addPoissonNoise } from './noise';
import type { FloatImage } from './plane';
import { filter2D, RESIZE_MODES, resizeFloat } from './resample';
import type { ResizeMode } from './resample';
import { Rng } from './rng';

export type DegradationStep =
  | { op: 'blur'; kernel: KernelSpec }
  | { op: 'resize'; mode: ResizeMode | 'matlab-bicubic'; width: number; height: number }
  | { op: 'noise'; type: 'gaussian'; grey: boolean; sigma: number }
  | { op: 'noise'; type: 'poisson'; grey: boolean; scale: number }
  | { op: 'jpeg'; quality: number };

export interface Preset {
  noise?: number; // Gaussian sigma on the 0..255 scale
  grey?: boolean; // one noise draw for all channels
  blur?: number; // isotropic Gaussian sigma in full-size pixels
  jpeg?: number; // quality 1..100
}

export type DegradationSpec = { kind: 'realesrgan' } | { kind: 'preset'; preset: Preset };

/** Parses `realesrgan` or `preset:noise=10,grey,blur=1.5,jpeg=30`. */
export function parseDegradation(text: string): DegradationSpec {
  if (text === 'realesrgan') return { kind: 'realesrgan' };
  const body = /^preset:(.+)$/.exec(text)?.[1];
  const fail = (why: string): never => {
    throw new EngineError('INVALID_OPTION', `Invalid degradation "${text}": ${why}.`, 'Use realesrgan or preset:noise=<sigma>, preset:blur=<sigma>, preset:jpeg=<quality> (comma-separated to combine; add ",grey" for grey noise).');
  };
  if (!body) return fail('unknown kind');
  const preset: Preset = {};
  for (const part of body.split(',')) {
    const [key, value] = part.split('=');
    if (key === 'grey' && value === undefined) {
      preset.grey = true;
      continue;
    }
    const n = Number(value);
    if (value === undefined || value === '' || !Number.isFinite(n)) fail(`"${part}" needs a number`);
    if (key === 'noise' && n >= 0 && n <= 255) preset.noise = n;
    else if (key === 'blur' && n >= 0 && n <= 20) preset.blur = n;
    else if (key === 'jpeg' && Number.isInteger(n) && n >= 1 && n <= 100) preset.jpeg = n;
    else fail(`"${part}" is unknown or out of range (noise 0..255, blur 0..20, jpeg 1..100)`);
  }
  return { kind: 'preset', preset };
}

export interface Degraded {
  image: FloatImage;
  steps: DegradationStep[];
}

const ALL_SHAPES: readonly KernelShape[] = ['iso', 'aniso', 'generalized_iso', 'generalized_aniso', 'plateau_iso', 'plateau_aniso'];
const SHAPE_WEIGHTS = [0.45, 0.25, 0.12, 0.03, 0.12, 0.03];
const KERNEL_SIZES = [7, 9, 11, 13, 15, 17, 19, 21];
const FIRST: MixedKernelOptions = { shapes: ALL_SHAPES, weights: SHAPE_WEIGHTS, sigma: [0.2, 3], betaG: [0.5, 4], betaP: [1, 2] };
const SECOND: MixedKernelOptions = { ...FIRST, sigma: [0.2, 1.5] };

/** Real-ESRGAN's x4plus training parameters (options/train_realesrgan_x4plus.yml). */
export const REALESRGAN_PARAMS = {
  kernelSizes: KERNEL_SIZES, first: FIRST, second: SECOND, sincProb: 0.1, sincProb2: 0.1, finalSincProb: 0.8,
  resizeProb: [0.2, 0.7, 0.1], resizeRange: [0.15, 1.5], gaussianNoiseProb: 0.5, noiseRange: [1, 30],
  poissonScaleRange: [0.05, 3], greyNoiseProb: 0.4, jpegRange: [30, 95],
  secondBlurProb: 0.8, resizeProb2: [0.3, 0.4, 0.3], resizeRange2: [0.3, 1.2], gaussianNoiseProb2: 0.5,
  noiseRange2: [1, 25], poissonScaleRange2: [0.05, 2.5], greyNoiseProb2: 0.4, jpegRange2: [30, 95],
} as const;

function blurKernel(rng: Rng, options: MixedKernelOptions, sincProb: number): { kernel: Kernel; spec: KernelSpec } {
  const size = rng.choose(KERNEL_SIZES);
  if (rng.next() < sincProb) {
    const omegaC = size < 13 ? rng.uniform(Math.PI / 3, Math.PI) : rng.uniform(Math.PI / 5, Math.PI);
    return { kernel: padKernel(sincKernel(size, omegaC), 21), spec: { shape: 'sinc', size, omegaC } };
  }
  const { kernel, spec } = randomMixedKernel(rng, size, options);
  return { kernel: padKernel(kernel, 21), spec };
}

class Pipeline {
  readonly steps: DegradationStep[] = [];
  constructor(public image: FloatImage, private readonly rng: Rng) {}

  blur(kernel: Kernel, spec: KernelSpec): void {
    this.image = filter2D(this.image, kernel);
    this.steps.push({ op: 'blur', kernel: spec });
  }

  resize(width: number, height: number, mode: ResizeMode): void {
    this.image = resizeFloat(this.image, Math.max(1, width), Math.max(1, height), mode);
    this.steps.push({ op: 'resize', mode, width: this.image.width, height: this.image.height });
  }

  randomNoise(gaussianProb: number, sigmaRange: readonly number[], poissonRange: readonly number[], greyProb: number): void {
    const { rng } = this;
    if (rng.next() < gaussianProb) {
      const sigma = rng.uniform(sigmaRange[0], sigmaRange[1]);
      const grey = rng.next() < greyProb;
      this.image = addGaussianNoise(this.image, sigma, grey, rng);
      this.steps.push({ op: 'noise', type: 'gaussian', grey, sigma });
    } else {
      const scale = rng.uniform(poissonRange[0], poissonRange[1]);
      const grey = rng.next() < greyProb;
      this.image = addPoissonNoise(this.image, scale, grey, rng);
      this.steps.push({ op: 'noise', type: 'poisson', grey, scale });
    }
  }

  async jpeg(quality: number): Promise<void> {
    const q = Math.round(quality);
    this.image = await jpegRoundTrip(this.image, q);
    this.steps.push({ op: 'jpeg', quality: q });
  }
}

async function realEsrgan(hq: FloatImage, scale: number, rng: Rng): Promise<Degraded> {
  const P = REALESRGAN_PARAMS;
  // Drawn in Real-ESRGAN's order: the three kernels first (the dataset), then the rest (the model).
  const k1 = blurKernel(rng, P.first, P.sincProb);
  const k2 = blurKernel(rng, P.second, P.sincProb2);
  let finalSinc: { kernel: Kernel; spec: KernelSpec };
  if (rng.next() < P.finalSincProb) {
    const size = rng.choose(KERNEL_SIZES);
    const omegaC = rng.uniform(Math.PI / 3, Math.PI);
    finalSinc = { kernel: padKernel(sincKernel(size, omegaC), 21), spec: { shape: 'sinc', size, omegaC } };
  } else {
    finalSinc = { kernel: identityKernel(21), spec: { shape: 'identity', size: 21 } };
  }
  const p = new Pipeline(hq, rng);
  const { width: W, height: H } = hq;
  const randomScale = (probs: readonly number[], range: readonly number[]): number => {
    const kind = rng.choose(['up', 'down', 'keep'] as const, probs);
    return kind === 'up' ? rng.uniform(1, range[1]) : kind === 'down' ? rng.uniform(range[0], 1) : 1;
  };

  p.blur(k1.kernel, k1.spec);
  const s1 = randomScale(P.resizeProb, P.resizeRange);
  p.resize(Math.floor(p.image.width * s1), Math.floor(p.image.height * s1), rng.choose(RESIZE_MODES));
  p.randomNoise(P.gaussianNoiseProb, P.noiseRange, P.poissonScaleRange, P.greyNoiseProb);
  await p.jpeg(rng.uniform(P.jpegRange[0], P.jpegRange[1]));

  if (rng.next() < P.secondBlurProb) p.blur(k2.kernel, k2.spec);
  const s2 = randomScale(P.resizeProb2, P.resizeRange2);
  p.resize(Math.trunc((W / scale) * s2), Math.trunc((H / scale) * s2), rng.choose(RESIZE_MODES));
  p.randomNoise(P.gaussianNoiseProb2, P.noiseRange2, P.poissonScaleRange2, P.greyNoiseProb2);
  const resizeBack = (): void => {
    p.resize(Math.floor(W / scale), Math.floor(H / scale), rng.choose(RESIZE_MODES));
    p.blur(finalSinc.kernel, finalSinc.spec);
  };
  // The final sinc and the JPEG come in a random order (ringing before or after compression).
  if (rng.next() < 0.5) {
    resizeBack();
    await p.jpeg(rng.uniform(P.jpegRange2[0], P.jpegRange2[1]));
  } else {
    await p.jpeg(rng.uniform(P.jpegRange2[0], P.jpegRange2[1]));
    resizeBack();
  }
  return { image: p.image, steps: p.steps };
}

async function preset(hq: FloatImage, scale: number, preset: Preset, rng: Rng): Promise<Degraded> {
  const p = new Pipeline(hq, rng);
  if (preset.blur) {
    const size = 2 * Math.max(1, Math.ceil(3 * preset.blur)) + 1; // +-3 sigma holds 99.7% of the mass
    p.blur(gaussianKernel(size, preset.blur), { shape: 'iso', size, sigmaX: preset.blur, sigmaY: preset.blur, theta: 0 });
  }
  if (scale > 1) {
    p.image = imresizeMatlabRgb(p.image, 1 / scale);
    p.steps.push({ op: 'resize', mode: 'matlab-bicubic', width: p.image.width, height: p.image.height });
  }
  if (preset.noise) {
    p.image = addGaussianNoise(p.image, preset.noise, preset.grey ?? false, rng);
    p.steps.push({ op: 'noise', type: 'gaussian', grey: preset.grey ?? false, sigma: preset.noise });
  }
  if (preset.jpeg !== undefined) await p.jpeg(preset.jpeg);
  return { image: p.image, steps: p.steps };
}

/**
 * Degrades `hq` (float RGB) by `spec`, to 1/scale of its size; the caller rounds to 8 bits
 * (toRaster8). The sides must be multiples of the scale.
 */
export async function degrade(hq: FloatImage, spec: DegradationSpec, options: { seed: number; scale: 1 | 2 | 4 }): Promise<Degraded> {
  const { scale, seed } = options;
  if (hq.width % scale !== 0 || hq.height % scale !== 0 || hq.width < 4 * scale || hq.height < 4 * scale) {
    throw new EngineError('INVALID_OPTION', `A ${hq.width}x${hq.height} image cannot be degraded by x${scale}: its sides must be multiples of ${scale}, at least ${4 * scale}.`);
  }
  const rng = new Rng(seed);
  return spec.kind === 'realesrgan' ? realEsrgan(hq, scale, rng) : preset(hq, scale, spec.preset, rng);
}

/** A per-image seed from the run's seed and the image's name, stable when images are added. */
export function deriveSeed(seed: number, name: string): number {
  let h = 0x811c9dc5; // FNV-1a
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
  return (((seed % 2 ** 32) ^ h) >>> 0) + Math.floor(seed / 2 ** 32) * 2 ** 32;
}
