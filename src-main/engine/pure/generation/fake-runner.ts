// FOR TESTS ONLY: a deterministic stand-in for the decoder, so the generation loop can be tested
// while the real decoder graph is built elsewhere. Its "model" is a function of each sequence's
// whole token history (a seeded hash picks a few peaks), and it records every call, so tests can
// check positions, batching, the unconditional branch and that every sequence gets closed.

import type { DecoderRunner, DecoderStep, SequenceId } from './runner';

export type FakeModel = (history: readonly number[], out: Float32Array) => void;

export interface FakeCall {
  steps: { sequence: SequenceId; tokens: number[]; position: number }[];
}

export class FakeRunner implements DecoderRunner {
  readonly calls: FakeCall[] = [];
  readonly histories = new Map<SequenceId, number[]>();
  readonly closed: SequenceId[] = [];
  private readonly buffers = new Map<SequenceId, Float32Array>();
  private nextId = 1;

  constructor(
    readonly vocabSize: number,
    readonly maxBatch: number,
    private readonly model: FakeModel,
  ) {}

  // Each method yields once, as a real (asynchronous) backend does.
  async openSequence(): Promise<SequenceId> {
    await Promise.resolve();
    const id = this.nextId++;
    this.histories.set(id, []);
    return id;
  }

  async forward(steps: readonly DecoderStep[]): Promise<Float32Array[]> {
    await Promise.resolve();
    if (steps.length > this.maxBatch) throw new Error(`batch ${steps.length} > maxBatch ${this.maxBatch}`);
    if (new Set(steps.map((s) => s.tokens.length)).size > 1) throw new Error('steps of one call differ in length');
    this.calls.push({ steps: steps.map((s) => ({ sequence: s.sequence, tokens: [...s.tokens], position: s.position })) });
    return steps.map((s) => {
      const history = this.histories.get(s.sequence);
      if (history === undefined) throw new Error(`sequence ${s.sequence} is not open`);
      if (s.position !== history.length) throw new Error(`position ${s.position} but the sequence holds ${history.length}`);
      history.push(...s.tokens);
      // One buffer per sequence, overwritten by its next call: exactly the lifetime the
      // DecoderRunner contract promises, so a caller that holds logits too long reads wrong ones.
      let out = this.buffers.get(s.sequence);
      if (out === undefined) this.buffers.set(s.sequence, (out = new Float32Array(this.vocabSize)));
      out.fill(0);
      this.model(history, out);
      return out;
    });
  }

  async closeSequence(sequence: SequenceId): Promise<void> {
    await Promise.resolve();
    if (!this.histories.has(sequence)) throw new Error(`sequence ${sequence} closed twice`);
    this.histories.delete(sequence);
    this.buffers.delete(sequence);
    this.closed.push(sequence);
  }

  /** Sequences still open (should be none once the loop returns or throws). */
  get openCount(): number {
    return this.histories.size;
  }
}

/** FNV-1a over the last `tail` tokens, the length and a salt: a cheap deterministic "context". */
export function contextHash(history: readonly number[], salt: number, tail = 6): number {
  let h = (0x811c9dc5 ^ salt) >>> 0;
  const from = Math.max(0, history.length - tail);
  for (let i = from; i < history.length; i++) h = Math.imul(h ^ history[i], 0x01000193) >>> 0;
  return Math.imul(h ^ history.length, 0x01000193) >>> 0;
}
