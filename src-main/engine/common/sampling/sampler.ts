// One PURE sampling step: a function of (logits, step kind, RNG state, settings) -> token.
// Order (PURE-SPEC section 6): CFG -> mask -> entropy (before temperature) -> dynamic top-k ->
// temperature -> softmax -> multinomial. The RNG state is explicit and advanced in place (one
// uniform per sampled token), so the same seed replays the same tokens.
// Pure TypeScript: no Node built-ins.

import { softmaxEntropy } from './entropy';
import { ClassifierFreeGuidance, DynamicTopK, ImageMask, Temperature } from './processors';
import type { Candidates, MaskIds } from './processors';
import { nextFloat } from './rng';
import type { RngState } from './rng';
import { samplingSettings } from './settings';
import type { SamplingSettings } from './settings';
import type { StepKind } from './step-tracker';

export interface StepLogits {
  cond: Float32Array; // (vocab,) conditional branch, last position
  /** (vocab,) unconditional branch; used only in image mode when CFG is active. */
  uncond?: Float32Array;
}

export interface SampleResult {
  token: number;
  /** Entropy in nats of the masked (and CFG-combined) distribution before temperature. */
  entropy: number;
  k: number;
  /** Candidates that survived top-k (>= k when scores tie at the k-th). */
  kept: number;
}

/** Preallocated buffers, so a step allocates nothing on the 73728-token vocabulary. */
export class SamplerWorkspace {
  readonly combined: Float32Array; // (vocab,) CFG output
  readonly identity: Int32Array; // (vocab,) 0..vocab-1
  readonly gatherIds: Int32Array; // (vocab,) masked candidates
  readonly gatherScores: Float32Array; // (vocab,)
  readonly kept: Candidates; // (vocab,) after top-k
  readonly select: Float32Array; // (vocab,) quickselect scratch
  readonly exp: Float64Array; // (vocab,) exp(score - max) for the entropy

  constructor(readonly vocabSize: number) {
    this.combined = new Float32Array(vocabSize);
    this.identity = new Int32Array(vocabSize);
    for (let i = 0; i < vocabSize; i++) this.identity[i] = i;
    this.gatherIds = new Int32Array(vocabSize);
    this.gatherScores = new Float32Array(vocabSize);
    this.kept = { ids: new Int32Array(vocabSize), scores: new Float32Array(vocabSize), n: 0 };
    this.select = new Float32Array(vocabSize);
    this.exp = new Float64Array(vocabSize);
  }
}

/** The processors for one set of settings plus their buffers; `sample` is deterministic. */
export class TokenSampler {
  readonly settings: SamplingSettings;
  private readonly cfg: ClassifierFreeGuidance;
  private readonly mask: ImageMask;
  private readonly topK: DynamicTopK;
  private readonly temperature: Temperature;
  private ws: SamplerWorkspace | undefined;

  constructor(settings: Partial<SamplingSettings>, maskIds: MaskIds) {
    this.settings = samplingSettings(settings);
    this.cfg = new ClassifierFreeGuidance(this.settings.guidanceScale);
    this.mask = new ImageMask(maskIds);
    this.topK = new DynamicTopK(this.settings);
    this.temperature = new Temperature(this.settings.temperature);
  }

  /** Whether image tokens need the unconditional branch at all (g != 1). */
  get usesCfg(): boolean {
    return this.cfg.active;
  }

  sample(logits: StepLogits, step: StepKind, rng: RngState): SampleResult {
    const vocab = logits.cond.length;
    if (this.ws?.vocabSize !== vocab) this.ws = new SamplerWorkspace(vocab);
    const ws = this.ws;
    if (logits.uncond !== undefined && logits.uncond.length !== vocab) throw new RangeError('cond and uncond logits differ in size.');

    const uncond = step.mode === 'image' ? logits.uncond : undefined;
    // 1 + 2: CFG, then the mask (computed together where the mask keeps a set: see applyAt).
    let candidates: Candidates;
    const allowed = this.mask.allowed(step);
    if (allowed.kind === 'all') {
      candidates = { ids: ws.identity, scores: this.cfg.apply(logits.cond, uncond, ws.combined), n: vocab };
    } else if (allowed.kind === 'only') {
      // The reference sets the forced token's score to 0 and every other to -inf.
      ws.gatherIds[0] = allowed.id;
      ws.gatherScores[0] = 0;
      candidates = { ids: ws.gatherIds, scores: ws.gatherScores, n: 1 };
    } else {
      const n = allowed.ids.length;
      this.cfg.applyAt(logits.cond, uncond, allowed.ids, n, ws.gatherScores);
      candidates = { ids: allowed.ids, scores: ws.gatherScores, n }; // ids are only read from here on
    }
    const entropy = softmaxEntropy(candidates.scores, candidates.n, ws.exp);
    const k = this.topK.kFor(step, entropy);
    const kept = this.temperature.apply(this.topK.apply(candidates, k, ws.kept, ws.select));
    const token = sampleMultinomial(kept, rng, ws.exp);
    return { token, entropy, k, kept: kept.n };
  }
}

/** One-off form of TokenSampler.sample (tests, tools); the loop keeps a TokenSampler for its buffers. */
export function sampleToken(
  logits: StepLogits,
  step: StepKind,
  rng: RngState,
  settings: Partial<SamplingSettings>,
  maskIds: MaskIds,
): SampleResult {
  return new TokenSampler(settings, maskIds).sample(logits, step, rng);
}

/**
 * softmax over the candidates, then one draw: walks the cumulative weights until they pass
 * u * total. Always consumes exactly one uniform, even when one candidate is left.
 */
export function sampleMultinomial(c: Candidates, rng: RngState, scratch: Float64Array): number {
  const u = nextFloat(rng);
  let max = -Infinity;
  for (let i = 0; i < c.n; i++) if (c.scores[i] > max) max = c.scores[i];
  if (!(max > -Infinity)) throw new RangeError('No candidate with a finite score to sample from.');
  let total = 0;
  for (let i = 0; i < c.n; i++) {
    const w = Math.exp(c.scores[i] - max);
    scratch[i] = w;
    total += w;
  }
  const target = u * total;
  let cumulative = 0;
  let last = -1;
  for (let i = 0; i < c.n; i++) {
    const w = scratch[i];
    if (w === 0) continue;
    cumulative += w;
    last = i;
    if (target < cumulative) return c.ids[i];
  }
  return c.ids[last]; // rounding left target at the very top: the last positive weight
}
