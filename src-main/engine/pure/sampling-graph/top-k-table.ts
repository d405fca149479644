// The entropy -> dynamic top-k step function (PURE-SPEC section 6.3) as a table of entropy
// thresholds, so that a graph can compute the host's k with comparisons only.
//
// Why a table: the host computes k = roundHalfEven(kMin + (kMax - kMin) * sigmoid(H - mu)) with
// V8's Math.exp. onnxruntime's Exp is a different implementation (measured: 11% of doubles differ
// by 1 ulp), so an in-graph sigmoid could land on the other side of a .5 rounding boundary and
// give a k one off. k is a non-decreasing step function of H, so it is fully described by the
// smallest double H at which each k is first reached; those are found here by bisection over the
// doubles *with the host's own dynamicTopK*, and k(H) = base + #(thresholds <= H) then holds for
// every double H, exactly. Pure TypeScript: no Node built-ins.

import { dynamicTopK } from '../../common/sampling/entropy';
import type { SamplingSettings } from '../../common/sampling/settings';

export type TopKSettings = Pick<SamplingSettings, 'kMin' | 'kMax' | 'entropyMu' | 'entropyMax'>;

export interface TopKTable {
  /** k for every H <= 0 (H is clamped to [0, entropyMax] first): 14 with PURE's settings. */
  base: number;
  /** (kTop - base,) ascending: thresholds[j] is the smallest H whose k is >= base + j + 1. */
  thresholds: Float64Array;
}

/** dynamicTopK(H, s) === base + (number of thresholds <= H) for every double H. */
export function topKTable(s: TopKSettings): TopKTable {
  const base = dynamicTopK(0, s);
  const top = dynamicTopK(s.entropyMax, s);
  const thresholds = new Float64Array(top - base);
  for (let k = base + 1; k <= top; k++) thresholds[k - base - 1] = firstEntropyReaching(k, s);
  return { base, thresholds };
}

/** The smallest double H in (0, entropyMax] with dynamicTopK(H) >= k (it exists: k <= k(entropyMax)). */
function firstEntropyReaching(k: number, s: TopKSettings): number {
  // Non-negative doubles are ordered like their bit patterns, so bisect on the bits: exact.
  let lo = doubleBits(0); // k(lo) < k
  let hi = doubleBits(s.entropyMax); // k(hi) >= k
  while (hi - lo > 1n) {
    const mid = (lo + hi) / 2n;
    if (dynamicTopK(bitsDouble(mid), s) >= k) hi = mid;
    else lo = mid;
  }
  return bitsDouble(hi);
}

const view = new DataView(new ArrayBuffer(8));

function doubleBits(x: number): bigint {
  view.setFloat64(0, x);
  return view.getBigUint64(0);
}

function bitsDouble(bits: bigint): number {
  view.setBigUint64(0, bits);
  return view.getFloat64(0);
}
