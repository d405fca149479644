// A DecoderRunner wrapper for benches: the process RSS after every forward(), and its peak.
// The concat-cache runners allocate a whole new KV cache in JS memory every call; this shows
// whether a runner's memory grows with steps or stays at its buffers.
import type { DecoderRunner, DecoderStep, SequenceId } from '../src-main/engine/pure/generation/runner';
import type { TimedRunner } from './timed-runner';

/** Samples the process RSS after every forward(): its peak during a run. */
export class RssSampler implements DecoderRunner {
  peakRss = process.memoryUsage().rss;
  constructor(readonly inner: TimedRunner) {}
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
  async forward(steps: readonly DecoderStep[]): Promise<Float32Array[]> {
    const out = await this.inner.forward(steps);
    this.peakRss = Math.max(this.peakRss, process.memoryUsage().rss);
    return out;
  }
}

