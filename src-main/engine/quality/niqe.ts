// NIQE, the no-reference "Natural Image Quality Evaluator" (Mittal, Soundararajan, Bovik 2012),
// as BasicSR computes it to reproduce the official MATLAB release: Y channel rounded to integers,
// 96x96 blocks without overlap, features at full and half size (MATLAB bicubic + antialiasing),
// distance of their Gaussian fit to the pristine model. Lower is better.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { EngineError } from '../common/errors';
import type { RasterImage } from '../image/types';
import { covariance, symmetricPinv } from './linalg';
import { imresizeMatlab } from './matlab-imresize';
import { blockFeatures } from './niqe-features';
import { parseNpz } from './npz';
import { cropPlane, yPlane } from './plane';
import type { Plane } from './plane';

export interface NiqeModel {
  mu: Float64Array; // (36)
  cov: Float64Array; // (36, 36)
  window: Float64Array; // (7, 7), sums to 1
}

const FEATURES = 36;
const BLOCK = 96;

/** The pristine model's default place: shared/data beside the repository (../shared from its root). */
export const DEFAULT_NIQE_PARAMS = resolve(import.meta.dirname, '../../../../shared/data/niqe_pris_params.npz');

const cache = new Map<string, Promise<NiqeModel>>();

/** Loads mu_pris_param, cov_pris_param and gaussian_window from an .npz (cached per path). */
export function loadNiqeModel(path = process.env.PURE_NIQE_PARAMS ?? DEFAULT_NIQE_PARAMS): Promise<NiqeModel> {
  let entry = cache.get(path);
  if (!entry) {
    entry = (async () => {
      let bytes: Buffer;
      try {
        bytes = await readFile(path);
      } catch (error) {
        throw new EngineError('MODEL_MISSING', `NIQE parameters not found at "${path}".`, 'Set PURE_NIQE_PARAMS to niqe_pris_params.npz (shared/data).', { cause: error });
      }
      const arrays = parseNpz(bytes, path);
      const get = (name: string, size: number): Float64Array => {
        const a = arrays.get(name);
        if (!a || a.data.length !== size) throw new EngineError('MODEL_FORMAT', `${path}: ${name} is missing or not of ${size} values.`);
        return a.data;
      };
      return { mu: get('mu_pris_param', FEATURES), cov: get('cov_pris_param', FEATURES * FEATURES), window: get('gaussian_window', 49) };
    })();
    entry.catch(() => cache.delete(path));
    cache.set(path, entry);
  }
  return entry;
}

/** 7x7 weighted local mean with edge replication (scipy.ndimage 'nearest'); the window is symmetric. */
function localMean(img: Plane, window: Float64Array): Float64Array {
  const { width: w, height: h, data } = img;
  const out = new Float64Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let s = 0;
      for (let j = 0; j < 7; j++) {
        const row = Math.min(h - 1, Math.max(0, y + j - 3)) * w;
        for (let i = 0; i < 7; i++) s += window[j * 7 + i] * data[row + Math.min(w - 1, Math.max(0, x + i - 3))];
      }
      out[y * w + x] = s;
    }
  }
  return out;
}

/** NIQE of a luma plane on the 0..255 scale (at least 96x96). */
export function niqeOfPlane(plane: Plane, model: NiqeModel): number {
  const blocksH = Math.floor(plane.height / BLOCK);
  const blocksW = Math.floor(plane.width / BLOCK);
  if (blocksH < 1 || blocksW < 1) {
    throw new EngineError('IMAGE_TOO_SMALL', `NIQE needs at least ${BLOCK}x${BLOCK} pixels, got ${plane.width}x${plane.height}.`);
  }
  let img: Plane = { width: blocksW * BLOCK, height: blocksH * BLOCK, data: new Float64Array(blocksW * BLOCK * blocksH * BLOCK) };
  for (let y = 0; y < img.height; y++) img.data.set(plane.data.subarray(y * plane.width, y * plane.width + img.width), y * img.width);

  const rows: number[][] = Array.from({ length: blocksH * blocksW }, () => []);
  for (const scale of [1, 2]) {
    const sq: Plane = { ...img, data: img.data.map((v) => v * v) };
    const mu = localMean(img, model.window);
    const mu2 = localMean(sq, model.window);
    const norm = new Float64Array(img.data.length);
    for (let i = 0; i < norm.length; i++) norm[i] = (img.data[i] - mu[i]) / (Math.sqrt(Math.abs(mu2[i] - mu[i] * mu[i])) + 1);
    const b = BLOCK / scale;
    const block = new Float64Array(b * b);
    for (let bw = 0; bw < blocksW; bw++) {
      for (let bh = 0; bh < blocksH; bh++) {
        for (let y = 0; y < b; y++) block.set(norm.subarray((bh * b + y) * img.width + bw * b, (bh * b + y) * img.width + bw * b + b), y * b);
        rows[bw * blocksH + bh].push(...blockFeatures(block, b, b));
      }
    }
    if (scale === 1) img = imresizeMatlab(img, 0.5);
  }

  const mean = new Float64Array(FEATURES);
  for (let j = 0; j < FEATURES; j++) {
    let s = 0;
    let n = 0;
    for (const r of rows) {
      if (Number.isNaN(r[j])) continue;
      s += r[j];
      n++;
    }
    mean[j] = s / n; // np.nanmean
  }
  const complete = rows.filter((r) => r.every((v) => !Number.isNaN(v))).map((r) => Float64Array.from(r));
  if (complete.length < 2) throw new EngineError('IMAGE_TOO_SMALL', 'NIQE needs at least two image blocks with usable statistics.');
  const cov = covariance(complete, FEATURES);
  const avg = new Float64Array(FEATURES * FEATURES);
  for (let i = 0; i < avg.length; i++) avg[i] = (model.cov[i] + cov[i]) / 2;
  const inv = symmetricPinv(avg, FEATURES);
  let q = 0;
  for (let i = 0; i < FEATURES; i++) {
    const di = model.mu[i] - mean[i];
    for (let j = 0; j < FEATURES; j++) q += di * inv[i * FEATURES + j] * (model.mu[j] - mean[j]);
  }
  return Math.sqrt(q);
}

/** NumPy's round: halves go to the even neighbour. */
function roundHalfEven(v: number): number {
  const r = Math.round(v);
  return r - v === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** NIQE of an RGB image: Y channel (BT.601), `cropBorder` pixels off each side, rounded like MATLAB. */
export function niqe(image: RasterImage, model: NiqeModel, cropBorder = 0): number {
  const y = cropPlane(yPlane(image), cropBorder);
  return niqeOfPlane({ ...y, data: y.data.map(roundHalfEven) }, model);
}
