// Ctrl-C in the command-line tools: the first one aborts the work (which then stops cleanly and
// leaves nothing half-written), a second one quits at once.
import { EXIT } from './exit-codes';

/** A signal aborted by the first Ctrl-C; `doing` names what happens then ("Cancelling"). */
export function abortOnCtrlC(doing: string): AbortSignal {
  const controller = new AbortController();
  process.on('SIGINT', () => {
    if (controller.signal.aborted) process.exit(EXIT.CANCELLED);
    process.stderr.write(`\n${doing}... (Ctrl-C again to quit at once)\n`);
    controller.abort();
  });
  return controller.signal;
}
