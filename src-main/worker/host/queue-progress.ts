// Whole-library progress for the top bar: "3 of 40", restored and failed counts of the current
// run (from the queue's first photo until it is empty again), and the time left. The time left
// comes from the seconds per input megapixel measured in this session (engine/library/batch-eta.ts,
// the CLI batch's arithmetic), per engine; before a photo of that engine finished, from the rate
// measured in an earlier session on this machine (measured-rates.ts, in the state folder), then
// the running photo's own, then the engine's estimate. Each restored photo's rate is saved for
// the next session. The clock is passed in, so tests control it.
import { BatchEta } from '../../engine/library/batch-eta';
import type { PhotoRecord } from '../../engine/library/library-types';
import { estimatedSecondsPerMegapixel } from '../../engine/library/measured-rates';
import type { MeasuredRates, RateRequest } from '../../engine/library/measured-rates';
import type { QueueStatus } from '../../protocol/api';
import type { RestoreResult } from '../../protocol/restore';

/** A library photo's input megapixels, once triage has read its size (undefined before). */
export function megapixelsOf(record: PhotoRecord): number | undefined {
  const t = record.triage as { width?: unknown; height?: unknown } | undefined;
  return typeof t?.width === 'number' && typeof t.height === 'number' && t.width > 0 && t.height > 0 ? (t.width * t.height) / 1e6 : undefined;
}

export class QueueProgress {
  /** Per engine, kept for the whole session: the rate of one run is the best guess for the next. */
  private readonly etas = new Map<string, BatchEta>();
  private restored = 0;
  private failed = 0;
  private running: { startedAt: number; fraction: number; request?: RateRequest; megapixels?: number } | undefined;

  constructor(
    private readonly now: () => number = () => performance.now(),
    /** Rates measured in earlier sessions; the ones of this session are added to it. */
    private readonly rates?: MeasuredRates,
  ) {}

  started(request?: RateRequest, megapixels?: number): void {
    this.running = { startedAt: this.now(), fraction: 0, ...(request && { request }), ...(megapixels !== undefined && { megapixels }) };
  }

  progressed(fraction: number): void {
    if (this.running) this.running.fraction = Math.min(1, Math.max(0, fraction));
  }

  /**
   * The running photo ended: restored, failed, or taken out of the queue (not counted). A photo
   * that failed before it could start (its input gone) counts as failed too. A restored photo's
   * `result` gives its size, engine, provider and threads: its rate is measured from the time it
   * took here, less the model's load (once per session, not per pixel).
   */
  ended(outcome: 'restored' | 'failed' | 'withdrawn', result?: RestoreResult): void {
    if (outcome === 'restored' && this.running) {
      const wall = (this.now() - this.running.startedAt) / 1000;
      const seconds = Math.max(0, wall - (result?.timings.loadModelMs ?? 0) / 1000);
      const area = result ? (result.roi ?? result.inputSize) : undefined;
      const megapixels = area ? (area.width * area.height) / 1e6 : this.running.megapixels;
      const engine = result?.engine ?? this.running.request?.engine;
      this.etaFor(engine === undefined ? undefined : { ...this.running.request, engine }).photoDone(seconds, megapixels);
      if (result && megapixels) void this.rates?.record({ engine: result.engine, provider: result.provider, threads: result.threads ?? 0 }, seconds, megapixels);
    }
    if (outcome === 'restored') this.restored += 1;
    if (outcome === 'failed') this.failed += 1;
    this.running = undefined;
  }

  get isRunning(): boolean {
    return this.running !== undefined;
  }

  /**
   * `waiting`: how many photos wait, or their megapixels (undefined where not known yet);
   * `request`: what they will run with (the queue's options), for the rate to use.
   */
  status(waiting: number | readonly (number | undefined)[], paused: boolean, request?: RateRequest): QueueStatus {
    const sizes = typeof waiting === 'number' ? new Array<undefined>(waiting).fill(undefined) : waiting;
    const finished = this.restored + this.failed;
    const running = this.running ? 1 : 0;
    const status: QueueStatus = { position: finished + running, total: finished + running + sizes.length, done: this.restored, failed: this.failed, paused };
    const current = this.running;
    const eta = this.etaFor(current?.request ?? request);
    const seconds = eta.secondsLeftBySize(sizes, current && { fraction: current.fraction, seconds: (this.now() - current.startedAt) / 1000, ...(current.megapixels !== undefined && { megapixels: current.megapixels }) });
    if (seconds !== undefined && (sizes.length > 0 || running)) status.etaSeconds = Math.round(seconds);
    return status;
  }

  /** The session's ETA for an engine, made with what earlier sessions measured (or the estimate). */
  private etaFor(request: RateRequest | undefined): BatchEta {
    const key = request?.engine ?? '';
    let eta = this.etas.get(key);
    if (!eta) {
      const measured = request && this.rates?.lookup(request.engine, request);
      const estimated = request && estimatedSecondsPerMegapixel(request.engine, request.threads);
      eta = new BatchEta({ ...(measured !== undefined && { measured }), ...(estimated !== undefined && { estimated }) });
      this.etas.set(key, eta);
    }
    return eta;
  }

  /** When the queue is empty: the run's counts (then reset), or undefined if nothing ran. */
  finishRun(): { restored: number; failed: number } | undefined {
    if (this.running || this.restored + this.failed === 0) return undefined;
    const counts = { restored: this.restored, failed: this.failed };
    this.restored = 0;
    this.failed = 0;
    return counts;
  }
}
