// The base of the bench's DecoderRunner wrappers: hands everything to the wrapped runner, so a
// wrapper overrides only forward() to measure around it.
import type { DecoderRunner, DecoderStep, SequenceId } from '../src-main/engine/pure/generation/runner';

export abstract class WrappingRunner<Inner extends DecoderRunner = DecoderRunner> implements DecoderRunner {
  constructor(readonly inner: Inner) {}

  get vocabSize(): number {
    return this.inner.vocabSize;
  }

  get maxBatch(): number {
    return this.inner.maxBatch;
  }

  openSequence(): Promise<SequenceId> {
    return this.inner.openSequence();
  }

  closeSequence(sequence: SequenceId): Promise<void> {
    return this.inner.closeSequence(sequence);
  }

  forward(steps: readonly DecoderStep[]): Promise<Float32Array[]> {
    return this.inner.forward(steps);
  }
}
