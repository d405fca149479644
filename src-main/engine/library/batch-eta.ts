// Time left for a whole batch, from the rate measured on this run: the mean seconds of the photos
// restored so far (done-before photos cost nothing and are not counted), with the running photo's
// own fraction. When the photos' sizes are known, the rate is per input megapixel (a 24 MP scan
// costs 8x a 3 MP one), and before anything finished in this run it comes from what was measured
// earlier on this machine (measured-rates.ts), then from the running photo itself, then from the
// estimate. Pure arithmetic with the clock passed in, so tests control it.

/** Rates known before this run, in seconds per input megapixel. */
export interface PriorRates {
  /** Measured earlier on this machine for this engine (and provider and threads, when known). */
  measured?: number;
  /** A first guess (the engine's cost measured elsewhere): used only when nothing better is known. */
  estimated?: number;
}

/** The running photo: its size, the fraction done and the seconds it has taken so far. */
export interface RunningPhoto {
  megapixels?: number;
  fraction: number;
  seconds: number;
}

/** Below this fraction the running photo's own rate is mostly start-up noise. */
const MIN_FRACTION = 0.05;

const known = (mp: number | undefined): mp is number => mp !== undefined && Number.isFinite(mp) && mp > 0;

export class BatchEta {
  private restoredSeconds = 0;
  private restored = 0;
  /** Photos of known size: their seconds and megapixels, for the per-megapixel rate. */
  private sizedSeconds = 0;
  private sizedMegapixels = 0;

  constructor(private readonly prior: PriorRates = {}) {}

  /** A photo restored in `seconds` (the callers leave the model's one-time load out). */
  photoDone(seconds: number, megapixels?: number): void {
    this.restoredSeconds += seconds;
    this.restored += 1;
    if (known(megapixels)) {
      this.sizedSeconds += seconds;
      this.sizedMegapixels += megapixels;
    }
  }

  /** Seconds per input megapixel measured in this run (undefined until a photo of known size finished). */
  get secondsPerMegapixel(): number | undefined {
    return this.sizedMegapixels > 0 ? this.sizedSeconds / this.sizedMegapixels : undefined;
  }

  /** Seconds left for `remaining` photos (the running one counted with `currentFraction` done). */
  secondsLeft(remaining: number, currentFraction = 0, currentSeconds = 0): number | undefined {
    if (this.restored === 0) {
      // Nothing finished yet: the running photo's own rate is all there is.
      if (currentFraction < MIN_FRACTION || currentSeconds <= 0) return undefined;
      const perPhoto = currentSeconds / currentFraction;
      return Math.max(0, perPhoto * (remaining - currentFraction));
    }
    const perPhoto = this.restoredSeconds / this.restored;
    return Math.max(0, perPhoto * (remaining - Math.min(1, currentFraction)));
  }

  /**
   * Seconds left for the photos waiting (their megapixels; undefined where not known yet) and the
   * running one. The rate, best first: this run's, the one measured earlier, the running photo's
   * own, the estimate. A photo of unknown size counts as the mean of the known ones; when no size
   * is known at all, it is the per-photo arithmetic of `secondsLeft`.
   */
  secondsLeftBySize(waiting: readonly (number | undefined)[], running?: RunningPhoto): number | undefined {
    const sizes = [...waiting, ...(running ? [running.megapixels] : [])].filter(known);
    const fraction = Math.min(1, Math.max(0, running?.fraction ?? 0));
    const perPhoto = () => this.secondsLeft(waiting.length + (running ? 1 : 0), fraction, running?.seconds ?? 0);
    if (sizes.length === 0) return perPhoto();
    const ownRate = running && known(running.megapixels) && fraction >= MIN_FRACTION && running.seconds > 0 ? running.seconds / fraction / running.megapixels : undefined;
    const rate = this.secondsPerMegapixel ?? this.prior.measured ?? ownRate ?? this.prior.estimated;
    if (rate === undefined) return perPhoto();
    const mean = sizes.reduce((a, b) => a + b, 0) / sizes.length;
    const megapixels = waiting.reduce<number>((sum, mp) => sum + (known(mp) ? mp : mean), 0) + (running ? (known(running.megapixels) ? running.megapixels : mean) * (1 - fraction) : 0);
    return Math.max(0, rate * megapixels);
  }
}
