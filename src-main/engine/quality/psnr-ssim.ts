// Full-reference metrics as the Real-ISR papers report them (BasicSR's convention): on the Y
// channel (BT.601 studio range, not rounded), with `cropBorder` pixels (the scale) removed from
// each side, on the 0..255 scale. SSIM: Wang et al. 2004 with an 11x11 Gaussian window
// (sigma 1.5), K1 = 0.01, K2 = 0.03, averaged over the window positions that fit ('valid').
import { EngineError } from '../common/errors';
import type { RasterImage } from '../image/types';
import { cropPlane, yPlane } from './plane';
import type { Plane } from './plane';

function sameSize(a: RasterImage, b: RasterImage): void {
  if (a.width !== b.width || a.height !== b.height) {
    throw new EngineError('INVALID_OPTION', `The image (${a.width}x${a.height}) and the reference (${b.width}x${b.height}) differ in size.`, 'Compare an output with the ground truth of the same size.');
  }
}

/** PSNR in dB of two planes on the 0..255 scale; Infinity when they are identical. */
export function psnrOfPlanes(a: Plane, b: Plane): number {
  let se = 0;
  for (let i = 0; i < a.data.length; i++) se += (a.data[i] - b.data[i]) ** 2;
  const mse = se / a.data.length;
  return mse === 0 ? Infinity : 10 * Math.log10((255 * 255) / mse);
}

const WINDOW = 11;

/** The 11-tap Gaussian, sigma 1.5, normalised (OpenCV getGaussianKernel(11, 1.5)). */
function gaussianTaps(): Float64Array {
  const taps = new Float64Array(WINDOW);
  let sum = 0;
  for (let i = 0; i < WINDOW; i++) sum += taps[i] = Math.exp(-((i - 5) ** 2) / (2 * 1.5 * 1.5));
  return taps.map((t) => t / sum);
}

/** Separable Gaussian filter keeping only fully covered positions: (h - 10) x (w - 10). */
function filterValid(src: Float64Array, w: number, h: number, taps: Float64Array): Float64Array {
  const ow = w - WINDOW + 1;
  const oh = h - WINDOW + 1;
  const tmp = new Float64Array(h * ow);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < ow; x++) {
      let s = 0;
      for (let k = 0; k < WINDOW; k++) s += taps[k] * src[y * w + x + k];
      tmp[y * ow + x] = s;
    }
  }
  const out = new Float64Array(oh * ow);
  for (let y = 0; y < oh; y++) {
    for (let x = 0; x < ow; x++) {
      let s = 0;
      for (let k = 0; k < WINDOW; k++) s += taps[k] * tmp[(y + k) * ow + x];
      out[y * ow + x] = s;
    }
  }
  return out;
}

/** Mean SSIM of two planes on the 0..255 scale (each side at least 11 pixels). */
export function ssimOfPlanes(a: Plane, b: Plane): number {
  const { width: w, height: h } = a;
  if (w < WINDOW || h < WINDOW) throw new EngineError('IMAGE_TOO_SMALL', `SSIM needs at least ${WINDOW}x${WINDOW} pixels after the border crop, got ${w}x${h}.`);
  const c1 = (0.01 * 255) ** 2;
  const c2 = (0.03 * 255) ** 2;
  const taps = gaussianTaps();
  const n = w * h;
  const aa = new Float64Array(n);
  const bb = new Float64Array(n);
  const ab = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    aa[i] = a.data[i] * a.data[i];
    bb[i] = b.data[i] * b.data[i];
    ab[i] = a.data[i] * b.data[i];
  }
  const [muA, muB, sAA, sBB, sAB] = [a.data, b.data, aa, bb, ab].map((p) => filterValid(p, w, h, taps));
  let sum = 0;
  for (let i = 0; i < muA.length; i++) {
    const ma = muA[i];
    const mb = muB[i];
    const va = sAA[i] - ma * ma;
    const vb = sBB[i] - mb * mb;
    const cov = sAB[i] - ma * mb;
    sum += ((2 * ma * mb + c1) * (2 * cov + c2)) / ((ma * ma + mb * mb + c1) * (va + vb + c2));
  }
  return sum / muA.length;
}

/** PSNR (dB) on Y with the border crop; Infinity for identical images. */
export function psnr(image: RasterImage, reference: RasterImage, cropBorder = 0): number {
  sameSize(image, reference);
  return psnrOfPlanes(cropPlane(yPlane(image), cropBorder), cropPlane(yPlane(reference), cropBorder));
}

/** SSIM on Y with the border crop; 1 for identical images. */
export function ssim(image: RasterImage, reference: RasterImage, cropBorder = 0): number {
  sameSize(image, reference);
  return ssimOfPlanes(cropPlane(yPlane(image), cropBorder), cropPlane(yPlane(reference), cropBorder));
}
