// `import <dir>` of a converted PURE package (`npm run convert -- pure --out <dir>`, or a package
// copied out of a models folder). Its manifest is PURE's own: the engine's config, dtype, token
// ids and every file's sha256, without the store's fields (id, licence, provenance). So:
//   1. the file list is checked (safe names, the graphs the engine needs) and every file must be
//      there at its recorded size: a missing one is MODEL_MISSING before anything is placed;
//   2. under the model's lock, each file is hard-linked (same disk) or copied into a staging
//      folder and hashed as it is placed: a changed byte is DIGEST_MISMATCH naming the file;
//   3. the manifest is written (PURE's fields with the store's added, as a pull writes it), and
//      the package is validated by the PURE converter's own check (PurePipeline.load, in a child);
//   4. only then is the staging folder renamed into place. Any failure leaves the store as it was.
// The user's folder is only read. A hard link shares the user's bytes: should they later change
// their copy, `verify` (and every load) finds the model damaged, as with any changed file.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { EngineError, throwIfAborted } from '../common/errors';
import type { PureManifest } from '../pure/package/pure-manifest';
import type { ModelEntry } from './catalog';
import { modelConverters } from './convert-process';
import { GUI_HINTS } from './gui-hints';
import type { ImportOptions, ImportResult } from './import-model';
import { buildManifest, MANIFEST_FILE, manifestJson, type SourceFile } from './manifest';
import { acquireModelLock } from './model-lock';
import { placeHashed } from './place-hashed';
import { publishModel } from './publish';
import { checkFilesPresent, checkListedFiles, digestMismatch, purePackageEntry, type PurePackage } from './pure-package';

/**
 * One manifest.json for both readers, as a pull writes it: PURE's fields (the engine reads its
 * config from them) with the store's over them, and PURE's `checkpoint`/`vq` kept under `source`.
 */
function storeManifestText(entry: ModelEntry, pure: PureManifest, from: string): string {
  const sources: SourceFile[] = pure.files.map((f) => ({ name: f.name, size: f.size, sha256: f.sha256, trust: 'first-use' }));
  const store = buildManifest(entry, { source: { kind: 'import', from, files: sources }, converter: pure.converter, files: pure.files, testModel: pure.testModel });
  manifestJson(store); // throws if the store's part is unsound
  const merged = { ...pure, ...store, testModel: store.testModel === true, source: { checkpoint: pure.source.checkpoint, vq: pure.source.vq, ...store.source } };
  return `${JSON.stringify(merged, null, 2)}\n`;
}

/** What says something about this machine, not about the package: passed on as it is. */
const MACHINE_CODES = new Set(['CANCELLED', 'OUT_OF_MEMORY', 'INSUFFICIENT_MEMORY', 'WORKER_CRASHED', 'DISK_FULL']);

/**
 * A package whose bytes are right but which does not load (a graph onnxruntime refuses, token
 * ids the tokenizer lacks) is MODEL_FORMAT, worded about the user's folder, not our staging one.
 */
function notLoadable(dir: string, staging: string, error: unknown): unknown {
  if (error instanceof EngineError && MACHINE_CODES.has(error.code)) return error;
  const message = (error instanceof Error ? error.message.split('\n')[0] : String(error)).split(staging).join(dir);
  return new EngineError('MODEL_FORMAT', `The PURE package in ${dir} does not load: ${message}`, 'Convert the model again with `npm run convert -- pure`.', {
    cause: error,
    gui: { hint: GUI_HINTS.convertPackageAgain },
  });
}

export async function importPurePackage(dir: string, found: PurePackage, home: string, catalog: ModelEntry[], options: ImportOptions): Promise<ImportResult> {
  const { manifest } = found;
  const entry = purePackageEntry(dir, found, catalog, options.id);
  checkListedFiles(dir, manifest);
  const report = options.onProgress ?? (() => {});
  report({ id: entry.id, phase: 'verifying' });
  await checkFilesPresent(dir, manifest);
  const validator = (options.converters ?? modelConverters).pure;
  const lock = await acquireModelLock(entry.id, { home, activity: 'importing', signal: options.signal });
  try {
    await publishModel(entry.id, home, async (staging) => {
      const total = manifest.files.reduce((sum, f) => sum + f.size, 0);
      let done = 0;
      for (const file of manifest.files) {
        throwIfAborted(options.signal);
        report({ id: entry.id, phase: 'verifying', file: file.name, fraction: total ? done / total : 0 });
        const placed = await placeHashed(join(dir, file.name), join(staging, file.name), options.signal);
        if (placed.size !== file.size || placed.sha256 !== file.sha256) throw digestMismatch(dir, file.name);
        done += file.size;
      }
      // Written before validation, unlike a pull's: the engine's loader reads the package's
      // config from it. The staging folder is hidden and only its rename publishes it.
      await writeFile(join(staging, MANIFEST_FILE), storeManifestText(entry, manifest, dir));
      throwIfAborted(options.signal);
      report({ id: entry.id, phase: 'validating' });
      try {
        await validator.validate(staging, { signal: options.signal, onProgress: (p) => report({ id: entry.id, phase: 'validating', ...p }) });
      } catch (error) {
        throw notLoadable(dir, staging, error);
      }
      throwIfAborted(options.signal);
      report({ id: entry.id, phase: 'installing' });
    });
    report({ id: entry.id, phase: 'done' });
    return { id: entry.id, kind: 'package' };
  } finally {
    await lock.release();
  }
}
