// Additive noise of the Real-ESRGAN model, on float RGB in [0, 1]: Gaussian (sigma on the 0..255
// scale) and Poisson (shot noise at the image's own number of grey levels, times a scale), each
// in colour (independent per channel) or grey (one draw shared by the three channels).
import type { FloatImage } from './plane';
import type { Rng } from './rng';

function clip01(data: Float64Array): void {
  for (let i = 0; i < data.length; i++) data[i] = Math.min(1, Math.max(0, data[i]));
}

/** Adds N(0, (sigma/255)^2) and clips to [0, 1] (not rounded, as Real-ESRGAN). */
export function addGaussianNoise(image: FloatImage, sigma: number, grey: boolean, rng: Rng): FloatImage {
  const data = Float64Array.from(image.data);
  const s = sigma / 255;
  for (let p = 0; p < data.length; p += 3) {
    if (grey) {
      const n = rng.normal() * s;
      data[p] += n;
      data[p + 1] += n;
      data[p + 2] += n;
    } else {
      data[p] += rng.normal() * s;
      data[p + 1] += rng.normal() * s;
      data[p + 2] += rng.normal() * s;
    }
  }
  clip01(data);
  return { ...image, data };
}

/** Distinct 8-bit values, rounded up to a power of two: the "photon count" of a full-scale pixel. */
function levels(values: Float64Array): number {
  const seen = new Uint8Array(256);
  let n = 0;
  for (const v of values) {
    const q = Math.min(255, Math.max(0, Math.round(v * 255)));
    if (seen[q]) continue;
    seen[q] = 1;
    n++;
  }
  return 2 ** Math.ceil(Math.log2(Math.max(1, n)));
}

/**
 * Poisson noise: the image is quantised to 8 bits, v' = Poisson(v * L) / L with L = levels(image),
 * and (v' - v) * scale is added; grey noise is drawn on the luma (0.299, 0.587, 0.114).
 */
export function addPoissonNoise(image: FloatImage, scale: number, grey: boolean, rng: Rng): FloatImage {
  const q = image.data.map((v) => Math.min(255, Math.max(0, Math.round(v * 255))) / 255);
  const data = Float64Array.from(q);
  if (grey) {
    const luma = new Float64Array(q.length / 3);
    for (let p = 0; p < luma.length; p++) luma[p] = 0.299 * q[3 * p] + 0.587 * q[3 * p + 1] + 0.114 * q[3 * p + 2];
    const l = levels(luma);
    for (let p = 0; p < luma.length; p++) {
      const n = (rng.poisson(luma[p] * l) / l - luma[p]) * scale;
      data[3 * p] += n;
      data[3 * p + 1] += n;
      data[3 * p + 2] += n;
    }
  } else {
    const l = levels(q);
    for (let i = 0; i < q.length; i++) data[i] += (rng.poisson(q[i] * l) / l - q[i]) * scale;
  }
  clip01(data);
  return { ...image, data };
}
