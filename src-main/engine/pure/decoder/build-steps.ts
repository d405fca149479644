// The decoder graph builders are generators that yield after each weight they prepare, so one
// builder serves two callers: tests and benches run it straight through (runSteps), the converter
// (runStepsYielding) gives the event loop a turn between weights. A 7B conversion spends minutes
// in this code; without the turns, Ctrl-C (SIGINT) and an AbortSignal are only seen at the end.
import { throwIfAborted } from '../../common/errors';

/** A build that yields (nothing) between weights and returns T. */
export type BuildSteps<T> = Generator<void, T, void>;

/** Runs a build to its end without pausing. */
export function runSteps<T>(steps: BuildSteps<T>): T {
  for (;;) {
    const next = steps.next();
    if (next.done) return next.value;
  }
}

/**
 * Runs a build, letting the event loop run (signal handlers, I/O) after every step. Once `signal`
 * aborts, the abort error is thrown INTO the build at its pause, so its own cleanup (closing the
 * data file) runs before the error reaches the caller.
 */
export async function runStepsYielding<T>(steps: BuildSteps<T>, signal?: AbortSignal): Promise<T> {
  let next = steps.next();
  while (!next.done) {
    await new Promise<void>((resolve) => setImmediate(resolve));
    try {
      throwIfAborted(signal);
    } catch (error) {
      next = steps.throw(error);
      continue;
    }
    next = steps.next();
  }
  return next.value;
}
