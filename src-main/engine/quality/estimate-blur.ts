// Blur level from the photo alone, by re-blurring (Zhuo & Sim, "Defocus map estimation from a
// single image", 2011): at a step edge blurred by a Gaussian of sigma s, the gradient peak is
// A / (sqrt(2 pi) s); blurring again by s0 lowers it to A / (sqrt(2 pi) sqrt(s^2 + s0^2)). The
// ratio R of the two peaks gives s = s0 / sqrt(R^2 - 1), whatever the edge's contrast. Peaks are
// found by non-maximum suppression along the gradient; weak ones (near the noise) are skipped.
// Thin lines and fine texture break the step-edge model (re-blurring flattens them faster, which
// reads as too sharp), and they are mostly the weaker peaks: the estimate is the median over the
// strongest 30% of edge pixels. Large photos are measured on a grid of tiles.
import type { RasterImage } from '../image/types';
import { yPlane } from './plane';
import type { Plane } from './plane';

/** The re-blur sigma: large enough to resolve sigma ~3, small enough to keep edges apart. */
export const REBLUR_SIGMA = 2;
const TILE = 384;
/** Share of the edge pixels, strongest first, that speak for the blur. */
export const STRONGEST_EDGES = 0.3;
const MAX_TILES = 16;

export interface BlurEstimate {
  /** Median Gaussian sigma at the strongest edges, in input pixels, before calibration. */
  sigma: number;
  /** Edge pixels the median was taken over. */
  edges: number;
}

function gaussianTaps(sigma: number): Float64Array {
  const r = Math.ceil(3 * sigma);
  const taps = new Float64Array(2 * r + 1);
  let sum = 0;
  for (let i = -r; i <= r; i++) sum += taps[i + r] = Math.exp(-(i * i) / (2 * sigma * sigma));
  return taps.map((t) => t / sum);
}

/** Separable Gaussian with mirrored borders (the inner loop skips the mirroring where it can). */
function blurPlane(p: Plane, sigma: number): Plane {
  const taps = gaussianTaps(sigma);
  const r = (taps.length - 1) / 2;
  const { width: w, height: h } = p;
  const mirror = (i: number, n: number): number => (i < 0 ? Math.min(n - 1, -i) : i >= n ? Math.max(0, 2 * n - 2 - i) : i);
  const tmp = new Float64Array(w * h);
  for (let y = 0; y < h; y++) {
    const row = y * w;
    for (let x = 0; x < w; x++) {
      let s = 0;
      if (x >= r && x < w - r) for (let k = -r; k <= r; k++) s += taps[k + r] * p.data[row + x + k];
      else for (let k = -r; k <= r; k++) s += taps[k + r] * p.data[row + mirror(x + k, w)];
      tmp[row + x] = s;
    }
  }
  const out = new Float64Array(w * h);
  for (let k = -r; k <= r; k++) {
    const t = taps[k + r];
    for (let y = 0; y < h; y++) {
      const src = mirror(y + k, h) * w;
      const dst = y * w;
      for (let x = 0; x < w; x++) out[dst + x] += t * tmp[src + x];
    }
  }
  return { width: w, height: h, data: out };
}

/** Central-difference gradient magnitude at an interior pixel. */
function gradientAt(d: Float64Array, i: number, w: number): number {
  const gx = d[i + 1] - d[i - 1];
  const gy = d[i + w] - d[i - w];
  return Math.sqrt(gx * gx + gy * gy) / 2;
}

export interface EdgeSample {
  sigma: number;
  gradient: number;
}

