// The local model store: finds an installed model and proves its files are intact (sha256
// against the manifest) before anything runs them. A verified file is remembered by size and
// mtime for the life of the process, so repeated restores do not re-hash 64 MB each time.
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { EngineError } from '../common/errors';
import { builtInCatalog } from './catalog';
import { sha256File } from './digest';
import { GUI_HINTS } from './gui-hints';
import { readManifest, type ModelManifest } from './manifest';
import { modelsDir, studioHome } from './paths';

export interface InstalledPackage {
  id: string;
  dir: string;
  manifest: ModelManifest;
}

export interface InstalledModel extends InstalledPackage {
  /** The ONNX graph to load. */
  onnxPath: string;
}

/** The built-in engines come from `setup-models`; everything else from the model manager. */
const isSetupModel = (id: string): boolean => builtInCatalog.some((m) => m.id === id);
const INSTALL = { gui: { hint: GUI_HINTS.install } };
const REPAIR = { gui: { hint: GUI_HINTS.repair } };
const setupHint = (id: string): string => (isSetupModel(id) ? 'Run `npm run setup-models` to install the default models.' : `Run \`npm run models -- pull ${id}\` to install it.`);
const repairHint = (id: string): string =>
  isSetupModel(id) ? 'Run `npm run setup-models -- --force` to reinstall it.' : `Run \`npm run models -- remove ${id}\`, then pull it again.`;

const verified = new Map<string, string>(); // path -> "size:mtime" last proven good

export function modelDir(id: string, home = studioHome()): string {
  return join(modelsDir(home), id);
}

/** Checks every file of the manifest: present, right size, right sha256. */
export async function verifyModelFiles(dir: string, manifest: ModelManifest, options: { useCache?: boolean } = {}): Promise<void> {
  for (const file of manifest.files) {
    const path = join(dir, file.name);
    let info;
    try {
      info = await stat(path);
    } catch {
      throw new EngineError('MODEL_MISSING', `Model "${manifest.id}" is incomplete: ${file.name} is missing.`, repairHint(manifest.id), REPAIR);
    }
    const stamp = `${info.size}:${info.mtimeMs}`;
    if (options.useCache !== false && verified.get(path) === stamp) continue;
    if (info.size !== file.size || (await sha256File(path)) !== file.sha256) {
      verified.delete(path);
      throw new EngineError('DIGEST_MISMATCH', `Model "${manifest.id}" is damaged: ${file.name} does not match its recorded sha256.`, repairHint(manifest.id), REPAIR);
    }
    verified.set(path, stamp);
  }
}

/**
 * Where a model may be: the user's store first, then the models bundled with a packaged app
 * (PURE_STUDIO_BUNDLED_MODELS, set by the Electron main process to <resources>/models).
 */
async function findModelDir(id: string, home: string): Promise<string> {
  const own = modelDir(id, home);
  const bundled = process.env.PURE_STUDIO_BUNDLED_MODELS;
  if (bundled && !(await readManifest(own).catch(() => undefined)) && (await readManifest(join(bundled, id)).catch(() => undefined))) {
    return join(bundled, id);
  }
  return own;
}

/**
 * The installed model with this id, every file proven intact, or MODEL_MISSING / DIGEST_MISMATCH.
 * For engines whose package is several files (PURE: graphs, external weights, tokenizer).
 */
export async function locatePackage(id: string, home = studioHome()): Promise<InstalledPackage> {
  const dir = await findModelDir(id, home);
  const manifest = await readManifest(dir);
  if (!manifest) throw new EngineError('MODEL_MISSING', `Model "${id}" is not installed (looked in ${dir}).`, setupHint(id), INSTALL);
  if (manifest.id !== id) throw new EngineError('DIGEST_MISMATCH', `The folder ${dir} holds "${manifest.id}", not "${id}".`, repairHint(id), REPAIR);
  await verifyModelFiles(dir, manifest);
  return { id, dir, manifest };
}

/** The installed, verified single-graph model with this id (the Real-ESRGAN engines). */
export async function locateModel(id: string, home = studioHome()): Promise<InstalledModel> {
  const found = await locatePackage(id, home);
  const onnx = found.manifest.files.find((f) => f.role === 'onnx');
  if (!onnx) throw new EngineError('MODEL_FORMAT', `Model "${id}" has no ONNX graph in its manifest.`, repairHint(id), REPAIR);
  return { ...found, onnxPath: join(found.dir, onnx.name) };
}

export type InstalledState =
  | { kind: 'missing'; dir: string }
  | { kind: 'damaged'; dir: string; problem: string; manifest?: ModelManifest }
  | { kind: 'ok'; dir: string; manifest: ModelManifest; bytes: number };

/**
 * The cheap check a listing can afford for every model: the manifest reads, names this model,
 * and every file is present with its recorded size. `verifyModelFiles` re-hashes for real.
 */
export async function installedState(id: string, home = studioHome()): Promise<InstalledState> {
  const dir = await findModelDir(id, home);
  let manifest: ModelManifest | undefined;
  try {
    manifest = await readManifest(dir);
  } catch (error) {
    return { kind: 'damaged', dir, problem: error instanceof Error ? error.message : String(error) };
  }
  if (!manifest) return { kind: 'missing', dir };
  if (manifest.id !== id) return { kind: 'damaged', dir, manifest, problem: `The folder holds "${manifest.id}", not "${id}".` };
  let bytes = 0;
  for (const file of manifest.files) {
    const size = await stat(join(dir, file.name)).then((s) => s.size, () => undefined);
    if (size === undefined) return { kind: 'damaged', dir, manifest, problem: `${file.name} is missing.` };
    if (size !== file.size) return { kind: 'damaged', dir, manifest, problem: `${file.name} has ${size} bytes instead of ${file.size}.` };
    bytes += size;
  }
  return { kind: 'ok', dir, manifest, bytes };
}
