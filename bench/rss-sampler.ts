// A DecoderRunner wrapper for benches: the process RSS after every forward(), and its peak.
// The concat-cache runners allocate a whole new KV cache in JS memory every call; this shows
// whether a runner's memory grows with steps or stays at its buffers.
import type { DecoderStep } from '../src-main/engine/pure/generation/runner';
import type { TimedRunner } from './timed-runner';
import { WrappingRunner } from './wrapping-runner';

/** Samples the process RSS after every forward(): its peak during a run. */
export class RssSampler extends WrappingRunner<TimedRunner> {
  peakRss = process.memoryUsage().rss;

  override async forward(steps: readonly DecoderStep[]): Promise<Float32Array[]> {
    const out = await this.inner.forward(steps);
    this.peakRss = Math.max(this.peakRss, process.memoryUsage().rss);
    return out;
  }
}

