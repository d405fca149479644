// Time-left estimate from the fraction done. The first unit of work is often slower (model
// warm-up, memory allocation), so the rate is measured from the first report on, not from zero.
// Pure TypeScript: the clock is passed in, so tests control it.

export class EtaEstimator {
  private readonly now: () => number;
  private startTime: number | undefined;
  private startFraction = 0;

  constructor(now: () => number) {
    this.now = now;
  }

  /** Records progress and returns the seconds left, or undefined while there is too little to go on. */
  update(fraction: number): number | undefined {
    const t = this.now();
    if (this.startTime === undefined) {
      this.startTime = t;
      this.startFraction = fraction;
      return undefined;
    }
    const done = fraction - this.startFraction;
    const elapsed = t - this.startTime;
    if (done <= 0 || elapsed <= 0) return undefined;
    const secondsPerFraction = elapsed / 1000 / done;
    return Math.max(0, (1 - fraction) * secondsPerFraction);
  }
}

/** "1 h 02 min", "3 min 05 s", "12 s". */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
}
