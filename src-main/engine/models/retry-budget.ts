// When to stop retrying one part of a download. Counting failures in a row is not enough: the
// count restarted whenever bytes arrived, so a server that ignores Range and drops the
// connection (each retry starts again from byte 0 and gets a little further) ran for ~100
// requests and minutes. Progress here means reaching further into the file than ever before;
// on top of the failure count, retrying stops after `retryWindowMs` without such progress, and
// once the bytes fetched a second time exceed `refetchRatio` of the file.
import { EngineError } from '../common/errors';
import type { RemoteFile, TransferSettings } from './download-file';
import { describeUrl, TransferError } from './transfer-errors';
import { GUI_HINTS } from './gui-hints';

export class RetryBudget {
  private failures = 0;
  /** The furthest the part has ever reached (bytes of it on disk at some point). */
  private furthest: number;
  private lastProgressAt = Date.now();
  private refetched = 0;

  constructor(
    private readonly settings: TransferSettings,
    done: number,
  ) {
    this.furthest = done;
  }

  /**
   * Books a failed attempt that ended with `done` bytes of the part on disk (`restarted`: the
   * server sent the part from its start again). Returns how long to wait before the next try,
   * or throws the error to give up with.
   */
  afterFailure(done: number, restarted: boolean, size: number | null, error: unknown, file: RemoteFile): number {
    if (restarted) this.refetched += Math.min(done, this.furthest);
    if (done > this.furthest) {
      this.furthest = done;
      this.failures = 0; // new ground: the connection is just flaky
      this.lastProgressAt = Date.now();
    }
    this.failures++;
    const limit = Math.max(1, this.settings.refetchRatio * (size ?? this.furthest));
    if (this.refetched > limit) {
      throw new TransferError(
        'NETWORK',
        `Gave up on ${file.name} from ${describeUrl(file.url)}: the server keeps dropping the connection and does not resume (it ignores Range), so ${mb(this.refetched)} were fetched again.`,
        'Try again later or on another network; or download the file another way and use `models import`.',
        false,
        { cause: error, gui: { hint: GUI_HINTS.gaveUp } },
      );
    }
    if (this.failures > this.settings.retries) throw error;
    const idleMs = Date.now() - this.lastProgressAt;
    if (idleMs > this.settings.retryWindowMs) {
      const why = error instanceof EngineError ? ` Last error: ${error.message}` : '';
      throw new TransferError('NETWORK', `Gave up on ${file.name} from ${describeUrl(file.url)} after ${Math.round(idleMs / 1000)} s of retries without getting further.${why}`, error instanceof EngineError ? error.hint : undefined, false, { cause: error });
    }
    return Math.min(30_000, this.settings.backoffMs * 2 ** (this.failures - 1)) * (0.8 + 0.4 * Math.random());
  }
}

const mb = (bytes: number): string => (bytes >= 1e6 ? `${(bytes / 1e6).toFixed(1)} MB` : `${bytes} bytes`);
