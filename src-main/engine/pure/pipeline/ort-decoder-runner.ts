// The generation loop's DecoderRunner over the ONNX decoder session: each sequence keeps its own
// KV cache as onnxruntime tensors, fed back as the next step's past (on CPU nothing is copied
// between steps but the new token's keys and values).
import type { DecoderSession, KvCache } from '../decoder/decoder-session';
import type { DecoderRunner, DecoderStep, SequenceId } from '../generation/runner';

export class OrtDecoderRunner implements DecoderRunner {
  readonly vocabSize: number;
  // One sequence per call: the graph takes a common past length per batch, and CFG's two branches
  // have different lengths. Batching them (padding + mask) is a measured follow-up, not a given.
  readonly maxBatch = 1;
  private readonly caches = new Map<SequenceId, KvCache>();
  private nextId = 1;

  constructor(private readonly session: DecoderSession) {
    this.vocabSize = session.config.vocabSize;
  }

  openSequence(): Promise<SequenceId> {
    const id = this.nextId++;
    this.caches.set(id, this.session.emptyCache(1));
    return Promise.resolve(id);
  }

  async forward(steps: readonly DecoderStep[]): Promise<Float32Array[]> {
    const out: Float32Array[] = [];
    for (const step of steps) {
      const past = this.caches.get(step.sequence);
      if (!past) throw new Error(`sequence ${step.sequence} is not open`);
      if (past.length !== step.position) throw new Error(`sequence ${step.sequence} is at ${past.length}, step says ${step.position}`);
      const result = await this.session.run({ inputIds: [Array.from(step.tokens)], past });
      this.caches.set(step.sequence, result.present);
      out.push(result.logits.subarray(0, this.vocabSize)); // (vocab,): the last token's logits
    }
    return out;
  }

  closeSequence(sequence: SequenceId): Promise<void> {
    this.caches.delete(sequence);
    return Promise.resolve();
  }
}
