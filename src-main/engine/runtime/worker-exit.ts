// What to tell the user when an engine child process ends on its own. A SIGKILL is often the
// kernel's out-of-memory killer, but also a user's `kill -9`, a task manager or a supervisor:
// the process cannot tell which, so the message says what is known and offers memory as one cause.
import { EngineError } from '../common/errors';

function formatBytes(bytes: number): string {
  return bytes >= 2 ** 30 ? `${(bytes / 2 ** 30).toFixed(1)} GiB` : `${Math.round(bytes / 2 ** 20)} MiB`;
}

/**
 * The error for an engine child (`what`: "inference process") that exited with `code` or `signal`
 * while work was pending; `peakRssBytes` is the most memory it reported using (0 when unknown).
 */
export function workerExitError(what: string, code: number | null, signal: NodeJS.Signals | null, peakRssBytes: number): EngineError {
  const peak = peakRssBytes > 0 ? `; the most memory it was seen using was ${formatBytes(peakRssBytes)}` : '';
  // 137 = 128 + 9: a shell or wrapper in between reports a SIGKILL as this exit code.
  const killed = signal === 'SIGKILL' || code === 137;
  if (killed) {
    return new EngineError(
      'WORKER_CRASHED',
      `The ${what} was killed with SIGKILL by the system or another program; running out of memory is one possible cause${peak}.`,
      'If memory was short, use a smaller tile (--tile 128) or close other programs; otherwise try again.',
    );
  }
  const how = signal ? `was ended by signal ${signal}` : `exited with code ${code}`;
  return new EngineError('WORKER_CRASHED', `The ${what} stopped unexpectedly: it ${how}${peak}.`, 'Try again; if it keeps happening, use a smaller --tile.');
}
