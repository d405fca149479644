// The one API the preload script exposes to the renderer as `window.pureStudio`.
// The renderer imports this file with `import type` only; the channel names below are for
// preload and main.
import type { ErrorPayload } from '../engine/common/errors';
import type { JobEvent } from './messages';
import type { RestoreOptionsInput } from './restore';

export interface PureStudioApi {
  /** The app's version, e.g. "0.1.0". */
  readonly version: string;
  /**
   * Shows the system's file dialog for choosing a photo.
   * Resolves to the chosen path, or undefined when the person cancels.
   */
  openPhoto(): Promise<string | undefined>;
  /**
   * Starts restoring `input`. Resolves to the job's id as soon as the job is queued; follow it
   * with `onEvent`. Rejects with an ErrorPayload (a plain `{code, message, hint?}` object) when
   * the request is invalid.
   */
  restore(input: string, output: string | undefined, options: RestoreOptionsInput): Promise<string>;
  /** Asks the worker to stop a job; the job then ends with a 'failed' event coded CANCELLED. */
  cancel(jobId: string): Promise<void>;
  /** Calls `callback` with every job event (progress, done, failed); returns an unsubscribe. */
  onEvent(callback: (event: JobEvent) => void): () => void;
}

/** The reply to the restore channel: errors travel as data, because Electron keeps only the
 * message of an Error thrown from an IPC handler, and the renderer needs the code. */
export type RestoreReply = { ok: true; jobId: string } | { ok: false; error: ErrorPayload };

/** IPC channel names, shared by preload (sender) and main (handler). */
export const IPC_CHANNELS = {
  openPhoto: 'pure:open-photo',
  restore: 'pure:restore',
  cancel: 'pure:cancel',
  /** main -> renderer: one JobEvent per message. */
  event: 'pure:event',
} as const;
