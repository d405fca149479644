// MATLAB's imresize(img, scale, 'bicubic') with its default antialiasing, which NIQE's
// half-size step needs to match the published numbers (sharp's and OpenCV's resizers differ).
// Facts: Keys' cubic with a = -0.5; when shrinking, the kernel is stretched by 1/scale and
// scaled by `scale` (antialiasing); output pixel x (1-based) samples u = x/scale + (1 - 1/scale)/2;
// borders are mirrored with the edge pixel repeated (MATLAB's "symmetric" padding).
import { EngineError } from '../common/errors';
import type { FloatImage, Plane } from './plane';

function cubic(x: number): number {
  const ax = Math.abs(x);
  if (ax <= 1) return 1.5 * ax ** 3 - 2.5 * ax ** 2 + 1;
  if (ax <= 2) return -0.5 * ax ** 3 + 2.5 * ax ** 2 - 4 * ax + 2;
  return 0;
}

interface Taps {
  /** (outLength, taps) 0-based source indices, already mirrored into range. */
  index: Int32Array;
  /** (outLength, taps) normalised weights. */
  weight: Float64Array;
  taps: number;
}

/** Weights and source indices of MATLAB's bicubic resize along one axis. */
export function matlabCubicTaps(inLength: number, outLength: number, scale: number): Taps {
  const antialias = scale < 1;
  const kernelWidth = antialias ? 4 / scale : 4;
  const taps = Math.ceil(kernelWidth) + 2;
  const index = new Int32Array(outLength * taps);
  const weight = new Float64Array(outLength * taps);
  const period = 2 * inLength;
  for (let x = 0; x < outLength; x++) {
    const u = (x + 1) / scale + 0.5 * (1 - 1 / scale);
    const left = Math.floor(u - kernelWidth / 2);
    let sum = 0;
    for (let j = 0; j < taps; j++) {
      const i = left + j; // 1-based source index, possibly outside 1..inLength
      const w = antialias ? scale * cubic((u - i) * scale) : cubic(u - i);
      const m = (((i - 1) % period) + period) % period; // mirror: 1..n, n..1, 1..n, ...
      index[x * taps + j] = m < inLength ? m : period - 1 - m;
      weight[x * taps + j] = w;
      sum += w;
    }
    for (let j = 0; j < taps; j++) weight[x * taps + j] /= sum;
  }
  return { index, weight, taps };
}

/** imresize(plane, scale) with bicubic + antialiasing; the output is ceil(size * scale). */
export function imresizeMatlab(plane: Plane, scale: number): Plane {
  if (!(scale > 0)) throw new EngineError('INVALID_OPTION', `Resize scale must be positive, got ${scale}.`);
  const { width, height, data } = plane;
  const outW = Math.ceil(width * scale);
  const outH = Math.ceil(height * scale);
  // Rows first (height), then columns, as MATLAB does for equal scales.
  const v = matlabCubicTaps(height, outH, scale);
  const mid = new Float64Array(outH * width);
  for (let y = 0; y < outH; y++) {
    for (let j = 0; j < v.taps; j++) {
      const w = v.weight[y * v.taps + j];
      const row = v.index[y * v.taps + j] * width;
      for (let x = 0; x < width; x++) mid[y * width + x] += w * data[row + x];
    }
  }
  const h = matlabCubicTaps(width, outW, scale);
  const out = new Float64Array(outH * outW);
  for (let y = 0; y < outH; y++) {
    for (let x = 0; x < outW; x++) {
      let s = 0;
      for (let j = 0; j < h.taps; j++) s += h.weight[x * h.taps + j] * mid[y * width + h.index[x * h.taps + j]];
      out[y * outW + x] = s;
    }
  }
  return { width: outW, height: outH, data: out };
}

/** imresize of each channel of a float RGB image (the classic "bicubic" low-resolution input). */
export function imresizeMatlabRgb(image: FloatImage, scale: number): FloatImage {
  const planes = [0, 1, 2].map((c) => {
    const data = new Float64Array(image.width * image.height);
    for (let p = 0; p < data.length; p++) data[p] = image.data[p * 3 + c];
    return imresizeMatlab({ width: image.width, height: image.height, data }, scale);
  });
  const { width, height } = planes[0];
  const data = new Float64Array(width * height * 3);
  for (let p = 0; p < width * height; p++) for (let c = 0; c < 3; c++) data[p * 3 + c] = planes[c].data[p];
  return { width, height, data };
}
