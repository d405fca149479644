// Degradation perception for every engine: noise and blur levels (small / medium / large) of an
// input photo, measured from its pixels (estimate-noise.ts, estimate-blur.ts) and mapped to
// levels with thresholds calibrated on synthetic degradations (perception-thresholds.ts). An
// engine that states its own levels (PURE generates them as text) takes precedence.
import type { RasterImage } from '../image/types';
import type { DegradationLevel, Perception } from '../../protocol/restore';
import { estimateBlur } from './estimate-blur';
import type { BlurEstimate } from './estimate-blur';
import { estimateNoise } from './estimate-noise';
import type { NoiseEstimate } from './estimate-noise';
import { BLUR_THRESHOLDS, NOISE_THRESHOLDS } from './perception-thresholds';

/**
 * What the levels mean, in the parameters of the synthetic degradations that calibrate them:
 * Gaussian noise sigma (0..255) and Gaussian blur sigma (pixels) applied to a clean photo.
 * Below the first bound is small, from the second on is large.
 */
export const NOISE_LEVEL_BOUNDS: readonly [number, number] = [8, 18];
export const BLUR_LEVEL_BOUNDS: readonly [number, number] = [1, 2];

export function levelOf(value: number, bounds: readonly [number, number]): DegradationLevel {
  return value < bounds[0] ? 'small' : value < bounds[1] ? 'medium' : 'large';
}

export interface PerceptionDetail {
  noise: NoiseEstimate;
  blur: BlurEstimate;
  perception: Perception;
}

/** Measures noise and blur; undefined when the image is too small or flat to say (few blocks or edges). */
export function perceiveDetailed(image: RasterImage): PerceptionDetail | undefined {
  const noise = estimateNoise(image);
  if (!noise) return undefined;
  const blur = estimateBlur(image, noise.sigma);
  if (!blur) return undefined;
  const round = (v: number, digits: number): number => Number(v.toFixed(digits));
  return {
    noise,
    blur,
    perception: {
      noise: levelOf(noise.sigma, NOISE_THRESHOLDS),
      blur: levelOf(blur.sigma, BLUR_THRESHOLDS),
      estimates: { noiseSigma: round(noise.sigma, 2), blurSigma: round(Math.min(blur.sigma, 99), 3) },
      source: 'estimated',
    },
  };
}

/** The perception of `image` as the engine API returns it. */
export function perceive(image: RasterImage): Perception | undefined {
  return perceiveDetailed(image)?.perception;
}

/**
 * The engine's own levels, where it states them, replace the estimated ones; the measurements are
 * kept, so a person can compare.
 */
export function withEngineLevels(estimated: Perception, engine: { noise?: DegradationLevel; blur?: DegradationLevel } | undefined): Perception {
  if (!engine || (engine.noise === undefined && engine.blur === undefined)) return estimated;
  return { ...estimated, noise: engine.noise ?? estimated.noise, blur: engine.blur ?? estimated.blur, source: 'model' };
}
