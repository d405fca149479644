// Test-only converter registries that the conversion child process loads by module URL
// (childProcessConverters(..., { module: TEST_CONVERTERS_MODULE, exportName })): a converter
// that never yields, one that throws, one whose process dies. Each runs for every convert kind.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { EngineError } from '../common/errors';
import { CONVERT_KINDS, type ConvertKind } from './catalog';
import type { Converter, ConverterRegistry } from './converters';

export const TEST_CONVERTERS_MODULE = import.meta.url;

const everyKind = (converter: Converter): ConverterRegistry =>
  Object.fromEntries(CONVERT_KINDS.map((kind) => [kind, converter])) as Record<ConvertKind, Converter>;

/**
 * Writes half a package, says which process it runs in, then spins without ever yielding: only
 * killing its process can stop it (as with a synchronous graph build). Gives up after a minute so
 * that a test that fails to kill it does not leave it burning a core.
 */
export const stuckConverters = everyKind({
  name: 'test stuck',
  version: 1,
  async convert(_inputDir, outDir, ctx) {
    await writeFile(join(outDir, 'half.onnx'), new Uint8Array(1000));
    ctx.onProgress?.({ fraction: 0.5, message: `pid ${process.pid}` });
    await new Promise((resolve) => setTimeout(resolve, 50)); // lets the progress message leave
    const until = Date.now() + 60_000;
    while (Date.now() < until); // busy on purpose: no signal is ever looked at
    throw new Error('the stuck converter was not killed');
  },
  async validate() {},
});

/** A converter's own bug: a plain Error, which the parent must word as a conversion failure. */
export const throwingConverters = everyKind({
  name: 'test throwing',
  version: 1,
  convert() {
    return Promise.reject(new Error('the weights are torn at byte 42'));
  },
  async validate() {},
});

/** A refusal the converter words itself: its code and hint must cross unchanged. */
export const refusingConverters = everyKind({
  name: 'test refusing',
  version: 1,
  async convert() {},
  validate() {
    return Promise.reject(new EngineError('MODEL_FORMAT', 'The package has no decoder graph.', 'Convert it again.'));
  },
});

/** The conversion process dies without a word (a native crash, an abort). */
export const dyingConverters = everyKind({
  name: 'test dying',
  version: 1,
  convert() {
    return process.exit(3);
  },
  async validate() {},
});
