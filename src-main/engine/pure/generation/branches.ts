// The two token sequences of a PURE generation over a DecoderRunner: the conditional branch
// (prompt, text, image) and, while an image is being written with CFG, the unconditional branch
// (its own KV cache; first input [image start, h, w] at positions 0..2, then every new image
// token). Each knows its length, so positions follow; both are closed on every exit.

import { EngineError } from '../../common/errors';
import type { DecoderRunner, DecoderStep, SequenceId } from './runner';

export class Branches<L = Float32Array> {
  private cond: SequenceId | undefined;
  private condLength = 0;
  private uncond: SequenceId | undefined;
  private uncondLength = 0;
  /** Wall time spent inside runner.forward, ms. */
  decoderMs = 0;
  /** Logged forward calls: for tests and timing breakdowns. */
  forwardCalls = 0;

  constructor(
    private readonly runner: DecoderRunner<L>,
    private readonly now: () => number,
    /** The width of a logits row as the runner returns it (checked against the vocabulary). */
    private readonly widthOf: (logits: L) => number,
  ) {}

  get length(): number {
    return this.condLength;
  }

  get hasUncond(): boolean {
    return this.uncond !== undefined;
  }

  /** Opens the conditional sequence and runs the whole prompt: logits for the first new token. */
  async prefill(tokens: Int32Array): Promise<L> {
    if (this.cond !== undefined) throw new Error('prefill() runs once.');
    this.cond = await this.runner.openSequence();
    const [logits] = await this.forward([{ sequence: this.cond, tokens, position: 0 }]);
    this.condLength = tokens.length;
    return logits;
  }

  async feedCond(token: number): Promise<L> {
    const [logits] = await this.forward([this.condStep(token)]);
    this.condLength++;
    return logits;
  }

  /** After the width grid token: the conditional branch gets it, the new unconditional branch [start, h, w]. */
  async startUncond(token: number, uncondPrefix: Int32Array): Promise<[L, L]> {
    if (this.uncond !== undefined) throw new Error('The unconditional branch is already open.');
    this.uncond = await this.runner.openSequence();
    // Different token counts per step: two calls (a batch needs equal lengths).
    const [cond] = await this.forward([this.condStep(token)]);
    this.condLength++;
    const [uncond] = await this.forward([{ sequence: this.uncond, tokens: uncondPrefix, position: 0 }]);
    this.uncondLength = uncondPrefix.length;
    return [cond, uncond];
  }

  /** One image token to both branches: one batch-2 call when the runner can, else two calls. */
  async feedBoth(token: number): Promise<[L, L]> {
    if (this.uncond === undefined) throw new Error('No unconditional branch.');
    const condStep = this.condStep(token);
    const uncondStep: DecoderStep = { sequence: this.uncond, tokens: Int32Array.of(token), position: this.uncondLength };
    let cond: L;
    let uncond: L;
    if (this.runner.maxBatch >= 2) [cond, uncond] = await this.forward([condStep, uncondStep]);
    else {
      [cond] = await this.forward([condStep]);
      [uncond] = await this.forward([uncondStep]);
    }
    this.condLength++;
    this.uncondLength++;
    return [cond, uncond];
  }

  /** At the image end CFG resets: the unconditional cache is dropped. */
  async closeUncond(): Promise<void> {
    const id = this.uncond;
    this.uncond = undefined;
    this.uncondLength = 0;
    if (id !== undefined) await this.runner.closeSequence(id);
  }

  async closeAll(): Promise<void> {
    const ids = [this.uncond, this.cond].filter((id): id is SequenceId => id !== undefined);
    this.uncond = this.cond = undefined;
    for (const id of ids) await this.runner.closeSequence(id);
  }

  private condStep(token: number): DecoderStep {
    if (this.cond === undefined) throw new Error('prefill() first.');
    return { sequence: this.cond, tokens: Int32Array.of(token), position: this.condLength };
  }

  private async forward(steps: DecoderStep[]): Promise<L[]> {
    const t0 = this.now();
    const out = await this.runner.forward(steps);
    this.decoderMs += this.now() - t0;
    this.forwardCalls++;
    if (out.length !== steps.length || out.some((l) => this.widthOf(l) !== this.runner.vocabSize)) {
      const width = out[0] === undefined ? undefined : this.widthOf(out[0]);
      throw new EngineError('INTERNAL', `The decoder returned ${out.length} logits rows of size ${width} for ${steps.length} sequences of vocabulary ${this.runner.vocabSize}.`);
    }
    return out;
  }
}
