// Filtering and resizing of float RGB images for the degradation pipeline, with PyTorch's
// semantics (Real-ESRGAN degrades on tensors): filter2D pads by reflection and correlates;
// interpolate 'area' is adaptive average pooling, 'bilinear' and 'bicubic' use
// align_corners=False, no antialiasing, bicubic with A = -0.75 and clamped taps.
import { EngineError } from '../common/errors';
import type { Kernel } from './kernels';
import type { FloatImage } from './plane';

export type ResizeMode = 'area' | 'bilinear' | 'bicubic';
export const RESIZE_MODES: readonly ResizeMode[] = ['area', 'bilinear', 'bicubic'];

/** Reflect without repeating the edge (PyTorch 'reflect'): -1 -> 1, n -> n - 2. */
function reflect(i: number, n: number): number {
  if (n === 1) return 0;
  const period = 2 * (n - 1);
  let m = ((i % period) + period) % period;
  if (m >= n) m = period - m;
  return m;
}

/** Correlates every channel with `kernel` after reflect-padding by size / 2. */
export function filter2D(image: FloatImage, kernel: Kernel): FloatImage {
  const { width: w, height: h, data } = image;
  const k = kernel.size;
  const half = (k - 1) / 2;
  const out = new Float64Array(data.length);
  const cols = new Int32Array(w * k);
  for (let x = 0; x < w; x++) for (let i = 0; i < k; i++) cols[x * k + i] = reflect(x + i - half, w) * 3;
  for (let y = 0; y < h; y++) {
    for (let j = 0; j < k; j++) {
      const row = reflect(y + j - half, h) * w * 3;
      for (let i = 0; i < k; i++) {
        const wt = kernel.data[j * k + i];
        if (wt === 0) continue;
        for (let x = 0; x < w; x++) {
          const s = row + cols[x * k + i];
          const d = (y * w + x) * 3;
          out[d] += wt * data[s];
          out[d + 1] += wt * data[s + 1];
          out[d + 2] += wt * data[s + 2];
        }
      }
    }
  }
  return { width: w, height: h, data: out };
}

interface AxisTaps {
  start: Int32Array; // per output: first tap's index into taps
  index: Int32Array; // source indices
  weight: Float64Array;
}

function axisTaps(inLen: number, outLen: number, mode: ResizeMode): AxisTaps {
  const starts: number[] = [];
  const index: number[] = [];
  const weight: number[] = [];
  const ratio = inLen / outLen;
  const clamp = (i: number): number => Math.min(inLen - 1, Math.max(0, i));
  for (let o = 0; o < outLen; o++) {
    starts.push(index.length);
    if (mode === 'area') {
      const a = Math.floor((o * inLen) / outLen);
      const b = Math.ceil(((o + 1) * inLen) / outLen);
      for (let i = a; i < b; i++) {
        index.push(i);
        weight.push(1 / (b - a));
      }
    } else if (mode === 'bilinear') {
      const src = Math.max(0, (o + 0.5) * ratio - 0.5);
      const i0 = Math.min(Math.floor(src), inLen - 1);
      const t = src - i0;
      index.push(i0, clamp(i0 + 1));
      weight.push(1 - t, t);
    } else {
      const src = (o + 0.5) * ratio - 0.5;
      const i0 = Math.floor(src);
      const t = src - i0;
      const A = -0.75;
      const near = (x: number): number => ((A + 2) * x - (A + 3)) * x * x + 1;
      const far = (x: number): number => ((A * x - 5 * A) * x + 8 * A) * x - 4 * A;
      index.push(clamp(i0 - 1), clamp(i0), clamp(i0 + 1), clamp(i0 + 2));
      weight.push(far(t + 1), near(t), near(1 - t), far(2 - t));
    }
  }
  starts.push(index.length);
  return { start: Int32Array.from(starts), index: Int32Array.from(index), weight: Float64Array.from(weight) };
}

/** Resizes to exactly width x height (rows first, then columns). */
export function resizeFloat(image: FloatImage, width: number, height: number, mode: ResizeMode): FloatImage {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new EngineError('INVALID_OPTION', `Cannot resize to ${width}x${height}.`);
  }
  const { width: w, height: h, data } = image;
  const v = axisTaps(h, height, mode);
  const mid = new Float64Array(height * w * 3);
  for (let y = 0; y < height; y++) {
    for (let t = v.start[y]; t < v.start[y + 1]; t++) {
      const wt = v.weight[t];
      const src = v.index[t] * w * 3;
      const dst = y * w * 3;
      for (let i = 0; i < w * 3; i++) mid[dst + i] += wt * data[src + i];
    }
  }
  const hz = axisTaps(w, width, mode);
  const out = new Float64Array(height * width * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const d = (y * width + x) * 3;
      for (let t = hz.start[x]; t < hz.start[x + 1]; t++) {
        const wt = hz.weight[t];
        const s = (y * w + hz.index[t]) * 3;
        out[d] += wt * mid[s];
        out[d + 1] += wt * mid[s + 1];
        out[d + 2] += wt * mid[s + 2];
      }
    }
  }
  return { width, height, data: out };
}
