// The logits processors of PURE-SPEC section 6, each a small class doing one thing, applied in
// order by sampler.ts: CFG -> image mask -> (entropy ->) dynamic top-k -> temperature.
// They work on "candidates": the token ids still allowed and their scores, so that once the mask
// has cut the 73728-token vocabulary down to the 16384 image codes, later steps touch only those.
// Pure TypeScript: no Node built-ins.

import { dynamicTopK } from './entropy';
import type { SamplingSettings } from './settings';
import type { StepKind } from './step-tracker';
import { keepTopK } from './top-k';

/** Token ids still allowed and their scores; only [0, n) is meaningful. */
export interface Candidates {
  ids: Int32Array; // (>= n,)
  scores: Float32Array; // (>= n,)
  n: number;
}

/** The ids the image mask needs; codeIds comes from the tokenizer's vocabulary, never assumed. */
export interface MaskIds {
  codeIds: Int32Array; // (codebook,) every image-code token id
  rowEnd: number; // 8803
  imageEnd: number; // 8196
}

/** 1. Classifier-free guidance: g * (cond - uncond) + uncond. */
export class ClassifierFreeGuidance {
  constructor(readonly scale: number) {}

  /** g = 1 is the identity, and the reference then skips the unconditional branch entirely. */
  get active(): boolean {
    return this.scale !== 1;
  }

  /** Over the whole vocabulary: the combined scores in `out`, or `cond` itself when inactive or uncond is missing. */
  apply(cond: Float32Array, uncond: Float32Array | undefined, out: Float32Array): Float32Array {
    if (!this.active || uncond === undefined) return cond;
    const g = this.scale;
    const n = cond.length;
    for (let i = 0; i < n; i++) {
      const u = uncond[i];
      out[i] = g * (cond[i] - u) + u;
    }
    return out;
  }

  /**
   * Only at `ids` (the tokens the mask keeps), into out[0..n). CFG is elementwise, so this equals
   * CFG over the vocabulary followed by the mask, without touching the 57344 masked-out scores.
   */
  applyAt(cond: Float32Array, uncond: Float32Array | undefined, ids: Int32Array, n: number, out: Float32Array): void {
    if (!this.active || uncond === undefined) {
      for (let i = 0; i < n; i++) out[i] = cond[ids[i]];
      return;
    }
    const g = this.scale;
    for (let i = 0; i < n; i++) {
      const id = ids[i];
      const u = uncond[id];
      out[i] = g * (cond[id] - u) + u;
    }
  }
}

/** What the image mask allows at a step: everything, one forced token, or a set of ids. */
export type Allowed = { kind: 'all' } | { kind: 'only'; id: number } | { kind: 'set'; ids: Int32Array };

/** 2. Image mask: inside an image, only a row end, only the image end, or only image codes. */
export class ImageMask {
  private readonly all: Allowed = { kind: 'all' };
  private readonly codes: Allowed;
  private readonly rowEnd: Allowed;
  private readonly imageEnd: Allowed;

  constructor(mask: MaskIds) {
    this.codes = { kind: 'set', ids: mask.codeIds };
    this.rowEnd = { kind: 'only', id: mask.rowEnd };
    this.imageEnd = { kind: 'only', id: mask.imageEnd };
  }

  /** Outside an image (text, grid tokens) nothing is masked. */
  allowed(step: StepKind): Allowed {
    if (step.mode !== 'image') return this.all;
    return step.slot === 'code' ? this.codes : step.slot === 'rowEnd' ? this.rowEnd : this.imageEnd;
  }
}

/** 3. Top-k: greedy for text, entropy-driven for the grid tokens and image tokens. */
export class DynamicTopK {
  constructor(private readonly settings: SamplingSettings) {}

  kFor(step: StepKind, entropy: number): number {
    return step.mode === 'text' ? this.settings.textTopK : dynamicTopK(entropy, this.settings);
  }

  /** Keeps scores >= the k-th largest (ties kept) into `out`; returns it. */
  apply(c: Candidates, k: number, out: Candidates, scratch: Float32Array): Candidates {
    out.n = keepTopK(c.ids, c.scores, c.n, k, out.ids, out.scores, scratch);
    return out;
  }
}

/** 4. Temperature: scores / T, in place on the kept candidates. */
export class Temperature {
  constructor(readonly temperature: number) {}

  apply(c: Candidates): Candidates {
    if (this.temperature === 1) return c;
    const inv = 1 / this.temperature;
    for (let i = 0; i < c.n; i++) c.scores[i] *= inv;
    return c;
  }
}
