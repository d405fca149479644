// Time left for a whole batch, from the rate measured on this run: the mean seconds of the photos
// restored so far (done-before photos cost nothing and are not counted), with the running photo's
// own fraction. Pure arithmetic with the clock passed in, so tests control it.

export class BatchEta {
  private restoredSeconds = 0;
  private restored = 0;

  /** A photo restored in `seconds` (model load included for the first: that is what it cost). */
  photoDone(seconds: number): void {
    this.restoredSeconds += seconds;
    this.restored += 1;
  }

  /** Seconds left for `remaining` photos (the running one counted with `currentFraction` done). */
  secondsLeft(remaining: number, currentFraction = 0, currentSeconds = 0): number | undefined {
    if (this.restored === 0) {
      // Nothing finished yet: the running photo's own rate is all there is.
      if (currentFraction < 0.05 || currentSeconds <= 0) return undefined;
      const perPhoto = currentSeconds / currentFraction;
      return Math.max(0, perPhoto * (remaining - currentFraction));
    }
    const perPhoto = this.restoredSeconds / this.restored;
    return Math.max(0, perPhoto * (remaining - Math.min(1, currentFraction)));
  }
}
