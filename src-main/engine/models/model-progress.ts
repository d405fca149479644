// Progress of a model operation, as the CLI prints it and the UI will show it: a phase, and for
// downloads the bytes, the rate over the last few seconds and the time left.

import type { ModelPhase, ModelTaskProgress } from '../../protocol/api';

// The phases and fields are the protocol's: the page shows exactly what the engine reports.
export type { ModelPhase };

/** A model task's progress, tagged with the model it is for. */
export interface ModelProgress extends ModelTaskProgress {
  id: string;
}

export type ProgressListener = (progress: ModelProgress) => void;

/** Bytes per second over a sliding window, so a stall shows as a falling rate, not an average. */
export class RateMeter {
  private readonly samples: { t: number; bytes: number }[] = [];
  private total = 0;

  constructor(
    private readonly now: () => number = Date.now,
    private readonly windowMs = 5000,
  ) {}

  add(bytes: number): void {
    this.total += Math.max(0, bytes);
    const t = this.now();
    this.samples.push({ t, bytes: this.total });
    while (this.samples.length > 2 && t - this.samples[1].t > this.windowMs) this.samples.shift();
  }

  bytesPerSecond(): number {
    if (this.samples.length < 2) return 0;
    const first = this.samples[0];
    const last = this.samples[this.samples.length - 1];
    const ms = Math.max(this.now(), last.t) - first.t;
    return ms > 0 ? ((last.bytes - first.bytes) * 1000) / ms : 0;
  }

  /** Seconds until `remaining` more bytes arrive at the current rate, if there is a rate. */
  etaSeconds(remaining: number): number | undefined {
    const rate = this.bytesPerSecond();
    return rate > 0 ? Math.max(0, remaining) / rate : undefined;
  }
}

/** Passes download progress on at most every `ms`; every other phase change at once. */
export function throttled(listener: ProgressListener | undefined, ms = 200): ProgressListener {
  let last = 0;
  let lastPhase = '';
  return (p) => {
    if (!listener) return;
    const t = Date.now();
    if (p.phase !== 'downloading' || p.phase !== lastPhase || t - last >= ms) {
      last = t;
      lastPhase = p.phase;
      listener(p);
    }
  };
}
