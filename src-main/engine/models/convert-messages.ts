// Messages between the model manager and its conversion child process (convert-worker.ts).
import type { ErrorPayload } from '../common/errors';
import type { ConvertKind } from './catalog';

/** Where the child finds the converters it runs: a module and the name of its registry export. */
export interface ConverterSource {
  /** A module URL (file:...); absent: the built-in converters bundled with the child. */
  module?: string;
  /** The export holding a ConverterRegistry (default `converters`). */
  exportName?: string;
}

export type ToConvertWorker = {
  type: 'run';
  op: 'convert' | 'validate';
  kind: ConvertKind;
  source: ConverterSource;
  /** convert: the original files (read only); validate: unused. */
  inputDir: string;
  /** convert: the empty folder to fill; validate: the package to check. */
  dir: string;
};

/**
 * A failure keeps what the converter threw: an EngineError crosses with its code and hint; any
 * other error crosses as its message only, so the parent words it exactly as it would have
 * in process (install-package.ts turns it into MODEL_FORMAT or OUT_OF_MEMORY).
 */
export type ConvertFailure = { engine: true; error: ErrorPayload } | { engine: false; message: string };

export type FromConvertWorker =
  | { type: 'progress'; fraction?: number; message?: string }
  | { type: 'done' }
  | { type: 'error'; failure: ConvertFailure };
