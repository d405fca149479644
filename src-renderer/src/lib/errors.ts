// Errors as a person reads them: a title that names the problem, the engine's one-line message,
// and what to do. Never a stack trace, whatever was thrown.
import type { ErrorCode, ErrorPayload } from '../../../src-main/protocol/messages';

const TITLES: Partial<Record<ErrorCode, string>> = {
  INVALID_OPTION: 'A setting is not valid',
  INPUT_NOT_FOUND: 'The photo cannot be found',
  INPUT_UNREADABLE: 'The photo cannot be read',
  EMPTY_FILE: 'The file is empty',
  UNSUPPORTED_IMAGE: 'This file is not a photo PURE Studio can open',
  CORRUPT_IMAGE: 'This photo file is damaged',
  IMAGE_TOO_SMALL: 'The photo is too small',
  IMAGE_TOO_LARGE: 'The photo is too large',
  OUTPUT_EXISTS: 'A file with that name already exists',
  OUTPUT_IS_INPUT: 'That would replace the original',
  OUTPUT_UNWRITABLE: 'The result cannot be saved there',
  UNSUPPORTED_OUTPUT: 'That format cannot be written',
  DISK_FULL: 'The disk is full',
  MODEL_MISSING: 'The restoration model is not installed',
  DIGEST_MISMATCH: 'The model file is damaged',
  MODEL_FORMAT: 'The model file cannot be read',
  PROVIDER_UNAVAILABLE: 'The graphics card cannot be used',
  INSUFFICIENT_MEMORY: 'Not enough memory for this model',
  OUT_OF_MEMORY: 'Not enough memory',
  WORKER_CRASHED: 'The restoration stopped unexpectedly',
  CANCELLED: 'Cancelled',
  PAYLOAD_TOO_LARGE: 'That is more than PURE Studio accepts at once',
  UNAUTHORIZED: 'This page needs its access link',
  INTERNAL: 'Something went wrong',
};

/** Said when the engine gives no hint, or one written for the command line (it names a --flag). */
const APP_HINTS: Partial<Record<ErrorCode, string>> = {
  INTERNAL: 'Try again. If it keeps happening, please report it with the photo that caused it.',
  OUT_OF_MEMORY: 'Choose a smaller output size or close other programs, then try again.',
  IMAGE_TOO_LARGE: 'Crop or shrink the photo in another program, then open it again.',
  INVALID_OPTION: 'Check the settings in the side panel.',
  // The worker's exit (engine/runtime/worker-exit.ts) advises a smaller --tile.
  WORKER_CRASHED: 'Try again. If it keeps happening, choose a smaller output size or close other programs.',
  // A taken name without the engine's window wording: the Save dialog's own way out.
  OUTPUT_EXISTS: 'Choose another name, or choose Replace to replace that file.',
};

/**
 * Said instead of the engine's hint, whatever it is: the engine can only name command-line flags
 * or conversions, while here the fix is usually the Processor setting in the side panel.
 */
const SETTING_HINTS: Partial<Record<ErrorCode, (payload: ErrorPayload) => string>> = {
  PROVIDER_UNAVAILABLE: () => 'Set Processor to Automatic or CPU in the side panel, then try again.',
  // The engine's message says which memory was short ("… of GPU memory is free").
  INSUFFICIENT_MEMORY: ({ message }) =>
    /GPU memory/i.test(message)
      ? 'Set Processor to CPU in the side panel (a photo then takes hours), or close other programs and try again.'
      : 'Close other programs and try again, or set Processor to Graphics card if this computer has one with enough memory.',
};

export interface ReadableError {
  code: ErrorCode;
  title: string;
  message: string;
  hint?: string;
  /** The engine's own words, when the message shown is a plainer one: behind "Details". */
  details?: string;
}

/** Said instead of the engine's message, which for these names library internals. */
const PLAIN_MESSAGES: Partial<Record<ErrorCode, string>> = {
  PROVIDER_UNAVAILABLE: 'The graphics card on this computer could not run the restoration, so nothing was restored.',
};

/** A message that quotes source files or C++ names (`webgpu_context.cc:136`, `a::b`) is internals. */
const INTERNALS = /\.(cc|cpp|c|h|hpp):\d+|\w::\w/;

function firstLine(text: string): string {
  // Engine messages are one line; anything after a newline would be a trace.
  return text.split('\n')[0].trim();
}

function isPayload(value: unknown): value is ErrorPayload {
  return typeof value === 'object' && value !== null && typeof (value as ErrorPayload).code === 'string' && typeof (value as ErrorPayload).message === 'string';
}

export function toPayload(error: unknown): ErrorPayload {
  if (isPayload(error)) return error;
  return { code: 'INTERNAL', message: error instanceof Error ? error.message : String(error) };
}

/**
 * A hint written for the terminal: it names a flag (`--tile`), an npm script or a command in
 * backticks. The engine words its errors for this window in `gui` (errors.ts, GuiWording); a
 * terminal hint that arrives without one is never shown here, the code's own advice is.
 */
const CLI_HINT = /(^|[\s(])--[a-z]|\bnpm run\b|`[^`]+`/;

/** `photoPath`, when given, is named by its file name in the message: the panel is narrow. */
export function readable(error: unknown, photoPath?: string): ReadableError {
  const payload = toPayload(error);
  const name = photoPath?.split(/[\\/]/).pop();
  const short = (text: string): string => (photoPath && name ? text.split(`"${photoPath}"`).join(`“${name}”`) : text);
  const message = short(payload.message);
  const gui = payload.gui;
  const cliHint = payload.hint !== undefined && CLI_HINT.test(payload.hint);
  const hint = SETTING_HINTS[payload.code]?.(payload) ?? gui?.hint ?? (payload.hint && !cliHint ? payload.hint : APP_HINTS[payload.code]);
  // Errors kept without their window wording (a library record written before schema 2 holds
  // code and message only) may end in a decoder's own words in brackets ("(VipsJpeg: …)").
  const decoder = payload.code === 'CORRUPT_IMAGE' ? /^(.*?) \(([^()]+)\)\.$/.exec(firstLine(message)) : null;
  const plain =
    PLAIN_MESSAGES[payload.code] ??
    (gui?.message !== undefined ? short(gui.message) : undefined) ??
    (decoder ? `${decoder[1]}.` : undefined) ??
    (INTERNALS.test(message) ? 'The engine stopped with an internal error.' : undefined);
  return {
    code: payload.code,
    title: TITLES[payload.code] ?? TITLES.INTERNAL ?? 'Something went wrong',
    message: plain ?? firstLine(message),
    ...(hint ? { hint: firstLine(hint) } : {}),
    ...(plain ? { details: message } : {}),
  };
}
