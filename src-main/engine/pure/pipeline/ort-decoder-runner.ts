// The generation loop's DecoderRunner over the ONNX decoder session, one sequence per call: each
// sequence keeps its own batch-1 KV cache as onnxruntime tensors, fed back as the next step's
// past, so CFG costs two calls per image token. OrtBatchedRunner runs both in one call.
// A long prompt goes in chunks of PREFILL_CHUNK tokens, which caps the attention scores of a call.
import type { DecoderSession, KvCache } from '../decoder/decoder-session';
import type { DecoderRunner, DecoderStep, SequenceId } from '../generation/runner';
import { appendTokens } from './concat-prefill';

export class OrtDecoderRunner implements DecoderRunner {
  readonly vocabSize: number;
  // One sequence per call: no padding, no cache copies (see OrtBatchedRunner for the other trade).
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
      const { cache, logits } = await appendTokens(this.session, past, step.tokens);
      this.caches.set(step.sequence, cache);
      out.push(logits); // (vocab,): the last token's logits
    }
    return out;
  }

  closeSequence(sequence: SequenceId): Promise<void> {
    this.caches.delete(sequence);
    return Promise.resolve();
  }
}
