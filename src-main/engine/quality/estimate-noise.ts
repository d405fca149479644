// Noise level from the photo alone. Immerkær's Laplacian-difference mask
// [1 -2 1; -2 4 -2; 1 -2 1] cancels smooth image content (planes, linear ramps) and keeps
// white noise with a gain of 6 (the mask's L2 norm), so in a flat 8x8 block sqrt(mean r^2) / 6
// is the noise sigma. Texture adds to that, never subtracts, so the flattest blocks are the ones
// that speak for the noise: the estimate is a low percentile over all usable blocks. Each colour
// channel is measured on its own (colour noise is independent per channel) and the three are
// pooled. Clipped blocks (at 0 or 255) are skipped: clipping hides noise.
import type { RasterImage } from '../image/types';

const BLOCK = 8;
/** Share of the flattest blocks that speak for the noise. */
export const NOISE_PERCENTILE = 0.1;
/** Above this many blocks, a regular subset is used (a 12 MP photo has ~190,000). */
const MAX_BLOCKS = 20000;

export interface NoiseEstimate {
  /** Noise sigma on the 0..255 scale (per channel), before calibration. */
  sigma: number;
  blocks: number;
}

/** The residual energy of each usable block, as sigma values (unsorted). */
export function blockNoiseSigmas(image: RasterImage): Float64Array {
  const { width, height, channels, data } = image;
  const k = image.bitDepth === 16 ? 255 / 65535 : 1;
  const max = image.bitDepth === 16 ? 65535 : 255;
  // Blocks cover interior pixels only (the mask needs a neighbour on each side).
  const bx = Math.floor((width - 2) / BLOCK);
  const by = Math.floor((height - 2) / BLOCK);
  const thin = Math.max(1, Math.sqrt((bx * by) / MAX_BLOCKS));
  const ny = Math.ceil(by / thin);
  const nx = Math.ceil(bx / thin);
  const out: number[] = [];
  const row = width * channels;
  for (let iy = 0; iy < ny; iy++) {
    const gy = Math.floor((iy * by) / ny);
    for (let ix = 0; ix < nx; ix++) {
      const gx = Math.floor((ix * bx) / nx);
      let energy = 0;
      let clipped = 0;
      for (let y = 1 + gy * BLOCK; y < 1 + (gy + 1) * BLOCK; y++) {
        for (let x = 1 + gx * BLOCK; x < 1 + (gx + 1) * BLOCK; x++) {
          const i = y * row + x * channels;
          for (let c = 0; c < 3; c++) {
            const p = i + c;
            const v = data[p];
            if (v === 0 || v === max) clipped++;
            const r =
              data[p - row - channels] - 2 * data[p - row] + data[p - row + channels] -
              2 * data[p - channels] + 4 * v - 2 * data[p + channels] +
              data[p + row - channels] - 2 * data[p + row] + data[p + row + channels];
            energy += r * r;
          }
        }
      }
      if (clipped > 0.05 * BLOCK * BLOCK * 3) continue;
      out.push((Math.sqrt(energy / (BLOCK * BLOCK * 3)) / 6) * k);
    }
  }
  return Float64Array.from(out);
}

/** Raw noise estimate; undefined when the image has too few usable 8x8 blocks (< 8). */
export function estimateNoise(image: RasterImage, percentile = NOISE_PERCENTILE): NoiseEstimate | undefined {
  const sigmas = blockNoiseSigmas(image).sort();
  if (sigmas.length < 8) return undefined;
  return { sigma: sigmas[Math.floor(percentile * (sigmas.length - 1))], blocks: sigmas.length };
}
