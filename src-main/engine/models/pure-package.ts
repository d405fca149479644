// A converted PURE package in a folder the user points at: made by `npm run convert -- pure`
// (only PURE's own manifest) or copied out of a models folder (PURE's manifest with the store's
// fields added). Recognised by PURE's manifest, checked file by file before anything is placed,
// and matched to the catalog model it is. Only reads the folder.
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { EngineError } from '../common/errors';
import { GUI_HINTS } from './gui-hints';
import { PURE_7B, type PureConfig } from '../pure/config';
import { PURE_FILES, readPureManifest, type PureManifest } from '../pure/package/pure-manifest';
import { modelEntry, type ModelEntry } from './catalog';
import { MANIFEST_FILE } from './manifest';
import { isSafeRelativeName } from './url-policy';

export interface PurePackage {
  manifest: PureManifest;
  /** The store's id, when the folder was copied out of a models folder. */
  storeId?: string;
}

const AGAIN = 'Copy the whole package folder again, or convert the model again with `npm run convert -- pure`.';
const AGAIN_GUI = { gui: { hint: GUI_HINTS.copyPackageAgain } };

/**
 * The folder's PURE package, or undefined when its manifest.json is absent or not PURE's (no
 * `"engine": "pure"` with a `config`): those folders are for the other import paths to judge.
 * A manifest that claims to be PURE's but does not fit PURE's schema is DIGEST_MISMATCH.
 */
export async function readPurePackage(dir: string): Promise<PurePackage | undefined> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(join(dir, MANIFEST_FILE), 'utf8'));
  } catch {
    return undefined;
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return undefined;
  const fields = json as Record<string, unknown>;
  if (fields.engine !== 'pure' || !('config' in fields)) return undefined;
  const manifest = await readPureManifest(dir);
  return typeof fields.id === 'string' ? { manifest, storeId: fields.id } : { manifest };
}

/** The file list itself is sound: names stay inside the folder, none twice, every graph the engine loads is there. */
export function checkListedFiles(dir: string, manifest: PureManifest): void {
  const names = manifest.files.map((f) => f.name);
  const unsafe = names.find((n) => !isSafeRelativeName(n) || n === MANIFEST_FILE);
  if (unsafe !== undefined) throw new EngineError('MODEL_FORMAT', `The PURE manifest in ${dir} lists a file named "${unsafe}", which a package may not hold.`, AGAIN, AGAIN_GUI);
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice !== undefined) throw new EngineError('MODEL_FORMAT', `The PURE manifest in ${dir} lists ${twice} twice.`, AGAIN, AGAIN_GUI);
  // decoder.onnx.data is absent from a model small enough to keep its weights inline.
  const needed = [PURE_FILES.decoder, PURE_FILES.vqEncoder, PURE_FILES.vqDecoder, PURE_FILES.tokenizer];
  const unlisted = needed.filter((n) => !names.includes(n));
  if (unlisted.length) throw new EngineError('MODEL_FORMAT', `The PURE manifest in ${dir} does not list ${unlisted.join(', ')}.`, AGAIN, AGAIN_GUI);
}

/** Every listed file is there with its recorded size: the cheap check, before any byte is placed or hashed. */
export async function checkFilesPresent(dir: string, manifest: PureManifest): Promise<void> {
  for (const file of manifest.files) {
    const info = await stat(join(dir, file.name)).catch(() => undefined);
    if (!info?.isFile()) throw new EngineError('MODEL_MISSING', `The PURE package in ${dir} is incomplete: ${file.name} is missing.`, AGAIN, AGAIN_GUI);
    if (info.size !== file.size) {
      throw new EngineError('DIGEST_MISMATCH', `The PURE package in ${dir} is damaged: ${file.name} is ${info.size} bytes, its manifest says ${file.size}.`, AGAIN, AGAIN_GUI);
    }
  }
}

export function digestMismatch(dir: string, name: string): EngineError {
  return new EngineError('DIGEST_MISMATCH', `The PURE package in ${dir} is damaged: ${name} does not match the sha256 its manifest records.`, AGAIN, AGAIN_GUI);
}

/** The real PURE-7B's shape (decoder, VQ, token ids, image size), as the converter records it. */
export function isPure7bShape(config: PureConfig): boolean {
  return (['decoder', 'vq', 'tokens', 'imageSize'] as const).every((key) => isDeepStrictEqual(config[key], PURE_7B[key]));
}

/**
 * Which catalog model the package is: the one asked for (`--id`), else the store id it was
 * copied with, else the catalog's only PURE model. A package that is not marked a test model
 * must have PURE-7B's shape: anything else would be listed as the real model while being some
 * other network (a test model keeps its TEST MODEL label under any id).
 */
export function purePackageEntry(dir: string, found: PurePackage, catalog: ModelEntry[], requested?: string): ModelEntry {
  const pure = catalog.filter((e) => e.engine === 'pure');
  let entry: ModelEntry;
  if (requested !== undefined) {
    entry = modelEntry(requested, catalog);
    if (entry.engine !== 'pure') throw new EngineError('INVALID_OPTION', `${dir} holds a PURE package, and "${requested}" is not a PURE model.`, pure.length ? `PURE models: ${pure.map((e) => e.id).join(', ')}.` : undefined);
  } else if (found.storeId !== undefined && pure.some((e) => e.id === found.storeId)) {
    entry = pure.find((e) => e.id === found.storeId)!;
  } else if (pure.length === 1) {
    entry = pure[0];
  } else if (pure.length === 0) {
    throw new EngineError('MODEL_FORMAT', `${dir} holds a PURE package, but the model catalog has no PURE model to install it as.`);
  } else {
    throw new EngineError('INVALID_OPTION', `${dir} holds a PURE package that could be any of ${pure.map((e) => e.id).join(', ')}.`, 'Say which with --id <model>.', {
      gui: { hint: GUI_HINTS.oneModelPerFolder },
    });
  }
  if (!found.manifest.testModel && !isPure7bShape(found.manifest.config)) {
    const d = found.manifest.config.decoder;
    throw new EngineError(
      'MODEL_FORMAT',
      `The PURE package in ${dir} is not marked as a test model, but its shape (${d.numLayers} layers of ${d.hiddenSize}) is not PURE-7B's (${PURE_7B.decoder.numLayers} of ${PURE_7B.decoder.hiddenSize}).`,
      'Convert the original PURE checkpoint (nonwhy/PURE) again.',
    );
  }
  return entry;
}
