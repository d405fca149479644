// Entropy of the next-token distribution and the dynamic top-k it sets (PURE-SPEC section 6.3).
// Pure TypeScript: no Node built-ins.

import { roundHalfEven } from './py-round';
import type { SamplingSettings } from './settings';

/** The reference adds this inside the log: H = -sum p ln(p + 1e-10). */
const LOG_EPS = 1e-10;

/**
 * Entropy in nats of softmax(scores[0..n)), as the reference defines it: -sum p ln(p + 1e-10).
 * `scratch` (>= n) receives exp(score - max) so each exp is taken once.
 * Throws on NaN (a broken model output would otherwise become a silent wrong k).
 *
 * Speed: for p >= 1e-8, p ln(p + 1e-10) = p ln p + p ln(1 + 1e-10/p) = p (s - max - ln Z) + 1e-10
 * to within (1e-10)^2 / (2p) <= 5e-13, so only the tiny probabilities need a Math.log: this
 * halves the cost on 16384 image codes and stays within 1e-8 nats of the literal formula.
 */
export function softmaxEntropy(scores: Float32Array, n: number, scratch: Float64Array): number {
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = scores[i];
    if (v > max) max = v;
    else if (v !== v) throw new RangeError('NaN in the logits.');
  }
  if (max === -Infinity) throw new RangeError('Every candidate score is -Infinity.');
  if (max === Infinity) throw new RangeError('+Infinity in the logits.');
  let z = 0;
  for (let i = 0; i < n; i++) {
    const e = Math.exp(scores[i] - max);
    scratch[i] = e;
    z += e;
  }
  const invZ = 1 / z;
  const logZ = Math.log(z);
  let h = 0;
  for (let i = 0; i < n; i++) {
    const p = scratch[i] * invZ;
    if (p >= SMALL_P) h -= p * (scores[i] - max - logZ) + LOG_EPS;
    else if (p > 0) h -= p * Math.log(p + LOG_EPS); // p = 0 (masked, underflowed) adds 0 * ln(1e-10) = 0
  }
  return h;
}

/** Below this, p ln(p + 1e-10) is computed literally (see softmaxEntropy). */
const SMALL_P = 1e-8;

export function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/**
 * k = round(kMin + (kMax - kMin) * sigmoid(clamp(H, 0, entropyMax) - mu)), clamped to [kMin, kMax],
 * with Python's round (ties to even). With the defaults the smallest k reached is 14 (H = 0).
 */
export function dynamicTopK(entropy: number, s: Pick<SamplingSettings, 'kMin' | 'kMax' | 'entropyMu' | 'entropyMax'>): number {
  const h = Math.min(Math.max(entropy, 0), s.entropyMax);
  const k = roundHalfEven(s.kMin + (s.kMax - s.kMin) * sigmoid(h - s.entropyMu));
  return Math.max(s.kMin, Math.min(k, s.kMax));
}
