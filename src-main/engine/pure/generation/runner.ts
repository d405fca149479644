// What the generation loop needs from a decoder backend. The ONNX session wrapper implements it over
// the decoder graph (inputs input_ids / position_ids / past KV / logits_positions, outputs logits +
// present KV); tests implement it with a small deterministic fake. Types only.

/** An opaque handle to one token sequence and its own KV cache. */
export type SequenceId = number;

export interface DecoderStep {
  sequence: SequenceId;
  /** (n,) tokens appended to the sequence, n >= 1. */
  tokens: Int32Array;
  /**
   * Position of tokens[0]; tokens[i] is at position + i. Always the sequence's current length
   * (the loop never rewinds); passed explicitly so a runner can check it and tests can see it.
   */
  position: number;
}

/**
 * `L` is how a runner hands back a step's logits: a (vocab,) Float32Array in host memory, or a
 * handle to them left on the device (a 'gpu-buffer' tensor) for a sampler that runs there.
 */
export interface DecoderRunner<L = Float32Array> {
  /** Logits per position: 73728 for PURE. */
  readonly vocabSize: number;
  /**
   * How many sequences one forward() may carry. 2 lets the loop run CFG's conditional and
   * unconditional branches as one doubled batch (one token each, different cache lengths);
   * 1 makes it call forward() once per branch.
   */
  readonly maxBatch: number;

  /** A new, empty sequence with its own KV cache. */
  openSequence(): Promise<SequenceId>;

  /**
   * Appends each step's tokens to its sequence (growing its KV cache) and returns, per step, the
   * logits at its last appended token: (vocab,) fp32. Steps in one call all carry the same number
   * of tokens. A returned row stays valid until the next forward() that includes its sequence.
   */
  forward(steps: readonly DecoderStep[]): Promise<L[]>;

  /** Frees a sequence's KV cache. The loop closes every sequence it opened, also on error. */
  closeSequence(sequence: SequenceId): Promise<void>;
}
