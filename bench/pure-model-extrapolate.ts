// From measured decode-step times at a few context lengths to the time of a whole 512x512 PURE
// restoration: prefill the prompt, write the text (batch 1), then the 4164 image tokens with CFG
// (one batch-2 step each, or two batch-1 steps). A step's time grows about linearly with the
// context (attention and the KV cache are linear in it; the weights are not), so the times are
// interpolated linearly between measured contexts and extrapolated beyond them.
// Pure TypeScript: no Node built-ins.

export interface StepTiming {
  context: number;
  batch: number;
  msPerStep: number;
}

export interface RestorationPlan {
  promptTokens: number;
  textTokens: number;
  imageTokens: number;
}

/** PURE at 512 px: ~4191 prompt tokens (rounded up), a text allowance, 4164 image tokens (PURE-SPEC section 4). */
export const PURE_512_RESTORATION: RestorationPlan = { promptTokens: 4200, textTokens: 256, imageTokens: 4164 };

export interface RestorationEstimate {
  prefillS: number;
  textS: number;
  /** CFG as one batch-2 step per image token (undefined when batch 2 was not measured) */
  imageBatchedS?: number;
  /** CFG as two batch-1 steps per image token */
  imageTwoCallsS: number;
  totalBatchedS?: number;
  totalTwoCallsS: number;
}

/** ms per step of `batch` at `context`: the line through the two nearest measured contexts. */
export function msPerStepAt(timings: readonly StepTiming[], batch: number, context: number): number | undefined {
  const points = timings.filter((t) => t.batch === batch).sort((a, b) => a.context - b.context);
  if (points.length === 0) return undefined;
  if (points.length === 1) return points[0].msPerStep;
  let i = 0;
  while (i < points.length - 2 && context > points[i + 1].context) i++;
  const [a, b] = [points[i], points[i + 1]];
  let slope = (b.msPerStep - a.msPerStep) / (b.context - a.context);
  // Outside the measured range a step never gets cheaper with more context: a falling slope
  // there is measurement noise, not a trend to extend.
  const outside = context < a.context || context > b.context;
  if (outside && slope < 0) slope = 0;
  return Math.max(0, a.msPerStep + slope * (context - a.context));
}

/**
 * `prefillMsPerToken`: measured prefill time per prompt token (batch 1). Under a linear model the
 * sum over a run of steps is the count times the time at its middle context.
 */
export function extrapolateRestoration(timings: readonly StepTiming[], prefillMsPerToken: number, plan: RestorationPlan = PURE_512_RESTORATION): RestorationEstimate {
  const { promptTokens: p, textTokens: t, imageTokens: n } = plan;
  const one = (context: number): number => {
    const ms = msPerStepAt(timings, 1, context);
    if (ms === undefined) throw new Error('extrapolateRestoration needs batch-1 timings');
    return ms;
  };
  const textMid = p + (t - 1) / 2;
  const imageMid = p + t + (n - 1) / 2;
  const prefillS = (prefillMsPerToken * p) / 1000;
  const textS = (t * one(textMid)) / 1000;
  const imageTwoCallsS = (n * 2 * one(imageMid)) / 1000;
  const batched = msPerStepAt(timings, 2, imageMid);
  const out: RestorationEstimate = { prefillS, textS, imageTwoCallsS, totalTwoCallsS: prefillS + textS + imageTwoCallsS };
  if (batched !== undefined) {
    out.imageBatchedS = (n * batched) / 1000;
    out.totalBatchedS = prefillS + textS + out.imageBatchedS;
  }
  return out;
}
