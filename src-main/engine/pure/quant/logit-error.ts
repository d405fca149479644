// How far one model's logits are from another's over the same positions: the numbers that say
// what a lower-precision build (fp16, int4) costs. Used by the int4 test and the error probe.
// Pure TypeScript: no Node built-ins.

export interface LogitError {
  /** max |a - b| over every position and token */
  maxAbs: number;
  /** mean |a - b| over every position and token */
  meanAbs: number;
  /** the reference's logit spread (mean over positions of max - min): a scale for the above */
  meanRange: number;
  /**
   * mean over positions of KL(softmax(a) || softmax(b)) in nats: how far the sampling
   * distribution moves. Robust where top-1 is not: a random model's near-flat logits make its
   * argmax flip on tiny changes, a real model's peaked ones do not.
   */
  meanKl: number;
  /** positions whose argmax (top-1 token) is the same in both */
  top1Agree: number;
  positions: number;
}

/** a, b: (positions, vocab) row-major; `a` is the reference. */
export function compareLogits(a: ArrayLike<number>, b: ArrayLike<number>, vocab: number): LogitError {
  if (a.length !== b.length || a.length % vocab !== 0) throw new Error(`compareLogits: ${a.length} vs ${b.length} values, vocab ${vocab}`);
  const positions = a.length / vocab;
  let maxAbs = 0;
  let sumAbs = 0;
  let sumRange = 0;
  let top1Agree = 0;
  let sumKl = 0;
  for (let p = 0; p < positions; p++) {
    const base = p * vocab;
    let argA = 0;
    let argB = 0;
    let lo = Infinity;
    for (let v = 0; v < vocab; v++) {
      const x = a[base + v];
      const y = b[base + v];
      const d = Math.abs(x - y);
      if (d > maxAbs) maxAbs = d;
      sumAbs += d;
      if (x > a[base + argA]) argA = v;
      if (y > b[base + argB]) argB = v;
      if (x < lo) lo = x;
    }
    sumRange += a[base + argA] - lo;
    if (argA === argB) top1Agree++;
    sumKl += klDivergence(a, b, base, vocab, a[base + argA], b[base + argB]);
  }
  return { maxAbs, meanAbs: sumAbs / a.length, meanRange: sumRange / positions, meanKl: sumKl / positions, top1Agree, positions };
}

/** KL(softmax(a) || softmax(b)) over one row, from the rows' maxima (log-sum-exp, stable). */
function klDivergence(a: ArrayLike<number>, b: ArrayLike<number>, base: number, vocab: number, maxA: number, maxB: number): number {
  let za = 0;
  let zb = 0;
  for (let v = 0; v < vocab; v++) {
    za += Math.exp(a[base + v] - maxA);
    zb += Math.exp(b[base + v] - maxB);
  }
  const logZa = maxA + Math.log(za);
  const logZb = maxB + Math.log(zb);
  let kl = 0;
  for (let v = 0; v < vocab; v++) {
    const logP = a[base + v] - logZa;
    kl += Math.exp(logP) * (logP - (b[base + v] - logZb));
  }
  return Math.max(0, kl);
}

export function formatLogitError(e: LogitError): string {
  return `max |d| ${e.maxAbs.toFixed(4)}, mean |d| ${e.meanAbs.toFixed(4)} (logit range ~${e.meanRange.toFixed(1)}), KL ${e.meanKl.toFixed(4)} nats, top-1 agreement ${e.top1Agree}/${e.positions}`;
}