/** Edge sigmas of one plane; `minGradient` keeps only edges that stand out of the noise. */
export function edgeSigmas(plane: Plane, minGradient: number, out: EdgeSample[]): void {
  const { width: w, height: h } = plane;
  if (w < 12 || h < 12) return;
  const d = plane.data;
  const mag = new Float64Array(w * h);
  for (let y = 1; y < h - 1; y++) for (let x = 1; x < w - 1; x++) mag[y * w + x] = gradientAt(d, y * w + x, w);
  let soft: Plane | undefined; // made on the first edge: a flat tile needs none
  const m = 4; // away from the borders, where the mirrored re-blur is not a blur
  for (let y = m; y < h - m; y++) {
    for (let x = m; x < w - m; x++) {
      const i = y * w + x;
      const g = mag[i];
      if (g < minGradient) continue;
      // Non-maximum suppression along the gradient direction, quantised to 8 neighbours.
      const dx = Math.round((d[i + 1] - d[i - 1]) / 2 / g);
      const dy = Math.round((d[i + w] - d[i - w]) / 2 / g);
      if (g < mag[i + dy * w + dx] || g <= mag[i - dy * w - dx]) continue;
      soft ??= blurPlane(plane, REBLUR_SIGMA);
      const r = g / gradientAt(soft.data, i, w);
      out.push({ sigma: r > 1 ? REBLUR_SIGMA / Math.sqrt(r * r - 1) : Infinity, gradient: g });
    }
  }
}

/** Tiles to measure: the whole image when small, else an even grid of TILE-sized crops. */
function tiles(width: number, height: number): { x: number; y: number; w: number; h: number }[] {
  if (width * height <= TILE * TILE * 4) return [{ x: 0, y: 0, w: width, h: height }];
  const nx = Math.min(4, Math.ceil(width / TILE));
  const ny = Math.min(MAX_TILES / nx, Math.ceil(height / TILE));
  const out = [];
  for (let j = 0; j < ny; j++) {
    for (let i = 0; i < nx; i++) {
      const w = Math.min(TILE, width);
      const h = Math.min(TILE, height);
      out.push({ x: Math.round(((width - w) * (i + 0.5)) / nx), y: Math.round(((height - h) * (j + 0.5)) / ny), w, h });
    }
  }
  return out;
}

function crop(image: RasterImage, t: { x: number; y: number; w: number; h: number }): RasterImage {
  if (t.w === image.width && t.h === image.height) return image;
  const c = image.channels;
  const data = image.bitDepth === 16 ? new Uint16Array(t.w * t.h * c) : new Uint8Array(t.w * t.h * c);
  for (let y = 0; y < t.h; y++) data.set(image.data.subarray(((t.y + y) * image.width + t.x) * c, ((t.y + y) * image.width + t.x + t.w) * c), y * t.w * c);
  return { ...image, width: t.w, height: t.h, data };
}

/** Noise (sigma, 0..255) above which the image is pre-smoothed before edges are measured. */
const NOISY = 3;
/** The pre-smoothing: it removes most noise gradient and adds a known blur, taken out again below. */
const PRE_SIGMA = 1;

/**
 * Raw blur estimate. On a noisy image (`noiseSigma` above NOISY) noise would pass for sharp
 * edges: the image is first smoothed by PRE_SIGMA, which lowers the noise ~3.5 times, and that
 * blur is taken out of the result in quadrature (Gaussian blurs add as sigma^2). Undefined when
 * fewer than 20 edge pixels stand out (a flat or tiny image).
 */
export function estimateBlur(image: RasterImage, noiseSigma: number): BlurEstimate | undefined {
  const pre = noiseSigma > NOISY ? PRE_SIGMA : 0;
  const residualNoise = pre ? noiseSigma / (2 * Math.sqrt(Math.PI) * pre) : noiseSigma; // white noise through a Gaussian
  const planes = tiles(image.width, image.height).map((t) => {
    const y = yPlane(crop(image, t));
    return pre ? blurPlane(y, pre) : y;
  });
  // Edges 4 noise sigmas above the noise; a soft, noisy photo may have too few, then 2 will do.
  const all: EdgeSample[] = [];
  for (const plane of planes) edgeSigmas(plane, Math.max(4, 2 * residualNoise), all);
  let samples = all.filter((e) => e.gradient >= Math.max(4, 4 * residualNoise));
  if (samples.length < 20) samples = all;
  if (samples.length < 20) return undefined;
  samples.sort((a, b) => b.gradient - a.gradient);
  const strongest = samples.slice(0, Math.max(20, Math.floor(samples.length * STRONGEST_EDGES))).map((s) => s.sigma);
  strongest.sort((a, b) => a - b);
  const sigma = strongest[Math.floor(strongest.length / 2)];
  return { sigma: Math.sqrt(Math.max(0, sigma * sigma - pre * pre)), edges: strongest.length };
}
