// NIQE's per-block features (Mittal et al. 2012): asymmetric generalised Gaussian (AGGD) fits of
// the normalised luminance and of its products with 4 neighbours, 18 numbers per block. The
// shape parameter is found by table look-up over alpha = 0.2, 0.201, ..., 10 as in the reference
// implementation, so that the same alpha comes out.
import { gamma } from './special';

let table: { alpha: Float64Array; ratio: Float64Array } | undefined;

/** r(alpha) = Gamma(2/a)^2 / (Gamma(1/a) Gamma(3/a)) on NumPy's arange(0.2, 10.001, 0.001). */
function gammaTable(): { alpha: Float64Array; ratio: Float64Array } {
  if (table) return table;
  const n = 9801;
  const alpha = new Float64Array(n);
  const ratio = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    alpha[k] = 0.2 + k * 0.001;
    const r = 1 / alpha[k];
    ratio[k] = gamma(2 * r) ** 2 / (gamma(r) * gamma(3 * r));
  }
  table = { alpha, ratio };
  return table;
}

export interface Aggd {
  alpha: number;
  betaLeft: number;
  betaRight: number;
}

/** Moment-matching AGGD fit. Empty sides give NaN, which NIQE then leaves out, like NumPy. */
export function estimateAggd(values: Float64Array): Aggd {
  let leftSq = 0;
  let leftN = 0;
  let rightSq = 0;
  let rightN = 0;
  let absSum = 0;
  let sq = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v < 0) {
      leftSq += v * v;
      leftN++;
    } else if (v > 0) {
      rightSq += v * v;
      rightN++;
    }
    absSum += Math.abs(v);
    sq += v * v;
  }
  const leftStd = Math.sqrt(leftSq / leftN); // 0/0 = NaN for an empty side, as np.mean([]) gives
  const rightStd = Math.sqrt(rightSq / rightN);
  const g = leftStd / rightStd;
  const rhat = (absSum / values.length) ** 2 / (sq / values.length);
  const rhatNorm = (rhat * (g ** 3 + 1) * (g + 1)) / (g ** 2 + 1) ** 2;
  const { alpha: alphas, ratio } = gammaTable();
  // np.argmin: the first minimum; with NaN everywhere it returns index 0.
  let best = 0;
  let bestErr = Infinity;
  if (!Number.isNaN(rhatNorm)) {
    for (let k = 0; k < ratio.length; k++) {
      const e = (ratio[k] - rhatNorm) ** 2;
      if (e < bestErr) {
        bestErr = e;
        best = k;
      }
    }
  }
  const alpha = alphas[best];
  const k = Math.sqrt(gamma(1 / alpha) / gamma(3 / alpha));
  return { alpha, betaLeft: leftStd * k, betaRight: rightStd * k };
}

/** The 18 features of one block (h x w, row-major). */
export function blockFeatures(block: Float64Array, h: number, w: number): number[] {
  const first = estimateAggd(block);
  const feat = [first.alpha, (first.betaLeft + first.betaRight) / 2];
  const product = new Float64Array(h * w);
  // np.roll(block, (dy, dx)): out[y][x] = block[y - dy][x - dx], wrapping around.
  for (const [dy, dx] of [[0, 1], [1, 0], [1, 1], [1, -1]]) {
    for (let y = 0; y < h; y++) {
      const sy = (y - dy + h) % h;
      for (let x = 0; x < w; x++) product[y * w + x] = block[y * w + x] * block[sy * w + ((x - dx + w) % w)];
    }
    const { alpha, betaLeft, betaRight } = estimateAggd(product);
    const mean = (betaRight - betaLeft) * (gamma(2 / alpha) / gamma(1 / alpha));
    feat.push(alpha, mean, betaLeft, betaRight);
  }
  return feat;
}
