// Whole-library progress for the top bar: "3 of 40", restored and failed counts of the current
// run (from the queue's first photo until it is empty again), and the time left from the rate
// measured in this session (the CLI batch's arithmetic, engine/library/batch-eta.ts), refined by
// the running photo's own fraction. The clock is passed in, so tests control it.
import { BatchEta } from '../../engine/library/batch-eta';
import type { QueueStatus } from '../../protocol/api';

export class QueueProgress {
  /** Kept for the whole session: the rate of one run is the best guess for the next. */
  private readonly eta = new BatchEta();
  private restored = 0;
  private failed = 0;
  private running: { startedAt: number; fraction: number } | undefined;

  constructor(private readonly now: () => number = () => performance.now()) {}

  started(): void {
    this.running = { startedAt: this.now(), fraction: 0 };
  }

  progressed(fraction: number): void {
    if (this.running) this.running.fraction = Math.min(1, Math.max(0, fraction));
  }

  /**
   * The running photo ended: restored, failed, or taken out of the queue (not counted). A photo
   * that failed before it could start (its input gone) counts as failed too.
   */
  ended(outcome: 'restored' | 'failed' | 'withdrawn'): void {
    if (outcome === 'restored' && this.running) this.eta.photoDone((this.now() - this.running.startedAt) / 1000);
    if (outcome === 'restored') this.restored += 1;
    if (outcome === 'failed') this.failed += 1;
    this.running = undefined;
  }

  get isRunning(): boolean {
    return this.running !== undefined;
  }

  status(waiting: number, paused: boolean): QueueStatus {
    const finished = this.restored + this.failed;
    const running = this.running ? 1 : 0;
    const status: QueueStatus = { position: finished + running, total: finished + running + waiting, done: this.restored, failed: this.failed, paused };
    const current = this.running;
    const seconds = this.eta.secondsLeft(waiting + running, current?.fraction ?? 0, current ? (this.now() - current.startedAt) / 1000 : 0);
    if (seconds !== undefined && (waiting > 0 || running)) status.etaSeconds = Math.round(seconds);
    return status;
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
