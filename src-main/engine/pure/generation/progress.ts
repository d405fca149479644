// Progress of one PURE generation for the UI: which of the three stages the model is in
// (perceive = writing the degradation, understand = writing the description, restore = the image
// tokens), token i of about N, image rows done, speed and time left. Throttled, because a
// generation has ~4200 steps and the UI needs a few updates a second. Pure TypeScript.

import { EtaEstimator } from '../../common/eta';

export type GenerationPhase = 'perceive' | 'understand' | 'restore';

export interface GenerationProgress {
  phase: GenerationPhase;
  /** New tokens chosen so far (text and image). */
  token: number;
  /** About how many new tokens the whole generation takes: text so far + the image's tokens. */
  totalTokens: number;
  rowsDone: number;
  rows: number;
  /** Tokens per second in the current stage; undefined until measurable. */
  tokensPerSecond: number | undefined;
  /** Seconds to the end of the image; before the image starts, a rough guess from the text speed. */
  etaSeconds: number | undefined;
}

export interface ProgressOptions {
  onProgress: ((p: GenerationProgress) => void) | undefined;
  now: () => number;
  intervalMs: number;
  rows: number;
  /** Tokens of the generated image (4164) plus what follows it (0, or 1 for end of turn). */
  imageTokens: number;
  /** How much slower an image step is than a text step (CFG's second branch), for the early guess. */
  imageStepCost: number;
}

export class ProgressReporter {
  private phase: GenerationPhase = 'perceive';
  private phaseStart: number;
  private phaseStartToken = 0;
  private lastEmit = -Infinity;
  private eta = new EtaEstimator(() => this.o.now());
  private imageStartToken = 0;

  constructor(private readonly o: ProgressOptions) {
    this.phaseStart = o.now();
  }

  get currentPhase(): GenerationPhase {
    return this.phase;
  }

  setPhase(phase: GenerationPhase, token: number): void {
    if (phase === this.phase) return;
    this.phase = phase;
    this.phaseStart = this.o.now();
    this.phaseStartToken = token;
    if (phase === 'restore') this.imageStartToken = token;
    this.lastEmit = -Infinity; // a stage change is always reported
  }

  /**
   * Reports after a token. `textTokens` counts the text so far (it sets the total while the text
   * grows); `force` reports regardless of the interval (a finished row, the last token).
   */
  update(token: number, textTokens: number, rowsDone: number, force = false): void {
    if (this.o.onProgress === undefined) return;
    const t = this.o.now();
    if (!force && t - this.lastEmit < this.o.intervalMs) return;
    this.lastEmit = t;
    const elapsed = (t - this.phaseStart) / 1000;
    const done = token - this.phaseStartToken;
    const rate = elapsed > 0 && done > 0 ? done / elapsed : undefined;
    let etaSeconds: number | undefined;
    if (this.phase === 'restore') {
      etaSeconds = this.eta.update(Math.min(1, (token - this.imageStartToken) / this.o.imageTokens));
    } else if (rate !== undefined) {
      etaSeconds = (this.o.imageTokens * this.o.imageStepCost) / rate;
    }
    this.o.onProgress({
      phase: this.phase,
      token,
      totalTokens: Math.max(token, textTokens + this.o.imageTokens),
      rowsDone,
      rows: this.o.rows,
      tokensPerSecond: rate,
      etaSeconds,
    });
  }
}
