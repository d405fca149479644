// A DecoderRunner wrapper for benches: times every forward() (wall and process CPU, which counts
// all onnxruntime threads and is less sensitive to other processes than wall time) and counts the
// KV slots each call attends over, real and padding.
import type { DecoderStep } from '../src-main/engine/pure/generation/runner';
import { WrappingRunner } from './wrapping-runner';

export interface ForwardRecord {
  batch: number;
  tokensPerStep: number;
  wallMs: number;
  cpuMs: number;
  /** KV slots attended by the last new token of each step: the sequence's own. */
  realSlots: number;
  /** The same when every row is as long as the longest (left padding in one batch). */
  paddedSlots: number;
}

export class TimedRunner extends WrappingRunner {
  readonly records: ForwardRecord[] = [];

  override async forward(steps: readonly DecoderStep[]): Promise<Float32Array[]> {
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const out = await this.inner.forward(steps);
    const wallMs = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    const ends = steps.map((s) => s.position + s.tokens.length);
    this.records.push({
      batch: steps.length,
      tokensPerStep: steps[0].tokens.length,
      wallMs,
      cpuMs: (cpu.user + cpu.system) / 1000,
      realSlots: ends.reduce((a, b) => a + b, 0),
      paddedSlots: steps.length * Math.max(...ends),
    });
    return out;
  }
}
