// From original files (downloaded, or a folder the user imported) to a ready model: the
// catalog's converter writes the package into a staging folder, the package is validated (it
// loads and runs), every file is hashed into the manifest, and only then is the folder swapped
// into place. Any failure leaves the original files untouched so the step can be retried.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { EngineError, throwIfAborted } from '../common/errors';
import { VERIFIED_FILE } from '../pure/package/package-check';
import type { DownloadEntry } from './catalog';
import { modelConverters } from './convert-process';
import { listFiles, type ConverterRegistry } from './converters';
import { digestFile } from './digest';
import { buildManifest, MANIFEST_FILE, manifestJson, type ModelManifest, type SourceFile } from './manifest';
import type { ProgressListener } from './model-progress';
import { publishModel } from './publish';
import { GUI_HINTS } from './gui-hints';

export type PackageOrigin = { kind: 'download'; revision?: string } | { kind: 'import'; from: string };

export interface InstallPackageOptions {
  home: string;
  converters?: ConverterRegistry;
  signal?: AbortSignal;
  onProgress?: ProgressListener;
}

/** A converter's own failure, as something the user can act on; the originals are kept. */
function conversionError(entry: DownloadEntry, error: unknown): unknown {
  if (error instanceof EngineError) return error;
  const message = error instanceof Error ? error.message : String(error);
  if (/out of memory|bad_alloc|allocation failed/i.test(message)) {
    return new EngineError('OUT_OF_MEMORY', `Ran out of memory while converting ${entry.name}.`, 'Close other programs and pull again: the downloaded files are kept.');
  }
  return new EngineError('MODEL_FORMAT', `Converting ${entry.name} failed: ${message.split('\n')[0]}`, `The downloaded files are kept: run \`npm run models -- pull ${entry.id}\` to try the conversion again.`, {
    cause: error,
    gui: { hint: GUI_HINTS.convertAgain },
  });
}

/**
 * A converter may write a manifest.json of its own (the PURE converter does: the PURE engine
 * reads its config, dtype and token ids from it). Its fields are kept and the store's are added
 * (id, licence, provenance, every file's sha256), so one file serves both readers.
 */
async function converterManifest(staging: string): Promise<Record<string, unknown> | undefined> {
  try {
    const json = JSON.parse(await readFile(join(staging, MANIFEST_FILE), 'utf8')) as unknown;
    return json && typeof json === 'object' && !Array.isArray(json) ? (json as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

export async function installPackage(entry: DownloadEntry, inputDir: string, sources: SourceFile[], origin: PackageOrigin, options: InstallPackageOptions): Promise<ModelManifest> {
  const converter = (options.converters ?? modelConverters)[entry.source.convert];
  const report = (phase: 'converting' | 'validating' | 'installing', p: { fraction?: number; message?: string } = {}): void =>
    options.onProgress?.({ id: entry.id, phase, ...p });
  let manifest: ModelManifest | undefined;
  await publishModel(entry.id, options.home, async (staging) => {
    const ctx = { signal: options.signal };
    try {
      report('converting');
      await converter.convert(inputDir, staging, { ...ctx, onProgress: (p) => report('converting', p) });
      throwIfAborted(options.signal);
      report('validating');
      await converter.validate(staging, { ...ctx, onProgress: (p) => report('validating', p) });
    } catch (error) {
      throw conversionError(entry, error);
    }
    throwIfAborted(options.signal);
    report('installing');
    const own = await converterManifest(staging);
    const ownRoles = new Map((Array.isArray(own?.files) ? (own.files as { name?: unknown; role?: unknown }[]) : []).map((f) => [f.name, f.role]));
    const files = [];
    // The package's record of its last full proof is state that changes (models verify rewrites
    // it), not part of the model: pinned with the files it would make the model look damaged.
    for (const name of (await listFiles(staging)).filter((n) => n !== MANIFEST_FILE && n !== VERIFIED_FILE)) {
      const digest = await digestFile(join(staging, name));
      const role = ownRoles.get(name);
      files.push({ name, role: typeof role === 'string' ? role : name.endsWith('.onnx') ? 'onnx' : 'data', size: digest.size, sha256: digest.sha256 });
    }
    manifest = buildManifest(entry, {
      source: origin.kind === 'download' ? { kind: 'download', revision: origin.revision, files: sources } : { kind: 'import', from: origin.from, files: sources },
      converter: { name: converter.name, version: converter.version },
      files,
      testModel: own?.testModel === true,
    });
    const checked = manifestJson(manifest); // validates the store's part
    const text = own ? `${JSON.stringify({ ...own, ...manifest, source: { ...(own.source as object), ...manifest.source } }, null, 2)}\n` : checked;
    await writeFile(join(staging, MANIFEST_FILE), text); // last: marks the folder complete
  });
  return manifest!;
}
