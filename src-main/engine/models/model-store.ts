// The local model store: finds an installed model and proves its files are intact (sha256
// against the manifest) before anything runs them. A verified file is remembered by size and
// mtime for the life of the process, so repeated restores do not re-hash 64 MB each time.
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { EngineError } from '../common/errors';
import { sha256File } from './digest';
import { readManifest, type ModelManifest } from './manifest';
import { modelsDir, studioHome } from './paths';

export interface InstalledModel {
  id: string;
  dir: string;
  manifest: ModelManifest;
  /** The ONNX graph to load. */
  onnxPath: string;
}

const SETUP_HINT = 'Run `npm run setup-models` to install the default models.';
const REPAIR_HINT = 'Run `npm run setup-models -- --force` to reinstall it.';

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
      throw new EngineError('MODEL_MISSING', `Model "${manifest.id}" is incomplete: ${file.name} is missing.`, REPAIR_HINT);
    }
    const stamp = `${info.size}:${info.mtimeMs}`;
    if (options.useCache !== false && verified.get(path) === stamp) continue;
    if (info.size !== file.size || (await sha256File(path)) !== file.sha256) {
      verified.delete(path);
      throw new EngineError('DIGEST_MISMATCH', `Model "${manifest.id}" is damaged: ${file.name} does not match its recorded sha256.`, REPAIR_HINT);
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

/** The installed, verified model with this id, or MODEL_MISSING / DIGEST_MISMATCH. */
export async function locateModel(id: string, home = studioHome()): Promise<InstalledModel> {
  const dir = await findModelDir(id, home);
  const manifest = await readManifest(dir);
  if (!manifest) throw new EngineError('MODEL_MISSING', `Model "${id}" is not installed (looked in ${dir}).`, SETUP_HINT);
  if (manifest.id !== id) throw new EngineError('DIGEST_MISMATCH', `The folder ${dir} holds "${manifest.id}", not "${id}".`, REPAIR_HINT);
  await verifyModelFiles(dir, manifest);
  const onnx = manifest.files.find((f) => f.role === 'onnx');
  if (!onnx) throw new EngineError('MODEL_FORMAT', `Model "${id}" has no ONNX graph in its manifest.`, REPAIR_HINT);
  return { id, dir, manifest, onnxPath: join(dir, onnx.name) };
}
