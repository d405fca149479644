// How the generation loop turns a step's logits into a token, whatever form the runner hands them
// back in: the host's TokenSampler over (vocab,) Float32Arrays, or a sampler that runs on the
// device over logits that never left it (sampling-graph/device-logits-sampler.ts). Either must give
// the host sampler's token for the same logits and RNG state, and advance the RNG the same way.
import { TokenSampler } from '../../common/sampling/sampler';
import type { SampleResult } from '../../common/sampling/sampler';
import type { RngState } from '../../common/sampling/rng';
import type { StepKind } from '../../common/sampling/step-tracker';

export interface LogitsSampler<L> {
  /** Whether image steps combine an unconditional branch (guidance != 1). */
  readonly usesCfg: boolean;
  /** A logits row's width, for the loop's check against the vocabulary. */
  widthOf(logits: L): number;
  sample(logits: { cond: L; uncond?: L }, step: StepKind, rng: RngState): SampleResult | Promise<SampleResult>;
}

/** The host sampler behind the loop's interface. */
export function hostLogitsSampler(sampler: TokenSampler): LogitsSampler<Float32Array> {
  return {
    usesCfg: sampler.usesCfg,
    widthOf: (logits) => logits.length,
    sample: (logits, step, rng) => sampler.sample(logits, step, rng),
  };
}
